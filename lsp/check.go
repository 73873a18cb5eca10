package lsp

import (
	"sort"

	"github.com/demand-registry/demand/pipeline"
	"github.com/demand-registry/demand/registry"
)

// overlay is a registry folder on disk with the editor's unsaved buffers
// laid over it: an open file is read from its buffer, and a new file not
// saved yet is listed too. Cross-file rules then see what the user sees.
type overlay struct {
	disk registry.Source
	docs map[string][]byte // registry-relative path → buffer
}

func (o *overlay) Describe() string { return o.disk.Describe() }

func (o *overlay) List() ([]registry.File, error) {
	files, err := o.disk.List()
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for i, f := range files {
		if b, ok := o.docs[f.Path]; ok && !f.Symlink && !f.Special {
			// The buffer's size, and no modification time, so that a
			// parse cache compares the bytes rather than the file's stat.
			files[i] = registry.File{Path: f.Path, Size: int64(len(b))}
		}
		seen[f.Path] = true
	}
	for p, b := range o.docs {
		if !seen[p] && registry.IsDemandFile(p) {
			files = append(files, registry.File{Path: p, Size: int64(len(b))})
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files, nil
}

func (o *overlay) ReadFile(p string) ([]byte, error) {
	if b, ok := o.docs[p]; ok {
		return b, nil
	}
	return o.disk.ReadFile(p)
}

// Check loads a registry from src and returns the snapshot and the
// findings demand validate reports for it without --base: every per-file
// rule, the cross-demand rules, the policy and the duplicates, sorted.
func Check(src registry.Source, cache *registry.ParseCache) (*registry.Snapshot, registry.Findings, error) {
	snap, fs, err := registry.LoadCached(src, cache)
	if err != nil {
		return nil, fs, err
	}
	return snap, pipeline.Check(&pipeline.Registry{Snapshot: snap, Findings: fs}, nil), nil
}
