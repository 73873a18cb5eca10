package history

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/demand-registry/demand/internal/gitrepo"

	"github.com/demand-registry/demand/registry/config"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func memObject(t *testing.T, typ plumbing.ObjectType, data []byte) *plumbing.MemoryObject {
	o := &plumbing.MemoryObject{}
	o.SetType(typ)
	_, err := o.Write(data)
	require.NoError(t, err)
	return o
}

// Every object of a repacked repository (trees and blobs stored as delta
// chains among them, on bases named by offset or by hash) reads from the
// pack files as the store reads it, a second time from what the pack
// keeps, and a missing one is not there.
func TestPacksReadAsStore(t *testing.T) {
	for _, refDeltas := range []bool{false, true} {
		t.Run(fmt.Sprintf("ref-deltas=%t", refDeltas), func(t *testing.T) { testPacksReadAsStore(t, refDeltas) })
	}
}

func testPacksReadAsStore(t *testing.T, refDeltas bool) {
	b := newBuilder(t)
	for i := 1; i <= 40; i++ {
		id := fmt.Sprintf("D-%04d", i%5+1)
		b.write(fmt.Sprintf("demands/%s-a.md", id), demand(id, fmt.Sprintf("T%d", i), "new", "", strings.Repeat(fmt.Sprintf("line %d\n", i%3), 40+i)))
		b.commit(fmt.Sprintf("c%d", i), 1+i%28)
	}
	require.NoError(t, b.repo.RepackObjects(&git.RepackConfig{UseRefDeltas: refDeltas}))
	repo, err := gitrepo.OpenRepo(filepath.Join(b.dir, "demands"))
	require.NoError(t, err)
	pk, err := openPacks(repo)
	require.NoError(t, err)
	defer pk.close()
	require.NotEmpty(t, pk.files)

	// Another worker's reader shares the index, not the files or caches.
	fk, err := pk.fork()
	require.NoError(t, err)
	defer fk.close()
	require.Len(t, fk.files, len(pk.files))
	assert.Same(t, pk.files[0].index, fk.files[0].index)
	assert.NotSame(t, pk.files[0].small, fk.files[0].small)

	iter, err := repo.Git.Storer.IterEncodedObjects(plumbing.AnyObject)
	require.NoError(t, err)
	n, deltas := 0, 0
	require.NoError(t, iter.ForEach(func(o plumbing.EncodedObject) error {
		want, err := content(o)
		require.NoError(t, err)
		for _, pk := range []*packs{pk, pk, fk} {
			got, err := pk.get(o.Hash())
			require.NoError(t, err, "%s %s", o.Type(), o.Hash())
			assert.Equal(t, o.Type(), got.typ)
			assert.Equal(t, want, got.data, "%s %s", o.Type(), o.Hash())
		}
		n++
		return nil
	}))
	want := plumbing.OFSDeltaObject
	if refDeltas {
		want = plumbing.REFDeltaObject
	}
	// Every entry's header reads as go-git's scanner reads it.
	for _, f := range pk.files {
		scan := packfile.NewScanner(f.file)
		for _, off := range f.index.ends[:len(f.index.ends)-1] {
			h, err := scan.SeekObjectHeader(off)
			require.NoError(t, err)
			got, _, err := f.entry(off)
			require.NoError(t, err)
			assert.Equal(t, *h, got)
			if h.Type == want {
				deltas++
			}
		}
	}
	assert.Greater(t, n, 100)
	assert.Greater(t, deltas, 10, "the pack holds delta chains")
	_, err = pk.get(plumbing.NewHash("0123456789012345678901234567890123456789"))
	assert.ErrorIs(t, err, errNotHere)

	// The trees reader takes objects from the packs, checks their type and
	// a size limit.
	tr := newTrees(repo.Git.Storer.(storer.EncodedObjectStorer))
	tr.packs = pk
	head, err := repo.Git.Head()
	require.NoError(t, err)
	c, err := repo.Git.CommitObject(head.Hash())
	require.NoError(t, err)
	_, err = tr.object(c.TreeHash, plumbing.BlobObject, -1)
	assert.ErrorIs(t, err, plumbing.ErrObjectNotFound)
	_, err = tr.object(c.TreeHash, plumbing.TreeObject, 1)
	assert.ErrorIs(t, err, errTooLarge)
	data, err := tr.read(c.TreeHash)
	require.NoError(t, err)
	assert.Contains(t, string(data), "demands")
}

