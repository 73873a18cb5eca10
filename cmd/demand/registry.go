package main

import (
	"context"

	"github.com/demand-registry/demand/pipeline"
	"github.com/demand-registry/demand/registry/config"
	"github.com/demand-registry/demand/registry/history"
	"github.com/demand-registry/demand/registry/rank"
)

// open reads the registry in dir from the work tree, or from git at rev.
func open(dir, rev string) (*pipeline.Registry, error) {
	r, err := pipeline.Open(dir, pipeline.OpenOptions{Rev: rev})
	if err != nil {
		return nil, registryErr(dir, err)
	}
	return r, nil
}

// openClean is open for commands that need a registry without errors:
// ranking a registry with broken files would silently skip them.
func openClean(dir, rev string) (*pipeline.Registry, error) {
	r, err := open(dir, rev)
	if err != nil {
		return nil, err
	}
	if err := r.Clean(); err != nil {
		r.Close()
		return nil, registryErr(dir, err)
	}
	return r, nil
}

// historyRun is a history walk a command asks for.
type historyRun struct {
	dir, at string // at: "" for HEAD and the working tree's pending edits
	noCache bool
	// ranked gives the tiers SLA targets depend on (see pipeline.History).
	ranked func() *rank.Ranking
	// quiet leaves the walk's warnings unprinted.
	quiet bool
}

// walk walks the registry's git history and computes SLA states. It
// prints the walk's warnings.
func (h historyRun) walk(ctx context.Context, e *env) (*history.Result, *config.Config, error) {
	o := pipeline.HistoryOptions{Rev: h.at, NoCache: h.noCache, Ranked: h.ranked}
	if isTerminal(e.stderr) && !h.quiet {
		o.Progress = e.stderr
	}
	res, cfg, err := pipeline.History(ctx, h.dir, o)
	if err != nil {
		return nil, nil, registryErr(h.dir, err)
	}
	if !h.quiet {
		for _, w := range pipeline.HistoryWarnings(res) {
			e.warnf("%s", w)
		}
	}
	return res, cfg, nil
}
