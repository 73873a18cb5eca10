package main

import (
	"context"
	"fmt"
	"os"

	"github.com/demand-registry/demand/registry/finding"

	"github.com/demand-registry/demand/internal/escape"
	"github.com/demand-registry/demand/internal/safefs"
	"github.com/demand-registry/demand/pipeline"
	"github.com/demand-registry/demand/registry/csvimport"
	"github.com/demand-registry/demand/registry/rank"
	"github.com/demand-registry/demand/render"
	"github.com/demand-registry/demand/templates"
)

type importOptions struct {
	dir, from, mapFile string
	file               string // the one read
	dryRun             bool
	issue              issueFlags
}

func runImport(ctx context.Context, e *env, args []string) error {
	var o importOptions
	fl := newFlags(e, "import --from csv|json FILE [--map MAP.yaml] [--dry-run] | --from issue FILE --issue-url URL", `  demand import --from csv demands.csv                 # headers are field names (this tool's export too)
  demand import --from json demands.json               # this tool's JSON export
  demand import --from csv jira.csv --map jira-map.yaml --dry-run
  demand import --from issue body.md --issue-url https://github.com/acme/demands/issues/7 --received 2026-11-02
`)
	dirFlag(fl, &o.dir)
	choiceFlag(fl, &o.from, "from", "input `format`: csv, json (this tool's export) or issue (the body GitHub renders for the demand issue form)", "csv", "json", "issue")
	fl.StringVar(&o.issue.url, "issue-url", "", "issue: the issue's `address`, kept as external_key")
	fl.IntVar(&o.issue.number, "issue", 0, "issue: the issue's `number`, with repository.url from the config (instead of --issue-url)")
	fl.StringVar(&o.issue.title, "issue-title", "", "issue: the issue's `title`, used when the form's title is empty")
	fl.StringVar(&o.issue.received, "received", "", "issue: the `date` the issue was opened, YYYY-MM-DD (default today)")
	fl.StringVar(&o.mapFile, "map", "", "`file` mapping another tool's columns and values to fields")
	fl.BoolVar(&o.dryRun, "dry-run", false, "report what would be written, write nothing")
	files, err := parseInterspersed(fl, args)
	if err != nil {
		return err
	}
	switch {
	case o.from == "issue" && (len(files) != 1 || o.mapFile != ""):
		return usagef("name one file holding the issue's body, e.g. demand import --from issue body.md --issue-url URL")
	case len(files) != 1:
		return usagef("name one file, e.g. demand import --from csv demands.csv")
	case o.from == "json" && o.mapFile != "":
		return usagef("--map is for CSV files; a JSON export names its fields already")
	}
	o.file = files[0]
	if o.from == "issue" {
		return o.importIssue(e)
	}
	return o.importTable(e)
}

// importTable imports a CSV file (with a column map) or this tool's JSON
// export: every row planned and checked with the rest of the registry,
// then all written or none.
func (o *importOptions) importTable(e *env) error {
	data, err := os.ReadFile(o.file)
	if err != nil {
		return err
	}
	var m *csvimport.Map
	if o.mapFile != "" {
		md, err := os.ReadFile(o.mapFile)
		if err != nil {
			return err
		}
		if m, err = csvimport.ParseMap(o.mapFile, md); err != nil {
			return err
		}
	}
	r, err := openClean(o.dir, "")
	if err != nil {
		return err
	}
	defer r.Close()
	listed, _ := r.Folder().List()
	var rows []csvimport.Row
	var problems []csvimport.Problem
	if o.from == "json" {
		rows, problems = csvimport.PlanJSON(r.Snapshot, listed, data)
	} else {
		rows, problems = csvimport.Plan(r.Snapshot, listed, data, m)
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintf(e.stderr, "%s:%d: %s\n", escape.Path(o.file), p.Line, escape.Terminal(p.Message))
		}
		e.warnf("%d rows cannot be imported; nothing was written", len(problems))
		return errChecked
	}
	// The files are checked as validate would check them, with the rest
	// of the registry, before any is written; then written all or none.
	fs, err := csvimport.Check(r.Folder(), rows)
	if err != nil {
		return err
	}
	if len(fs) > 0 {
		o.reportFindings(e, rows, fs)
		return errChecked
	}
	written, skipped := 0, 0
	var out []safefs.File
	for _, row := range rows {
		if row.Skipped {
			skipped++
			continue
		}
		if o.dryRun {
			fmt.Fprintf(e.stdout, "would write %s (line %d)\n", escape.Path(displayDir(o.dir)+"/"+row.Path), row.Line)
		} else {
			out = append(out, safefs.File{Path: row.Path, Data: row.Data})
		}
		written++
	}
	if err := r.Folder().WriteFiles(out, true); err != nil {
		return fmt.Errorf("%w; nothing was written", err)
	}
	for _, f := range out {
		fmt.Fprintln(e.stdout, escape.Path(displayDir(o.dir)+"/"+f.Path))
	}
	verb := "imported"
	if o.dryRun {
		verb = "would import"
	}
	fmt.Fprintf(e.stderr, "%s %s; %s already imported (same external_key)\n", verb, plural(written, "demand"), plural(skipped, "row"))
	return nil
}

// reportImportFindings prints what the imported files would break, at
// the row that makes each file (or the registry file it concerns).
func (o *importOptions) reportFindings(e *env, rows []csvimport.Row, fs finding.Findings) {
	dir, file := o.dir, o.file
	lines := map[string]int{}
	for _, r := range rows {
		lines[r.Path] = r.Line
	}
	t := escape.Terminal
	for _, f := range fs {
		if line, ok := lines[f.Path]; ok {
			fmt.Fprintf(e.stderr, "%s:%d: %s: %s [%s]\n", escape.Path(file), line, escape.Path(f.Path), t(f.Message), t(f.Rule))
		} else {
			fmt.Fprintf(e.stderr, "%s/%s: %s [%s]\n", escape.Path(displayDir(dir)), escape.Path(f.Path), t(f.Message), t(f.Rule))
		}
	}
	e.warnf("the imported demands would have %d error(s); nothing was written", len(fs))
}

type exportOptions struct {
	dir, format string
	audience    render.Audience
}

func runExport(ctx context.Context, e *env, args []string) error {
	var o exportOptions
	fl := newFlags(e, "export --format csv|json [--audience internal|public]", `  demand export --format csv > demands.csv     # UTF-8 with a byte-order mark, for Excel
  demand export --format json --audience public
`)
	dirFlag(fl, &o.dir)
	formatFlag(fl, &o.format, "csv", "json")
	audienceFlag(fl, &o.audience)
	if err := parseOnlyFlags(fl, args, ""); err != nil {
		return err
	}
	return o.run(ctx, e)
}

func (o *exportOptions) run(ctx context.Context, e *env) error {
	r, err := openClean(o.dir, "")
	if err != nil {
		return err
	}
	defer r.Close()
	ranking := rank.Rank(r.Snapshot)
	// Without a history (no git, say) the export still has every demand.
	res, _, _ := historyRun{dir: o.dir, ranked: func() *rank.Ranking { return ranking }, quiet: true}.walk(ctx, e)
	in := pipeline.Input(r.Snapshot, ranking, res, o.audience)
	in.Dir = repoRelDir(o.dir)
	files, err := render.Exports(in, render.Options{Audience: o.audience, Templates: templates.FS})
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(files["demands."+o.format])
	return err
}
