package history

import (
	"maps"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/demand-registry/demand/internal/gitrepo"

	"github.com/demand-registry/demand/registry/config"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/demand-registry/demand/registry"
)

// AddPending records uncommitted edits in the work tree as each demand's
// pending change: files changed, added or deleted since the head commit.
func (res *Result) AddPending(repo *gitrepo.Repo, src *registry.DirSource, cfg *config.Config) error {
	w := newWalker(repo, repo.Git.Storer, cfg)
	inHead, err := res.headFiles(w)
	if err != nil {
		return err
	}
	changes, err := w.worktreeChanges(repo, src, inHead)
	if err != nil {
		return err
	}
	evs, err := w.diffEvents(changes)
	if err != nil {
		return err
	}
	for _, e := range evs {
		res.addPending(e, cfg.ID.FromFilename)
	}
	return nil
}

// headFiles lists the demand files of the head commit with their blobs.
func (res *Result) headFiles(w *walker) (map[string]plumbing.Hash, error) {
	var tree plumbing.Hash
	if res.Head != "" {
		var err error
		if tree, err = w.regTree(plumbing.NewHash(res.Head)); err != nil {
			return nil, err
		}
	}
	committed, err := w.trees.diff(tree, plumbing.ZeroHash, "", nil) // every file at the head
	if err != nil {
		return nil, err
	}
	inHead := map[string]plumbing.Hash{}
	for _, fc := range committed {
		if registry.IsDemandFile(fc.path) && w.cfg.IsDemand(fc.path) {
			inHead[fc.path] = fc.old
		}
	}
	return inHead, nil
}

// indexStat is what the git index says of a file.
type indexStat struct {
	size uint32
	mod  time.Time
	hash plumbing.Hash
}

// indexStats are the index entries of the registry folder's files.
func indexStats(repo *gitrepo.Repo) map[string]indexStat {
	indexed := map[string]indexStat{}
	idx, err := repo.Git.Storer.Index()
	if err != nil {
		return indexed
	}
	prefix := ""
	if repo.Dir != "" {
		prefix = repo.Dir + "/"
	}
	for _, e := range idx.Entries {
		if strings.HasPrefix(e.Name, prefix) {
			indexed[strings.TrimPrefix(e.Name, prefix)] = indexStat{e.Size, e.ModifiedAt, e.Hash}
		}
	}
	return indexed
}

// worktreeChanges lists the demand files that differ between the head
// and the work tree, and keeps their parses.
func (w *walker) worktreeChanges(repo *gitrepo.Repo, src *registry.DirSource, inHead map[string]plumbing.Hash) ([]fileChange, error) {
	files, err := src.List()
	if err != nil {
		return nil, err
	}
	// Work-tree versions are in no git object: every one is kept until
	// it is compared.
	w.blobs = newRecent[blobName, *parsed](len(files) + 1)
	// Like git status: a file whose size and modification time match its
	// index entry has the index's blob, and need not be read and hashed.
	indexed := indexStats(repo)
	var changes []fileChange
	seen := map[string]bool{}
	for _, f := range files {
		if f.Symlink || f.Size > w.cfg.Files.MaxSize {
			continue
		}
		seen[f.Path] = true
		if st, ok := indexed[f.Path]; ok && st.hash == inHead[f.Path] &&
			f.Size == int64(st.size) && f.ModTime.Equal(st.mod) {
			continue
		}
		data, err := src.ReadFile(f.Path)
		if err != nil {
			return nil, err
		}
		h := plumbing.ComputeHash(plumbing.BlobObject, data)
		if inHead[f.Path] == h {
			continue
		}
		x, _ := w.parseData(f.Path, data, version{})
		w.blobs.put(blobName{h, path.Base(f.Path)}, x)
		if inHead[f.Path].IsZero() {
			if w.worktree == nil {
				w.worktree = map[plumbing.Hash][]byte{}
			}
			w.worktree[h] = data // a new file may be a rename (see pathEvents)
		}
		changes = append(changes, fileChange{path: f.Path, old: inHead[f.Path], new: h})
	}
	for _, p := range slices.Sorted(maps.Keys(inHead)) {
		if !seen[p] {
			changes = append(changes, fileChange{path: p, old: inHead[p]})
		}
	}
	return changes, nil
}

// addPending records one pending change on its demand's history.
func (res *Result) addPending(e event, byPath bool) {
	key := e.ID
	if byPath {
		key = res.pendingKey(e)
	}
	h := res.Histories[key]
	if h == nil {
		h = &History{ID: e.ID, Path: e.Path, Commits: []Commit{}, Statuses: pendingStatuses(e, res.AsOf), TimeInStatus: []StatusTime{}}
		res.Histories[key] = h
	}
	changes := e.Changes
	if changes == nil {
		changes = []Change{}
	}
	h.Pending = &Pending{Path: e.Path, Kind: e.Kind, Changes: changes}
	if res.current == nil {
		res.current = map[string]Current{}
	}
	res.current[key] = Current{Received: config.Date(e.Received), Status: e.Status, Tier: e.Tier, Deleted: e.Kind == "deleted"}
}

// pendingStatuses are the statuses of a demand that is in no commit yet:
// its status, dated by its timeline where an entry does (see
// withTimeline), else undated, so that an SLA node it has reached is
// unknown rather than invented as running since it was received. It
// cannot be committed before the head or before its own last entry.
func pendingStatuses(e event, asOf time.Time) []Transition {
	if e.Kind != "created" || e.Status == "" {
		return []Transition{}
	}
	at := asOf
	if n := len(e.Timeline); n > 0 {
		if last := e.Timeline[n-1].Date.Time(); last.After(at) {
			at = last
		}
	}
	st, _ := withTimeline([]Transition{{Date: at, To: e.Status}}, e.Timeline)
	return st
}

// pendingKey finds the history a pending change continues when demands are
// followed by path: the one at the file's path (its old path for a rename)
// at the head. A rename that gives the demand a new ID moves the history to
// that ID when no other history has it.
func (res *Result) pendingKey(e event) string {
	from := e.Path
	if e.Kind == "renamed" {
		from = e.OldPath
	}
	if res.current == nil {
		res.current = map[string]Current{}
	}
	for k, h := range res.Histories { // at most one history is at a path at the head
		if h.Path != from || h.Deleted {
			continue
		}
		if k != e.ID && res.Histories[e.ID] == nil {
			res.Histories[e.ID], res.current[e.ID] = h, res.current[k]
			delete(res.Histories, k)
			delete(res.current, k)
			h.ID = e.ID
			return e.ID
		}
		return k
	}
	return e.ID
}
