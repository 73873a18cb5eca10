package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/demand-registry/demand/registry/config"
	"github.com/demand-registry/demand/registry/finding"

	"github.com/demand-registry/demand/internal/escape"
	"github.com/demand-registry/demand/registry/change"
	"github.com/demand-registry/demand/registry/rank"
)

type diffOptions struct {
	dir, format string
	revs        []string // the two compared
}

func runDiff(ctx context.Context, e *env, args []string) error {
	var o diffOptions
	fl := newFlags(e, "diff REV1 REV2 [--format text|markdown|json]", `  demand diff origin/main HEAD
  demand diff $BASE_SHA HEAD --format markdown >> "$GITHUB_STEP_SUMMARY"
`)
	dirFlag(fl, &o.dir)
	formatFlag(fl, &o.format, "text", "markdown", "json")
	var err error
	if o.revs, err = parseInterspersed(fl, args); err != nil {
		return err
	}
	if len(o.revs) != 2 {
		return usagef("name two revisions, e.g. demand diff origin/main HEAD")
	}
	return o.run(ctx, e)
}

func (o *diffOptions) run(_ context.Context, e *env) error {
	var sides [2]change.Side
	for i, rev := range o.revs {
		r, err := open(o.dir, rev)
		if err != nil {
			return err
		}
		if r.Findings.HasErrors() {
			// Compare what can be read, and say what could not.
			e.warnf("warning: the registry at %s has errors; files that do not parse are left out:", rev)
			fs := r.Findings
			fs.Sort()
			_ = finding.Write(e.stderr, "text", repoRelDir(o.dir), fs)
		}
		sides[i] = change.Side{Snapshot: r.Snapshot, Ranking: rank.Rank(r.Snapshot), Date: r.Date}
		r.Close()
	}
	d := change.Compare(sides[0], sides[1])
	cfg := sides[1].Snapshot.Config
	switch o.format {
	case "json":
		if d.Demands == nil {
			d.Demands = []change.DemandDiff{}
		}
		return writeJSON(e.stdout, diffJSON{SchemaVersion: finding.JSONVersion, Diff: d})
	case "markdown":
		writeDiffMarkdown(e.stdout, cfg, o.revs, d)
	default:
		writeDiffText(e.stdout, cfg, d)
	}
	return nil
}

// diffJSON is diff --format json (docs/json/diff.schema.json).
type diffJSON struct {
	SchemaVersion int `json:"schema_version"`
	change.Diff
}

func writeDiffText(w io.Writer, cfg *config.Config, d change.Diff) {
	t := escape.Terminal
	fmt.Fprintf(w, "%d added, %d removed, %d changed\n", d.Added, d.Removed, d.Changed)
	for _, x := range d.Demands {
		fmt.Fprintf(w, "\n%s %s (%s)\n", t(x.ID), t(x.Title), x.Kind)
		if x.StatusOld != x.StatusNew {
			fmt.Fprintf(w, "  status: %s → %s\n", t(orNone(x.StatusOld)), t(orNone(x.StatusNew)))
		}
		if x.Kind == "changed" && (x.TierOld != x.TierNew || x.ScoreOld != x.ScoreNew) {
			fmt.Fprintf(w, "  tier %d → %d, score %s → %s: %s\n", x.TierOld, x.TierNew, num(x.ScoreOld), num(x.ScoreNew), t(x.Why))
		} else if x.Kind == "added" {
			fmt.Fprintf(w, "  tier %d, score %s: %s\n", x.TierNew, num(x.ScoreNew), t(x.Why))
		}
		for _, f := range x.Fields {
			if f.Field == "status" {
				continue
			}
			fmt.Fprintf(w, "  %s: %s → %s\n", t(cfg.KeyPath(f.Field)), t(orNone(f.From)), t(orNone(f.To)))
		}
		for _, s := range x.SLA {
			fmt.Fprintf(w, "  SLA %s %s (%s of %s %s)\n", s.Node, s.State, num(s.ElapsedDays), num(s.TargetDays), dayUnit(s.WorkingDays))
		}
	}
}

// mdCell is text from the registry in the Markdown summary: escaped, so
// no link, image or HTML from a title renders, and kept on its line.
func mdCell(s string) string { return escape.Markdown(s) }

// mdCode is a name in a code span: a fence longer than any run of
// backticks in it, so the name cannot close the span.
func mdCode(s string) string {
	s = escape.Terminal(strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s))
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

func writeDiffMarkdown(w io.Writer, cfg *config.Config, revs []string, d change.Diff) {
	fmt.Fprintf(w, "### Demand registry: %d added, %d removed, %d changed\n\n", d.Added, d.Removed, d.Changed)
	if len(d.Demands) == 0 {
		fmt.Fprintf(w, "No demand changes between %s and %s.\n", mdCode(revs[0]), mdCode(revs[1]))
		return
	}
	fmt.Fprintln(w, "| Demand | Change | Status | Tier | Score |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, x := range d.Demands {
		status := x.Status
		if x.StatusOld != x.StatusNew {
			status = fmt.Sprintf("%s → %s", orNone(x.StatusOld), orNone(x.StatusNew))
		}
		tier, score := fmt.Sprint(x.TierNew), num(x.ScoreNew)
		switch x.Kind {
		case "removed":
			tier, score = fmt.Sprint(x.TierOld), num(x.ScoreOld)
		case "changed":
			if x.TierOld != x.TierNew {
				tier = fmt.Sprintf("**%d → %d**", x.TierOld, x.TierNew)
			}
			if x.ScoreOld != x.ScoreNew {
				score = fmt.Sprintf("%s → %s", num(x.ScoreOld), num(x.ScoreNew))
			}
		}
		fmt.Fprintf(w, "| %s %s | %s | %s | %s | %s |\n", mdCell(x.ID), mdCell(x.Title), x.Kind, mdCell(status), tier, score)
	}
	for _, x := range d.Demands {
		var lines []string
		for _, f := range x.Fields {
			if f.Field != "status" && f.Field != "body" {
				lines = append(lines, fmt.Sprintf("- %s: %s → %s", mdCode(cfg.KeyPath(f.Field)), mdCell(orNone(f.From)), mdCell(orNone(f.To))))
			} else if f.Field == "body" {
				lines = append(lines, "- the description changed")
			}
		}
		if x.Why != "" && (x.Kind == "added" || x.TierOld != x.TierNew) {
			lines = append(lines, "- tier: "+mdCell(x.Why))
		}
		for _, s := range x.SLA {
			var mark string
			if s.State == "breached" {
				mark = fmt.Sprintf("⚠️ breached, over by %s", num(s.OverDays))
			} else {
				mark = "✅ met"
			}
			lines = append(lines, fmt.Sprintf("- SLA %s reached: %s (%s of %s %s)", mdCell(s.Node), mark, num(s.ElapsedDays), num(s.TargetDays), dayUnit(s.WorkingDays)))
		}
		if len(lines) > 0 {
			fmt.Fprintf(w, "\n**%s %s**\n\n%s\n", mdCell(x.ID), mdCell(x.Title), strings.Join(lines, "\n"))
		}
	}
}

func dayUnit(working bool) string {
	if working {
		return "working days"
	}
	return "days"
}
