// Package change checks what a pull request does to a registry against
// the workflow: status moves one step at a time, IDs and received dates
// stay, files are withdrawn rather than deleted, and tiers move only with
// the ranker or an audited override.
package change

import (
	"fmt"
	"strings"

	"github.com/demand-registry/demand/registry/config"

	"github.com/demand-registry/demand/registry/finding"

	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/registry/rank"
)

// Check compares the head registry with the base. The head's config
// decides the workflow; findings point at the head's changed lines.
func Check(base, head *registry.Snapshot, headRank *rank.Ranking) finding.Findings {
	cfg := head.Config
	var fs finding.Findings
	baseByPath := map[string]*registry.Demand{}
	for _, d := range base.Demands {
		baseByPath[d.Path] = d
	}
	for _, d := range head.Demands {
		// An ID changed in place.
		if old := baseByPath[d.Path]; old != nil && old.ID != d.ID {
			fs = append(fs, at(d, "id", "id-change", fmt.Sprintf("the ID changed from %s to %s", old.ID, d.ID),
				"IDs never change: restore "+old.ID+" and create a new demand for anything new"))
			continue
		}
		if old := base.Get(d.ID); old == nil {
			fs = append(fs, timelineEnds(cfg, d)...)
		} else {
			fs = append(fs, changed(cfg, old, d, headRank)...)
		}
	}
	headPaths := map[string]bool{}
	for _, d := range head.Demands {
		headPaths[d.Path] = true
	}
	for _, old := range base.Demands {
		if head.Get(old.ID) == nil && !headPaths[old.Path] { // same path, new ID: reported as id-change
			fs = append(fs, finding.Finding{Path: old.Path, Severity: finding.Error, Rule: "deleted",
				Message: fmt.Sprintf("%s (%s) was deleted", old.ID, old.Title),
				Hint:    "restore the file and set status: withdrawn (or rejected, duplicate) instead: the registry keeps every demand"})
		}
	}
	return fs
}

// at is a finding at a field of a demand in the head.
func at(d *registry.Demand, field, rule, msg, hint string) finding.Finding {
	p := d.At(field)
	return finding.Finding{Path: d.Path, Line: p.Line, Col: p.Col, Severity: finding.Error, Rule: rule, Message: msg, Hint: hint}
}

// timelineEnds checks a new demand: its timeline ends where its first
// commit starts.
func timelineEnds(cfg *config.Config, d *registry.Demand) finding.Findings {
	n := len(d.Timeline)
	if n == 0 || d.Timeline[n-1].Status == d.Status {
		return nil
	}
	e := d.Timeline[n-1]
	p := d.TimelineAt(cfg, e, "status")
	return finding.Findings{{Path: d.Path, Line: p.Line, Col: p.Col, Severity: finding.Error, Rule: "timeline-last",
		Message: fmt.Sprintf("the timeline ends in %s but the demand is added as %s", e.Status, d.Status),
		Hint:    "the last entry is the status the file is first committed with: add an entry for " + d.Status + ", or commit the file as " + e.Status}}
}

// changed checks a demand the base had: its timeline, ID, status step,
// received date and tier.
func changed(cfg *config.Config, old, d *registry.Demand, headRank *rank.Ranking) finding.Findings {
	fs := timelineKept(cfg, old, d)
	if old.Path != d.Path && old.Title != d.Title && old.Received != d.Received {
		return append(fs, at(d, "id", "id-reuse", fmt.Sprintf("%s was %q (received %s) and is reused here", d.ID, old.Title, old.Received),
			"give this demand the next free ID (demand new prints it)"))
	}
	if old.Status != d.Status && !cfg.CanMove(old.Status, d.Status) {
		next := "none"
		if s := cfg.Status(old.Status); s != nil && len(s.Next) > 0 {
			next = strings.Join(s.Next, ", ")
		}
		fs = append(fs, at(d, "status", "transition", fmt.Sprintf("status %s → %s is not an allowed step", old.Status, d.Status),
			fmt.Sprintf("from %s a demand may move to: %s", old.Status, next)))
	}
	if old.Received != d.Received {
		fs = append(fs, at(d, "received", "received-change", fmt.Sprintf("received changed from %s to %s", old.Received, d.Received),
			"the date the customer raised a demand is fixed; restore it"))
	}
	if old.Tier != d.Tier && d.Tier != 0 {
		r := headRank.Get(d.ID)
		if d.TierOverride == nil && (r == nil || r.Tier != d.Tier) {
			computed := 0
			if r != nil {
				computed = r.Tier
			}
			fs = append(fs, at(d, "tier", "tier-change", fmt.Sprintf("tier changed from %d to %d, but the ranker computes %d", old.Tier, d.Tier, computed),
				"change the fields the score comes from, or add tier_override: {tier, reason, by}"))
		}
	}
	return fs
}

// timelineKept reports an edit or removal of a timeline entry the base
// had: like received, what happened before the registry is recorded once.
// New entries may follow the old ones.
func timelineKept(cfg *config.Config, old, d *registry.Demand) finding.Findings {
	var fs finding.Findings
	field := cfg.History.TimelineField
	for i, o := range old.Timeline {
		if i >= len(d.Timeline) {
			p := d.At(field)
			fs = append(fs, finding.Finding{Path: d.Path, Line: p.Line, Col: p.Col, Severity: finding.Error, Rule: "timeline-change",
				Message: fmt.Sprintf("%s entry %d (%s, %s) was removed", field, i+1, o.Date, o.Status),
				Hint:    "the timeline is append-only: restore the entry"})
			continue
		}
		n := d.Timeline[i]
		if n.Date != o.Date || n.Status != o.Status || n.By != o.By || n.Note != o.Note {
			p := d.TimelineAt(cfg, n, "date")
			fs = append(fs, finding.Finding{Path: d.Path, Line: p.Line, Col: p.Col, Severity: finding.Error, Rule: "timeline-change",
				Message: fmt.Sprintf("%s entry %d changed from {%s, %s, %q, %q} to {%s, %s, %q, %q}", field, i+1, o.Date, o.Status, o.By, o.Note, n.Date, n.Status, n.By, n.Note),
				Hint:    "the timeline is append-only: restore the entry and add a new one after it"})
		}
	}
	return fs
}
