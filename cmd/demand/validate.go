package main

import (
	"fmt"

	"github.com/demand-registry/demand/registry/finding"

	"github.com/demand-registry/demand/pipeline"
)

type validateOptions struct {
	dir, format string
	base, head  string
}

func runValidate(e *env, args []string) int {
	var o validateOptions
	fl := newFlags(e, "validate", "validate [--dir DIR] [--format text|json|github]", `  demand validate
  demand validate --dir path/to/demands --format json
  demand validate --format github   # annotations in GitHub Actions
  demand validate --base origin/main # a pull request: workflow transitions too
`)
	fl.StringVar(&o.dir, "dir", "demands", "registry `folder`")
	fl.StringVar(&o.format, "format", "text", "output `format`: text, json or github")
	fl.StringVar(&o.base, "base", "", "also check the change from this git `revision` (a pull request's base) by the workflow rules")
	fl.StringVar(&o.head, "head", "", "with --base: check this `revision` instead of the work tree")
	if code, ok := parseOnlyFlags(e, fl, args, "use --dir to name the folder"); !ok {
		return code
	}
	if !oneOf(e, "validate", "format", o.format, finding.Formats) {
		return exitUsage
	}
	if o.head != "" && o.base == "" {
		fmt.Fprintln(e.stderr, "demand validate: --head needs --base")
		return exitUsage
	}
	return o.run(e)
}

func (o *validateOptions) run(e *env) int {
	l, code := load(e, "validate", o.dir, o.head)
	if l == nil {
		return code
	}
	defer l.close()
	var base *pipeline.Registry
	if o.base != "" {
		b, code := load(e, "validate", o.dir, o.base)
		if b == nil {
			return code
		}
		base = b.Registry
	}
	snap := l.snap
	fs := pipeline.Check(l.Registry, base)
	prefix := displayDir(o.dir)
	if o.format != "text" {
		prefix = repoRelDir(o.dir)
	}
	if err := finding.Write(e.stdout, o.format, prefix, fs); err != nil {
		fmt.Fprintf(e.stderr, "demand validate: %v\n", err)
		return exitUsage
	}
	errs, warns := fs.Count()
	if o.format == "text" {
		fmt.Fprintf(e.stderr, "%d demands, %d errors, %d warnings\n", len(snap.Demands), errs, warns)
	}
	if errs > 0 {
		return exitFindings
	}
	return exitOK
}
