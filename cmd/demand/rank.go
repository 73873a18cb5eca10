package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/demand-registry/demand/registry/config"

	"github.com/demand-registry/demand/registry/finding"

	"github.com/mattn/go-runewidth"

	"github.com/demand-registry/demand/internal/escape"
	"github.com/demand-registry/demand/pipeline"
	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/registry/rank"
)

type rankOptions struct {
	dir, format, explain, at string
	check, write             bool
}

func runRank(ctx context.Context, e *env, args []string) error {
	var o rankOptions
	fl := newFlags(e, "rank [--format table|json|csv] [--explain ID] [--at REV] [--check|--write]", `  demand rank                        # the ranked list
  demand rank --format json          # every model's result and factors
  demand rank --explain D-0007       # why D-0007 is where it is
  demand rank --at v1.2              # the ranking as it stood at a tag or commit
  demand rank --check --format github  # CI: declared tiers must match
  demand rank --write                # set tier: in every file that differs
`)
	dirFlag(fl, &o.dir)
	fl.StringVar(&o.format, "format", "", "output `format`: table, json or csv (with --check: text, json or github)")
	fl.StringVar(&o.explain, "explain", "", "explain one demand's score and tier by `ID`")
	fl.StringVar(&o.at, "at", "", "rank the registry as it stood at a git `revision`")
	fl.BoolVar(&o.check, "check", false, "exit 1 when a file's declared tier differs from the computed one")
	fl.BoolVar(&o.write, "write", false, "set tier: in each file whose declared tier differs")
	if err := parseOnlyFlags(fl, args, ""); err != nil {
		return err
	}
	if err := o.checkFlags(); err != nil {
		return err
	}
	return o.run(ctx, e)
}

// checkFlags checks the flags' combination and sets the default format.
func (o *rankOptions) checkFlags() error {
	if o.check && o.write {
		return usagef("--check and --write exclude each other")
	}
	if o.write && o.at != "" {
		return usagef("--write changes the work tree and cannot be combined with --at")
	}
	formats := []string{"table", "json", "csv"}
	if o.check {
		formats = finding.Formats
	}
	if o.format == "" {
		o.format = formats[0]
	}
	return oneOf("format", o.format, formats)
}

func (o *rankOptions) run(_ context.Context, e *env) error {
	r, err := openClean(o.dir, o.at)
	if err != nil {
		return err
	}
	defer r.Close()
	snap := r.Snapshot
	rk := rank.Rank(snap)
	switch {
	case o.explain != "":
		res := rk.Get(o.explain)
		if res == nil {
			return usagef("no demand %s in the registry", o.explain)
		}
		writeExplain(e.stdout, snap.Config, res)
		return nil
	case o.check:
		return o.checkTiers(e, snap, rk)
	case o.write:
		return o.writeTiers(e, r, rk)
	}
	switch o.format {
	case "json":
		return writeJSON(e.stdout, rankJSON{SchemaVersion: finding.JSONVersion, Primary: rk.Primary, Demands: rk.Results})
	case "csv":
		return writeRankCSV(e.stdout, rk)
	}
	writeRankTable(e.stdout, snap.Config, rk)
	if !snap.Config.Ranked() {
		e.warnf("the registry has nothing to rank by (no field of scoring.weighted, no inputs of the primary model): every demand has score 0 and the lowest tier")
	}
	return nil
}

// checkTiers is rank --check: every declared tier is the computed one.
func (o *rankOptions) checkTiers(e *env, snap *registry.Snapshot, rk *rank.Ranking) error {
	fs := rank.Check(snap, rk)
	fs.Sort()
	if err := finding.Write(e.stdout, o.format, findingsPrefix(o.dir, o.format), fs); err != nil {
		return err
	}
	if len(fs) == 0 {
		return nil
	}
	if o.format == "text" {
		fmt.Fprintf(e.stderr, "%d of %d demands declare a tier other than the computed one\n", len(fs), len(snap.Demands))
	}
	return errChecked
}

// writeTiers is rank --write: the computed tier into every file that
// declares another, all files or none.
func (o *rankOptions) writeTiers(e *env, r *pipeline.Registry, rk *rank.Ranking) error {
	written, err := rank.WriteTiers(r.Folder(), r.Snapshot, rk)
	for _, d := range written {
		fmt.Fprintf(e.stdout, "%s: tier %d\n", escape.Path(displayDir(o.dir)+"/"+d.Path), rk.Get(d.ID).Tier)
	}
	if err != nil {
		return fmt.Errorf("%w; no file was written", err)
	}
	if len(written) == 1 {
		fmt.Fprintln(e.stderr, "1 file updated")
	} else {
		fmt.Fprintf(e.stderr, "%d files updated\n", len(written))
	}
	return nil
}