// chunked is an object whose reader writes its content in pieces.
type chunked struct {
	plumbing.MemoryObject
	data []byte
}

type chunkReader struct{ data []byte }

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p, c.data[:min(3, len(c.data))])
	c.data = c.data[n:]
	return n, nil
}

func (c *chunkReader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	buf := make([]byte, 3)
	for len(c.data) > 0 {
		n := copy(buf, c.data)
		c.data = c.data[n:]
		m, err := w.Write(buf[:n]) // the same buffer each time, as io.Copy does
		total += int64(m)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

func (c *chunkReader) Close() error { return nil }

func (o *chunked) Reader() (io.ReadCloser, error) { return &chunkReader{data: o.data}, nil }

// content keeps an in-memory object's content without copying it, and
// reads any other object whole, even one that writes in reused pieces.
func TestContent(t *testing.T) {
	m := memObject(t, plumbing.TreeObject, []byte("some tree content"))
	a, err := content(m)
	require.NoError(t, err)
	b, err := content(m)
	require.NoError(t, err)
	assert.Equal(t, "some tree content", string(a))
	assert.Same(t, &a[0], &b[0], "not copied")

	c := &chunked{data: []byte("written in pieces")}
	got, err := content(c)
	require.NoError(t, err)
	assert.Equal(t, "written in pieces", string(got))

	empty, err := content(memObject(t, plumbing.TreeObject, nil))
	require.NoError(t, err)
	assert.Empty(t, empty)
}

// recent keeps the newer generation whole and drops the older one.
func TestRecent(t *testing.T) {
	r := newRecent[int, string](2)
	r.put(1, "a")
	r.put(2, "b")
	r.put(3, "c") // 1 and 2 become the older generation
	v, ok := r.get(1)
	assert.True(t, ok)
	assert.Equal(t, "a", v)
	r.put(4, "d") // {3, 1} become older, 2 is dropped
	_, ok = r.get(2)
	assert.False(t, ok)
	for _, k := range []int{1, 3, 4} {
		_, ok := r.get(k)
		assert.True(t, ok, "%d", k)
	}

	// Weighed: a generation holds what fits in its size; an entry larger
	// than the size is a generation of its own.
	w := newRecentWeighed[int, string](10, func(s string) int { return len(s) })
	w.put(1, "aaaa")
	w.put(2, "bbbb")
	w.put(3, "cccc") // 4+4+4 > 10: {1, 2} become older
	assert.Len(t, w.cur, 1)
	w.put(4, "dddddddddddddddd") // {3} older, {1, 2} dropped
	_, ok = w.get(1)
	assert.False(t, ok)
	_, ok = w.get(3)
	assert.True(t, ok)
}

// lru drops the least recently used entries, one at a time, and says
// which; an entry larger than the whole is kept alone.
func TestLRU(t *testing.T) {
	c := newLRU[int, string](10, func(s string) int { return len(s) })
	var dropped []string
	c.dropped = func(v string) { dropped = append(dropped, v) }
	c.put(1, "aaaa")
	c.put(2, "bbbb")
	_, ok := c.get(1) // 2 is now the least recently used
	assert.True(t, ok)
	c.put(3, "cc")
	assert.Empty(t, dropped, "4+4+2 fits")
	c.put(4, "d") // 11 > 10: 2 goes
	assert.Equal(t, []string{"bbbb"}, dropped)
	_, ok = c.get(2)
	assert.False(t, ok)
	for _, k := range []int{1, 3, 4} {
		_, ok := c.get(k)
		assert.True(t, ok, "%d", k)
	}
	c.put(5, "eeeeeeeeeeee") // larger than the whole: everything else goes
	assert.Equal(t, []string{"bbbb", "aaaa", "cc", "d"}, dropped)
	v, ok := c.get(5)
	assert.True(t, ok)
	assert.Equal(t, "eeeeeeeeeeee", v)
	assert.Equal(t, 12, c.n)
}

// A damaged pack file stops the walk with an error that names the commit
// and says how to check the repository.
func TestDamagedPack(t *testing.T) {
	b := newBuilder(t)
	for i := 1; i <= 30; i++ {
		b.write("demands/D-0001-a.md", demand("D-0001", fmt.Sprintf("T%d", i), "new", "", strings.Repeat("line\n", 40+i)))
		b.commit(fmt.Sprintf("c%d", i), 1+i%28)
	}
	require.NoError(t, b.repo.RepackObjects(&git.RepackConfig{}))
	packs, err := filepath.Glob(filepath.Join(b.dir, ".git", "objects", "pack", "*.pack"))
	require.NoError(t, err)
	require.Len(t, packs, 1)
	data, err := os.ReadFile(packs[0])
	require.NoError(t, err)
	for i := 12; i < len(data)-20; i += 7 {
		data[i] ^= 0x5a // damage every object after the header, keep the trailer
	}
	require.NoError(t, os.Chmod(packs[0], 0o644))
	require.NoError(t, os.WriteFile(packs[0], data, 0o644))
	repo, err := gitrepo.OpenRepo(filepath.Join(b.dir, "demands"))
	require.NoError(t, err)
	_, err = Walk(context.Background(), repo, Options{Config: config.Default()})
	require.Error(t, err, "a head that does not read is not an empty repository")
	assert.Contains(t, err.Error(), "reading commit ")
	assert.Contains(t, err.Error(), "check them with git fsck")
}

// Large trees patched from deltas are written into the buffers of trees
// the pack dropped, and no tree still in use is written over: walking a
// repacked history with a pack cache of a few trees reads every tree as
// the store does, and diffs every commit as reading from the store does.
func TestTreeBuffersReused(t *testing.T) {
	repo, commits := largeTreeHistory(t, 1000, 60)
	require.NoError(t, repo.Git.RepackObjects(&git.RepackConfig{}))
	s := repo.Git.Storer.(storer.EncodedObjectStorer)
	pk, err := openPacks(repo)
	require.NoError(t, err)
	defer pk.close()
	for _, f := range pk.files {
		f.large.size = 200 << 10 // about three trees a generation
	}
	fromPacks, fromStore := newTrees(s), newTrees(s)
	fromPacks.packs = pk
	var prev plumbing.Hash
	for _, h := range commits {
		fromPacks.trim()
		c, err := repo.Git.CommitObject(h)
		require.NoError(t, err)
		got, err := fromPacks.diff(prev, c.TreeHash, "", nil)
		require.NoError(t, err)
		want, err := fromStore.diff(prev, c.TreeHash, "", nil)
		require.NoError(t, err)
		require.Equal(t, want, got, "commit %s", h)
		// Every tree the reader keeps, older ones included, still reads
		// as the store reads it.
		for tree, a := range fromPacks.cache {
			o, err := s.EncodedObject(plumbing.TreeObject, tree)
			require.NoError(t, err)
			b, err := content(o)
			require.NoError(t, err)
			require.True(t, bytes.Equal(b, a), "tree %s reads %d bytes unlike the store's", tree, len(a))
		}
		prev = c.TreeHash
	}
	reused := 0
	for _, f := range pk.files {
		reused += f.trees.reused
	}
	assert.Greater(t, reused, 10, "buffers were reused")
}

// largeTreeHistory makes a repository whose registry folder holds n
// demands (a tree of tens of kilobytes), then commits that each change one
// demand, written as objects (a work tree of that size is slow to commit).
func largeTreeHistory(t *testing.T, n, commits int) (*gitrepo.Repo, []plumbing.Hash) {
	dir := t.TempDir()
	g, err := git.PlainInit(dir, false)
	require.NoError(t, err)
	s := g.Storer
	put := func(typ plumbing.ObjectType, data []byte) plumbing.Hash {
		h, err := s.SetEncodedObject(memObject(t, typ, data))
		require.NoError(t, err)
		return h
	}
	blobs := make([]plumbing.Hash, n)
	version := func(i, v int) {
		id := fmt.Sprintf("D-%04d", i+1)
		blobs[i] = put(plumbing.BlobObject, []byte(demand(id, fmt.Sprintf("Title %d", v), "new", "", "body\n")))
	}
	for i := range n {
		version(i, 0)
	}
	var out []plumbing.Hash
	var parent plumbing.Hash
	for c := range commits {
		if c > 0 {
			version((c*37)%n, c)
		}
		var folder []byte
		for i, h := range blobs {
			folder = append(folder, fmt.Sprintf("100644 D-%04d-a-demand-with-a-longer-name.md\x00", i+1)...)
			folder = append(folder, h[:]...)
		}
		fh := put(plumbing.TreeObject, folder)
		root := put(plumbing.TreeObject, append([]byte("40000 demands\x00"), fh[:]...))
		when := time.Date(2026, 11, 1, 9, c, 0, 0, time.UTC)
		commit := &object.Commit{Author: object.Signature{Name: "Ada", Email: "ada@example.com", When: when},
			Message: fmt.Sprintf("c%d", c), TreeHash: root}
		commit.Committer = commit.Author
		if !parent.IsZero() {
			commit.ParentHashes = []plumbing.Hash{parent}
		}
		o := &plumbing.MemoryObject{}
		require.NoError(t, commit.Encode(o))
		parent, err = s.SetEncodedObject(o)
		require.NoError(t, err)
		out = append(out, parent)
	}
	require.NoError(t, g.Storer.SetReference(plumbing.NewHashReference(plumbing.NewBranchReferenceName("master"), parent)))
	repo, err := gitrepo.OpenRepo(filepath.Join(dir))
	require.NoError(t, err)
	return repo, out
}

// FuzzEntryHeader holds the pack entry header reader to go-git's scanner:
// where the scanner reads a header, it reads the same one, and no input
// makes it panic.
func FuzzEntryHeader(f *testing.F) {
	for _, s := range [][]byte{{0x30}, {0x95, 0x0a}, {0x65, 0x80, 0x01}, {0x75, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}, {0xff, 0xff, 0xff}} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var got packfile.ObjectHeader
		n, err := entryHeader(b, &got)
		if err != nil {
			return
		}
		require.LessOrEqual(t, n, len(b))
		want, err := packfile.NewScanner(bytes.NewReader(b)).SeekObjectHeader(0)
		if err != nil || want.Length < 0 {
			return // the scanner refuses it, or overflows where this reader stops
		}
		assert.Equal(t, *want, got)
	})
}

