package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/demand-registry/demand/pipeline"
	"github.com/demand-registry/demand/render"
)

type buildOptions struct {
	dir, out string
	// The site's options; demand serve also keeps caches in them between
	// rebuilds, and demand build a writer (Sink) handed files as they render.
	pipeline.SiteOptions
}

// built is a site rendered in memory (files), or planned to be rendered
// file by file when asked for (lazy).
type built struct {
	files   map[string][]byte
	lazy    *render.Lazy
	demands int
}

func runBuild(e *env, args []string) int {
	var o buildOptions
	fl := newFlags(e, "build", "build [--out DIR] [--audience internal|public] [--base-url URL] [--templates DIR]", `  demand build                          # the site in _site/
  demand build --audience public --out public
  demand build --templates my-theme     # files in my-theme/ replace the built-in ones
`)
	o.siteFlags(fl)
	fl.StringVar(&o.out, "out", "_site", "output `folder` (replaced atomically)")
	fl.BoolVar(&o.NoCache, "no-cache", false, "walk the whole git history, ignoring the cache in .git/demand-cache/")
	if code, ok := o.parseSiteFlags(e, fl, args); !ok {
		return code
	}
	return o.run(e)
}

// siteFlags are the flags of build and serve.
func (o *buildOptions) siteFlags(fl *flag.FlagSet) {
	fl.StringVar(&o.dir, "dir", "demands", "registry `folder`")
	fl.StringVar(&o.BaseURL, "base-url", "", "absolute `URL` the site is published at, for absolute links in the feed and exports")
	fl.StringVar((*string)(&o.Audience), "audience", string(render.Internal), "`audience`: internal (everything) or public (no internal demands, customer names hidden)")
	fl.StringVar(&o.Templates, "templates", "", "`folder` of templates, stylesheet and i18n/*.yaml overriding the built-in ones")
}

func (o *buildOptions) parseSiteFlags(e *env, fl *flag.FlagSet, args []string) (int, bool) {
	if code, ok := parseOnlyFlags(e, fl, args, ""); !ok {
		return code, false
	}
	if !oneOf(e, fl.Name(), "audience", string(o.Audience), []string{string(render.Internal), string(render.Public)}) {
		return exitUsage, false
	}
	return 0, true
}

func (o *buildOptions) run(e *env) int {
	key, keyErr := pipeline.SiteKey(o.dir, o.SiteOptions)
	if keyErr == nil && !o.NoCache && render.UpToDate(o.out, key) {
		fmt.Fprintf(e.stderr, "%s is up to date (same files, commit, templates, options and tool)\n", o.out)
		return exitOK
	}
	// Pages are written while the rest render; the new site replaces the
	// old one only once it is complete.
	w, err := render.NewSiteWriter(o.out)
	if err != nil {
		fmt.Fprintf(e.stderr, "demand build: %v\n", err)
		return exitUsage
	}
	o.Sink = w.Put
	b, code := o.site(e, e.stderr)
	if b == nil {
		w.Abort()
		return code
	}
	n := len(b.files)
	if keyErr == nil {
		w.Put(render.Marker, []byte(render.MarkerText(key)))
		n++
	}
	if err := w.Commit(); err != nil {
		fmt.Fprintf(e.stderr, "demand build: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(e.stderr, "built %d files for %d demands into %s\n", n, b.demands, o.out)
	return exitOK
}

// site loads, ranks and walks the registry and renders the site in
// memory (see pipeline.BuildSite). Problems go to report (findings of a
// broken registry included); on failure it returns nil and the exit code.
func (o *buildOptions) site(e *env, report io.Writer) (*built, int) {
	return o.siteCtx(context.Background(), e, report)
}

func (o *buildOptions) siteCtx(ctx context.Context, e *env, report io.Writer) (*built, int) {
	report = &lockedWriter{w: report}
	re := &env{stdout: e.stdout, stderr: report}
	opts := o.SiteOptions
	if isTerminal(e.stderr) {
		opts.Progress = report
	}
	site, err := pipeline.BuildSite(ctx, o.dir, opts)
	if err != nil {
		return nil, reportErr(re, "build", o.dir, err)
	}
	for _, w := range site.Warnings {
		fmt.Fprintf(report, "demand build: %s\n", w)
	}
	return &built{files: site.Files, lazy: site.Lazy, demands: site.Demands}, exitOK
}
