package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/demand-registry/demand/registry/config"

	"github.com/demand-registry/demand/internal/escape"
	"github.com/demand-registry/demand/internal/safefs"
	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/scaffold"
)

type initOptions struct {
	scaffold.Options
	root  string // the folder written into
	force bool
}

func runInit(ctx context.Context, e *env, args []string) error {
	var o initOptions
	fl := newFlags(e, "init [DIR] [--lang en|zh-CN] [--title NAME] [--url URL] [--owners @ORG/TEAM] [--force]", `  demand init my-registry --lang zh-CN --title "客户需求" --owners @acme/product-leads
  cd my-registry && git init -b main && git add -A && git commit -m "A demand registry" && demand validate && demand build
`)
	fl.StringVar(&o.Lang, "lang", "en", "`language` of the site, the form and the README: en or zh-CN")
	fl.StringVar(&o.Title, "title", "", "the registry's `name` (default one in the language)")
	fl.StringVar(&o.URL, "url", "", "the repository's web `address` (https://github.com/OWNER/REPO), for links on the site")
	fl.StringVar(&o.Owners, "owners", "", "code `owners` whose approval tier-1 changes need (space-separated); the checks then hold CODEOWNERS up to date")
	fl.StringVar(&o.Action, "action", defaultAction(), "the `action` the workflows use")
	fl.StringVar(&o.Label, "label", "", "`label` of issues opened with the demand form (default demand)")
	fl.StringVar(&o.Received, "received", "", "the example demand's received `date`, YYYY-MM-DD (default today)")
	fl.BoolVar(&o.force, "force", false, "replace files that exist")
	dirs, err := parseInterspersed(fl, args)
	if err != nil {
		return err
	}
	if len(dirs) > 1 {
		return usagef("name at most one folder, e.g. demand init my-registry")
	}
	o.root = "."
	if len(dirs) == 1 {
		o.root = dirs[0]
	}
	if o.Received == "" {
		o.Received = time.Now().Format("2006-01-02")
	}
	return o.run(ctx, e)
}

func (o *initOptions) run(_ context.Context, e *env) error {
	files, err := scaffold.Files(o.Options)
	if err != nil {
		return errors.New(escape.Terminal(err.Error()))
	}
	if err := os.MkdirAll(o.root, 0o755); err != nil {
		return err
	}
	files = dropExample(e, o.root, files)
	var exist []string
	for _, f := range files {
		_, err := safefs.Stat(o.root, f.Path)
		switch {
		case err == nil:
			exist = append(exist, f.Path)
		case !errors.Is(err, fs.ErrNotExist):
			return err
		}
	}
	if len(exist) > 0 && !o.force {
		e.warnf("these files exist in %s and are left alone (--force replaces them):", escape.Path(displayDir(o.root)))
		for _, p := range exist {
			fmt.Fprintf(e.stderr, "  %s\n", escape.Path(p))
		}
		return errShown
	}
	mode := safefs.Create
	if o.force {
		mode = safefs.Replace
	}
	if err := safefs.WriteFiles(o.root, files, mode); err != nil {
		return fmt.Errorf("%w; nothing was written", err)
	}
	for _, f := range files {
		fmt.Fprintln(e.stdout, escape.Path(path.Join(displayDir(o.root), f.Path)))
	}
	cd := ""
	if o.root != "." {
		cd = "cd " + shellQuote(displayDir(o.root)) + " && "
	}
	fmt.Fprintf(e.stderr, "wrote %d files; next:\n  %sgit init -b main && git add -A && git commit -m \"A demand registry\"\n  demand validate && demand build\n", len(files), cd)
	return nil
}

// defaultAction is the action of the tool's own version: a released
// build's workflows run the same release.
func defaultAction() string {
	v := version
	if v == "" {
		if bi, ok := debug.ReadBuildInfo(); ok {
			v = bi.Main.Version
		}
	}
	if !strings.HasPrefix(v, "v") || strings.Contains(v, "-0.") || strings.ContainsAny(v, "+ ") {
		v = "main" // a development build: no tag to pin
	}
	return "demand-registry/demand@" + v
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// dropExample leaves the example demand out when the registry folder
// already holds demand files of its own: an example beside them (one of
// another language, say) would take an ID of theirs.
func dropExample(e *env, root string, files []safefs.File) []safefs.File {
	entries, err := os.ReadDir(filepath.Join(root, scaffold.Dir))
	if err != nil {
		return files
	}
	writing := map[string]bool{}
	for _, f := range files {
		writing[f.Path] = true
	}
	for _, en := range entries {
		p := scaffold.Dir + "/" + en.Name()
		if !en.IsDir() && registry.IsDemandFile(en.Name()) && !writing[p] {
			var out []safefs.File
			for _, f := range files {
				if !strings.HasPrefix(f.Path, scaffold.Dir+"/") || f.Path == scaffold.Dir+"/"+config.File {
					out = append(out, f)
				} else {
					e.warnf("%s/ holds demands already (%s); the example demand is left out", scaffold.Dir, escape.Path(en.Name()))
				}
			}
			return out
		}
	}
	return files
}
