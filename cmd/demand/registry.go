package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/demand-registry/demand/registry/config"

	"github.com/demand-registry/demand/registry/finding"

	"github.com/demand-registry/demand/pipeline"
	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/registry/history"
	"github.com/demand-registry/demand/registry/rank"
)

// loaded is a registry read for a command.
type loaded struct {
	*pipeline.Registry
	snap     *registry.Snapshot
	findings finding.Findings
	dir      *registry.DirSource // nil when read from a commit
}

// load reads the registry in dir from the work tree, or from git at rev.
// On failure it prints the reason and returns the exit code.
func load(e *env, cmd, dir, rev string) (*loaded, int) { return loadCached(e, cmd, dir, rev, nil) }

// loadClean is load for commands that need a registry without errors: it
// prints them and returns exitFindings when there are any.
func loadClean(e *env, cmd, dir, rev string) (*loaded, int) {
	l, code := load(e, cmd, dir, rev)
	if l == nil {
		return nil, code
	}
	if !l.requireClean(e, cmd, dir) {
		l.close()
		return nil, exitFindings
	}
	return l, exitOK
}

// loadCached is load, reusing files parsed before (see registry.ParseCache).
func loadCached(e *env, cmd, dir, rev string, cache *registry.ParseCache) (*loaded, int) {
	r, err := pipeline.Open(dir, pipeline.OpenOptions{Rev: rev, Cache: cache})
	if err != nil {
		fmt.Fprintf(e.stderr, "demand %s: %v\n", cmd, err)
		return nil, exitUsage
	}
	return &loaded{Registry: r, snap: r.Snapshot, findings: r.Findings, dir: r.Folder()}, exitOK
}

func (l *loaded) close() { l.Close() }

// requireClean prints the registry's errors and reports false when it has
// any: ranking a registry with broken files would silently skip them.
func (l *loaded) requireClean(e *env, cmd, dir string) bool {
	err := l.Clean()
	if err == nil {
		return true
	}
	reportErr(e, cmd, dir, err)
	return false
}

// reportErr prints a pipeline error and returns its exit code: a registry
// with errors lists them (exit 1), a stopped run says nothing (its caller
// says why), anything else is one line (exit 2).
func reportErr(e *env, cmd, dir string, err error) int {
	var fe *pipeline.FindingsError
	switch {
	case errors.As(err, &fe):
		fmt.Fprintf(e.stderr, "demand %s: the registry has errors; fix them first (demand validate lists them):\n", cmd)
		_ = finding.Write(e.stderr, "text", displayDir(dir), fe.Findings)
		return exitFindings
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return exitUsage
	}
	fmt.Fprintf(e.stderr, "demand %s: %v\n", cmd, err)
	return exitUsage
}

// walkHistory walks the registry's git history from at ("" for HEAD and
// the working tree's pending edits) and computes SLA states with the tiers
// of the ranking ranked returns (see pipeline.History); memo, when not
// nil, keeps the walk for the next call (demand serve). It prints the
// walk's warnings, and on failure why.
func walkHistory(ctx context.Context, e *env, cmd, dir, at string, noCache bool, ranked func() *rank.Ranking, memo *history.Memo) (*history.Result, *config.Config, int) {
	o := pipeline.HistoryOptions{Rev: at, NoCache: noCache, Ranked: ranked, Memo: memo}
	if isTerminal(e.stderr) {
		o.Progress = e.stderr
	}
	res, cfg, err := pipeline.History(ctx, dir, o)
	if err != nil {
		var fe *pipeline.FindingsError
		if errors.As(err, &fe) {
			// The config is broken: its findings are the whole story.
			_ = finding.Write(e.stderr, "text", displayDir(dir), fe.Findings)
			return nil, nil, exitFindings
		}
		return nil, nil, reportErr(e, cmd, dir, err)
	}
	for _, w := range pipeline.HistoryWarnings(res) {
		fmt.Fprintf(e.stderr, "demand %s: %s\n", cmd, w)
	}
	return res, cfg, exitOK
}
