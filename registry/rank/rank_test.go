package rank

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/demand-registry/demand/registry/finding"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/registry/config"
)

// snapshot parses demand front matters (without the --- lines) into a
// snapshot with the default config or the given registry.yaml.
func snapshot(t testing.TB, cfgYAML string, fronts ...string) *registry.Snapshot {
	t.Helper()
	cfg := config.Default()
	if cfgYAML != "" {
		var fs finding.Findings
		cfg, fs = config.Parse("registry.yaml", []byte(cfgYAML))
		require.False(t, fs.HasErrors(), "%v", fs)
	}
	var ds []*registry.Demand
	for i, f := range fronts {
		id := fmt.Sprintf("D-%04d", i+1)
		text := fmt.Sprintf("---\nid: %s\ntitle: Demand %d\nstatus: %s\nreceived: 2026-01-%02d\n%s\n---\nbody\n", id, i+1, "triaged", i%28+1, f)
		if strings.Contains(f, "status:") {
			text = fmt.Sprintf("---\nid: %s\ntitle: Demand %d\nreceived: 2026-01-%02d\n%s\n---\nbody\n", id, i+1, i%28+1, f)
		}
		d, fs := registry.ParseDemand(cfg, id+"-x.md", []byte(text))
		require.False(t, fs.HasErrors(), "%s: %v", text, fs)
		ds = append(ds, d)
	}
	return registry.NewSnapshot(cfg, ds)
}

func TestWeightedHandComputed(t *testing.T) {
	s := snapshot(t, "", "value: high\nimpact: medium\nurgency: urgent\nimportance: general\ncustomer: {name: A, segment: regular}\ndifficulty: low")
	r := Rank(s).Get("D-0001")
	// 30·1 + 20·0.5 + 15·1 + 15·0.2 + 10·(0.4/1.5) + 10·1 = 30+10+15+3+2.67+10
	assert.Equal(t, 70.67, r.Models.Weighted.Score)
	points := map[string]float64{}
	for _, f := range r.Models.Weighted.Factors {
		points[f.Factor] = f.Points
	}
	assert.Equal(t, map[string]float64{"value": 30, "impact": 10, "urgency": 15, "importance": 3, "customers": 2.67, "difficulty": 10}, points)
	assert.Equal(t, 70.67, r.Score)
	assert.Equal(t, 2, r.Tier, "60 ≤ 70.67 < 80")
	assert.Equal(t, "delegate", r.Models.Matrix.Quadrant)

	empty := Rank(snapshot(t, "", "owner: x")).Get("D-0001")
	assert.Equal(t, 0.0, empty.Score, "fields not set count zero")
	assert.Equal(t, 4, empty.Tier)
	assert.Equal(t, "unclassified", empty.Models.Matrix.Quadrant)
}

func TestRICEHandComputed(t *testing.T) {
	rk := Rank(snapshot(t, "",
		"rice: {reach: 100, impact: 2, confidence: 0.5, effort: 0.25}",
		"rice: {reach: 100, impact: 2, confidence: 0.5, effort: 4}\ncustomer: {name: A, segment: regular}\nrequesters: [{name: B, segment: vip}, {name: C, segment: potential}, {name: a, segment: potential}]",
	))
	r := rk.Get("D-0001").Models.RICE
	require.NotNil(t, r)
	assert.Equal(t, 0.5, r.Effort, "effort is at least half a person-month")
	assert.Equal(t, 200.0, r.Score) // 100·2·0.5/0.5
	r2 := rk.Get("D-0002").Models.RICE
	// B (vip 1) and C (potential 0.2) add (1+0.2)·50 = 60 reach; "a" is A again.
	assert.Equal(t, 60.0, r2.RequesterReach)
	assert.Equal(t, 160.0, r2.Reach)
	assert.Equal(t, 40.0, r2.Score) // 160·2·0.5/4
	assert.Len(t, rk.Get("D-0002").Customers, 3)
	assert.Nil(t, Rank(snapshot(t, "", "owner: x")).Get("D-0001").Models.RICE)
}

func TestWSJFHandComputed(t *testing.T) {
	r := Rank(snapshot(t, "", "wsjf: {value: 8, time_criticality: 5, risk_reduction: 3, job_size: 2}")).Get("D-0001").Models.WSJF
	require.NotNil(t, r)
	assert.Equal(t, 16.0, r.CostOfDelay)
	assert.Equal(t, 8.0, r.Score)
}

