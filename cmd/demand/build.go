package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/demand-registry/demand/internal/safefs"
	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/registry/history"
	"github.com/demand-registry/demand/registry/public"
	"github.com/demand-registry/demand/registry/rank"
	"github.com/demand-registry/demand/render"
	"github.com/demand-registry/demand/templates"
)

type buildOptions struct {
	dir, out, baseURL, audience, templates string
	noCache                                bool
	// Kept between rebuilds by demand serve, which also makes each file
	// only when it is asked for (lazy).
	parsed  *registry.ParseCache
	history *history.Memo
	pages   *render.PageCache
	lazy    bool
	// demand build: the site's writer, handed files as they render.
	sink func(name string, data []byte)
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
	fl.BoolVar(&o.noCache, "no-cache", false, "walk the whole git history, ignoring the cache in .git/demand-cache/")
	if code, ok := o.parseSiteFlags(e, fl, args); !ok {
		return code
	}
	return o.run(e)
}

// siteFlags are the flags of build and serve.
func (o *buildOptions) siteFlags(fl *flag.FlagSet) {
	fl.StringVar(&o.dir, "dir", "demands", "registry `folder`")
	fl.StringVar(&o.baseURL, "base-url", "", "absolute `URL` the site is published at, for absolute links in the feed and exports")
	fl.StringVar(&o.audience, "audience", render.Internal, "`audience`: internal (everything) or public (no internal demands, customer names hidden)")
	fl.StringVar(&o.templates, "templates", "", "`folder` of templates, stylesheet and i18n/*.yaml overriding the built-in ones")
}

func (o *buildOptions) parseSiteFlags(e *env, fl *flag.FlagSet, args []string) (int, bool) {
	if code, ok := parseOnlyFlags(e, fl, args, ""); !ok {
		return code, false
	}
	if !oneOf(e, fl.Name(), "audience", o.audience, []string{render.Internal, render.Public}) {
		return exitUsage, false
	}
	return 0, true
}

// overlay serves files from a folder first, then from the built-in set.
type overlay struct{ top, base fs.FS }

func (o overlay) Open(name string) (fs.File, error) {
	f, err := o.top.Open(name)
	if err == nil {
		return f, nil
	}
	if errors.Is(err, safefs.ErrUnsafe) {
		// A link or a FIFO among the templates is an error, not a
		// reason to fall back to the built-in file.
		return nil, err
	}
	return o.base.Open(name)
}

func (o *buildOptions) run(e *env) int {
	key, keyErr := o.inputKey()
	if keyErr == nil && !o.noCache && render.UpToDate(o.out, key) {
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
	o.sink = w.Put
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
// memory. Problems go to report (findings of a broken registry included);
// on failure it returns nil and the exit code.
func (o *buildOptions) site(e *env, report io.Writer) (*built, int) {
	// The history is walked from the start, while the registry is loaded
	// and ranked: only its SLA waits for the tiers. Both report through one
	// lock; a registry that does not load stops the walk.
	report = &lockedWriter{w: report}
	re := &env{stdout: e.stdout, stderr: report}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var ranking *rank.Ranking
	rankDone := make(chan struct{})
	ranked := func() *rank.Ranking { <-rankDone; return ranking }
	var res *history.Result
	walkCode := exitOK
	walkDone := make(chan struct{})
	go func() {
		defer close(walkDone)
		res, _, walkCode = walkHistory(ctx, re, "build", o.dir, "", o.noCache, ranked, o.history)
	}()
	stop := func() {
		cancel()
		close(rankDone)
		<-walkDone
	}
	l, code := loadCached(re, "build", o.dir, "", o.parsed)
	if l == nil {
		stop()
		return nil, code
	}
	defer l.close()
	if !l.requireClean(re, "build", o.dir) {
		stop()
		return nil, exitFindings
	}
	go func() {
		defer close(rankDone)
		ranking = rank.Rank(l.snap)
	}()
	<-walkDone
	if res == nil {
		if walkCode != exitUsage {
			return nil, walkCode
		}
		fmt.Fprintln(report, "demand build: building without history")
	}
	in := input(l.snap, ranked(), res, o.audience)
	tfs, err := o.templateFS()
	if err != nil {
		fmt.Fprintf(report, "demand build: %v\n", err)
		return nil, exitUsage
	}
	opt := render.Options{Audience: o.audience, BaseURL: o.baseURL, Templates: tfs, Pages: o.pages, Sink: o.sink, RepoDir: repoRelDir(o.dir)}
	if o.lazy {
		lazy, err := render.BuildLazy(in, opt)
		if err != nil {
			fmt.Fprintf(report, "demand build: %v\n", err)
			return nil, exitUsage
		}
		return &built{lazy: lazy, demands: lazy.Demands()}, exitOK
	}
	files, err := render.Build(in, opt)
	if err != nil {
		fmt.Fprintf(report, "demand build: %v\n", err)
		return nil, exitUsage
	}
	return &built{files: files, demands: len(in.Ranking.Results)}, exitOK
}

// input is what a site or export for an audience is made of: for the
// public, only what is public now (see public.Derive).
func input(snap *registry.Snapshot, ranking *rank.Ranking, res *history.Result, audience string) render.Input {
	if audience == render.Public {
		v := public.Derive(snap, res)
		snap, ranking, res = v.Snapshot, v.Ranking, v.History
	}
	in := render.Input{Snapshot: snap, Ranking: ranking}
	if res != nil {
		in.History, in.Commit, in.Date = res.Histories, res.Head, res.AsOf
	}
	return in
}

// inputKey hashes everything a build depends on: the registry's files,
// the head commit (history, dates, SLA), the templates, the options and the
// tool itself. The same key means the same site, byte for byte.
func (o *buildOptions) inputKey() (string, error) {
	src, err := registry.OpenDir(o.dir)
	if err != nil {
		return "", err
	}
	defer src.Close()
	files, err := registry.Fingerprint(src)
	if err != nil {
		return "", err
	}
	tfs, err := o.templateFS()
	if err != nil {
		return "", err
	}
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	st, err := os.Stat(exe)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	fmt.Fprintf(h, "demand-site-v2\x00%s\x00%s\x00%s\x00%s %d %d\x00", o.audience, o.baseURL, files, exe, st.Size(), st.ModTime().UnixNano())
	h.Write(render.TemplatesKey(tfs))
	if repo, err := registry.OpenRepo(o.dir); err == nil {
		if head, err := repo.Git.ResolveRevision(plumbing.Revision("HEAD")); err == nil {
			fmt.Fprintf(h, "\x00head %s", head)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// templateFS is the template set: the built-in one, with the files of
// --templates laid over it.
func (o *buildOptions) templateFS() (fs.FS, error) {
	if o.templates == "" {
		return templates.FS, nil
	}
	st, err := os.Lstat(o.templates)
	if err == nil && st.Mode()&fs.ModeSymlink != 0 {
		return nil, fmt.Errorf("--templates %s is a symbolic link, which is not followed", o.templates)
	}
	if err != nil || !st.IsDir() {
		return nil, fmt.Errorf("--templates %s is not a folder", o.templates)
	}
	// Templates are read as regular files only, never through a link: a
	// link or a FIFO anywhere in the folder is refused up front, by name.
	if err := safefs.CheckTree(o.templates); err != nil {
		return nil, fmt.Errorf("--templates: %w", err)
	}
	return overlay{top: safefs.DirFS(o.templates), base: templates.FS}, nil
}
