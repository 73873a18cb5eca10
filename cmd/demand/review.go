package main

import (
	"context"
	"fmt"

	"github.com/demand-registry/demand/registry/rank"
	"github.com/demand-registry/demand/registry/review"
)

func runReview(e *env, args []string) int {
	var dir, format string
	var noCache bool
	fl := newFlags(e, "review", "review [--format text|markdown|json]", `  demand review
  demand review --format markdown >> "$GITHUB_STEP_SUMMARY"
`)
	fl.StringVar(&dir, "dir", "demands", "registry `folder`")
	fl.StringVar(&format, "format", "text", "output `format`: text, markdown or json")
	fl.BoolVar(&noCache, "no-cache", false, "walk the whole git history, ignoring the cache in .git/demand-cache/")
	if code, ok := parseOnlyFlags(e, fl, args, ""); !ok {
		return code
	}
	if !oneOf(e, "review", "format", format, []string{"text", "markdown", "json"}) {
		return exitUsage
	}
	l, code := loadClean(e, "review", dir, "")
	if l == nil {
		return code
	}
	defer l.close()
	rk := rank.Rank(l.snap)
	res, _, code := walkHistory(context.Background(), e, "review", dir, "", noCache, func() *rank.Ranking { return rk }, nil)
	if res == nil {
		return code
	}
	rep := review.Build(l.snap, rk, res.Histories, res.Head, res.AsOf)
	if err := rep.Write(e.stdout, format); err != nil {
		fmt.Fprintf(e.stderr, "demand review: %v\n", err)
		return exitUsage
	}
	return exitOK
}
