package lsp

import (
	"github.com/demand-registry/demand/pipeline"
	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/registry/finding"
)

// Check loads a registry from src and returns the snapshot and the
// findings demand validate reports for it without --base: every per-file
// rule, the cross-demand rules, the policy and the duplicates, sorted.
// dir is the registry folder's path from the repository root
// (pipeline.RepoRelDir), which body links are checked against.
func Check(src registry.Source, dir string, cache *registry.ParseCache) (*registry.Snapshot, finding.Findings, error) {
	snap, fs, err := registry.LoadCached(src, cache)
	if err != nil {
		return nil, fs, err
	}
	return snap, pipeline.Check(&pipeline.Registry{Snapshot: snap, Findings: fs, Dir: dir}, nil), nil
}