// rankJSON is rank --format json (docs/json/rank.schema.json).
type rankJSON struct {
	SchemaVersion int            `json:"schema_version"`
	Primary       string         `json:"primary"`
	Demands       []*rank.Result `json:"demands"` // ranked
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func num(x float64) string { return rank.Number(x) }

func optNum(ok bool, x float64) string {
	if !ok {
		return ""
	}
	return num(x)
}

func writeRankCSV(w io.Writer, rk *rank.Ranking) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"rank", "id", "title", "status", "tier", "declared_tier", "score", "weighted", "rice", "wsjf", "kano", "quadrant", "received", "customers", "override_reason"})
	for _, r := range rk.Results {
		m := r.Models
		kano := ""
		if m.Kano != nil {
			kano = m.Kano.Category
		}
		reason := ""
		if r.Override != nil {
			reason = r.Override.Reason
		}
		declared := ""
		if r.DeclaredTier > 0 {
			declared = strconv.Itoa(r.DeclaredTier)
		}
		_ = cw.Write(escape.CSVRow([]string{strconv.Itoa(r.Rank), r.ID, r.Title, r.Status, strconv.Itoa(r.Tier), declared, num(r.Score),
			num(m.Weighted.Score), optNum(m.RICE != nil, rice(m)), optNum(m.WSJF != nil, wsjf(m)), kano, m.Matrix.Quadrant,
			string(r.Received), strconv.Itoa(len(r.Customers)), reason}))
	}
	cw.Flush()
	return cw.Error()
}

func rice(m rank.Models) float64 {
	if m.RICE == nil {
		return 0
	}
	return m.RICE.Score
}

func wsjf(m rank.Models) float64 {
	if m.WSJF == nil {
		return 0
	}
	return m.WSJF.Score
}

// writeRankTable prints aligned columns; widths count East Asian wide
// characters as two, so Chinese titles line up.
func writeRankTable(w io.Writer, cfg *config.Config, rk *rank.Ranking) {
	rows := [][]string{{"RANK", "ID", "TIER", "SCORE", "STATUS", "QUADRANT", "TITLE"}}
	for _, r := range rk.Results {
		tier := strconv.Itoa(r.Tier)
		if r.Override != nil {
			tier += "*"
		}
		if r.DeclaredTier != r.Tier && cfg.HasRole("tier") {
			tier += "!"
		}
		t := escape.Terminal
		rows = append(rows, []string{strconv.Itoa(r.Rank), t(r.ID), tier, num(r.Score), t(r.Status), t(r.Models.Matrix.Quadrant),
			runewidth.Truncate(t(r.Title), 60, "…")})
	}
	widths := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, c := range row {
			widths[i] = max(widths[i], runewidth.StringWidth(c))
		}
	}
	for _, row := range rows {
		var b strings.Builder
		for i, c := range row {
			if i == len(row)-1 {
				b.WriteString(c)
				break
			}
			b.WriteString(runewidth.FillRight(c, widths[i]+2))
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	fmt.Fprintf(w, "\nprimary model: %s; * tier overridden by hand; ! declared tier differs (demand rank --check)\n", cfg.Scoring.Primary)
}

func writeExplain(w io.Writer, cfg *config.Config, r *rank.Result) {
	t := escape.Terminal
	fmt.Fprintf(w, "%s  %s\n", t(r.ID), t(r.Title))
	declared := "not declared"
	if r.DeclaredTier > 0 {
		declared = "declared " + strconv.Itoa(r.DeclaredTier)
	}
	fmt.Fprintf(w, "rank %d, tier %d (%s), %s, score %s (%s)\n\n", r.Rank, r.Tier, t(cfg.TierLabel(r.Tier, cfg.Language)), declared, num(r.Score), r.Primary)
	m := r.Models
	fmt.Fprintf(w, "Weighted grading: %s of 100\n", num(m.Weighted.Score))
	var total float64
	for _, f := range m.Weighted.Factors {
		total += f.Weight
	}
	for _, f := range m.Weighted.Factors {
		v := f.Value
		if v == "" {
			v = "not set"
		}
		fmt.Fprintf(w, "  %-12s %-22s level %-5s × weight %-3s → %6s points\n", t(f.Factor), t(v), num(f.Level), num(f.Weight), num(f.Points))
	}
	fmt.Fprintf(w, "  (points = 100 × weight × level / %s)\n", num(total))
	if x := m.RICE; x != nil {
		fmt.Fprintf(w, "RICE: %s = reach %s (declared %s + requesters %s) × impact %s × confidence %s / effort %s\n",
			num(x.Score), num(x.Reach), num(x.DeclaredReach), num(x.RequesterReach), num(x.Impact), num(x.Confidence), num(x.Effort))
	} else {
		fmt.Fprintln(w, "RICE: no rice inputs")
	}
	if x := m.WSJF; x != nil {
		fmt.Fprintf(w, "WSJF: %s = (value %s + time criticality %s + risk reduction %s) / job size %s\n",
			num(x.Score), num(x.Value), num(x.TimeCriticality), num(x.RiskReduction), num(x.JobSize))
	} else {
		fmt.Fprintln(w, "WSJF: no wsjf inputs")
	}
	if x := m.Kano; x != nil {
		fmt.Fprintf(w, "Kano: %s (%s): %s → %s\n", t(x.Category), t(x.Effect), num(x.Before), num(x.After))
	}
	fmt.Fprintf(w, "Priority matrix: urgency %s × importance %s → %s\n", t(orNone(m.Matrix.Urgency)), t(orNone(m.Matrix.Importance)), t(m.Matrix.Quadrant))
	fmt.Fprintf(w, "Customers asking (%d):\n", len(r.Customers))
	for _, c := range r.Customers {
		fmt.Fprintf(w, "  %s (%s, weight %s, via %s)\n", t(orNone(c.Name)), t(orNone(c.Segment)), num(c.Weight), t(c.Via))
	}
	fmt.Fprintln(w, "Tier:")
	for _, x := range r.Reasons {
		fmt.Fprintf(w, "  %-8s → %d  %s\n", t(x.Kind), x.Tier, t(x.Detail))
	}
}

func orNone(s string) string {
	if s == "" {
		return "not set"
	}
	return s
}
