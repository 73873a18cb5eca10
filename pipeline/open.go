package pipeline

import (
	"fmt"
	"time"

	"github.com/demand-registry/demand/internal/gitrepo"

	"github.com/demand-registry/demand/registry/config"
	"github.com/demand-registry/demand/registry/finding"

	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/registry/history"
)

// FindingsError is a registry that cannot be used as it is: its files (or
// its config) have errors, listed with their positions.
type FindingsError struct {
	Findings finding.Findings // sorted
}

func (e *FindingsError) Error() string {
	errs, _ := e.Findings.Count()
	return fmt.Sprintf("the registry has %d errors", errs)
}

// ConfigError is a registry whose registry.yaml has errors: no demand is
// read, since each would be checked against the wrong schema.
type ConfigError struct {
	Findings finding.Findings // sorted; all in registry.yaml
}

func (e *ConfigError) Error() string {
	errs, _ := e.Findings.Count()
	return fmt.Sprintf("%s has %d errors", config.File, errs)
}

// configErr is a ConfigError when the config's findings have errors.
func configErr(fs finding.Findings) error {
	var cfs finding.Findings
	for _, f := range fs {
		if f.Path == config.File {
			cfs = append(cfs, f)
		}
	}
	if !cfs.HasErrors() {
		return nil
	}
	cfs.Sort()
	return &ConfigError{Findings: cfs}
}

// Registry is a registry folder as read from the work tree or from a git
// revision.
type Registry struct {
	Snapshot *registry.Snapshot
	// Findings are the per-file problems found while loading; the rules
	// across demands run in Check.
	Findings finding.Findings
	// Date is the revision's committer date (clamped to what the history
	// accepts); zero for the work tree.
	Date time.Time
	// Dir is the registry folder's path from the repository root (see
	// RepoRelDir): links in bodies are checked against the repository.
	Dir string

	dir *registry.DirSource // nil when read from a commit
}

// OpenOptions say where and how to read a registry.
type OpenOptions struct {
	// Rev is the git revision to read; empty for the work tree.
	Rev string
	// Cache, when set, keeps parsed files between opens (demand serve).
	Cache *registry.ParseCache
}

// Open reads the registry in dir: its config and every demand file.
func Open(dir string, o OpenOptions) (*Registry, error) {
	src, r, err := source(dir, o.Rev)
	if err != nil {
		return nil, err
	}
	snap, fs, err := registry.LoadCached(src, o.Cache)
	if err == nil {
		err = configErr(fs)
	}
	if err != nil {
		r.Close()
		return nil, err
	}
	r.Snapshot, r.Findings, r.Dir = snap, fs, RepoRelDir(dir)
	return r, nil
}

// source opens the folder or the revision's tree.
func source(dir, rev string) (registry.Source, *Registry, error) {
	if rev == "" {
		ds, err := registry.OpenDir(dir)
		if err != nil {
			return nil, nil, err
		}
		return ds, &Registry{dir: ds}, nil
	}
	repo, err := gitrepo.OpenRepo(dir)
	if err != nil {
		return nil, nil, err
	}
	c, err := repo.Resolve(rev)
	if err != nil {
		return nil, nil, err
	}
	gs, err := repo.SourceAt(c)
	if err != nil {
		return nil, nil, err
	}
	return gs, &Registry{Date: history.ClampDate(c.Committer.When)}, nil
}

// Folder is the work tree's folder, to write demand files to; nil for a
// registry read from a commit.
func (r *Registry) Folder() *registry.DirSource { return r.dir }

// Close releases the folder of a work-tree registry.
func (r *Registry) Close() {
	if r != nil && r.dir != nil {
		r.dir.Close()
	}
}

// Clean returns a *FindingsError when the registry has errors: ranking or
// building a registry with broken files would silently leave them out.
func (r *Registry) Clean() error {
	if !r.Findings.HasErrors() {
		return nil
	}
	fs := append(finding.Findings(nil), r.Findings...)
	fs.Sort()
	return &FindingsError{Findings: fs}
}
