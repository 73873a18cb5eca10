// Package rank turns each demand's fields into a score, a tier and an
// explanation anyone can check: weighted grading, RICE, WSJF, Kano and the
// urgency × importance matrix, tier floors, dependency inheritance and
// audited overrides.
package rank

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/demand-registry/demand/registry/customer"

	"github.com/demand-registry/demand/registry/config"

	"github.com/demand-registry/demand/internal/intern"
	"github.com/demand-registry/demand/internal/par"
	"github.com/demand-registry/demand/registry"
)

// Result is one demand's ranking with everything that produced it.
type Result struct {
	ID           string                 `json:"id"`
	Title        string                 `json:"title"`
	Status       string                 `json:"status"`
	Received     config.Date            `json:"received,omitempty"`
	Score        float64                `json:"score"`                   // primary model, after Kano
	Tier         int                    `json:"tier"`                    // effective tier
	DeclaredTier int                    `json:"declared_tier,omitempty"` // tier: in the file, 0 (left out of JSON) when absent
	ScoreTier    int                    `json:"score_tier"`              // from the thresholds alone
	Primary      string                 `json:"primary"`
	Models       Models                 `json:"models"`
	Reasons      []Reason               `json:"tier_reasons"`
	Override     *registry.TierOverride `json:"override,omitempty"`
	Customers    []Customer             `json:"customers,omitempty"`
	Rank         int                    `json:"rank"` // 1-based position in the ranked list
}

// Models holds every model's result.
type Models struct {
	Weighted WeightedResult `json:"weighted"`
	RICE     *RICEResult    `json:"rice,omitempty"`
	WSJF     *WSJFResult    `json:"wsjf,omitempty"`
	Kano     *KanoResult    `json:"kano,omitempty"`
	Matrix   MatrixResult   `json:"matrix"`
}

// WeightedResult is the weighted grading with each factor's contribution.
type WeightedResult struct {
	Score   float64        `json:"score"`
	Factors []FactorResult `json:"factors"`
}

// FactorResult is one factor's contribution: Points = 100·Weight·Level/ΣWeights.
type FactorResult struct {
	Factor string  `json:"factor"`
	Field  string  `json:"field"`
	Value  string  `json:"value,omitempty"` // "" when not set
	Level  float64 `json:"level"`
	Weight float64 `json:"weight"`
	Points float64 `json:"points"`
}

// RICEResult is Reach × Impact × Confidence / Effort.
type RICEResult struct {
	Reach          float64 `json:"reach"` // declared + requesters
	DeclaredReach  float64 `json:"declared_reach"`
	RequesterReach float64 `json:"requester_reach"`
	Impact         float64 `json:"impact"`
	Confidence     float64 `json:"confidence"`
	Effort         float64 `json:"effort"` // at least 0.5
	Score          float64 `json:"score"`
}

// WSJFResult is cost of delay / job size.
type WSJFResult struct {
	Value           float64 `json:"value"`
	TimeCriticality float64 `json:"time_criticality"`
	RiskReduction   float64 `json:"risk_reduction"`
	CostOfDelay     float64 `json:"cost_of_delay"`
	JobSize         float64 `json:"job_size"`
	Score           float64 `json:"score"`
}

// KanoResult is the Kano category's effect on the primary score.
type KanoResult struct {
	Category string  `json:"category"`
	Before   float64 `json:"before"`
	After    float64 `json:"after"`
	Effect   string  `json:"effect"`
}

// MatrixResult places a demand in the urgency × importance matrix.
type MatrixResult struct {
	Urgency    string `json:"urgency,omitempty"`
	Importance string `json:"importance,omitempty"`
	Quadrant   string `json:"quadrant"` // do, schedule, delegate, eliminate, unclassified
}

// Reason is one step that set the tier.
type Reason struct {
	Kind   string `json:"kind"` // score, floor, inherit, override
	Tier   int    `json:"tier"`
	Detail string `json:"detail"`
	// The parts of the detail, for translations: the floor rule's name and
	// condition, the demand passing its tier on, the override's author and
	// reason.
	Rule      string `json:"rule,omitempty"`
	Condition string `json:"condition,omitempty"`
	From      string `json:"from,omitempty"`
	By        string `json:"by,omitempty"`
	Why       string `json:"why,omitempty"`
}

// Customer is one customer asking for a demand, with its weight.
type Customer struct {
	Name    string  `json:"name,omitempty"` // left out for the public audience
	Segment string  `json:"segment,omitempty"`
	Weight  float64 `json:"weight"`
	Via     string  `json:"via"` // customer, requester, or the ID of a duplicate
}

// Ranking is the ranked registry.
type Ranking struct {
	Primary string
	Results []*Result // ranked: score desc, tier, received, ID
	byID    map[string]*Result
}

