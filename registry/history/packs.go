package history

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/demand-registry/demand/internal/gitrepo"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/idxfile"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/go-git/go-git/v5/storage/filesystem/dotgit"
	"github.com/klauspost/compress/zlib"
)

// packs reads objects straight from a repository's pack files, kept open,
// with go-git's pack scanner and delta patcher. go-git's own pack reader
// appends each object resolved from a delta to its buffer piece by piece
// (a folder tree of thousands of demands is hundreds of kilobytes, so it
// grew and copied its buffer several times, once per commit of a walk), and
// its cache must hash an object to file it. Here each object patched from
// a delta is copied once into one slice (a large tree's, reused: see
// treeBuffers), and resolved objects are kept by their place in the pack,
// which needs no hash and costs the walk less CPU. Objects not in a
// pack (loose ones, or a delta on a base in another pack) are not found
// here: the caller reads them from the store.
type packs struct {
	files []*pack
}

type pack struct {
	index *packIndex // shared by the readers of a walk (see fork)
	open  func() (billy.File, error)
	file  billy.File
	raw   []byte // the entry last read, reused
	zr    io.ReadCloser
	// resolved objects by offset: blobs and small trees apart from large
	// trees, so that the many small do not push out the few large
	small *recent[int64, packed]
	large *lru[int64, packed]
	trees treeBuffers
}

// treeBuffers recycles the buffers of large trees. Patching a registry's
// folder tree (hundreds of kilobytes) for every commit was most of what a
// walk allocated, and caused most of its garbage collections. A tree the large cache drops is retired;
// release makes it spare once no tree in use holds it (tree data is only
// held between two releases, see trees.trim), and the next tree patched
// from a delta is written into a spare buffer.
type treeBuffers struct {
	retired, spare [][]byte
	spareBytes     int
	reused         int // buffers handed out again, for tests
}

const (
	// maxRetired bounds the retired buffers of a reader that never
	// releases them; maxSpareBytes the buffers kept for reuse.
	maxRetired    = 1024
	maxSpareBytes = 8 << 20
)

func (b *treeBuffers) retire(data []byte) {
	if len(b.retired) < maxRetired {
		b.retired = append(b.retired, data)
	}
}

// release makes spare the retired buffers held stays clear of. Over the
// bound, the oldest spare buffers give way: the newest suit the trees read
// next best.
func (b *treeBuffers) release(held map[*byte]bool) {
	kept := b.retired[:0]
	for _, data := range b.retired {
		if held[&data[0]] {
			kept = append(kept, data)
			continue
		}
		b.spare = append(b.spare, data)
		b.spareBytes += cap(data)
	}
	clear(b.retired[len(kept):])
	b.retired = kept
	drop := 0
	for b.spareBytes > maxSpareBytes {
		b.spareBytes -= cap(b.spare[drop])
		drop++
	}
	b.spare = slices.Delete(b.spare, 0, drop)
}