func TestPrimaryModels(t *testing.T) {
	front := "value: high\nrice: {reach: 100, impact: 2, confidence: 0.5, effort: 1}\nwsjf: {value: 8, time_criticality: 5, risk_reduction: 3, job_size: 2}"
	for primary, want := range map[string]float64{"weighted": 30, "rice": 100, "wsjf": 8} {
		cfg := "scoring: {primary: " + primary + "}\n"
		if primary != "weighted" {
			cfg += "tiers:\n  levels: [{tier: 1, min_score: 50}, {tier: 2, min_score: 0}]\n  floors: []\nsla: {targets: []}\n"
		}
		r := Rank(snapshot(t, cfg, front)).Get("D-0001")
		assert.Equal(t, want, r.Score, primary)
		assert.Equal(t, primary, r.Primary)
	}
}

func TestKano(t *testing.T) {
	base := "value: high\n" // 30 points
	cases := map[string]float64{
		"must-be":     55, // floor 55
		"performance": 30,
		"attractive":  35, // +5
		"indifferent": 20, // -10
		"reverse":     5,  // -25, ceiling 30
	}
	for kano, want := range cases {
		r := Rank(snapshot(t, "", base+"kano: "+kano)).Get("D-0001")
		assert.Equal(t, want, r.Score, kano)
		assert.Equal(t, 30.0, r.Models.Kano.Before, kano)
	}
	high := Rank(snapshot(t, "", "value: high\nimpact: high\nurgency: urgent\nimportance: critical\nkano: reverse")).Get("D-0001")
	assert.Equal(t, 30.0, high.Score, "reverse is capped at its ceiling")
	assert.Equal(t, "-25, ceiling 30", high.Models.Kano.Effect)
}

func TestMatrix(t *testing.T) {
	want := map[[2]string]string{
		{"urgent", "critical"}: "do", {"urgent", "secondary"}: "do", {"urgent", "general"}: "delegate",
		{"routine", "critical"}: "schedule", {"routine", "secondary"}: "schedule", {"routine", "general"}: "delegate",
		{"long-term", "critical"}: "schedule", {"long-term", "secondary"}: "eliminate", {"long-term", "general"}: "eliminate",
	}
	for k, q := range want {
		r := Rank(snapshot(t, "", "urgency: "+k[0]+"\nimportance: "+k[1])).Get("D-0001")
		assert.Equal(t, q, r.Models.Matrix.Quadrant, "%v", k)
	}
}

func TestTiers(t *testing.T) {
	top := "value: high\nimpact: high\nurgency: urgent\nimportance: critical\ndifficulty: low\ncustomer: {segment: vip}" // 96.67
	rk := Rank(snapshot(t, "",
		top+"\nlinks: {depends_on: [D-0002]}",       // 1: tier 1, depends on 2
		"value: low\nlinks: {depends_on: [D-0003]}", // 2: score 3, inherits 1 from D-0001
		"value: low", // 3: inherits 1 through D-0002
		"customer: {segment: vip}\nimportance: critical\nurgency: urgent", // 4: floor vip-critical-urgent
		"tags: [security]", // 5: floor security → 2
		top+"\ntier_override: {tier: 3, reason: contract renegotiated, by: ceo}", // 6: override
		"value: low\nstatus: closed\nlinks: {depends_on: [D-0008]}",              // 7: closed, does not pass on its tier
		"value: low", // 8
	))
	tiers := map[string]int{}
	for _, r := range rk.Results {
		tiers[r.ID] = r.Tier
	}
	assert.Equal(t, map[string]int{"D-0001": 1, "D-0002": 1, "D-0003": 1, "D-0004": 1, "D-0005": 2, "D-0006": 3, "D-0007": 4, "D-0008": 4}, tiers)
	kinds := func(id string) []string {
		var k []string
		for _, x := range rk.Get(id).Reasons {
			k = append(k, x.Kind)
		}
		return k
	}
	assert.Equal(t, []string{"score", "inherit"}, kinds("D-0003"))
	assert.Contains(t, rk.Get("D-0003").Explain(), "D-0002 (tier 1) depends on it")
	assert.Equal(t, []string{"score", "floor"}, kinds("D-0004"))
	assert.Contains(t, rk.Get("D-0004").Explain(), "floor rule vip-critical-urgent")
	assert.Equal(t, []string{"score", "override"}, kinds("D-0006"))
	assert.Contains(t, rk.Get("D-0006").Explain(), "overridden by ceo: contract renegotiated")
	assert.Equal(t, 1, rk.Get("D-0006").ScoreTier)
}

