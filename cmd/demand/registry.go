package main

import (
	"fmt"
	"time"

	"github.com/demand-registry/demand/registry"
)

// loaded is a registry read for a command.
type loaded struct {
	snap     *registry.Snapshot
	findings registry.Findings
	dir      *registry.DirSource // nil when read from a commit
	at       time.Time           // the commit's date when read from one
}

// load reads the registry in dir from the work tree, or from git at rev.
// On failure it prints the reason and returns the exit code.
func load(e *env, cmd, dir, rev string) (*loaded, int) { return loadCached(e, cmd, dir, rev, nil) }

// loadClean is load for commands that need a registry without errors: it
// prints them and returns exitFindings when there are any.
func loadClean(e *env, cmd, dir, rev string) (*loaded, int) {
	l, code := load(e, cmd, dir, rev)
	if l == nil {
		return nil, code
	}
	if !l.requireClean(e, cmd, dir) {
		l.close()
		return nil, exitFindings
	}
	return l, exitOK
}

// loadCached is load, reusing files parsed before (see registry.ParseCache).
func loadCached(e *env, cmd, dir, rev string, cache *registry.ParseCache) (*loaded, int) {
	var src registry.Source
	var ds *registry.DirSource
	var at time.Time
	if rev != "" {
		repo, err := registry.OpenRepo(dir)
		if err != nil {
			fmt.Fprintf(e.stderr, "demand %s: %v\n", cmd, err)
			return nil, exitUsage
		}
		c, err := repo.Resolve(rev)
		if err != nil {
			fmt.Fprintf(e.stderr, "demand %s: %v\n", cmd, err)
			return nil, exitUsage
		}
		gs, err := repo.SourceAt(c)
		if err != nil {
			fmt.Fprintf(e.stderr, "demand %s: %v\n", cmd, err)
			return nil, exitUsage
		}
		src, at = gs, c.Committer.When
	} else {
		var err error
		ds, err = registry.OpenDir(dir)
		if err != nil {
			fmt.Fprintf(e.stderr, "demand %s: %v\n", cmd, err)
			return nil, exitUsage
		}
		src = ds
	}
	snap, fs, err := registry.LoadCached(src, cache)
	if err != nil {
		fmt.Fprintf(e.stderr, "demand %s: %v\n", cmd, err)
		return nil, exitUsage
	}
	return &loaded{snap: snap, findings: fs, dir: ds, at: at}, exitOK
}

func (l *loaded) close() {
	if l.dir != nil {
		l.dir.Close()
	}
}

// requireClean prints the registry's errors and reports false when it has
// any: ranking a registry with broken files would silently skip them.
func (l *loaded) requireClean(e *env, cmd, dir string) bool {
	if !l.findings.HasErrors() {
		return true
	}
	fs := append(registry.Findings(nil), l.findings...)
	fs.Sort()
	fmt.Fprintf(e.stderr, "demand %s: the registry has errors; fix them first (demand validate lists them):\n", cmd)
	_ = registry.WriteFindings(e.stderr, "text", displayDir(dir), fs)
	return false
}
