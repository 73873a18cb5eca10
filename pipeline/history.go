package pipeline

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/demand-registry/demand/internal/gitrepo"

	"github.com/demand-registry/demand/registry/config"

	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/registry/history"
	"github.com/demand-registry/demand/registry/rank"
)

// HistoryOptions say how to walk a registry's history.
type HistoryOptions struct {
	// Rev is the revision to walk up to; empty for HEAD plus the work
	// tree's uncommitted edits (pending).
	Rev string
	// NoCache walks every commit, neither reading nor writing the cache
	// in the git folder.
	NoCache bool
	// Ranked, when set, returns the ranking whose tiers the SLA uses; it
	// may wait for a ranking made meanwhile. Without it the registry is
	// ranked here, and only when some demand declares no tier.
	Ranked func() *rank.Ranking
	// Memo, when set, keeps the walk for the next call (demand serve).
	Memo *history.Memo
	// Progress, when set, receives a progress line on long walks.
	Progress io.Writer
}

// History walks the git history of the registry in dir and returns it
// finished: every demand's commits, statuses, pending edits and SLA
// states. Its Warnings and Shallow say what the caller should tell.
func History(ctx context.Context, dir string, o HistoryOptions) (*history.Result, *config.Config, error) {
	repo, err := gitrepo.OpenRepo(dir)
	if err != nil {
		if _, statErr := os.Stat(dir); statErr != nil {
			return nil, nil, fmt.Errorf("registry folder %s does not exist (pass --dir to name another)", dir)
		}
		return nil, nil, fmt.Errorf("%w (the history is read from git)", err)
	}
	src, r, err := source(dir, o.Rev)
	if err != nil {
		return nil, nil, err
	}
	defer r.Close()
	cfg, fs := registry.LoadConfig(src)
	if err := configErr(fs); err != nil {
		return nil, nil, err
	}
	opts := history.Options{Rev: o.Rev, Config: cfg, Memo: o.Memo, Progress: o.Progress}
	if !o.NoCache {
		if d, err := repo.CacheDir(); err == nil {
			opts.CacheDir = d
		}
	}
	res, err := history.Walk(ctx, repo, opts)
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	if err != nil {
		return nil, nil, err
	}
	if r.dir != nil {
		if err := res.AddPending(repo, r.dir, cfg); err != nil {
			return nil, nil, fmt.Errorf("reading uncommitted changes: %w", err)
		}
	}
	var rk *rank.Ranking
	if o.Ranked != nil {
		rk = o.Ranked()
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	if rk == nil && res.NeedTiers() {
		snap, _, err := registry.Load(src)
		if err != nil {
			return nil, nil, err
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
	return res, cfg, nil
}
