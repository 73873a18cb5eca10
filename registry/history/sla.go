package history

import (
	"slices"
	"time"

	"github.com/demand-registry/demand/registry/config"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/demand-registry/demand/internal/par"
)

// SLA is a demand's response-time record against its tier's targets.
type SLA struct {
	Tier  int       `json:"tier"`
	Nodes []SLANode `json:"nodes"`
}

// State is where an SLA node stands.
type State string

// SLA node states.
const (
	Met           State = "met"
	Breached      State = "breached"
	Running       State = "running"
	NotApplicable State = "not-applicable"
	// Unknown: reached at a time no record gives: before a shallow
	// clone's history begins, while internal, or before the first commit
	// with no timeline entry for it. Neither met nor breached.
	Unknown State = "unknown"
)

// SLANode is one response node: evaluate, solution or feedback.
type SLANode struct {
	Node        string     `json:"node"`
	State       State      `json:"state"`
	TargetDays  float64    `json:"target_days"`
	ElapsedDays float64    `json:"elapsed_days"`
	OverDays    float64    `json:"over_days,omitempty"` // breached by
	WorkingDays bool       `json:"working_days"`
	Reached     *time.Time `json:"reached,omitempty"`
	Hash        string     `json:"hash,omitempty"` // the commit that reached it
	Tier        int        `json:"tier"`           // the tier whose target applied
}

// Nodes lists the config's SLA nodes in order.
func Nodes(cfg *config.Config) []string {
	out := make([]string, len(cfg.SLA.Nodes))
	for i, n := range cfg.SLA.Nodes {
		out[i] = n.Name
	}
	return out
}

// NodeReached reports whether entering status `to` reaches a node (see
// config.SLANode): by default evaluate when a demand leaves the
// workflow's first status, solution when it enters an active or done
// status (planned, in progress, delivered), feedback when it enters a done
// status (delivered).
func NodeReached(cfg *config.Config, node, to string) bool {
	n := cfg.Node(node)
	return n != nil && n.Reached(cfg, to)
}

// ComputeSLA sets the SLA of every demand that exists now (see Current).
// tiers gives each demand's current tier, used for nodes not reached yet
// and for nodes reached while the file declared no tier; a demand missing
// from tiers uses its declared tier. The targets in force are those of the
// config at the commit where a node was reached, so changing targets never
// rewrites the past; cfg is the config for nodes not reached yet.
func (res *Result) ComputeSLA(cfg *config.Config, tiers map[string]int) {
	if len(cfg.SLA.Targets) == 0 || !cfg.HasRole("status") || !cfg.HasRole("received") {
		return // no targets, or nothing to measure from: no SLA
	}
	byHash := map[string]*commitRec{}
	for _, r := range res.recs {
		byHash[r.Hash.String()] = r
	}
	ids := make([]string, 0, len(res.current))
	for id := range res.current {
		ids = append(ids, id)
	}
	// Each demand's SLA is its own: they are computed on every CPU.
	_ = par.For(len(ids), 0, func(i int) error {
		id := ids[i]
		cur, h := res.current[id], res.Histories[id]
		if h == nil || cur.Deleted || cur.Received == "" {
			return nil
		}
		tier, ok := tiers[id]
		if !ok {
			tier = cur.Tier
		}
		h.SLA = computeSLA(cfg, id, cur.Received, h, tier, res.AsOf, byHash, res.configs)
		return nil
	})
}

// NeedTiers reports whether some current demand declares no tier, so the
// caller must rank the registry to give ComputeSLA its tiers.
func (res *Result) NeedTiers() bool {
	for _, cur := range res.current {
		if !cur.Deleted && cur.Tier == 0 {
			return true
		}
	}
	return false
}

