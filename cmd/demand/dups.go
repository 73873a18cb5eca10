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

type dupsOptions struct {
	dir, format  string
	threshold    float64
	thresholdSet bool // else the config's
	explain      bool
}

func runDups(ctx context.Context, e *env, args []string) error {
	var o dupsOptions
	fl := newFlags(e, "dups [--threshold X] [--explain] [--format text|json]", `  demand dups
  demand dups --threshold 0.4     # cast a wider net
  demand dups --explain           # the shared terms behind each pair
`)
	dirFlag(fl, &o.dir)
	formatFlag(fl, &o.format, "text", "json")
	fl.Float64Var(&o.threshold, "threshold", 0, "similarity from 0 to 1 above which pairs are listed (default: duplicates.threshold in the config)")
	fl.BoolVar(&o.explain, "explain", false, "show the shared terms that make each pair similar, with their share of the similarity")
	if err := parseOnlyFlags(fl, args, ""); err != nil {
		return err
	}
	if o.threshold < 0 || o.threshold > 1 {
		return usagef("--threshold must be between 0 and 1")
	}
	fl.Visit(func(f *flag.Flag) { o.thresholdSet = o.thresholdSet || f.Name == "threshold" })
	return o.run(ctx, e)
}

func (o *dupsOptions) run(ctx context.Context, e *env) error {
	r, err := open(o.dir, "")
	if err != nil {
		return err
	}
	defer r.Close()
	if !o.thresholdSet {
		o.threshold = r.Snapshot.Config.Duplicates.Threshold
	}
	ix, err := dups.NewIndex(ctx, r.Snapshot)
	if err != nil {
		return err
	}
	pairs, err := ix.Pairs(ctx, o.threshold)
	if err != nil {
		return err
	}
	if o.explain {
		ix.Explain(pairs, explainTerms)
	}
	if o.format == "json" {
		if pairs == nil {
			pairs = []dups.Pair{}
		}
		return writeJSON(e.stdout, dupsJSON{SchemaVersion: finding.JSONVersion, Threshold: o.threshold, Pairs: pairs})
	}
	for _, p := range pairs {
		fmt.Fprintf(e.stdout, "%s %s %s %s | %s\n", escape.Terminal(p.A), escape.Terminal(p.B), strconv.FormatFloat(p.Similarity, 'f', 2, 64),
			escape.Terminal(p.TitleA), escape.Terminal(p.TitleB))
		if o.explain {
			var ts []string
			for _, t := range p.Terms {
				ts = append(ts, escape.Terminal(t.Text)+" "+strconv.FormatFloat(t.Weight, 'f', 3, 64))
			}
			fmt.Fprintf(e.stdout, "  %s\n", strings.Join(ts, ", "))
		}
	}
	return nil
}

// dupsJSON is dups --format json (docs/json/dups.schema.json).
type dupsJSON struct {
	SchemaVersion int         `json:"schema_version"`
	Threshold     float64     `json:"threshold"`
	Pairs         []dups.Pair `json:"pairs"`
}