// Get returns a demand's result, or nil.
func (r *Ranking) Get(id string) *Result { return r.byID[id] }

// Rank scores every demand of a snapshot. It is a pure function of it.
func Rank(s *registry.Snapshot) *Ranking {
	cfg := s.Config
	dupsOf := map[string][]*registry.Demand{}
	for _, d := range s.Demands {
		if o := d.Links.DuplicateOf; o != "" && o != d.ID && s.Get(o) != nil {
			dupsOf[o] = append(dupsOf[o], d)
		}
	}
	rk := &Ranking{Primary: cfg.Scoring.Primary, byID: make(map[string]*Result, len(s.Demands))}
	rk.Results = make([]*Result, len(s.Demands))
	_ = par.ForWith(len(s.Demands), 0, newFactorSets, func(fs *factorSets, i int) error {
		d := s.Demands[i]
		rk.Results[i] = score(cfg, d, dupsOf[d.ID], fs)
		return nil
	})
	for _, r := range rk.Results {
		rk.byID[r.ID] = r
	}
	assignTiers(s, rk)
	slices.SortFunc(rk.Results, func(a, b *Result) int {
		return cmp.Or(
			cmp.Compare(b.Score, a.Score),
			cmp.Compare(a.Tier, b.Tier),
			cmp.Compare(a.Received, b.Received),
			registry.CompareIDs(a.ID, b.ID),
		)
	})
	for i, r := range rk.Results {
		r.Rank = i + 1
	}
	return rk
}

// Customers lists everyone asking for d: its customer, its requesters,
// and those of its duplicates, each name once with its highest weight.
func Customers(cfg *config.Config, d *registry.Demand, dups []*registry.Demand) []Customer {
	w := cfg.Scoring.Requesters.SegmentWeights
	out := make([]Customer, 0, 1+len(d.Requesters))
	keys := make([]string, 0, cap(out))
	add := func(name, seg, via string) {
		c := Customer{Name: name, Segment: seg, Weight: w[seg], Via: via}
		// The same customer (by name, ignoring case, spaces, invisible
		// characters and look-alike letters) counts once, with its highest
		// weight; unnamed customers each count.
		key := customer.Key(name)
		if key != "" {
			for i := range out {
				if keys[i] != "" && (strings.EqualFold(keys[i], key) || customer.SameKey(keys[i], key)) {
					if c.Weight > out[i].Weight {
						out[i].Segment, out[i].Weight = seg, c.Weight
					}
					return
				}
			}
		}
		out = append(out, c)
		keys = append(keys, key)
	}
	if d.Customer.Name != "" || d.Customer.Segment != "" {
		add(d.Customer.Name, d.Customer.Segment, "customer")
	}
	for _, r := range d.Requesters {
		add(r.Name, r.Segment, "requester")
	}
	for _, dup := range dups {
		if dup.Customer.Name != "" || dup.Customer.Segment != "" {
			add(dup.Customer.Name, dup.Customer.Segment, dup.ID)
		}
		for _, r := range dup.Requesters {
			add(r.Name, r.Segment, dup.ID)
		}
	}
	return out
}

// factorSets hands out one slice for equal weighted factors: factors are
// graded on a few levels each (high, medium, low), so a large registry has
// far fewer sets of them than demands. Results are never modified once
// ranked.
type factorSets struct {
	sets    *intern.Slices[FactorResult]
	scratch []FactorResult
	key     []byte
}

func newFactorSets() *factorSets { return &factorSets{sets: intern.New[FactorResult](4096)} }

// shared returns factors, which is the scratch, as a slice of its own or
// one equal to it handed out before. A factor's value determines its
// level and points (the config is the same for all).
func (fs *factorSets) shared(factors []FactorResult) []FactorResult {
	fs.scratch = factors
	if len(factors) == 0 {
		return []FactorResult{} // written [] to JSON, as before
	}
	k := fs.key[:0]
	for _, f := range factors {
		k = append(binary.AppendUvarint(k, uint64(len(f.Value))), f.Value...)
	}
	fs.key = k
	return fs.sets.Shared(k, factors)
}

