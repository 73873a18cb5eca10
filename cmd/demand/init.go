package main

import (
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

func runInit(e *env, args []string) int {
	var o scaffold.Options
	var force bool
	fl := newFlags(e, "init", "init [DIR] [--lang en|zh-CN] [--title NAME] [--url URL] [--owners @ORG/TEAM] [--force]", `  demand init my-registry --lang zh-CN --title "客户需求" --owners @acme/product-leads
  cd my-registry && git init -b main && git add -A && git commit -m "A demand registry" && demand validate && demand build
`)
	fl.StringVar(&o.Lang, "lang", "en", "`language` of the site, the form and the README: en or zh-CN")
	fl.StringVar(&o.Title, "title", "", "the registry's `name` (default one in the language)")
	fl.StringVar(&o.URL, "url", "", "the repository's web `address` (https://github.com/OWNER/REPO), for links on the site")
	fl.StringVar(&o.Owners, "owners", "", "code `owners` whose approval tier-1 changes need (space-separated); the checks then hold CODEOWNERS up to date")
	fl.StringVar(&o.Action, "action", defaultAction(), "the `action` the workflows use")
	fl.StringVar(&o.Label, "label", "", "`label` of issues opened with the demand form (default demand)")
	fl.StringVar(&o.Received, "received", "", "the example demand's received `date`, YYYY-MM-DD (default today)")
	fl.BoolVar(&force, "force", false, "replace files that exist")
	dirs, code, ok := parseInterspersed(fl, args)
	if !ok {
		return code
	}
	if len(dirs) > 1 {
		fmt.Fprintln(e.stderr, "demand init: name at most one folder, e.g. demand init my-registry")
		return exitUsage
	}
	root := "."
	if len(dirs) == 1 {
		root = dirs[0]
	}
	if o.Received == "" {
		o.Received = time.Now().Format("2006-01-02")
	}
	files, err := scaffold.Files(o)
	if err != nil {
		fmt.Fprintf(e.stderr, "demand init: %v\n", escape.Terminal(err.Error()))
		return exitUsage
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		fmt.Fprintf(e.stderr, "demand init: %v\n", err)
		return exitUsage
	}
	files = dropExample(e, root, files)
	var exist []string
	for _, f := range files {
		_, err := safefs.Stat(root, f.Path)
		switch {
		case err == nil:
			exist = append(exist, f.Path)
		case !errors.Is(err, fs.ErrNotExist):
			fmt.Fprintf(e.stderr, "demand init: %v\n", err)
			return exitUsage
		}
	}
	if len(exist) > 0 && !force {
		fmt.Fprintf(e.stderr, "demand init: these files exist in %s and are left alone (--force replaces them):\n", escape.Path(displayDir(root)))
		for _, p := range exist {
			fmt.Fprintf(e.stderr, "  %s\n", escape.Path(p))
		}
		return exitUsage
	}
	mode := safefs.Create
	if force {
		mode = safefs.Replace
	}
	if err := safefs.WriteFiles(root, files, mode); err != nil {
		fmt.Fprintf(e.stderr, "demand init: %v; nothing was written\n", err)
		return exitUsage
	}
	for _, f := range files {
		fmt.Fprintln(e.stdout, escape.Path(path.Join(displayDir(root), f.Path)))
	}
	cd := ""
	if root != "." {
		cd = "cd " + shellQuote(displayDir(root)) + " && "
	}
	fmt.Fprintf(e.stderr, "wrote %d files; next:\n  %sgit init -b main && git add -A && git commit -m \"A demand registry\"\n  demand validate && demand build\n", len(files), cd)
	return exitOK
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
					fmt.Fprintf(e.stderr, "demand init: %s/ holds demands already (%s); the example demand is left out\n", scaffold.Dir, escape.Path(en.Name()))
				}
			}
			return out
		}
	}
	return files
}
