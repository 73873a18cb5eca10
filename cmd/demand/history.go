package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/demand-registry/demand/registry/config"

	"github.com/demand-registry/demand/registry/finding"

	"github.com/demand-registry/demand/internal/escape"
	"github.com/demand-registry/demand/internal/par"
	"github.com/demand-registry/demand/internal/suggest"
	"github.com/demand-registry/demand/registry/history"
)

type historyOptions struct {
	dir, format, at string
	id              string // one demand's, unless all
	all, noCache    bool
}

func runHistory(ctx context.Context, e *env, args []string) error {
	var o historyOptions
	fl := newFlags(e, "history ID [--format text|json] | history --all --format json", `  demand history D-0007
  demand history D-0007 --format json
  demand history --all --format json > history.json
`)
	dirFlag(fl, &o.dir)
	formatFlag(fl, &o.format, "text", "json")
	fl.StringVar(&o.at, "at", "", "walk the history up to a git `revision` instead of HEAD (no pending changes)")
	fl.BoolVar(&o.all, "all", false, "every demand's history (JSON array)")
	noCacheFlag(fl, &o.noCache)
	ids, err := parseInterspersed(fl, args)
	if err != nil {
		return err
	}
	if o.all == (len(ids) > 0) || len(ids) > 1 {
		return usagef("name one demand ID, or pass --all")
	}
	if !o.all {
		o.id = ids[0]
	}
	return o.run(ctx, e)
}

func (o *historyOptions) run(ctx context.Context, e *env) error {
	res, cfg, err := historyRun{dir: o.dir, at: o.at, noCache: o.noCache}.walk(ctx, e)
	if err != nil {
		return err
	}
	if o.all {
		if o.format == "text" {
			for _, h := range res.Sorted() {
				writeHistoryText(e.stdout, cfg, h)
				fmt.Fprintln(e.stdout)
			}
			return nil
		}
		return writeHistoriesJSON(e.stdout, res.Sorted())
	}
	h := res.Histories[o.id]
	if h == nil {
		ids := make([]string, 0, len(res.Histories))
		for id := range res.Histories {
			ids = append(ids, id)
		}
		hint := ""
		if s := suggest.Closest(o.id, ids); s != "" {
			hint = fmt.Sprintf(" (did you mean %s?)", s)
		}
		return usagef("%s has no history: it is in no commit and not in the work tree%s", o.id, hint)
	}
	if o.format == "json" {
		return writeJSON(e.stdout, historyJSON{SchemaVersion: finding.JSONVersion, History: h})
	}
	writeHistoryText(e.stdout, cfg, h)
	return nil
}

// historyJSON is history ID --format json, historiesJSON history --all
// (docs/json/history.schema.json).
type historyJSON struct {
	SchemaVersion int `json:"schema_version"`
	*history.History
}

// writeHistoriesJSON writes what json.Encoder writes for historiesJSON,
// compact (every demand's history is large, and tools read it), without
// escaping HTML, with each history encoded on another CPU: on 5,000
// demands with 120,000 changes, encoding them one by one was a tenth of
// history --all.
func writeHistoriesJSON(w io.Writer, hs []*history.History) error {
	if hs == nil {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		return enc.Encode(historiesJSON{SchemaVersion: finding.JSONVersion})
	}
	parts := make([][]byte, len(hs))
	err := par.For(len(hs), 0, func(i int) error {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(hs[i]); err != nil {
			return err
		}
		parts[i] = bytes.TrimSuffix(b.Bytes(), []byte("\n"))
		return nil
	})
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, `{"schema_version":%d,"histories":[`, finding.JSONVersion)
	for i, p := range parts {
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.Write(p)
	}
	bw.WriteString("]}\n")
	return bw.Flush()
}

type historiesJSON struct {
	SchemaVersion int                `json:"schema_version"`
	Histories     []*history.History `json:"histories"`
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
		writeChanges(w, cfg, h.Pending.Changes)
	}
	for _, c := range h.Commits {
		pr := ""
		if c.PR > 0 && !strings.Contains(c.Subject, fmt.Sprintf("#%d", c.PR)) {
			pr = fmt.Sprintf(" (PR #%d)", c.PR)
		}
		fmt.Fprintf(w, "%s %s %s <%s> %s: %s%s\n", c.Hash[:10], c.Date.Format("2006-01-02"), t(c.Author), t(c.Email), t(c.Kind), t(c.Subject), pr)
		writeChanges(w, cfg, c.Changes)
	}
}

func writeChanges(w io.Writer, cfg *config.Config, cs []history.Change) {
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
		fmt.Fprintf(w, "    %s: %s → %s\n", t(cfg.KeyPath(ch.Field)), t(from), t(to))
	}
}