func score(cfg *config.Config, d *registry.Demand, dups []*registry.Demand, fs *factorSets) *Result {
	r := &Result{ID: d.ID, Title: d.Title, Status: d.Status, Received: d.Received,
		DeclaredTier: d.Tier, Primary: cfg.Scoring.Primary, Override: d.TierOverride}
	r.Customers = Customers(cfg, d, dups)
	var customerWeight float64
	for _, c := range r.Customers {
		customerWeight += c.Weight
	}

	// Weighted grading.
	var total float64
	for _, f := range cfg.Scoring.Weighted {
		total += f.Weight
	}
	factors := fs.scratch[:0]
	for _, f := range cfg.Scoring.Weighted {
		fr := FactorResult{Factor: f.Factor, Field: f.Field, Weight: f.Weight}
		if f.Field == config.CustomersField {
			fr.Value = fmt.Sprintf("%d (weight %s)", len(r.Customers), trim(customerWeight))
			fr.Level = math.Round(math.Min(1, customerWeight/cfg.Scoring.Requesters.Saturation)*1e4) / 1e4
		} else if v := d.Text(f.Field); v != "" {
			fr.Value = v
			fr.Level = f.Levels[v]
		}
		if total > 0 {
			fr.Points = round(100 * f.Weight * fr.Level / total)
		}
		factors = append(factors, fr)
		r.Models.Weighted.Score += fr.Points
	}
	r.Models.Weighted.Factors = fs.shared(factors)
	r.Models.Weighted.Score = round(r.Models.Weighted.Score)

	// RICE (Intercom): effort is at least half a person-month.
	if d.RICE != nil {
		extra := 0.0
		for _, c := range r.Customers {
			if c.Via != "customer" {
				extra += c.Weight
			}
		}
		x := &RICEResult{DeclaredReach: d.RICE.Reach, RequesterReach: round(extra * cfg.Scoring.Requesters.ReachPerRequester),
			Impact: d.RICE.Impact, Confidence: d.RICE.Confidence, Effort: math.Max(d.RICE.Effort, 0.5)}
		x.Reach = x.DeclaredReach + x.RequesterReach
		x.Score = round(x.Reach * x.Impact * x.Confidence / x.Effort)
		r.Models.RICE = x
	}
	// WSJF (SAFe).
	if d.WSJF != nil && d.WSJF.JobSize > 0 {
		x := &WSJFResult{Value: d.WSJF.Value, TimeCriticality: d.WSJF.TimeCriticality, RiskReduction: d.WSJF.RiskReduction, JobSize: d.WSJF.JobSize}
		x.CostOfDelay = x.Value + x.TimeCriticality + x.RiskReduction
		x.Score = round(x.CostOfDelay / x.JobSize)
		r.Models.WSJF = x
	}
	r.Models.Matrix = matrix(cfg, d)

	switch cfg.Scoring.Primary {
	case "rice":
		if r.Models.RICE != nil {
			r.Score = r.Models.RICE.Score
		}
	case "wsjf":
		if r.Models.WSJF != nil {
			r.Score = r.Models.WSJF.Score
		}
	default:
		r.Score = r.Models.Weighted.Score
	}
	if d.Kano != "" {
		if eff, ok := cfg.Scoring.Kano[d.Kano]; ok {
			k := &KanoResult{Category: d.Kano, Before: r.Score}
			var parts []string
			s := r.Score + eff.Add
			if eff.Add != 0 {
				parts = append(parts, fmt.Sprintf("%+g", eff.Add))
			}
			if eff.Floor != nil {
				s = math.Max(s, *eff.Floor)
				parts = append(parts, "floor "+trim(*eff.Floor))
			}
			if eff.Ceiling != nil {
				s = math.Min(s, *eff.Ceiling)
				parts = append(parts, "ceiling "+trim(*eff.Ceiling))
			}
			if cfg.Scoring.Primary == "weighted" {
				s = math.Min(100, s)
			}
			s = round(math.Max(0, s))
			k.After = s
			k.Effect = strings.Join(parts, ", ")
			if k.Effect == "" {
				k.Effect = "none"
			}
			r.Score = s
			r.Models.Kano = k
		}
	}
	r.ScoreTier = tierFor(cfg, r.Score)
	return r
}

func tierFor(cfg *config.Config, score float64) int {
	for _, l := range cfg.Tiers.Levels {
		if score >= l.MinScore {
			return l.Tier
		}
	}
	return len(cfg.Tiers.Levels)
}

// matrix places a demand in the urgency × importance grid. Each field's
// values are ordered high to low; with three values the middle one is the
// 3×3 extension (routine, secondary).
func matrix(cfg *config.Config, d *registry.Demand) MatrixResult {
	axes := cfg.Scoring.Matrix
	m := MatrixResult{Urgency: d.Text(axes.Urgency), Importance: d.Text(axes.Importance), Quadrant: "unclassified"}
	if !cfg.HasMatrix() || m.Urgency == "" || m.Importance == "" {
		return m
	}
	uf, imf := cfg.FieldByPath(axes.Urgency), cfg.FieldByPath(axes.Importance)
	u := slices.Index(uf.Values, m.Urgency)
	i := slices.Index(imf.Values, m.Importance)
	if u < 0 || i < 0 {
		return m
	}
	band := func(pos, n int) int { // 0 high, 1 middle, 2 low
		switch {
		case pos == 0:
			return 0
		case pos == n-1:
			return 2
		default:
			return 1
		}
	}
	grid := [3][3]string{
		{"do", "do", "delegate"},
		{"schedule", "schedule", "delegate"},
		{"schedule", "eliminate", "eliminate"},
	}
	m.Quadrant = grid[band(u, len(uf.Values))][band(i, len(imf.Values))]
	return m
}

