package history

import (
	"errors"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/format/idxfile"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/go-git/go-git/v5/storage/filesystem/dotgit"

	"github.com/demand-registry/demand/registry"
)

// packs reads objects straight from a repository's pack files, kept open,
// resolving deltas in memory. go-git's store hands out large objects (a
// folder tree of thousands of demands) as handles that open the pack file
// again, and read its header again, every time their content is read: one
// open per commit of a walk. A pack read here without a file system gives
// the object itself. Objects not in a pack (loose ones) are not found
// here: the caller reads them from the store.
type packs struct {
	files []*packfile.Packfile
}

// openPacks opens the repository's pack files, resolving deltas through
// the cache c. A repository whose packs cannot be listed has none here.
func openPacks(repo *registry.Repo, c cache.Object) (*packs, error) {
	fs, ok := repo.Git.Storer.(*filesystem.Storage)
	if !ok {
		return &packs{}, nil
	}
	dir := dotgit.New(fs.Filesystem())
	hashes, err := dir.ObjectPacks()
	if err != nil {
		return &packs{}, nil
	}
	p := &packs{}
	for _, h := range hashes {
		idxFile, err := dir.ObjectPackIdx(h)
		if err != nil {
			p.close()
			return nil, fmt.Errorf("opening pack index %s: %w", h, err)
		}
		idx := idxfile.NewMemoryIndex()
		err = idxfile.NewDecoder(idxFile).Decode(idx)
		idxFile.Close()
		if err != nil {
			p.close()
			return nil, fmt.Errorf("reading pack index %s: %w", h, err)
		}
		pack, err := dir.ObjectPack(h)
		if err != nil {
			p.close()
			return nil, fmt.Errorf("opening pack %s: %w", h, err)
		}
		p.files = append(p.files, packfile.NewPackfileWithCache(idx, nil, pack, c, 0))
	}
	return p, nil
}

// get reads an object from the packs; plumbing.ErrObjectNotFound when no
// pack has it.
func (p *packs) get(h plumbing.Hash) (plumbing.EncodedObject, error) {
	for _, f := range p.files {
		obj, err := f.Get(h)
		if err == nil {
			return obj, nil
		}
		if !errors.Is(err, plumbing.ErrObjectNotFound) {
			return nil, err
		}
	}
	return nil, plumbing.ErrObjectNotFound
}

func (p *packs) close() {
	for _, f := range p.files {
		f.Close()
	}
}
