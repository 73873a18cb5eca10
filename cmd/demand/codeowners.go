package main

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/demand-registry/demand/internal/escape"
	"github.com/demand-registry/demand/internal/safefs"
	"github.com/demand-registry/demand/registry/codeowners"
	"github.com/demand-registry/demand/registry/rank"
)

func runCodeowners(e *env, args []string) int {
	var dir, owners, file string
	var tier int
	var check, write bool
	fl := newFlags(e, "codeowners", "codeowners --owners @ORG/TEAM [--tier N] [--file .github/CODEOWNERS] [--check|--write]", `  demand codeowners --owners @acme/product-leads --write
  demand codeowners --owners @acme/product-leads --check   # in CI: fails when the block is stale
`)
	fl.StringVar(&dir, "dir", "demands", "registry `folder`")
	fl.StringVar(&owners, "owners", "", "the code `owners` whose approval tier-1 changes need (space-separated)")
	fl.IntVar(&tier, "tier", 1, "demands of this `tier` and higher are owned")
	fl.StringVar(&file, "file", ".github/CODEOWNERS", "the CODEOWNERS `file`, relative to the repository root")
	fl.BoolVar(&check, "check", false, "exit 1 when the file's generated block is not up to date")
	fl.BoolVar(&write, "write", false, "rewrite the generated block in the file")
	if code, ok := parseOnlyFlags(e, fl, args, ""); !ok {
		return code
	}
	if strings.TrimSpace(owners) == "" {
		fmt.Fprintln(e.stderr, "demand codeowners: --owners is required, e.g. --owners @acme/product-leads")
		return exitUsage
	}
	if check && write {
		fmt.Fprintln(e.stderr, "demand codeowners: --check and --write exclude each other")
		return exitUsage
	}
	l, code := loadClean(e, "codeowners", dir, "")
	if l == nil {
		return code
	}
	defer l.close()
	block, err := codeowners.Block(l.snap, rank.Rank(l.snap), repoRelDir(dir), tier, owners)
	if err != nil {
		fmt.Fprintf(e.stderr, "demand codeowners: %v\n", escape.Terminal(err.Error()))
		return exitFindings
	}
	if !check && !write {
		fmt.Fprint(e.stdout, block)
		return exitOK
	}
	root := repoRootOf(dir)
	// CODEOWNERS is read and written as a regular file inside the
	// repository, never through a committed link.
	if !filepath.IsLocal(filepath.FromSlash(file)) {
		fmt.Fprintf(e.stderr, "demand codeowners: --file %s must be a path inside the repository\n", file)
		return exitUsage
	}
	old, err := safefs.ReadFile(root, file, 1<<20)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(e.stderr, "demand codeowners: %v\n", err)
		return exitUsage
	}
	updated := codeowners.Replace(string(old), block)
	if check {
		if updated != string(old) {
			fmt.Fprintf(e.stderr, "demand codeowners: %s does not list the current tier-%d demands; run demand codeowners --owners %q --write\n", file, tier, owners)
			return exitFindings
		}
		return exitOK
	}
	if err := safefs.WriteFile(root, file, []byte(updated)); err != nil {
		fmt.Fprintf(e.stderr, "demand codeowners: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(e.stderr, "wrote %s\n", file)
	return exitOK
}
