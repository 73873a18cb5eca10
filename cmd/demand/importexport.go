package main

import (
	"context"
	"fmt"
	"io"
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

func runImport(e *env, args []string) int {
	var dir, from, mapFile string
	var dryRun bool
	var is issueFlags
	fl := newFlags(e, "import", "import --from csv|json FILE [--map MAP.yaml] [--dry-run] | --from issue FILE --issue-url URL", `  demand import --from csv demands.csv                 # headers are field names (this tool's export too)
  demand import --from json demands.json               # this tool's JSON export
  demand import --from csv jira.csv --map jira-map.yaml --dry-run
  demand import --from issue body.md --issue-url https://github.com/acme/demands/issues/7 --received 2026-11-02
`)
	fl.StringVar(&dir, "dir", "demands", "registry `folder`")
	fl.StringVar(&from, "from", "csv", "input `format`: csv, json (this tool's export) or issue (the body GitHub renders for the demand issue form)")
	fl.StringVar(&is.url, "issue-url", "", "issue: the issue's `address`, kept as external_key")
	fl.IntVar(&is.number, "issue", 0, "issue: the issue's `number`, with repository.url from the config (instead of --issue-url)")
	fl.StringVar(&is.title, "issue-title", "", "issue: the issue's `title`, used when the form's title is empty")
	fl.StringVar(&is.received, "received", "", "issue: the `date` the issue was opened, YYYY-MM-DD (default today)")
	fl.StringVar(&mapFile, "map", "", "`file` mapping another tool's columns and values to fields")
	fl.BoolVar(&dryRun, "dry-run", false, "report what would be written, write nothing")
	files, code, ok := parseInterspersed(fl, args)
	if !ok {
		return code
	}
	if !oneOf(e, "import", "from", from, []string{"csv", "json", "issue"}) {
		return exitUsage
	}
	if from == "issue" {
		if len(files) != 1 || mapFile != "" {
			fmt.Fprintln(e.stderr, "demand import: name one file holding the issue's body, e.g. demand import --from issue body.md --issue-url URL")
			return exitUsage
		}
		return importIssue(e, dir, files[0], is, dryRun)
	}
	if len(files) != 1 {
		fmt.Fprintln(e.stderr, "demand import: name one file, e.g. demand import --from csv demands.csv")
		return exitUsage
	}
	return importTable(e, dir, files[0], from, mapFile, dryRun)
}

// importTable imports a CSV file (with a column map) or this tool's JSON
// export: every row planned and checked with the rest of the registry,
// then all written or none.
func importTable(e *env, dir, file, from, mapFile string, dryRun bool) int {
	data, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintf(e.stderr, "demand import: %v\n", err)
		return exitUsage
	}
	var m *csvimport.Map
	if mapFile != "" {
		md, err := os.ReadFile(mapFile)
		if err != nil {
			fmt.Fprintf(e.stderr, "demand import: %v\n", err)
			return exitUsage
		}
		if m, err = csvimport.ParseMap(mapFile, md); err != nil {
			fmt.Fprintf(e.stderr, "demand import: %v\n", err)
			return exitUsage
		}
	}
	l, code := loadClean(e, "import", dir, "")
	if l == nil {
		return code
	}
	defer l.close()
	listed, _ := l.dir.List()
	if from == "json" && m != nil {
		fmt.Fprintln(e.stderr, "demand import: --map is for CSV files; a JSON export names its fields already")
		return exitUsage
	}
	var rows []csvimport.Row
	var problems []csvimport.Problem
	if from == "json" {
		rows, problems = csvimport.PlanJSON(l.snap, listed, data)
	} else {
		rows, problems = csvimport.Plan(l.snap, listed, data, m)
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintf(e.stderr, "%s:%d: %s\n", escape.Path(file), p.Line, escape.Terminal(p.Message))
		}
		fmt.Fprintf(e.stderr, "demand import: %d rows cannot be imported; nothing was written\n", len(problems))
		return exitFindings
	}
	// The files are checked as validate would check them, with the rest
	// of the registry, before any is written; then written all or none.
	fs, err := csvimport.Check(l.dir, rows)
	if err != nil {
		fmt.Fprintf(e.stderr, "demand import: %v\n", err)
		return exitUsage
	}
	if len(fs) > 0 {
		reportImportFindings(e, dir, file, rows, fs)
		return exitFindings
	}
	written, skipped := 0, 0
	var out []safefs.File
	for _, r := range rows {
		if r.Skipped {
			skipped++
			continue
		}
		if dryRun {
			fmt.Fprintf(e.stdout, "would write %s (line %d)\n", escape.Path(displayDir(dir)+"/"+r.Path), r.Line)
		} else {
			out = append(out, safefs.File{Path: r.Path, Data: r.Data})
		}
		written++
	}
	if err := l.dir.WriteFiles(out, true); err != nil {
		fmt.Fprintf(e.stderr, "demand import: %v; nothing was written\n", err)
		return exitUsage
	}
	for _, f := range out {
		fmt.Fprintln(e.stdout, escape.Path(displayDir(dir)+"/"+f.Path))
	}
	verb := "imported"
	if dryRun {
		verb = "would import"
	}
	fmt.Fprintf(e.stderr, "%s %d demands; %d rows already imported (same external_key)\n", verb, written, skipped)
	return exitOK
}

// reportImportFindings prints what the imported files would break, at
// the row that makes each file (or the registry file it concerns).
func reportImportFindings(e *env, dir, file string, rows []csvimport.Row, fs finding.Findings) {
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
	fmt.Fprintf(e.stderr, "demand import: the imported demands would have %d error(s); nothing was written\n", len(fs))
}

func runExport(e *env, args []string) int {
	var dir, format, audience string
	fl := newFlags(e, "export", "export --format csv|json [--audience internal|public]", `  demand export --format csv > demands.csv     # UTF-8 with a byte-order mark, for Excel
  demand export --format json --audience public
`)
	fl.StringVar(&dir, "dir", "demands", "registry `folder`")
	fl.StringVar(&format, "format", "csv", "output `format`: csv or json")
	fl.StringVar(&audience, "audience", string(render.Internal), "`audience`: internal or public")
	if code, ok := parseOnlyFlags(e, fl, args, ""); !ok {
		return code
	}
	if !oneOf(e, "export", "format", format, []string{"csv", "json"}) || !oneOf(e, "export", "audience", audience, []string{string(render.Internal), string(render.Public)}) {
		return exitUsage
	}
	l, code := loadClean(e, "export", dir, "")
	if l == nil {
		return code
	}
	defer l.close()
	ranking := rank.Rank(l.snap)
	quiet := &env{stdout: e.stdout, stderr: io.Discard}
	res, _, _ := walkHistory(context.Background(), quiet, "export", dir, "", false, func() *rank.Ranking { return ranking }, nil)
	in := pipeline.Input(l.snap, ranking, res, render.Audience(audience))
	in.Dir = repoRelDir(dir)
	files, err := render.Exports(in, render.Options{Audience: render.Audience(audience), Templates: templates.FS})
	if err != nil {
		fmt.Fprintf(e.stderr, "demand export: %v\n", err)
		return exitUsage
	}
	e.stdout.Write(files["demands."+format])
	return exitOK
}
