package main

import (
	"context"

	"github.com/demand-registry/demand/registry/rank"
	"github.com/demand-registry/demand/registry/review"
)

type reviewOptions struct {
	dir, format string
	noCache     bool
}

func runReview(ctx context.Context, e *env, args []string) error {
	var o reviewOptions
	fl := newFlags(e, "review [--format text|markdown|json]", `  demand review
  demand review --format markdown >> "$GITHUB_STEP_SUMMARY"
`)
	dirFlag(fl, &o.dir)
	formatFlag(fl, &o.format, "text", "markdown", "json")
	noCacheFlag(fl, &o.noCache)
	if err := parseOnlyFlags(fl, args, ""); err != nil {
		return err
	}
	return o.run(ctx, e)
}

func (o *reviewOptions) run(ctx context.Context, e *env) error {
	r, err := openClean(o.dir, "")
	if err != nil {
		return err
	}
	defer r.Close()
	rk := rank.Rank(r.Snapshot)
	res, _, err := historyRun{dir: o.dir, noCache: o.noCache, ranked: func() *rank.Ranking { return rk }}.walk(ctx, e)
	if err != nil {
		return err
	}
	return review.Build(r.Snapshot, rk, res.Histories, res.Head, res.AsOf).Write(e.stdout, o.format)
}