func TestOrderIsTotal(t *testing.T) {
	// Same score: tier, then received, then ID decide.
	rk := Rank(snapshot(t, "", "value: high", "value: high", "value: high\ntags: [security]"))
	var ids []string
	for _, r := range rk.Results {
		ids = append(ids, r.ID)
	}
	assert.Equal(t, []string{"D-0003", "D-0001", "D-0002"}, ids)
	assert.Equal(t, 1, rk.Results[0].Rank)
}

func TestDuplicatesAddRequesters(t *testing.T) {
	rk := Rank(snapshot(t, "",
		"customer: {name: A, segment: regular}\nrice: {reach: 10, impact: 1, confidence: 1, effort: 1}",
		"status: duplicate\ncustomer: {name: B, segment: vip}\nrequesters: [{name: C, segment: regular}]\nlinks: {duplicate_of: D-0001}\nvalue: high\nimpact: high",
	))
	orig := rk.Get("D-0001")
	assert.Len(t, orig.Customers, 3)
	assert.Equal(t, "D-0002", orig.Customers[1].Via)
	assert.Equal(t, 10+(1+0.4)*50, orig.Models.RICE.Reach)
	// The duplicate's own score (value, impact) is not added to the original.
	assert.Equal(t, 0.0, orig.Models.Weighted.Factors[0].Points)
}

var levelOrder = map[string][]string{
	"urgency":    {"long-term", "routine", "urgent"},
	"importance": {"general", "secondary", "critical"},
	"value":      {"low", "medium", "high"},
	"impact":     {"low", "medium", "high"},
}

// TestPropertyRaisingNeverLowers: raising urgency, importance, value or
// impact by one level never lowers the score or raises the tier number.
func TestPropertyRaisingNeverLowers(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	fields := []string{"urgency", "importance", "value", "impact"}
	kanos := []string{"", "must-be", "performance", "attractive", "indifferent", "reverse"}
	for i := 0; i < 300; i++ {
		vals := map[string]int{}
		for _, f := range fields {
			vals[f] = rng.IntN(3)
		}
		kano := kanos[rng.IntN(len(kanos))]
		front := func(v map[string]int) string {
			var b strings.Builder
			keys := append([]string(nil), fields...)
			sort.Strings(keys)
			for _, f := range keys {
				fmt.Fprintf(&b, "%s: %s\n", f, levelOrder[f][v[f]])
			}
			if kano != "" {
				b.WriteString("kano: " + kano + "\n")
			}
			b.WriteString("difficulty: medium\ncustomer: {segment: regular}")
			return b.String()
		}
		f := fields[rng.IntN(len(fields))]
		if vals[f] == 2 {
			continue
		}
		before := Rank(snapshot(t, "", front(vals))).Get("D-0001")
		vals[f]++
		after := Rank(snapshot(t, "", front(vals))).Get("D-0001")
		require.GreaterOrEqual(t, after.Score, before.Score, "raising %s: %s", f, front(vals))
		require.LessOrEqual(t, after.Tier, before.Tier, "raising %s", f)
	}
}

// TestPropertyMoreRequesters: another requester never lowers reach or score.
func TestPropertyMoreRequesters(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	segs := []string{"vip", "regular", "potential"}
	var reqs []string
	prevReach, prevScore := -1.0, -1.0
	for i := 0; i < 40; i++ {
		front := "value: medium\ncustomer: {name: Own, segment: regular}\nrice: {reach: 100, impact: 1, confidence: 0.8, effort: 2}"
		if len(reqs) > 0 {
			front += "\nrequesters: [" + strings.Join(reqs, ", ") + "]"
		}
		r := Rank(snapshot(t, "", front)).Get("D-0001")
		require.GreaterOrEqual(t, r.Models.RICE.Reach, prevReach)
		require.GreaterOrEqual(t, r.Score, prevScore)
		prevReach, prevScore = r.Models.RICE.Reach, r.Score
		reqs = append(reqs, fmt.Sprintf("{name: C%d, segment: %s}", rng.IntN(30), segs[rng.IntN(3)]))
	}
}

func TestPolicy(t *testing.T) {
	top := "value: high\nimpact: high\nurgency: urgent\nimportance: critical\ndifficulty: low\ncustomer: {segment: vip}"
	var fronts []string
	for i := 0; i < 7; i++ {
		fronts = append(fronts, top+"\nstatus: planned\nowner: o\ndue: 2026-12-01")
	}
	fronts = append(fronts, top+"\nstatus: triaged", "status: in-progress\nvalue: low")
	s := snapshot(t, "", fronts...)
	fs := Policy(s, Rank(s))
	fs.Sort()
	var got []string
	for _, f := range fs {
		got = append(got, f.Path+" "+f.Rule)
	}
	assert.Equal(t, []string{
		"D-0006-x.md wip-limit", "D-0007-x.md wip-limit",
		"D-0008-x.md tier1-owner-due",
		"D-0009-x.md in-progress-owner",
	}, got)
	assert.Contains(t, fs[2].Message, "missing owner, due")
}

