package registry

import (
	"fmt"
	"time"

	"github.com/demand-registry/demand/registry/config"

	"github.com/demand-registry/demand/registry/finding"
)

// TimelineEntry is one dated event from before a demand's file existed:
// on Date the demand entered Status.
type TimelineEntry struct {
	Date   config.Date `json:"date"`
	Status string      `json:"status"`
	By     string      `json:"by,omitempty"`
	Note   string      `json:"note,omitempty"`
	// Index is the entry's place in the validated list (0-based), which
	// names its position.
	Index int `json:"-"`
}

// timelineOf reads the validated timeline field; items without a date or
// a status (already reported by the schema) are left out.
func timelineOf(v any) []TimelineEntry {
	l, _ := v.([]any)
	var out []TimelineEntry
	for i, it := range l {
		m, _ := it.(map[string]any)
		e := TimelineEntry{Index: i}
		e.Date, _ = m["date"].(config.Date)
		e.Status, _ = m["status"].(string)
		e.By, _ = m["by"].(string)
		e.Note, _ = m["note"].(string)
		if e.Date != "" && e.Status != "" {
			out = append(out, e)
		}
	}
	return out
}

// TimelineAt is the position of a timeline entry's key (date, status…).
func (d *Demand) TimelineAt(cfg *config.Config, e TimelineEntry, key string) Pos {
	return d.At(fmt.Sprintf("%s[%d].%s", cfg.History.TimelineField, e.Index, key))
}

// checkTimeline checks one demand's timeline by itself: entries in date
// order, not before the demand was received, each status reachable from
// the one before (the first from the workflow's first status), and the
// file's status reachable from the last.
func checkTimeline(cfg *config.Config, d *Demand) finding.Findings {
	var fs finding.Findings
	at := func(e TimelineEntry, key, rule, msg, hint string) {
		p := d.TimelineAt(cfg, e, key)
		fs = append(fs, finding.Finding{Path: d.Path, Line: p.Line, Col: p.Col, Severity: finding.Error, Rule: rule, Message: msg, Hint: hint})
	}
	field := cfg.History.TimelineField
	prev := ""
	if len(cfg.Statuses) > 0 {
		prev = cfg.Statuses[0].Name
	}
	var prevDate config.Date
	for i, e := range d.Timeline {
		name := fmt.Sprintf("%s[%d]", field, e.Index)
		if d.Received != "" && e.Date < d.Received {
			at(e, "date", "timeline-order", fmt.Sprintf("%s is dated %s, before the demand was received (%s)", name, e.Date, d.Received),
				"an event cannot precede the demand: correct the date, or received")
		}
		if i > 0 && e.Date < prevDate {
			at(e, "date", "timeline-order", fmt.Sprintf("%s is dated %s, before the entry above it (%s)", name, e.Date, prevDate),
				"list the entries oldest first")
		}
		if prev != "" && cfg.Status(e.Status) != nil && !cfg.Reachable(prev, e.Status) {
			at(e, "status", "timeline-status", fmt.Sprintf("%s: a demand in %s cannot come to %s by the workflow", name, prev, e.Status),
				"record the statuses in between, or correct this one")
		}
		prev, prevDate = e.Status, e.Date
	}
	if n := len(d.Timeline); n > 0 && d.Status != "" && cfg.Status(d.Status) != nil && !cfg.Reachable(prev, d.Status) {
		e := d.Timeline[n-1]
		at(e, "status", "timeline-status", fmt.Sprintf("the last entry of %s is %s, from which the demand cannot come to its status %s", field, prev, d.Status),
			"the last entry is the status the file was first committed with")
	}
	return fs
}

// TimelineDates reports timeline entries dated after notAfter: events
// recorded as having happened before the file existed cannot be later
// than the commit that adds them (or, in a work tree, than today). The
// zero time checks nothing.
func TimelineDates(s *Snapshot, notAfter time.Time) finding.Findings {
	if notAfter.IsZero() {
		return nil
	}
	// A date is a day anywhere on earth: allow the zone furthest ahead.
	last := notAfter.UTC().Add(14 * time.Hour).Format("2006-01-02")
	var fs finding.Findings
	for _, d := range s.Demands {
		for _, e := range d.Timeline {
			if string(e.Date) > last {
				p := d.TimelineAt(s.Config, e, "date")
				fs = append(fs, finding.Finding{Path: d.Path, Line: p.Line, Col: p.Col, Severity: finding.Error, Rule: "timeline-future",
					Message: fmt.Sprintf("%s[%d] is dated %s, after %s", s.Config.History.TimelineField, e.Index, e.Date, notAfter.UTC().Format("2006-01-02 15:04 UTC")),
					Hint:    "the timeline records what happened before the file was committed; later events are status changes in commits"})
			}
		}
	}
	return fs
}
