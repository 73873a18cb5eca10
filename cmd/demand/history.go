package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/demand-registry/demand/internal/escape"
	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/registry/history"
	"github.com/demand-registry/demand/registry/rank"
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
		if err := enc.Encode(historiesJSON{SchemaVersion: registry.JSONVersion, Histories: res.Sorted()}); err != nil {
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
		if err := writeJSON(e.stdout, historyJSON{SchemaVersion: registry.JSONVersion, History: h}); err != nil {
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

// walkHistory walks the registry's git history from at ("" for HEAD and
// the working tree's pending edits), through the cache in the git folder (demand-cache), and
// computes SLA states with the tiers of the ranking ranked returns (it may
// wait for a ranking made meanwhile). Without a ranking it reads only the
// config and the files changed since the head commit, and ranks the
// registry only when some demand declares no tier. memo, when not nil,
// keeps the walk for the next call (demand serve). On failure it prints
// why.
func walkHistory(ctx context.Context, e *env, cmd, dir, at string, noCache bool, ranked func() *rank.Ranking, memo *history.Memo) (*history.Result, *registry.Config, int) {
	repo, err := registry.OpenRepo(dir)
	if err != nil {
		if _, statErr := os.Stat(dir); statErr != nil {
			fmt.Fprintf(e.stderr, "demand %s: registry folder %s does not exist (pass --dir to name another)\n", cmd, dir)
		} else {
			fmt.Fprintf(e.stderr, "demand %s: %v (the history is read from git)\n", cmd, err)
		}
		return nil, nil, exitUsage
	}
	var src registry.Source
	var ds *registry.DirSource
	if at != "" {
		c, err := repo.Resolve(at)
		if err != nil {
			fmt.Fprintf(e.stderr, "demand %s: %v\n", cmd, err)
			return nil, nil, exitUsage
		}
		if src, err = repo.SourceAt(c); err != nil {
			fmt.Fprintf(e.stderr, "demand %s: %v\n", cmd, err)
			return nil, nil, exitUsage
		}
	} else {
		if ds, err = registry.OpenDir(dir); err != nil {
			fmt.Fprintf(e.stderr, "demand %s: %v\n", cmd, err)
			return nil, nil, exitUsage
		}
		defer ds.Close()
		src = ds
	}
	cfg, fs := registry.LoadConfig(src)
	if fs.HasErrors() {
		fs.Sort()
		_ = registry.WriteFindings(e.stderr, "text", displayDir(dir), fs)
		return nil, nil, exitFindings
	}
	opts := history.Options{Rev: at, Config: cfg, Memo: memo}
	if !noCache {
		if d, err := repo.CacheDir(); err == nil {
			opts.CacheDir = d
		}
	}
	if isTerminal(e.stderr) {
		opts.Progress = e.stderr
	}
	res, err := history.Walk(ctx, repo, opts)
	if ctx.Err() != nil {
		return nil, nil, exitUsage // stopped by the caller, who says why
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "demand %s: %v\n", cmd, err)
		return nil, nil, exitUsage
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(e.stderr, "demand %s: warning: %s\n", cmd, w) // made of counts and a hash: nothing to escape
	}
	if res.Shallow {
		fmt.Fprintf(e.stderr, "demand %s: warning: this is a shallow clone, so the history is incomplete and dates before it are unknown; "+
			"fetch the full history (actions/checkout with fetch-depth: 0, or git fetch --unshallow)\n", cmd)
	}
	if ds != nil {
		if err := res.AddPending(repo, ds, cfg); err != nil {
			fmt.Fprintf(e.stderr, "demand %s: reading uncommitted changes: %v\n", cmd, err)
			return nil, nil, exitUsage
		}
	}
	var rk *rank.Ranking
	if ranked != nil {
		rk = ranked()
	}
	if ctx.Err() != nil {
		return nil, nil, exitUsage
	}
	if rk == nil && res.NeedTiers() {
		snap, _, err := registry.Load(src)
		if err != nil {
			fmt.Fprintf(e.stderr, "demand %s: %v\n", cmd, err)
			return nil, nil, exitUsage
		}
		rk = rank.Rank(snap)
	}
	var tiers map[string]int
	if rk != nil {
		tiers = map[string]int{}
		for _, r := range rk.Results {
			tiers[r.ID] = r.Tier
		}
	}
	res.ComputeSLA(cfg, tiers)
	return res, cfg, exitOK
}

func day(t *time.Time) string {
	if t == nil {
		return "unknown"
	}
	return t.Format("2006-01-02")
}

func writeHistoryText(w io.Writer, cfg *registry.Config, h *history.History) {
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
			parts = append(parts, fmt.Sprintf("%s → %s (%s)", t(from), t(s.To), s.Date.Format("2006-01-02")))
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
