package history

import (
	"bytes"
	"io"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
)

// objectCache is the cache go-git keeps of objects it resolved from pack
// deltas, so that the next object built on the same base does not resolve
// the whole delta chain again. go-git's own cache hashes every object put
// into it to find its key; with a registry folder of thousands of demands,
// the folder's tree is hundreds of kilobytes, and the walk reads one per
// commit, so that hashing took a seventh of a walk. This cache hashes small
// objects as go-git does, but keeps large ones aside unhashed: the walk
// tells it which tree it just read (claim), and the object go-git put for
// it is filed under that hash once its content is seen to be the same.
// An object nobody claims is hashed only when a lookup misses, so no
// object is ever found under a wrong hash.
type objectCache struct {
	small   *cache.ObjectLRU
	known   map[plumbing.Hash]plumbing.EncodedObject
	order   []plumbing.Hash // known hashes, oldest first
	pending []plumbing.EncodedObject
}

const (
	largeObject = 32 << 10 // bytes: larger objects are kept unhashed until claimed
	knownLarge  = 96       // large objects kept (the folder trees of ~100 commits)
)

func newObjectCache() *objectCache {
	return &objectCache{small: cache.NewObjectLRU(16 * cache.MiByte), known: map[plumbing.Hash]plumbing.EncodedObject{}}
}

func (c *objectCache) Put(o plumbing.EncodedObject) {
	if o.Size() < largeObject {
		c.small.Put(o)
		return
	}
	c.pending = append(c.pending, o)
	if len(c.pending) > knownLarge {
		c.settle()
	}
}

func (c *objectCache) Get(h plumbing.Hash) (plumbing.EncodedObject, bool) {
	if o, ok := c.known[h]; ok {
		return o, true
	}
	if o, ok := c.small.Get(h); ok {
		return o, true
	}
	if len(c.pending) == 0 {
		return nil, false
	}
	c.settle()
	o, ok := c.known[h]
	return o, ok
}

func (c *objectCache) Clear() {
	c.small.Clear()
	c.known, c.order, c.pending = map[plumbing.Hash]plumbing.EncodedObject{}, nil, nil
}

// settle hashes the objects nobody claimed and files them.
func (c *objectCache) settle() {
	for _, o := range c.pending {
		c.file(o.Hash(), o)
	}
	c.pending = nil
}

func (c *objectCache) file(h plumbing.Hash, o plumbing.EncodedObject) {
	if _, ok := c.known[h]; !ok {
		c.order = append(c.order, h)
	}
	c.known[h] = o
	for len(c.order) > knownLarge {
		delete(c.known, c.order[0])
		c.order = c.order[1:]
	}
}

// claim files the pending object of type typ whose content is data under
// h, the hash data was read by, without hashing it.
func (c *objectCache) claim(h plumbing.Hash, typ plumbing.ObjectType, data []byte) {
	for i := len(c.pending) - 1; i >= 0; i-- {
		o := c.pending[i]
		if o.Type() != typ || o.Size() != int64(len(data)) || !sameContent(o, data) {
			continue
		}
		c.pending = append(c.pending[:i], c.pending[i+1:]...)
		c.file(h, o)
		return
	}
}

// sameContent reports whether an object's content is data. An object in
// memory writes its content in one call, so nothing is copied.
func sameContent(o plumbing.EncodedObject, data []byte) bool {
	r, err := o.Reader()
	if err != nil {
		return false
	}
	defer r.Close()
	cmp := &compareWriter{want: data}
	if _, err := io.Copy(cmp, r); err != nil {
		return false
	}
	return cmp.ok() && cmp.off == len(data)
}

// compareWriter compares what is written to it with want.
type compareWriter struct {
	want []byte
	off  int
	diff bool
}

func (w *compareWriter) Write(p []byte) (int, error) {
	if w.diff || len(p) > len(w.want)-w.off || !bytes.Equal(p, w.want[w.off:w.off+len(p)]) {
		w.diff = true
		return 0, io.ErrShortWrite
	}
	w.off += len(p)
	return len(p), nil
}

func (w *compareWriter) ok() bool { return !w.diff }
