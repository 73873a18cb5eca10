package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/demand-registry/demand/pipeline"
	"github.com/demand-registry/demand/registry/config"
	"github.com/demand-registry/demand/registry/finding"
)

type validateOptions struct {
	dir, format string
	base, head  string
}

func runValidate(ctx context.Context, e *env, args []string) error {
	var o validateOptions
	fl := newFlags(e, "validate [--dir DIR] [--format text|json|github]", `  demand validate
  demand validate --dir path/to/demands --format json
  demand validate --format github   # annotations in GitHub Actions
  demand validate --base origin/main # a pull request: workflow transitions too
`)
	dirFlag(fl, &o.dir)
	formatFlag(fl, &o.format, finding.Formats...)
	fl.StringVar(&o.base, "base", "", "also check the change from this git `revision` (a pull request's base) by the workflow rules")
	fl.StringVar(&o.head, "head", "", "with --base: check this `revision` instead of the work tree")
	if err := parseOnlyFlags(fl, args, "use --dir to name the folder"); err != nil {
		return err
	}
	if o.head != "" && o.base == "" {
		return usagef("--head needs --base")
	}
	return o.run(ctx, e)
}

func (o *validateOptions) run(_ context.Context, e *env) error {
	r, err := pipeline.Open(o.dir, pipeline.OpenOptions{Rev: o.head})
	var ce *pipeline.ConfigError
	if errors.As(err, &ce) {
		// In the output asked for (annotations too), and exit 2: nothing
		// was checked against a config with errors.
		if err := finding.Write(e.stdout, o.format, findingsPrefix(o.dir, o.format), ce.Findings); err != nil {
			return err
		}
		if o.format == "text" {
			e.warnf("%s has errors; no demand was checked", config.File)
		}
		return errShown
	}
	if err != nil {
		return err
	}
	defer r.Close()
	var base *pipeline.Registry
	if o.base != "" {
		if base, err = open(o.dir, o.base); err != nil {
			return err
		}
		defer base.Close()
	}
	fs := pipeline.Check(r, base)
	if err := finding.Write(e.stdout, o.format, findingsPrefix(o.dir, o.format), fs); err != nil {
		return err
	}
	errs, warns := fs.Count()
	if o.format == "text" {
		fmt.Fprintf(e.stderr, "%s, %s, %s\n", plural(len(r.Snapshot.Demands), "demand"), plural(errs, "error"), plural(warns, "warning"))
	}
	if errs > 0 {
		return errChecked
	}
	return nil
}

// findingsPrefix is the folder findings are printed relative to: as the
// user typed it for text, from the repository root for tools (GitHub's
// annotations name files from there).
func findingsPrefix(dir, format string) string {
	if format == "text" {
		return displayDir(dir)
	}
	return repoRelDir(dir)
}

// plural is "1 error", "2 errors".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