// An entry damaged in its checksum alone still inflates to its size; the
// pack reader refuses it rather than hand a wrong version to the walk.
func TestPackEntryChecksum(t *testing.T) {
	b := newBuilder(t)
	b.write("demands/D-0001-a.md", demand("D-0001", "T", "new", "", strings.Repeat("line\n", 40)))
	b.commit("c1", 1)
	require.NoError(t, b.repo.RepackObjects(&git.RepackConfig{}))
	repo, err := gitrepo.OpenRepo(filepath.Join(b.dir, "demands"))
	require.NoError(t, err)
	pk, err := openPacks(repo)
	require.NoError(t, err)
	require.Len(t, pk.files, 1)
	f := pk.files[0]
	var start, blob int64 = 0, -1
	ends := f.index.ends
	for k, off := range ends[:len(ends)-1] {
		hdr, _, err := f.entry(off)
		require.NoError(t, err)
		if hdr.Type == plumbing.BlobObject {
			start, blob = off, ends[k+1]-1 // the checksum's last byte
			break
		}
	}
	require.NotEqual(t, int64(-1), blob, "the pack holds a whole blob")
	pk.close()
	packs, err := filepath.Glob(filepath.Join(b.dir, ".git", "objects", "pack", "*.pack"))
	require.NoError(t, err)
	data, err := os.ReadFile(packs[0])
	require.NoError(t, err)
	data[blob] ^= 0xff
	require.NoError(t, os.Chmod(packs[0], 0o644))
	require.NoError(t, os.WriteFile(packs[0], data, 0o644))
	pk, err = openPacks(repo)
	require.NoError(t, err)
	defer pk.close()
	_, _, err = pk.files[0].entry(start)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "checksum")
}
