package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/demand-registry/demand/registry/rank"
	"github.com/demand-registry/demand/render"
	"github.com/demand-registry/demand/templates"
)

type buildOptions struct {
	dir, out, baseURL, audience, templates string
	noCache                                bool
}

func runBuild(e *env, args []string) int {
	var o buildOptions
	fl := newFlags(e, "build", "build [--out DIR] [--audience internal|public] [--base-url URL] [--templates DIR]", `  demand build                          # the site in _site/
  demand build --audience public --out public
  demand build --templates my-theme     # files in my-theme/ replace the built-in ones
`)
	fl.StringVar(&o.dir, "dir", "demands", "registry `folder`")
	fl.StringVar(&o.out, "out", "_site", "output `folder` (replaced atomically)")
	fl.StringVar(&o.baseURL, "base-url", "", "absolute `URL` the site is published at, for absolute links in exports")
	fl.StringVar(&o.audience, "audience", render.Internal, "`audience`: internal (everything) or public (no internal demands, customer names hidden)")
	fl.StringVar(&o.templates, "templates", "", "`folder` of templates, stylesheet and i18n/*.yaml overriding the built-in ones")
	fl.BoolVar(&o.noCache, "no-cache", false, "walk the whole git history, ignoring the cache in .demand/")
	if code, ok := parseFlags(fl, args); !ok {
		return code
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(e.stderr, "demand build: unexpected argument %q\n", fl.Arg(0))
		return exitUsage
	}
	if !oneOf(e, "build", "audience", o.audience, []string{render.Internal, render.Public}) {
		return exitUsage
	}
	return o.run(e)
}

// overlay serves files from a folder first, then from the built-in set.
type overlay struct{ top, base fs.FS }

func (o overlay) Open(name string) (fs.File, error) {
	if f, err := o.top.Open(name); err == nil {
		return f, nil
	}
	return o.base.Open(name)
}

func (o *buildOptions) run(e *env) int {
	files, n, code := o.site(e, e.stderr)
	if files == nil {
		return code
	}
	if err := render.Write(o.out, files); err != nil {
		fmt.Fprintf(e.stderr, "demand build: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(e.stderr, "built %d files for %d demands into %s\n", len(files), n, o.out)
	return exitOK
}

// site loads, ranks and walks the registry and renders the site in
// memory. Problems go to report (findings of a broken registry included);
// on failure files is nil and code the exit code.
func (o *buildOptions) site(e *env, report io.Writer) (files map[string][]byte, demands int, code int) {
	re := &env{stdout: e.stdout, stderr: report}
	l, code := load(re, "build", o.dir, "")
	if l == nil {
		return nil, 0, code
	}
	defer l.close()
	if !l.requireClean(re, "build", o.dir) {
		return nil, 0, exitFindings
	}
	in := render.Input{Snapshot: l.snap, Ranking: rank.Rank(l.snap)}
	if res, _, code := walkHistory(re, "build", o.dir, "", o.noCache); res != nil {
		in.History, in.Commit, in.Date = res.Histories, res.Head, res.AsOf
		tiers := map[string]int{}
		for _, r := range in.Ranking.Results {
			tiers[r.ID] = r.Tier
		}
		res.ComputeSLA(l.snap.Config, tiers) // with the computed tiers the site shows
	} else if code != exitUsage {
		return nil, 0, code
	} else {
		fmt.Fprintln(report, "demand build: building without history")
	}
	var tfs fs.FS = templates.FS
	if o.templates != "" {
		st, err := os.Stat(o.templates)
		if err != nil || !st.IsDir() {
			fmt.Fprintf(report, "demand build: --templates %s is not a folder\n", o.templates)
			return nil, 0, exitUsage
		}
		tfs = overlay{top: os.DirFS(o.templates), base: templates.FS}
	}
	files, err := render.Build(in, render.Options{Audience: o.audience, BaseURL: o.baseURL, Templates: tfs})
	if err != nil {
		fmt.Fprintf(report, "demand build: %v\n", err)
		return nil, 0, exitUsage
	}
	return files, len(in.Ranking.Results), exitOK
}
