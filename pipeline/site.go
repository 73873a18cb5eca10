package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/demand-registry/demand/internal/gitrepo"

	"github.com/demand-registry/demand/internal/safefs"
	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/registry/dups"
	"github.com/demand-registry/demand/registry/history"
	"github.com/demand-registry/demand/registry/public"
	"github.com/demand-registry/demand/registry/rank"
	"github.com/demand-registry/demand/render"
	"github.com/demand-registry/demand/templates"
)

// SiteOptions say how to build a registry's website.
type SiteOptions struct {
	// Audience is render.Internal (everything) or render.Public (only
	// what is public now).
	Audience render.Audience
	// BaseURL is the absolute URL the site is published at, if known.
	BaseURL string
	// Templates is a folder of files laid over the built-in templates.
	Templates string
	// NoCache walks the whole history, ignoring the cache.
	NoCache bool
	// Progress, when set, receives the history walk's progress.
	Progress io.Writer

	// Kept between rebuilds by demand serve, which also makes each file
	// only when it is asked for (Lazy).
	Parsed  *registry.ParseCache
	History *history.Memo
	Pages   *render.PageCache
	Lazy    bool
	// Sink, when set, is handed each file as it renders (demand build
	// writes them while the rest render); Files then has their names only,
	// each with nil data.
	Sink func(name string, parts ...[]byte)
}

// Site is a website rendered in memory (Files), or planned to be rendered
// file by file when asked for (Lazy).
type Site struct {
	Files   map[string][]byte
	Lazy    *render.Lazy
	Demands int
	// Warnings say what the caller should tell: a history that could not
	// be read (the site is then built without it), a shallow clone.
	Warnings []string
}

// BuildSite loads, ranks and walks the registry in dir and renders its
// website. The history is walked while the registry loads and ranks; only
// its SLA waits for the tiers. A registry with errors is a *FindingsError.
func BuildSite(ctx context.Context, dir string, o SiteOptions) (*Site, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var ranking *rank.Ranking
	rankDone := make(chan struct{})
	ranked := func() *rank.Ranking { <-rankDone; return ranking }
	var res *history.Result
	var walkErr error
	walkDone := make(chan struct{})
	go func() {
		defer close(walkDone)
		res, _, walkErr = History(ctx, dir, HistoryOptions{NoCache: o.NoCache, Ranked: ranked, Memo: o.History, Progress: o.Progress})
	}()
	stop := func() {
		cancel()
		close(rankDone)
		<-walkDone
	}
	r, err := Open(dir, OpenOptions{Cache: o.Parsed})
	if err != nil {
		stop()
		return nil, err
	}
	defer r.Close()
	if err := r.Clean(); err != nil {
		stop()
		return nil, err
	}
	go func() {
		defer close(rankDone)
		ranking = rank.Rank(r.Snapshot)
	}()
	<-walkDone
	site := &Site{}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if walkErr != nil {
		var ce *ConfigError
		if errors.As(walkErr, &ce) {
			return nil, walkErr
		}
		site.Warnings = append(site.Warnings, walkErr.Error(), "building without history")
	} else {
		site.Warnings = HistoryWarnings(res)
	}
	in := Input(r.Snapshot, ranked(), res, o.Audience)
	in.Dir = RepoRelDir(dir)
	in.Duplicates = dups.Find(in.Snapshot, in.Snapshot.Config.Duplicates.Threshold)
	tfs, err := TemplateFS(o.Templates)
	if err != nil {
		return nil, err
	}
	opt := render.Options{Audience: o.Audience, BaseURL: o.BaseURL, Templates: tfs, Pages: o.Pages, Sink: o.Sink}
	if o.Lazy {
		lazy, err := render.BuildLazy(in, opt)
		if err != nil {
			return nil, err
		}
		site.Lazy, site.Demands = lazy, lazy.Demands()
		return site, nil
	}
	files, err := render.Build(in, opt)
	if err != nil {
		return nil, err
	}
	site.Files, site.Demands = files, len(in.Ranking.Results)
	return site, nil
}

// HistoryWarnings are what a walk's result asks its reader to be told.
func HistoryWarnings(res *history.Result) []string {
	var ws []string
	for _, w := range res.Warnings {
		ws = append(ws, "warning: "+w) // made of counts and a hash: nothing to escape
	}
	if res.Shallow {
		ws = append(ws, "warning: this is a shallow clone, so the history is incomplete and dates before it are unknown; "+
			"fetch the full history (actions/checkout with fetch-depth: 0, or git fetch --unshallow)")
	}
	return ws
}

// Input is what a site or export for an audience is made of: for the
// public, only what is public now (see public.Derive).
func Input(snap *registry.Snapshot, ranking *rank.Ranking, res *history.Result, audience render.Audience) render.Input {
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

// RepoRelDir is the registry folder relative to the enclosing git
// repository's root (slash-separated), as paths in outputs are given; a
// folder outside git is given as DisplayDir does.
func RepoRelDir(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return DisplayDir(dir)
	}
	root, ok := registry.RepoRoot(abs)
	if !ok {
		return DisplayDir(dir)
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil {
		return DisplayDir(dir)
	}
	return filepath.ToSlash(rel)
}

// DisplayDir is a folder as a user named it, cleaned: relative to the
// working directory when it is inside it.
func DisplayDir(dir string) string {
	d := filepath.Clean(dir)
	if filepath.IsAbs(d) {
		if wd, err := os.Getwd(); err == nil {
			if rel, err := filepath.Rel(wd, d); err == nil && !strings.HasPrefix(rel, "..") {
				d = rel
			}
		}
	}
	return filepath.ToSlash(d)
}

// SiteKey hashes everything a build of dir depends on: the registry's
// files and place in the repository, the head commit (history, dates, SLA), the templates, the options
// and the running program itself. The same key means the same site, byte
// for byte.
func SiteKey(dir string, o SiteOptions) (string, error) {
	src, err := registry.OpenDir(dir)
	if err != nil {
		return "", err
	}
	defer src.Close()
	files, err := registry.Fingerprint(src)
	if err != nil {
		return "", err
	}
	tfs, err := TemplateFS(o.Templates)
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
	// The folder's place in the repository: edit links and body links
	// name files by their path from its root.
	fmt.Fprintf(h, "demand-site-v2\x00%s\x00%s\x00%s\x00%s\x00%s %d %d\x00", o.Audience, o.BaseURL, RepoRelDir(dir), files, exe, st.Size(), st.ModTime().UnixNano())
	h.Write(render.TemplatesKey(tfs))
	if repo, err := gitrepo.OpenRepo(dir); err == nil {
		if head, err := repo.Head(); err == nil {
			fmt.Fprintf(h, "\x00head %s", head)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// TemplateFS is the template set: the built-in one, with the files of the
// folder dir (if any) laid over it.
func TemplateFS(dir string) (fs.FS, error) {
	if dir == "" {
		return templates.FS, nil
	}
	st, err := os.Lstat(dir)
	if err == nil && st.Mode()&fs.ModeSymlink != 0 {
		return nil, fmt.Errorf("--templates %s is a symbolic link, which is not followed", dir)
	}
	if err != nil || !st.IsDir() {
		return nil, fmt.Errorf("--templates %s is not a folder", dir)
	}
	// Templates are read as regular files only, never through a link: a
	// link or a FIFO anywhere in the folder is refused up front, by name.
	if err := safefs.CheckTree(dir); err != nil {
		return nil, fmt.Errorf("--templates: %w", err)
	}
	return overlay{top: safefs.DirFS(dir), base: templates.FS}, nil
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