func TestCheck(t *testing.T) {
	s := snapshot(t, "", "value: high\ntier: 4", "value: high\ntier: 1", "value: low")
	fs := Check(s, Rank(s))
	require.Len(t, fs, 2)
	assert.Equal(t, "D-0002-x.md", fs[0].Path)
	assert.Equal(t, 7, fs[0].Line, "at the tier: line")
	assert.Contains(t, fs[0].Message, "declared tier 1, but the ranker computes tier 4")
	assert.Contains(t, fs[0].Message, "value high 30")
	assert.Equal(t, "D-0003-x.md", fs[1].Path)
	assert.Equal(t, 4, fs[1].Line, "at the status: line when tier: is missing")
	assert.Contains(t, fs[1].Message, "tier: is missing")
}

// Zero-width, bidi-control, full-width and Cyrillic look-alike spellings of
// one customer are that customer: they do not count as five VIPs.
func TestHomoglyphCustomersCountOnce(t *testing.T) {
	rk := Rank(snapshot(t, "",
		"rice: {reach: 10, impact: 1, confidence: 1, effort: 1}\ncustomer: {name: Acme, segment: vip}\n"+
			"requesters: [{name: \"Ac\\u200Bme\", segment: vip}, {name: \"\\u202EAcme\\u202C\", segment: vip}, {name: \"\\u0410cme\", segment: vip}, {name: \"Ａｃｍｅ\", segment: vip}, {name: \"ACME \\uFE0F\", segment: vip}]",
		"customer: {name: Acme, segment: vip}",
	))
	r := rk.Get("D-0001")
	assert.Len(t, r.Customers, 1, "%+v", r.Customers)
	assert.Equal(t, 0.0, r.Models.RICE.RequesterReach)
	assert.Equal(t, rk.Get("D-0002").Models.Weighted.Score, r.Models.Weighted.Score, "as one VIP")
	// A name wholly in another script is another customer.
	r = Rank(snapshot(t, "", "customer: {name: Acme, segment: vip}\nrequesters: [{name: \"\\u0410\\u0421\\u0415\", segment: vip}, {name: Ace, segment: vip}]")).Get("D-0001")
	assert.Len(t, r.Customers, 3)
}

// Scores stay finite whatever the config's weights: an infinite score
// breaks every JSON output.
func TestScoresFinite(t *testing.T) {
	snap := snapshot(t, "scoring: {requesters: {reach_per_requester: 2}}\n",
		"rice: {reach: 1e15, impact: 3, confidence: 1, effort: 0.5}\ncustomer: {name: A, segment: vip}\nrequesters: [{name: B, segment: vip}, {name: C, segment: vip}]")
	// Beyond what a config may say (an error there), as a library caller
	// could set it: scores stay finite all the same.
	snap.Config.Scoring.Requesters.ReachPerRequester = 1e308
	r := Rank(snap).Get("D-0001")
	for _, x := range []float64{r.Score, r.Models.RICE.Score, r.Models.RICE.Reach, r.Models.RICE.RequesterReach, r.Models.Weighted.Score} {
		assert.False(t, math.IsInf(x, 0) || math.IsNaN(x), "%v", x)
	}
	_, err := json.Marshal(r)
	assert.NoError(t, err)
}

// Demands whose factors have the same values share one slice of factor
// results; each is what ranking it alone gives.
func TestFactorSetsShared(t *testing.T) {
	a := "value: high\nimpact: medium\ncustomer: {name: A, segment: regular}"
	b := "value: low\nimpact: medium\ncustomer: {name: A, segment: regular}"
	s := snapshot(t, "", a, a, b, "value: high\nimpact: medium\ncustomer: {name: A, segment: vip}")
	rk := Rank(s)
	f := func(id string) []FactorResult { return rk.Get(id).Models.Weighted.Factors }
	assert.Same(t, &f("D-0001")[0], &f("D-0002")[0])
	assert.NotSame(t, &f("D-0001")[0], &f("D-0003")[0])
	assert.NotEqual(t, f("D-0001"), f("D-0004"), "the customer's weight differs")
	for i, d := range s.Demands {
		alone := Rank(registry.NewSnapshot(s.Config, []*registry.Demand{d})).Get(d.ID)
		assert.Equal(t, alone.Models.Weighted, rk.Get(d.ID).Models.Weighted, "demand %d", i+1)
	}
}
