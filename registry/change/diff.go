package change

import (
	"sort"
	"time"

	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/registry/history"
	"github.com/demand-registry/demand/registry/rank"
)

// Side is a registry at one revision.
type Side struct {
	Snapshot *registry.Snapshot
	Ranking  *rank.Ranking
	Date     time.Time // the commit's date, for SLA nodes this change reaches
}

// NodeEffect is an SLA node a change reaches, met or breached.
type NodeEffect struct {
	Node        string        `json:"node"`
	State       history.State `json:"state"` // met or breached
	ElapsedDays float64       `json:"elapsed_days"`
	TargetDays  float64       `json:"target_days"`
	OverDays    float64       `json:"over_days,omitempty"`
	WorkingDays bool          `json:"working_days"`
}

// DemandDiff is what a change did to one demand.
type DemandDiff struct {
	ID        string                 `json:"id"`
	Title     string                 `json:"title"`
	Kind      string                 `json:"kind"`   // added, removed, changed
	Status    string                 `json:"status"` // now (before, for a removed demand)
	Fields    []registry.FieldChange `json:"fields,omitempty"`
	StatusOld string                 `json:"status_from,omitempty"`
	StatusNew string                 `json:"status_to,omitempty"`
	ScoreOld  float64                `json:"-"` // see MarshalJSON
	ScoreNew  float64                `json:"-"`
	TierOld   int                    `json:"-"`
	TierNew   int                    `json:"-"`
	Why       string                 `json:"tier_reason,omitempty"` // how the new tier came about
	SLA       []NodeEffect           `json:"sla,omitempty"`
}

// Diff is what a change does to a registry, in ID order.
type Diff struct {
	Added   int          `json:"added"`
	Removed int          `json:"removed"`
	Changed int          `json:"changed"`
	Demands []DemandDiff `json:"demands"`
}

// Compare diffs two revisions of a registry. Rank moves count for every
// demand, so a change to one file that moves others' tiers shows them.
func Compare(a, b Side) Diff {
	var d Diff
	ids := map[string]bool{}
	for _, x := range a.Snapshot.Demands {
		ids[x.ID] = true
	}
	for _, x := range b.Snapshot.Demands {
		ids[x.ID] = true
	}
	sorted := make([]string, 0, len(ids))
	for id := range ids {
		sorted = append(sorted, id)
	}
	sort.Strings(sorted)
	for _, id := range sorted {
		old, cur := a.Snapshot.Get(id), b.Snapshot.Get(id)
		switch {
		case old == nil:
			r := b.Ranking.Get(id)
			d.Added++
			d.Demands = append(d.Demands, DemandDiff{ID: id, Title: cur.Title, Kind: "added", Status: cur.Status, StatusNew: cur.Status,
				ScoreNew: r.Score, TierNew: r.Tier, Why: r.Explain()})
		case cur == nil:
			r := a.Ranking.Get(id)
			d.Removed++
			d.Demands = append(d.Demands, DemandDiff{ID: id, Title: old.Title, Kind: "removed", Status: old.Status, StatusOld: old.Status,
				ScoreOld: r.Score, TierOld: r.Tier})
		default:
			ra, rb := a.Ranking.Get(id), b.Ranking.Get(id)
			dd := DemandDiff{ID: id, Title: cur.Title, Kind: "changed", Status: cur.Status, ScoreOld: ra.Score, ScoreNew: rb.Score, TierOld: ra.Tier, TierNew: rb.Tier}
			dd.Fields = fieldDiff(old, cur)
			if old.Status != cur.Status {
				dd.StatusOld, dd.StatusNew = old.Status, cur.Status
				dd.SLA = slaEffects(b, cur, rb.Tier, old.Status, cur.Status)
			}
			if len(dd.Fields) == 0 && ra.Score == rb.Score && ra.Tier == rb.Tier {
				continue
			}
			if ra.Tier != rb.Tier || ra.Score != rb.Score {
				dd.Why = rb.Explain()
			}
			d.Changed++
			d.Demands = append(d.Demands, dd)
		}
	}
	return d
}

func fieldDiff(a, b *registry.Demand) []registry.FieldChange {
	out := registry.DiffFields(registry.CanonicalFields(a.Fields), registry.CanonicalFields(b.Fields))
	if a.Body != b.Body {
		out = append(out, registry.FieldChange{Field: "body", From: "…", To: "…"})
	}
	return out
}

// slaEffects lists the SLA nodes a status change reaches, judged with the
// new side's config and the demand's new tier, at the new side's date.
func slaEffects(b Side, d *registry.Demand, tier int, from, to string) []NodeEffect {
	cfg := b.Snapshot.Config
	var out []NodeEffect
	for _, node := range history.Nodes(cfg) {
		if !history.NodeReached(cfg, node, to) || history.NodeReached(cfg, node, from) {
			continue
		}
		target, ok := history.TargetFor(cfg, tier, node)
		if !ok || d.Received == "" || b.Date.IsZero() {
			continue
		}
		e := NodeEffect{Node: node, State: history.Met, TargetDays: target, WorkingDays: cfg.SLA.WorkingDays, ElapsedDays: history.Elapsed(cfg, d.Received.Time(), b.Date)}
		if e.ElapsedDays > target {
			e.State, e.OverDays = history.Breached, e.ElapsedDays-target
		}
		out = append(out, e)
	}
	return out
}
