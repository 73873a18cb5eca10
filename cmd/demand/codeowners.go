package main

import (
	"context"
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

type codeownersOptions struct {
	dir, owners, file string
	tier              int
	check, write      bool
}

func runCodeowners(ctx context.Context, e *env, args []string) error {
	var o codeownersOptions
	fl := newFlags(e, "codeowners --owners @ORG/TEAM [--tier N] [--file .github/CODEOWNERS] [--check|--write]", `  demand codeowners --owners @acme/product-leads --write
  demand codeowners --owners @acme/product-leads --check   # in CI: fails when the block is stale
`)
	dirFlag(fl, &o.dir)
	fl.StringVar(&o.owners, "owners", "", "the code `owners` whose approval tier-1 changes need (space-separated)")
	fl.IntVar(&o.tier, "tier", 1, "demands of this `tier` and higher are owned")
	fl.StringVar(&o.file, "file", ".github/CODEOWNERS", "the CODEOWNERS `file`, relative to the repository root")
	fl.BoolVar(&o.check, "check", false, "exit 1 when the file's generated block is not up to date")
	fl.BoolVar(&o.write, "write", false, "rewrite the generated block in the file")
	if err := parseOnlyFlags(fl, args, ""); err != nil {
		return err
	}
	if strings.TrimSpace(o.owners) == "" {
		return usagef("--owners is required, e.g. --owners @acme/product-leads")
	}
	if o.check && o.write {
		return usagef("--check and --write exclude each other")
	}
	return o.run(ctx, e)
}

func (o *codeownersOptions) run(_ context.Context, e *env) error {
	r, err := openClean(o.dir, "")
	if err != nil {
		return err
	}
	defer r.Close()
	block, err := codeowners.Block(r.Snapshot, rank.Rank(r.Snapshot), repoRelDir(o.dir), o.tier, o.owners)
	if err != nil {
		e.warnf("%s", escape.Terminal(err.Error()))
		return errChecked
	}
	if !o.check && !o.write {
		_, err := fmt.Fprint(e.stdout, block)
		return err
	}
	root := repoRootOf(o.dir)
	// CODEOWNERS is read and written as a regular file inside the
	// repository, never through a committed link.
	if !filepath.IsLocal(filepath.FromSlash(o.file)) {
		return usagef("--file %s must be a path inside the repository", o.file)
	}
	old, err := safefs.ReadFile(root, o.file, 1<<20)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	updated := codeowners.Replace(string(old), block)
	if o.check {
		if updated != string(old) {
			e.warnf("%s does not list the current tier-%d demands; run demand codeowners --owners %q --write", o.file, o.tier, o.owners)
			return errChecked
		}
		return nil
	}
	if err := safefs.WriteFile(root, o.file, []byte(updated)); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "wrote %s\n", o.file)
	return nil
}
