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

func runBuild(ctx context.Context, e *env, args []string) error {
	var o buildOptions
	fl := newFlags(e, "build [--out DIR] [--audience internal|public] [--base-url URL] [--templates DIR]", `  demand build                          # the site in _site/
  demand build --audience public --out public
  demand build --templates my-theme     # files in my-theme/ replace the built-in ones
`)
	o.siteFlags(fl)
	fl.StringVar(&o.out, "out", "_site", "output `folder` (replaced atomically)")
	noCacheFlag(fl, &o.NoCache)
	if err := parseOnlyFlags(fl, args, ""); err != nil {
		return err
	}
	return o.run(ctx, e)
}

// siteFlags are the flags of build and serve.
func (o *buildOptions) siteFlags(fl *flag.FlagSet) {
	dirFlag(fl, &o.dir)
	fl.StringVar(&o.BaseURL, "base-url", "", "absolute `URL` the site is published at, for absolute links in the feed and exports")
	audienceFlag(fl, &o.Audience)
	fl.StringVar(&o.Templates, "templates", "", "`folder` of templates, stylesheet and i18n/*.yaml overriding the built-in ones")
}

// audienceFlag is --audience, of build, serve and export.
func audienceFlag(fl *flag.FlagSet, p *render.Audience) {
	choiceFlag(fl, (*string)(p), "audience", "`audience`: internal (everything) or public (no internal demands, customer names hidden)",
		string(render.Internal), string(render.Public))
}

func (o *buildOptions) run(ctx context.Context, e *env) error {
	key, keyErr := pipeline.SiteKey(o.dir, o.SiteOptions)
	if keyErr == nil && !o.NoCache && render.UpToDate(o.out, key) {
		fmt.Fprintf(e.stderr, "%s is up to date (same files, commit, templates, options and tool)\n", o.out)
		return nil
	}
	// Pages are written while the rest render; the new site replaces the
	// old one only once it is complete.
	w, err := render.NewSiteWriter(o.out)
	if err != nil {
		return err
	}
	o.Sink = w.Put
	b, err := o.site(ctx, e, e.stderr)
	if err != nil {
		w.Abort()
		return err
	}
	n := len(b.files)
	if keyErr == nil {
		w.Put(render.Marker, []byte(render.MarkerText(key)))
		n++
	}
	if err := w.Commit(); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "built %s for %s into %s\n", plural(n, "file"), plural(b.demands, "demand"), o.out)
	return nil
}

// site loads, ranks and walks the registry and renders the site in
// memory (see pipeline.BuildSite). Warnings go to report.
func (o *buildOptions) site(ctx context.Context, e *env, report io.Writer) (*built, error) {
	report = &lockedWriter{w: report}
	opts := o.SiteOptions
	if isTerminal(e.stderr) {
		opts.Progress = report
	}
	site, err := pipeline.BuildSite(ctx, o.dir, opts)
	if err != nil {
		return nil, registryErr(o.dir, err)
	}
	re := &env{stdout: e.stdout, stderr: report, name: e.name}
	for _, w := range site.Warnings {
		re.warnf("%s", w)
	}
	return &built{files: site.Files, lazy: site.Lazy, demands: site.Demands}, nil
}
