package history

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/idxfile"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/go-git/go-git/v5/storage/filesystem/dotgit"

	"github.com/demand-registry/demand/registry"
)

// packs reads objects straight from a repository's pack files, kept open,
// with go-git's pack scanner and delta patcher. go-git's own pack reader
// appends each object resolved from a delta to its buffer piece by piece
// (a folder tree of thousands of demands is hundreds of kilobytes, so it
// grew and copied its buffer several times, once per commit of a walk), and
// its cache must hash an object to file it. Here each object patched from
// a delta is copied once into a slice of its size, and resolved objects
// are kept by their place in the pack, which needs no hash: on 5,000
// demands and 20,000 commits the walk took 8% less CPU. Objects not in a
// pack (loose ones, or a delta on a base in another pack) are not found
// here: the caller reads them from the store.
type packs struct {
	files []*pack
}

type pack struct {
	idx  *idxfile.MemoryIndex
	file billy.File
	scan *packfile.Scanner
	// resolved objects by offset: blobs and small trees apart from large
	// trees, so that the many small do not push out the few large
	small, large *recent[int64, packed]
}

// keep keeps a resolved object.
func (f *pack) keep(off int64, o packed) {
	if len(o.data) < largeObject {
		f.small.put(off, o)
	} else {
		f.large.put(off, o)
	}
}

// patched is an object patched from a delta, made for go-git's patcher:
// it is handed the whole result in one write (from a buffer of its own),
// copied once into a slice of its size.
type patched struct {
	plumbing.MemoryObject
	typ  plumbing.ObjectType
	data []byte
}

func (p *patched) Type() plumbing.ObjectType       { return p.typ }
func (p *patched) Size() int64                     { return int64(len(p.data)) }
func (p *patched) Reader() (io.ReadCloser, error)  { return io.NopCloser(bytes.NewReader(p.data)), nil }
func (p *patched) Writer() (io.WriteCloser, error) { return p, nil }
func (p *patched) Close() error                    { return nil }

func (p *patched) Write(b []byte) (int, error) {
	p.data = append(p.data, b...)
	return len(b), nil
}

// packed is an object resolved from a pack; data is never written to.
type packed struct {
	typ  plumbing.ObjectType
	data []byte
}

// errNotHere says an object is not in the packs, or not resolvable from
// them alone.
var errNotHere = errors.New("not in the pack files")

const (
	// packCacheBytes is how many bytes of resolved objects a pack keeps in
	// each of its two generations: the folder trees of the last ~100
	// commits of a registry of 5,000 demands, the bases the next deltas
	// are most likely built on.
	largeCacheBytes = 32 << 20
	smallCacheBytes = 8 << 20
	largeObject     = 32 << 10
	// maxDeltaChain bounds a delta chain; git makes chains of at most 50
	// (4,095 with --depth), so a longer one is a corrupt pack.
	maxDeltaChain = 10000
	// maxPackedObject is the largest object (or delta) read into memory
	// here.
	maxPackedObject = 256 << 20
)

// openPacks opens the repository's pack files. A repository whose packs
// cannot be listed has none here.
func openPacks(repo *registry.Repo) (*packs, error) {
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
		f, err := dir.ObjectPack(h)
		if err != nil {
			p.close()
			return nil, fmt.Errorf("opening pack %s: %w", h, err)
		}
		weigh := func(o packed) int { return len(o.data) + 64 }
		p.files = append(p.files, &pack{idx: idx, file: f, scan: packfile.NewScanner(f),
			small: newRecentWeighed[int64, packed](smallCacheBytes, weigh),
			large: newRecentWeighed[int64, packed](largeCacheBytes, weigh)})
	}
	return p, nil
}

// get reads an object from the packs; errNotHere when they do not hold it.
func (p *packs) get(h plumbing.Hash) (packed, error) {
	for _, f := range p.files {
		off, err := f.idx.FindOffset(h)
		if errors.Is(err, plumbing.ErrObjectNotFound) {
			continue
		}
		if err != nil {
			return packed{}, err
		}
		return f.at(off)
	}
	return packed{}, errNotHere
}

// at resolves the object at an offset: it follows the delta chain down to
// an object it keeps or one stored whole, then patches the deltas back up,
// keeping each object it makes (the next commit's tree is most likely a
// delta on one of them).
func (f *pack) at(off int64) (packed, error) {
	type delta struct {
		off  int64
		data []byte
	}
	var chain []delta
	var o packed
	for {
		if c, ok := f.small.get(off); ok {
			o = c
			break
		}
		if c, ok := f.large.get(off); ok {
			o = c
			break
		}
		if len(chain) > maxDeltaChain {
			return packed{}, fmt.Errorf("pack object at %d: delta chain longer than %d", off, maxDeltaChain)
		}
		hdr, err := f.scan.SeekObjectHeader(off)
		if err != nil {
			return packed{}, fmt.Errorf("pack object at %d: %w", off, err)
		}
		if hdr.Length < 0 || hdr.Length > maxPackedObject {
			return packed{}, errNotHere // the store reads such an object lazily
		}
		buf := bytes.NewBuffer(make([]byte, 0, hdr.Length))
		if n, _, err := f.scan.NextObject(buf); err != nil || n != hdr.Length {
			return packed{}, fmt.Errorf("pack object at %d: inflated %d of %d bytes: %v", off, n, hdr.Length, err)
		}
		switch hdr.Type {
		case plumbing.CommitObject, plumbing.TreeObject, plumbing.BlobObject, plumbing.TagObject:
			o = packed{typ: hdr.Type, data: buf.Bytes()}
			f.keep(off, o)
		case plumbing.OFSDeltaObject:
			if hdr.OffsetReference <= 0 || hdr.OffsetReference >= off {
				return packed{}, fmt.Errorf("pack object at %d: delta base at %d", off, hdr.OffsetReference)
			}
			chain = append(chain, delta{off, buf.Bytes()})
			off = hdr.OffsetReference
			continue
		case plumbing.REFDeltaObject:
			base, err := f.idx.FindOffset(hdr.Reference)
			if err != nil {
				return packed{}, errNotHere // a thin pack's base: the store finds it
			}
			chain = append(chain, delta{off, buf.Bytes()})
			off = base
			continue
		default:
			return packed{}, fmt.Errorf("pack object at %d: type %v", off, hdr.Type)
		}
		break
	}
	for i := len(chain) - 1; i >= 0; i-- {
		if len(o.data) == 0 {
			return packed{}, errNotHere // go-git's patcher refuses an empty base; the store does not
		}
		target := &patched{typ: o.typ}
		if err := packfile.ApplyDelta(target, &patched{typ: o.typ, data: o.data}, chain[i].data); err != nil {
			return packed{}, fmt.Errorf("pack object at %d: %w", chain[i].off, err)
		}
		o = packed{typ: o.typ, data: target.data}
		f.keep(chain[i].off, o)
	}
	return o, nil
}

func (p *packs) close() {
	for _, f := range p.files {
		f.file.Close()
	}
}