// Matches reports whether a demand meets a condition; tier is its
// effective tier.
func Matches(cfg *config.Config, d *registry.Demand, tier int, c config.Condition) bool {
	for k, want := range c {
		var hit bool
		switch k {
		case "tier":
			hit = slices.Contains(want, strconv.Itoa(tier))
		case "status_kind":
			hit = slices.Contains(want, string(cfg.StatusKind(d.Status)))
		default:
			hit = d.AnyValue(k, func(v string) bool { return slices.Contains(want, v) })
		}
		if !hit {
			return false
		}
	}
	return true
}

// assignTiers applies thresholds, floors, overrides and inheritance.
func assignTiers(s *registry.Snapshot, rk *Ranking) {
	cfg := s.Config
	for _, r := range rk.Results {
		d := s.Get(r.ID)
		r.Tier = r.ScoreTier
		r.Reasons = []Reason{{Kind: "score", Tier: r.ScoreTier,
			Detail: fmt.Sprintf("%s score %s reaches tier %d (at least %s)", cfg.Scoring.Primary, trim(r.Score), r.ScoreTier, trim(minScore(cfg, r.ScoreTier)))}}
		for _, f := range cfg.Tiers.Floors {
			if f.Tier < r.Tier && Matches(cfg, d, r.Tier, f.When) {
				r.Tier = f.Tier
				r.Reasons = append(r.Reasons, Reason{Kind: "floor", Tier: f.Tier, Detail: fmt.Sprintf("floor rule %s: %s", f.Name, describe(f.When)),
					Rule: f.Name, Condition: describe(f.When)})
			}
		}
		if o := d.TierOverride; o != nil {
			r.Tier = o.Tier
			by := ""
			if o.By != "" {
				by = " by " + o.By
			}
			r.Reasons = append(r.Reasons, Reason{Kind: "override", Tier: o.Tier, Detail: fmt.Sprintf("overridden%s: %s", by, o.Reason), By: o.By, Why: o.Reason})
		}
	}
	if !cfg.Tiers.InheritDependencies {
		return
	}
	// A demand that an open or active demand depends on is at least as
	// high as it. A work list carries each lowered tier down the
	// dependencies; a tier only falls, and at most len(levels) times, so
	// this ends even on a cycle.
	passes := func(d *registry.Demand) bool {
		k := cfg.StatusKind(d.Status)
		return k == config.KindOpen || k == config.KindActive
	}
	var work []*registry.Demand
	for _, d := range s.Demands {
		if passes(d) && len(d.Links.DependsOn) > 0 {
			work = append(work, d)
		}
	}
	for len(work) > 0 {
		d := work[len(work)-1]
		work = work[:len(work)-1]
		t := rk.byID[d.ID].Tier
		for _, dep := range d.Links.DependsOn {
			dr := rk.byID[dep]
			if dr == nil || dr.Override != nil || dr.Tier <= t {
				continue
			}
			dr.Tier = t
			dr.Reasons = append(dr.Reasons, Reason{Kind: "inherit", Tier: t, Detail: fmt.Sprintf("%s (tier %d) depends on it", d.ID, t), From: d.ID})
			if dd := s.Get(dep); passes(dd) && len(dd.Links.DependsOn) > 0 {
				work = append(work, dd)
			}
		}
	}
}

func minScore(cfg *config.Config, tier int) float64 {
	for _, l := range cfg.Tiers.Levels {
		if l.Tier == tier {
			return l.MinScore
		}
	}
	return 0
}

func describe(c config.Condition) string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + " " + strings.Join(c[k], "|")
	}
	return strings.Join(parts, ", ")
}

// round rounds to cents and keeps a score finite: inputs are bounded when
// validated, but the config's weights are not, and an infinite score
// would break every JSON output.
func round(x float64) float64 {
	switch {
	case math.IsNaN(x):
		return 0
	case math.Abs(x) > 1e15: // cents no longer matter, and x*100 may overflow
		return math.Max(-math.MaxFloat64, math.Min(math.MaxFloat64, x))
	}
	return math.Round(x*100) / 100
}

func trim(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// Number is how every score, weight and level is written, in the CLI and
// on the site alike: to cents, without trailing zeros.
func Number(x float64) string { return strconv.FormatFloat(round(x), 'f', -1, 64) }
