package history

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/demand-registry/demand/registry"
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
	repo, err := registry.OpenRepo(filepath.Join(b.dir, "demands"))
	require.NoError(t, err)
	pk, err := openPacks(repo)
	require.NoError(t, err)
	defer pk.close()
	require.NotEmpty(t, pk.files)

	iter, err := repo.Git.Storer.IterEncodedObjects(plumbing.AnyObject)
	require.NoError(t, err)
	n, deltas := 0, 0
	require.NoError(t, iter.ForEach(func(o plumbing.EncodedObject) error {
		want, err := content(o)
		require.NoError(t, err)
		for range 2 {
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
	for _, f := range pk.files {
		entries, err := f.idx.EntriesByOffset()
		require.NoError(t, err)
		for x, err := entries.Next(); err == nil; x, err = entries.Next() {
			h, err := f.scan.SeekObjectHeader(int64(x.Offset))
			require.NoError(t, err)
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
	repo, err := registry.OpenRepo(filepath.Join(b.dir, "demands"))
	require.NoError(t, err)
	_, err = Walk(context.Background(), repo, Options{Config: registry.DefaultConfig()})
	require.Error(t, err, "a head that does not read is not an empty repository")
	assert.Contains(t, err.Error(), "reading commit ")
	assert.Contains(t, err.Error(), "check them with git fsck")
}
