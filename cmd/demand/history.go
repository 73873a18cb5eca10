package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/demand-registry/demand/registry/config"

	"github.com/demand-registry/demand/registry/finding"

	"github.com/demand-registry/demand/internal/escape"
	"github.com/demand-registry/demand/registry/history"
)

type historyOptions struct {
	dir, format, at string
	all, noCache    bool
}

func runHistory(e *env, args []string) int {
	var o historyOptions
	fl := newFlags(e, "history", "history ID [--format text|json] | history --all --format json", `  demand history D-0007
  demand history D-0007 --format json
  demand history --all --format json > history.json
`)
	fl.StringVar(&o.dir, "dir", "demands", "registry `folder`")
	fl.StringVar(&o.format, "format", "text", "output `format`: text or json")
	fl.StringVar(&o.at, "at", "", "walk the history up to a git `revision` instead of HEAD (no pending changes)")
	fl.BoolVar(&o.all, "all", false, "every demand's history (JSON array)")
	fl.BoolVar(&o.noCache, "no-cache", false, "walk every commit, ignoring and not writing the cache in .git/demand-cache/")
	ids, code, ok := parseInterspersed(fl, args)
	if !ok {
		return code
	}
	if !oneOf(e, "history", "format", o.format, []string{"text", "json"}) {
		return exitUsage
	}
	if o.all == (len(ids) > 0) || len(ids) > 1 {
		fmt.Fprintln(e.stderr, "demand history: name one demand ID, or pass --all")
		return exitUsage
	}
	res, cfg, code := walkHistory(context.Background(), e, "history", o.dir, o.at, o.noCache, nil, nil)
	if res == nil {
		return code
	}
	if o.all {
		if o.format == "text" {
			for _, h := range res.Sorted() {
				writeHistoryText(e.stdout, cfg, h)
				fmt.Fprintln(e.stdout)
			}
			return exitOK
		}
		// Compact: every demand's history is large, and tools read it.
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(historiesJSON{SchemaVersion: finding.JSONVersion, Histories: res.Sorted()}); err != nil {
			fmt.Fprintf(e.stderr, "demand history: %v\n", err)
			return exitUsage
		}
		return exitOK
	}
	h := res.Histories[ids[0]]
	if h == nil {
		fmt.Fprintf(e.stderr, "demand history: %s has no history: it is in no commit and not in the work tree\n", ids[0])
		return exitUsage
	}
	if o.format == "json" {
		if err := writeJSON(e.stdout, historyJSON{SchemaVersion: finding.JSONVersion, History: h}); err != nil {
			fmt.Fprintf(e.stderr, "demand history: %v\n", err)
			return exitUsage
		}
		return exitOK
	}
	writeHistoryText(e.stdout, cfg, h)
	return exitOK
}

// historyJSON is history ID --format json, historiesJSON history --all
// (docs/json/history.schema.json).
type historyJSON struct {
	SchemaVersion int `json:"schema_version"`
	*history.History
}

type historiesJSON struct {
	SchemaVersion int                `json:"schema_version"`
	Histories     []*history.History `json:"histories"`
}

// parseInterspersed parses flags that may come after positional arguments
// (demand history D-0001 --format json).
func parseInterspersed(fl flagSet, args []string) ([]string, int, bool) {
	var pos []string
	for {
		if code, ok := parseFlags(fl, args); !ok {
			return nil, code, false
		}
		rest := fl.Args()
		if len(rest) == 0 {
			return pos, 0, true
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func day(t *time.Time) string {
	if t == nil {
		return "unknown"
	}
	return t.Format("2006-01-02")
}

func writeHistoryText(w io.Writer, cfg *config.Config, h *history.History) {
	state := ""
	if h.Deleted {
		state = ", deleted"
	}
	if h.Incomplete {
		state += ", history incomplete (shallow clone)"
	}
	t := escape.Terminal
	fmt.Fprintf(w, "%s  %s\ncreated %s, updated %s%s\n", t(h.ID), escape.Path(h.Path), day(h.Created), day(h.Updated), state)
	if len(h.Statuses) > 0 {
		var parts []string
		for _, s := range h.Statuses {
			from := s.From
			if from == "" {
				from = "·"
			}
			when := s.Date.Format("2006-01-02")
			switch {
			case s.Recorded:
				when += ", recorded" // from the timeline
			case s.Undated && len(cfg.Statuses) > 0 && s.To != cfg.Statuses[0].Name:
				when = "by " + when // entered before the first commit, no one says when
			}
			parts = append(parts, fmt.Sprintf("%s → %s (%s)", t(from), t(s.To), when))
		}
		fmt.Fprintf(w, "statuses: %s\n", strings.Join(parts, ", "))
	}
	if len(h.TimeInStatus) > 0 {
		var parts []string
		for _, s := range h.TimeInStatus {
			parts = append(parts, fmt.Sprintf("%s %s d", t(s.Status), num(s.Days)))
		}
		fmt.Fprintf(w, "time in status: %s\n", strings.Join(parts, ", "))
	}
	if h.SLA != nil {
		var parts []string
		for _, n := range h.SLA.Nodes {
			unit := "days"
			if n.WorkingDays {
				unit = "working days"
			}
			s := fmt.Sprintf("%s %s", n.Node, n.State)
			switch n.State {
			case history.Met, history.Running:
				s += fmt.Sprintf(" (%s of %s %s)", num(n.ElapsedDays), num(n.TargetDays), unit)
			case history.Breached:
				s += fmt.Sprintf(" by %s (%s of %s %s)", num(n.OverDays), num(n.ElapsedDays), num(n.TargetDays), unit)
			}
			parts = append(parts, s)
		}
		fmt.Fprintf(w, "SLA (tier %d): %s\n", h.SLA.Tier, strings.Join(parts, "; "))
	}
	if h.Pending != nil {
		fmt.Fprintf(w, "pending (uncommitted) in %s:\n", escape.Path(h.Pending.Path))
		writeChanges(w, h.Pending.Changes)
	}
	for _, c := range h.Commits {
		pr := ""
		if c.PR > 0 && !strings.Contains(c.Subject, fmt.Sprintf("#%d", c.PR)) {
			pr = fmt.Sprintf(" (PR #%d)", c.PR)
		}
		fmt.Fprintf(w, "%s %s %s <%s> %s: %s%s\n", c.Hash[:10], c.Date.Format("2006-01-02"), t(c.Author), t(c.Email), t(c.Kind), t(c.Subject), pr)
		writeChanges(w, c.Changes)
	}
}

func writeChanges(w io.Writer, cs []history.Change) {
	t := escape.Terminal
	for _, ch := range cs {
		if ch.Field == "body" {
			fmt.Fprintf(w, "    body: %s\n", t(ch.To))
			continue
		}
		from, to := ch.From, ch.To
		if from == "" {
			from = "(unset)"
		}
		if to == "" {
			to = "(unset)"
		}
		fmt.Fprintf(w, "    %s: %s → %s\n", t(ch.Field), t(from), t(to))
	}
}