func computeSLA(cur *config.Config, id string, receivedDate config.Date, h *History, tier int, asOf time.Time,
	byHash map[string]*commitRec, configs map[plumbing.Hash]*config.Config) *SLA {
	sla := &SLA{Tier: tier, Nodes: []SLANode{}}
	received := receivedDate.Time()
	for _, node := range Nodes(cur) {
		n := SLANode{Node: node, State: Running, Tier: tier}
		var reachedAt *Transition
		ended := false
		for i := range h.Statuses {
			t := &h.Statuses[i]
			if NodeReached(cur, node, t.To) {
				reachedAt = t
				break
			}
			if cur.StatusKind(t.To) == config.KindClosed {
				ended = true
				break
			}
		}
		cfg := cur
		if reachedAt != nil {
			rec := byHash[reachedAt.Hash]
			if rec != nil {
				if c := configs[rec.ConfigBlob]; c != nil {
					cfg = c
				}
				for _, e := range rec.Events {
					if e.ID == id && e.Tier > 0 {
						n.Tier = e.Tier
					}
				}
				if rec.Boundary {
					n.State = Unknown
				}
			}
			if reachedAt.Published || reachedAt.Undated {
				n.State = Unknown
			}
		}
		target, ok := TargetFor(cfg, n.Tier, node)
		n.WorkingDays = cfg.SLA.WorkingDays
		switch {
		case !ok:
			n.State = NotApplicable
		case reachedAt == nil && ended:
			n.State = NotApplicable
		case reachedAt == nil:
			n.TargetDays = target
			n.ElapsedDays = Elapsed(cfg, received, asOf)
			if n.ElapsedDays > target {
				n.State = Breached
				n.OverDays = n.ElapsedDays - target
			}
		case n.State == Unknown:
			n.TargetDays = target
		default:
			when := reachedAt.Date
			n.Reached, n.Hash = &when, reachedAt.Hash
			n.TargetDays = target
			n.ElapsedDays = Elapsed(cfg, received, when)
			n.State = Met
			if n.ElapsedDays > target {
				n.State = Breached
				n.OverDays = n.ElapsedDays - target
				if reachedAt.Recorded && PassedOver(cur, reachedAt.From, reachedAt.To, node) {
					// Reached on the way to a later status the record
					// dates: only that it was by then is known.
					n.State, n.OverDays, n.Reached = Unknown, 0, nil
				}
			}
		}
		sla.Nodes = append(sla.Nodes, n)
	}
	return sla
}

// PassedOver reports whether a move from one status to another that is
// not a single step of the workflow may have reached node before it was
// made: some status on the way reaches the node. A timeline imported from
// another tool's dates (created, resolved) records such moves; the date
// is then only the latest the node can have been reached. from "" is
// the workflow's first status (the demand as received).
func PassedOver(cfg *config.Config, from, to, node string) bool {
	if from == "" && len(cfg.Statuses) > 0 {
		from = cfg.Statuses[0].Name
	}
	if s := cfg.Status(from); s == nil || slices.Contains(s.Next, to) {
		return false
	}
	for _, st := range cfg.Statuses {
		if st.Name != from && st.Name != to && NodeReached(cfg, node, st.Name) && cfg.Reachable(from, st.Name) && cfg.Reachable(st.Name, to) {
			return true
		}
	}
	return false
}

// TargetFor is the target in days of a node for a tier in a config.
func TargetFor(cfg *config.Config, tier int, node string) (float64, bool) {
	for _, t := range cfg.SLA.Targets {
		if t.Tier != tier {
			continue
		}
		d, ok := t.Days[node]
		return d, ok && d > 0
	}
	return 0, false
}

// Elapsed counts the days after received up to and including the date of
// until (in until's own time zone): calendar days, or working days without
// the config's weekends and holidays.
func Elapsed(cfg *config.Config, received, until time.Time) float64 {
	end := time.Date(until.Year(), until.Month(), until.Day(), 0, 0, 0, 0, time.UTC)
	start := time.Date(received.Year(), received.Month(), received.Day(), 0, 0, 0, 0, time.UTC)
	if !end.After(start) {
		return 0
	}
	days := int((end.Unix() - start.Unix()) / 86400) // midnights; a Duration saturates after 292 years
	if !cfg.SLA.WorkingDays {
		return float64(days)
	}
	weekend := map[time.Weekday]bool{}
	for _, w := range cfg.SLA.Weekends {
		if wd := config.WeekdayByName(w); wd >= 0 {
			weekend[wd] = true
		}
	}
	// Whole weeks have the same number of working days; count the rest.
	n := (days / 7) * (7 - len(weekend))
	for d, wd := 0, start.Weekday(); d < days%7; d++ {
		wd = (wd + 1) % 7
		if !weekend[wd] {
			n++
		}
	}
	for _, h := range cfg.SLA.Holidays {
		t, err := time.Parse("2006-01-02", h)
		if err == nil && t.After(start) && !t.After(end) && !weekend[t.Weekday()] {
			n--
		}
	}
	return float64(n)
}