// take hands out a spare buffer for n bytes (empty, at most twice as
// large), or nil.
func (b *treeBuffers) take(n int) []byte {
	for i := len(b.spare) - 1; i >= 0; i-- {
		if data := b.spare[i]; cap(data) >= n && cap(data) <= 2*n {
			b.spareBytes -= cap(data)
			b.spare = slices.Delete(b.spare, i, i+1)
			b.reused++
			return data[:0]
		}
	}
	return nil
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
// copied once into a new slice of its size or, for a large tree, into a
// spare buffer (see treeBuffers).
type patched struct {
	plumbing.MemoryObject
	typ  plumbing.ObjectType
	data []byte
	from *treeBuffers // where to take a buffer from, if any
}

func (p *patched) Type() plumbing.ObjectType       { return p.typ }
func (p *patched) Size() int64                     { return int64(len(p.data)) }
func (p *patched) Reader() (io.ReadCloser, error)  { return io.NopCloser(bytes.NewReader(p.data)), nil }
func (p *patched) Writer() (io.WriteCloser, error) { return p, nil }
func (p *patched) Close() error                    { return nil }

func (p *patched) Write(b []byte) (int, error) {
	if p.data == nil && p.from != nil && len(b) >= largeObject {
		if p.data = p.from.take(len(b)); p.data == nil {
			// A registry's trees grow as demands are added: room for
			// the next ones lets the buffer serve the newer trees.
			p.data = make([]byte, 0, len(b)+len(b)/8)
		}
	}
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
	// largeCacheBytes is how many bytes of large trees a pack keeps, and
	// smallCacheBytes how many of other objects in each of two
	// generations. A large registry's folder tree is a few hundred
	// kilobytes, and git chains at most 50 deltas: the cache holds about
	// two chains, the bases the next deltas are most likely built on; a
	// larger cache saved no CPU, a smaller one cost some.
	largeCacheBytes = 24 << 20
	smallCacheBytes = 8 << 20
	largeObject     = 32 << 10
	// maxDeltaChain bounds a delta chain; git makes chains of at most 50
	// (4,095 with --depth), so a longer one is a corrupt pack.
	maxDeltaChain = 10000
	// maxPackedObject is the largest object (or delta) read into memory
	// here.
	maxPackedObject = 256 << 20
)

// packIndex is what a pack's index says, kept compact and read-only, so
// that every worker of a walk shares one: the names of its objects,
// sorted, with their offsets; and every offset, sorted, with the
// trailer's (the checksum, the last 20 bytes), as an object's entry ends
// where the next begins. go-git's index notes every offset it is asked
// for in a map, under a lock.
type packIndex struct {
	names []plumbing.Hash
	offs  []int64
	ends  []int64
}

func newPackIndex(idx *idxfile.MemoryIndex, packSize int64) (*packIndex, error) {
	n, err := idx.Count()
	if err != nil {
		return nil, err
	}
	x := &packIndex{names: make([]plumbing.Hash, 0, n), offs: make([]int64, 0, n), ends: make([]int64, 0, n+1)}
	iter, err := idx.Entries()
	if err != nil {
		return nil, err
	}
	defer iter.Close()
	for {
		e, err := iter.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		x.names = append(x.names, e.Hash)
		x.offs = append(x.offs, int64(e.Offset))
	}
	if !slices.IsSortedFunc(x.names, func(a, b plumbing.Hash) int { return bytes.Compare(a[:], b[:]) }) {
		return nil, errors.New("the pack index is not sorted")
	}
	x.ends = append(append(x.ends, x.offs...), packSize-20)
	slices.Sort(x.ends)
	return x, nil
}

// find is the offset of an object, if the pack holds it.
func (x *packIndex) find(h plumbing.Hash) (int64, bool) {
	i, ok := slices.BinarySearchFunc(x.names, h, func(a, b plumbing.Hash) int { return bytes.Compare(a[:], b[:]) })
	if !ok {
		return 0, false
	}
	return x.offs[i], true
}

// fork opens the same packs again for another worker: the indexes are
// shared, the files and caches its own.
func (p *packs) fork() (*packs, error) {
	q := &packs{}
	for _, f := range p.files {
		file, err := f.open()
		if err != nil {
			q.close()
			return nil, err
		}
		q.files = append(q.files, newPack(f.index, f.open, file))
	}
	return q, nil
}

func newPack(index *packIndex, open func() (billy.File, error), file billy.File) *pack {
	weigh := func(o packed) int { return len(o.data) + 64 }
	pf := &pack{index: index, open: open, file: file,
		small: newRecentWeighed[int64, packed](smallCacheBytes, weigh),
		large: newLRU[int64, packed](largeCacheBytes, weigh)}
	pf.large.dropped = func(o packed) {
		if o.typ == plumbing.TreeObject {
			pf.trees.retire(o.data)
		}
	}
	return pf
}

// openPacks opens the repository's pack files. A repository whose packs
// cannot be listed has none here.
func openPacks(repo *gitrepo.Repo) (*packs, error) {
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
		open := func() (billy.File, error) { return dir.ObjectPack(h) }
		f, err := open()
		if err != nil {
			p.close()
			return nil, fmt.Errorf("opening pack %s: %w", h, err)
		}
		size, err := f.Seek(0, io.SeekEnd)
		var index *packIndex
		if err == nil {
			index, err = newPackIndex(idx, size)
		}
		if err != nil {
			f.Close()
			p.close()
			return nil, fmt.Errorf("reading pack %s: %w", h, err)
		}
		p.files = append(p.files, newPack(index, open, f))
	}
	return p, nil
}

