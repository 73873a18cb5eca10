package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/demand-registry/demand/registry/finding"

	"github.com/demand-registry/demand/internal/escape"
	"github.com/demand-registry/demand/registry/dups"
)

// explainTerms is how many shared terms --explain shows per pair.
const explainTerms = 8

func runDups(e *env, args []string) int {
	var dir, format string
	var threshold float64
	var explain bool
	fl := newFlags(e, "dups", "dups [--threshold X] [--explain] [--format text|json]", `  demand dups
  demand dups --threshold 0.4     # cast a wider net
  demand dups --explain           # the shared terms behind each pair
`)
	fl.StringVar(&dir, "dir", "demands", "registry `folder`")
	fl.StringVar(&format, "format", "text", "output `format`: text or json")
	fl.Float64Var(&threshold, "threshold", 0, "similarity from 0 to 1 above which pairs are listed (default: duplicates.threshold in the config)")
	fl.BoolVar(&explain, "explain", false, "show the shared terms that make each pair similar, with their share of the similarity")
	if code, ok := parseOnlyFlags(e, fl, args, ""); !ok {
		return code
	}
	if !oneOf(e, "dups", "format", format, []string{"text", "json"}) {
		return exitUsage
	}
	if threshold < 0 || threshold > 1 {
		fmt.Fprintln(e.stderr, "demand dups: --threshold must be between 0 and 1")
		return exitUsage
	}
	thresholdSet := false
	fl.Visit(func(f *flag.Flag) { thresholdSet = thresholdSet || f.Name == "threshold" })
	l, code := load(e, "dups", dir, "")
	if l == nil {
		return code
	}
	defer l.close()
	if !thresholdSet {
		threshold = l.snap.Config.Duplicates.Threshold
	}
	ix, err := dups.NewIndex(context.Background(), l.snap)
	if err != nil {
		fmt.Fprintf(e.stderr, "demand dups: %v\n", err)
		return exitUsage
	}
	pairs, err := ix.Pairs(context.Background(), threshold)
	if err != nil {
		fmt.Fprintf(e.stderr, "demand dups: %v\n", err)
		return exitUsage
	}
	if explain {
		ix.Explain(pairs, explainTerms)
	}
	if format == "json" {
		if pairs == nil {
			pairs = []dups.Pair{}
		}
		out := dupsJSON{SchemaVersion: finding.JSONVersion, Threshold: threshold, Pairs: pairs}
		if err := writeJSON(e.stdout, out); err != nil {
			fmt.Fprintf(e.stderr, "demand dups: %v\n", err)
			return exitUsage
		}
		return exitOK
	}
	for _, p := range pairs {
		fmt.Fprintf(e.stdout, "%s %s %s %s | %s\n", escape.Terminal(p.A), escape.Terminal(p.B), strconv.FormatFloat(p.Similarity, 'f', 2, 64),
			escape.Terminal(p.TitleA), escape.Terminal(p.TitleB))
		if explain {
			var ts []string
			for _, t := range p.Terms {
				ts = append(ts, escape.Terminal(t.Text)+" "+strconv.FormatFloat(t.Weight, 'f', 3, 64))
			}
			fmt.Fprintf(e.stdout, "  %s\n", strings.Join(ts, ", "))
		}
	}
	return exitOK
}

// dupsJSON is dups --format json (docs/json/dups.schema.json).
type dupsJSON struct {
	SchemaVersion int         `json:"schema_version"`
	Threshold     float64     `json:"threshold"`
	Pairs         []dups.Pair `json:"pairs"`
}
