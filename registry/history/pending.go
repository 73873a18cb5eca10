package history

import (
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/demand-registry/demand/registry"
)

// AddPending records uncommitted edits in the work tree as each demand's
// pending change: files changed, added or deleted since the head commit.
func (res *Result) AddPending(repo *registry.Repo, src *registry.DirSource, cfg *registry.Config) error {
	w := newWalker(repo, repo.Git.Storer, cfg)
	var tree plumbing.Hash
	if res.Head != "" {
		var err error
		if tree, err = w.regTree(plumbing.NewHash(res.Head)); err != nil {
			return err
		}
	}
	committed, err := w.trees.diff(tree, plumbing.ZeroHash, "", nil) // every file at the head
	if err != nil {
		return err
	}
	inHead := map[string]plumbing.Hash{}
	for _, fc := range committed {
		if registry.IsDemandFile(fc.path) {
			inHead[fc.path] = fc.old
		}
	}
	files, err := src.List()
	if err != nil {
		return err
	}
	var changes []fileChange
	seen := map[string]bool{}
	for _, f := range files {
		if f.Symlink || f.Size > cfg.Files.MaxSize {
			continue
		}
		seen[f.Path] = true
		data, err := src.ReadFile(f.Path)
		if err != nil {
			return err
		}
		h := plumbing.ComputeHash(plumbing.BlobObject, data)
		if inHead[f.Path] == h {
			continue
		}
		w.blobs[h] = parseBlob(cfg, f.Path, data)
		changes = append(changes, fileChange{path: f.Path, old: inHead[f.Path], new: h})
	}
	for p, h := range inHead {
		if !seen[p] {
			changes = append(changes, fileChange{path: p, old: h})
		}
	}
	evs, err := w.diffEvents(changes)
	if err != nil {
		return err
	}
	for _, e := range evs {
		h := res.Histories[e.ID]
		if h == nil {
			h = &History{ID: e.ID, Path: e.Path, Commits: []Commit{}, Statuses: []Transition{}, TimeInStatus: []StatusTime{}}
			res.Histories[e.ID] = h
		}
		changes := e.Changes
		if changes == nil {
			changes = []Change{}
		}
		h.Pending = &Commit{Kind: "pending", Path: e.Path, Subject: "uncommitted " + e.Kind, Changes: changes}
		if res.current == nil {
			res.current = map[string]Current{}
		}
		res.current[e.ID] = Current{Received: registry.Date(e.Received), Status: e.Status, Tier: e.Tier, Deleted: e.Kind == "deleted"}
	}
	return nil
}
