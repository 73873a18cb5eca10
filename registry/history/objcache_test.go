package history

import (
	"bytes"
	"io"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
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

// The delta-base cache finds every object under its true hash: large ones
// claimed with the content they were read with, unclaimed ones hashed when
// a lookup misses; a claim with other content files nothing.
func TestObjectCache(t *testing.T) {
	big := func(b byte) []byte { return bytes.Repeat([]byte{b}, largeObject+10) }
	c := newObjectCache()

	small := memObject(t, plumbing.BlobObject, []byte("small"))
	c.Put(small)
	got, ok := c.Get(small.Hash())
	require.True(t, ok)
	assert.Same(t, small, got)

	a := memObject(t, plumbing.TreeObject, big('a'))
	c.Put(a)
	require.Len(t, c.pending, 1)
	c.claim(plumbing.NewHash("1111111111111111111111111111111111111111"), plumbing.TreeObject, big('x'))
	c.claim(plumbing.NewHash("2222222222222222222222222222222222222222"), plumbing.BlobObject, big('a'))
	require.Len(t, c.pending, 1, "other content or type: nothing claimed")
	c.claim(a.Hash(), plumbing.TreeObject, big('a'))
	assert.Empty(t, c.pending)
	got, ok = c.Get(a.Hash())
	require.True(t, ok)
	assert.Same(t, a, got)

	b := memObject(t, plumbing.TreeObject, big('b'))
	c.Put(b)
	_, ok = c.Get(plumbing.NewHash("3333333333333333333333333333333333333333"))
	assert.False(t, ok)
	assert.Empty(t, c.pending, "a miss hashes what was not claimed")
	got, ok = c.Get(b.Hash())
	require.True(t, ok)
	assert.Same(t, b, got)

	for i := 0; i < knownLarge+5; i++ {
		c.Put(memObject(t, plumbing.TreeObject, append(big('c'), byte(i))))
	}
	assert.LessOrEqual(t, len(c.known), knownLarge)
	assert.LessOrEqual(t, len(c.pending), knownLarge)
	c.Clear()
	_, ok = c.Get(b.Hash())
	assert.False(t, ok)
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
}