// get reads an object from the packs; errNotHere when they do not hold it.
func (p *packs) get(h plumbing.Hash) (packed, error) {
	for _, f := range p.files {
		if off, ok := f.index.find(h); ok {
			return f.at(off)
		}
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
		hdr, data, err := f.entry(off)
		if err != nil {
			if errors.Is(err, errNotHere) {
				return packed{}, err
			}
			return packed{}, fmt.Errorf("pack object at %d: %w", off, err)
		}
		switch hdr.Type {
		case plumbing.CommitObject, plumbing.TreeObject, plumbing.BlobObject, plumbing.TagObject:
			o = packed{typ: hdr.Type, data: data}
			f.keep(off, o)
		case plumbing.OFSDeltaObject:
			if hdr.OffsetReference <= 0 || hdr.OffsetReference >= off {
				return packed{}, fmt.Errorf("pack object at %d: delta base at %d", off, hdr.OffsetReference)
			}
			chain = append(chain, delta{off, data})
			off = hdr.OffsetReference
			continue
		case plumbing.REFDeltaObject:
			base, ok := f.index.find(hdr.Reference)
			if !ok {
				return packed{}, errNotHere // a thin pack's base: the store finds it
			}
			chain = append(chain, delta{off, data})
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
		var data []byte
		if o.typ == plumbing.TreeObject {
			// Trees are patched into buffers of trees let go before.
			target := &patched{typ: o.typ, from: &f.trees}
			if err := packfile.ApplyDelta(target, &patched{typ: o.typ, data: o.data}, chain[i].data); err != nil {
				return packed{}, fmt.Errorf("pack object at %d: %w", chain[i].off, err)
			}
			data = target.data
		} else {
			// Patched in place of the base's copy and the result's
			// that ApplyDelta makes: each version of a long body was
			// copied twice.
			var err error
			if data, err = packfile.PatchDelta(o.data, chain[i].data); err != nil {
				return packed{}, fmt.Errorf("pack object at %d: %w", chain[i].off, err)
			}
		}
		o = packed{typ: o.typ, data: data}
		f.keep(chain[i].off, o)
	}
	return o, nil
}

// entry reads the pack entry at off in one read (from off to the next
// object) and inflates it. go-git's scanner reads an entry a byte at a
// time through a reader that hashes every byte (a pack's checksum, which
// a reader by offset never uses) and refills a buffer after each seek; on
// a walk that reads every version of every demand, that was a third of the
// time spent inflating. The header is git's pack entry header
// (gitformat-pack(5)): type and size, then the base's offset (ofs-delta)
// or name (ref-delta); TestPacksReadAsStore holds it to the store.
func (f *pack) entry(off int64) (hdr packfile.ObjectHeader, data []byte, err error) {
	ends := f.index.ends
	k, found := slices.BinarySearch(ends, off)
	if !found || k+1 >= len(ends) {
		return hdr, nil, errors.New("no object starts at this offset")
	}
	n := ends[k+1] - off
	if n <= 0 || n > maxPackedObject {
		return hdr, nil, errNotHere // the store reads such an object lazily
	}
	if int64(cap(f.raw)) < n {
		f.raw = make([]byte, n)
	}
	raw := f.raw[:n]
	if _, err := f.file.ReadAt(raw, off); err != nil {
		return hdr, nil, err
	}
	hdr.Offset = off
	i, err := entryHeader(raw, &hdr)
	if err != nil {
		return hdr, nil, err
	}
	if hdr.Length < 0 || hdr.Length > maxPackedObject {
		return hdr, nil, errNotHere
	}
	zr := bytes.NewReader(raw[i:])
	if f.zr == nil {
		f.zr, err = zlib.NewReader(zr)
	} else {
		err = f.zr.(zlib.Resetter).Reset(zr, nil)
	}
	if err != nil {
		return hdr, nil, err
	}
	data = make([]byte, hdr.Length)
	if _, err := io.ReadFull(f.zr, data); err != nil {
		return hdr, nil, fmt.Errorf("inflating %d bytes: %w", hdr.Length, err)
	}
	// Reading on to the stream's end checks its Adler-32 checksum: an
	// entry damaged so that it still inflates to its size is refused.
	var more [1]byte
	if n, err := f.zr.Read(more[:]); n != 0 || !errors.Is(err, io.EOF) {
		return hdr, nil, fmt.Errorf("the entry inflates to more than %d bytes or fails its checksum (%v)", hdr.Length, err)
	}
	return hdr, data, nil
}

// errShortHeader says a pack entry ends inside its header.
var errShortHeader = errors.New("the entry's header is cut short")

// entryHeader reads a pack entry's header into hdr and returns its length.
func entryHeader(b []byte, hdr *packfile.ObjectHeader) (int, error) {
	if len(b) == 0 {
		return 0, errShortHeader
	}
	c := b[0]
	hdr.Type = plumbing.ObjectType((c >> 4) & 7)
	size, shift, i := int64(c&15), 4, 1
	for c&0x80 != 0 {
		if i >= len(b) || shift > 56 {
			return 0, errShortHeader
		}
		c = b[i]
		i++
		size |= int64(c&0x7f) << shift
		shift += 7
	}
	hdr.Length = size
	switch hdr.Type {
	case plumbing.OFSDeltaObject:
		// A big-endian number of 7-bit groups, each but the last
		// continued, with 1 added at every continuation.
		if i >= len(b) {
			return 0, errShortHeader
		}
		c = b[i]
		i++
		back := int64(c & 0x7f)
		for c&0x80 != 0 {
			if i >= len(b) || back > 1<<55 {
				return 0, errShortHeader
			}
			c = b[i]
			i++
			back = (back+1)<<7 | int64(c&0x7f)
		}
		hdr.OffsetReference = hdr.Offset - back
	case plumbing.REFDeltaObject:
		if i+20 > len(b) {
			return 0, errShortHeader
		}
		copy(hdr.Reference[:], b[i:i+20])
		i += 20
	}
	return i, nil
}

// release makes the retired tree buffers that held does not name (by
// their first byte) free for reuse.
func (p *packs) release(held map[*byte]bool) {
	for _, f := range p.files {
		f.trees.release(held)
	}
}

func (p *packs) close() {
	for _, f := range p.files {
		f.file.Close()
	}
}
