package history

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// entry is one raw tree entry; name aliases the tree's bytes.
type entry struct {
	name []byte
	dir  bool
	link bool
	hash plumbing.Hash
}

// nextEntry parses the first entry of raw tree data and returns the rest.
// Submodules are skipped: they are not part of a registry.
func nextEntry(data []byte) (e entry, rest []byte, err error) {
	for len(data) > 0 {
		sp := bytes.IndexByte(data, ' ')
		if sp < 0 {
			return e, nil, fmt.Errorf("corrupt tree object")
		}
		mode := data[:sp]
		data = data[sp+1:]
		nul := bytes.IndexByte(data, 0)
		if nul < 0 || len(data) < nul+21 {
			return e, nil, fmt.Errorf("corrupt tree object")
		}
		e = entry{name: data[:nul], dir: string(mode) == "40000", link: string(mode) == "120000"}
		copy(e.hash[:], data[nul+1:nul+21])
		data = data[nul+21:]
		if string(mode) == "160000" {
			continue
		}
		return e, data, nil
	}
	return e, nil, io.EOF
}

// trees reads raw tree objects and keeps recent ones: a walk reads each
// tree as a commit's, then again as the next commit's parent. Tree data is
// parsed in place, never copied into per-entry values: a folder of
// thousands of demands makes every tree large, and the walk reads one per
// commit. Tree data is never written to.
type trees struct {
	s     storer.EncodedObjectStorer
	packs *packs // pack files read directly (nil: through the store)
	cache map[plumbing.Hash][]byte
	order []plumbing.Hash
	held  map[*byte]bool // the cached trees, for packs.release
}

func newTrees(s storer.EncodedObjectStorer) *trees {
	return &trees{s: s, cache: map[plumbing.Hash][]byte{}}
}

const treeCacheSize = 64

// trim evicts the oldest trees beyond the cache size. It runs between
// commits, never while a diff holds tree data: then the only trees held
// are the cached ones, and the packs may reuse the buffers of any other.
func (t *trees) trim() {
	for len(t.order) > treeCacheSize {
		delete(t.cache, t.order[0])
		t.order = t.order[1:]
	}
	if t.packs == nil {
		return
	}
	if t.held == nil {
		t.held = map[*byte]bool{}
	}
	clear(t.held)
	for _, data := range t.cache {
		if len(data) > 0 {
			t.held[&data[0]] = true
		}
	}
	t.packs.release(t.held)
}

func (t *trees) read(h plumbing.Hash) ([]byte, error) {
	if data, ok := t.cache[h]; ok {
		return data, nil
	}
	data, err := t.object(h, plumbing.TreeObject, -1)
	if err != nil {
		return nil, fmt.Errorf("reading tree %s: %w", h, err)
	}
	t.cache[h] = data
	t.order = append(t.order, h)
	return data, nil
}

// errTooLarge says an object is larger than a reader asked for.
var errTooLarge = errors.New("object too large")

// object reads the content of an object of a type from the packs, else
// from the store; errTooLarge (content nil) for one larger than max bytes,
// when max is not negative. The content is never to be written to.
func (t *trees) object(h plumbing.Hash, typ plumbing.ObjectType, max int64) ([]byte, error) {
	if t.packs != nil {
		o, err := t.packs.get(h)
		if err == nil {
			if o.typ != typ {
				return nil, plumbing.ErrObjectNotFound
			}
			if max >= 0 && int64(len(o.data)) > max {
				return nil, errTooLarge
			}
			return o.data, nil
		}
		if !errors.Is(err, errNotHere) {
			return nil, err
		}
	}
	obj, err := t.s.EncodedObject(typ, h)
	if err != nil {
		return nil, err
	}
	if max >= 0 && obj.Size() > max {
		return nil, errTooLarge
	}
	data, err := content(obj)
	if err == nil && int64(len(data)) != obj.Size() {
		err = io.ErrUnexpectedEOF
	}
	return data, err
}

// content returns an object's content. An object go-git holds in memory
// hands over its whole content in one write, which is kept without a copy
// (the content of an object is never changed once made); any other object
// is read into a new buffer.
func content(obj plumbing.EncodedObject) ([]byte, error) {
	r, err := obj.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	if wt, ok := r.(io.WriterTo); ok {
		var c capture
		if _, err := wt.WriteTo(&c); err == nil {
			return c.data, nil
		} else if err != errSecondWrite {
			return nil, err
		}
		if r, err = obj.Reader(); err != nil {
			return nil, err
		}
		defer r.Close()
	}
	return io.ReadAll(r)
}

var errSecondWrite = errors.New("written in more than one call")

// capture keeps the one slice written to it.
type capture struct{ data []byte }

func (c *capture) Write(p []byte) (int, error) {
	if c.data != nil {
		return 0, errSecondWrite
	}
	c.data = p
	return len(p), nil
}

// lookup finds a named entry in a tree.
func (t *trees) lookup(tree plumbing.Hash, name string, dir bool) (plumbing.Hash, error) {
	data, err := t.read(tree)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	for {
		e, rest, err := nextEntry(data)
		if err == io.EOF {
			return plumbing.ZeroHash, nil
		}
		if err != nil {
			return plumbing.ZeroHash, err
		}
		if e.dir == dir && string(e.name) == name {
			return e.hash, nil
		}
		data = rest
	}
}

// sub returns the hash of the subtree at a slash-separated path under
// root ("" is root itself), or the zero hash when it does not exist.
func (t *trees) sub(root plumbing.Hash, path string) (plumbing.Hash, error) {
	h := root
	for path != "" && !h.IsZero() {
		var part string
		part, path, _ = strings.Cut(path, "/")
		var err error
		if h, err = t.lookup(h, part, true); err != nil {
			return plumbing.ZeroHash, err
		}
	}
	return h, nil
}

// file finds a file's blob hash in a tree by path, or the zero hash.
func (t *trees) file(root plumbing.Hash, p string) (plumbing.Hash, error) {
	dir, name := "", p
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		dir, name = p[:i], p[i+1:]
	}
	h, err := t.sub(root, dir)
	if err != nil || h.IsZero() {
		return plumbing.ZeroHash, err
	}
	return t.lookup(h, name, false)
}

// fileChange is one changed file between two trees; a zero hash means
// absent on that side.
type fileChange struct {
	path     string
	old, new plumbing.Hash
}

// compareNames orders entries as git does: a directory sorts as if its
// name ended in '/'.
func compareNames(a, b entry) int {
	an, bn := a.name, b.name
	n := min(len(an), len(bn))
	if c := bytes.Compare(an[:n], bn[:n]); c != 0 {
		return c
	}
	ac, bc := byte(0), byte(0)
	if len(an) > n {
		ac = an[n]
	} else if a.dir {
		ac = '/'
	}
	if len(bn) > n {
		bc = bn[n]
	} else if b.dir {
		bc = '/'
	}
	switch {
	case ac < bc:
		return -1
	case ac > bc:
		return 1
	}
	return 0
}

// cursor walks a tree's entries: e is the current one, cur the data from
// it on, rest the data after it.
type cursor struct {
	e         entry
	cur, rest []byte
	ok        bool
}

func (c *cursor) next() error {
	c.cur = c.rest
	e, rest, err := nextEntry(c.rest)
	if err == io.EOF {
		c.ok = false
		return nil
	}
	if err != nil {
		return err
	}
	c.e, c.rest, c.ok = e, rest, true
	return nil
}

// commonPrefix is the length of the longest common prefix of a and b.
func commonPrefix(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	// bytes.Equal compares with vector instructions: trees of thousands
	// of entries share most of their bytes.
	for i+256 <= n && bytes.Equal(a[i:i+256], b[i:i+256]) {
		i += 256
	}
	for i+8 <= n && binary.LittleEndian.Uint64(a[i:]) == binary.LittleEndian.Uint64(b[i:]) {
		i += 8
	}
	for i < n && a[i] == b[i] {
		i++
	}
	return i
}

// skipEqual returns the offset of the first entry boundary at which a and
// b (trees) start to differ: the entries before it are byte-for-byte the
// same, so they need no parsing. Most commits change one or two of
// thousands of entries.
func skipEqual(a, b []byte) int { return entriesWithin(a, commonPrefix(a, b)) }

// entriesWithin is the end of the last whole entry of tree a within its
// first l bytes.
func entriesWithin(a []byte, l int) int {
	p := 0
	for {
		nul := bytes.IndexByte(a[p:], 0)
		if nul < 0 || p+nul+21 > l {
			return p
		}
		p += nul + 21
	}
}

// diff lists the files that differ between two trees (either may be the
// zero hash), descending only into subtrees whose hashes differ.
func (t *trees) diff(a, b plumbing.Hash, prefix string, out []fileChange) ([]fileChange, error) {
	if a == b {
		return out, nil
	}
	ca, cb, err := t.cursors(a, b)
	if err != nil {
		return out, err
	}
	for ca.ok || cb.ok {
		if ca.ok && cb.ok {
			same, skipped, err := skipRun(&ca, &cb)
			if err != nil || same {
				return out, err
			}
			if skipped {
				continue
			}
		}
		out, err = t.step(&ca, &cb, prefix, out)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// cursors opens both trees (a zero hash is an empty tree), past their
// common run of leading entries.
func (t *trees) cursors(a, b plumbing.Hash) (ca, cb cursor, err error) {
	if !a.IsZero() {
		if ca.rest, err = t.read(a); err != nil {
			return ca, cb, err
		}
	}
	if !b.IsZero() {
		if cb.rest, err = t.read(b); err != nil {
			return ca, cb, err
		}
	}
	if len(ca.rest) > 0 && len(cb.rest) > 0 {
		p := skipEqual(ca.rest, cb.rest)
		ca.rest, cb.rest = ca.rest[p:], cb.rest[p:]
	}
	if err := ca.next(); err != nil {
		return ca, cb, err
	}
	return ca, cb, cb.next()
}

// skipRun skips the run of identical entries at both cursors at once:
// comparing the whole rest at every entry would cost the square of the
// distance between two changed entries. same means the rest is identical.
func skipRun(ca, cb *cursor) (same, skipped bool, err error) {
	l := commonPrefix(ca.cur, cb.cur)
	if l == len(ca.cur) && l == len(cb.cur) {
		return true, false, nil
	}
	p := entriesWithin(ca.cur, l)
	if p == 0 {
		return false, false, nil
	}
	ca.rest, cb.rest = ca.cur[p:], cb.cur[p:]
	if err := ca.next(); err != nil {
		return false, true, err
	}
	return false, true, cb.next()
}

// step compares the entries at both cursors and advances past the smaller
// name (or both when the names are equal).
func (t *trees) step(ca, cb *cursor, prefix string, out []fileChange) ([]fileChange, error) {
	c := 0
	switch {
	case !ca.ok:
		c = 1
	case !cb.ok:
		c = -1
	default:
		c = compareNames(ca.e, cb.e)
	}
	var err error
	switch {
	case c < 0:
		if out, err = t.side(ca.e, prefix, true, out); err != nil {
			return out, err
		}
		return out, ca.next()
	case c > 0:
		if out, err = t.side(cb.e, prefix, false, out); err != nil {
			return out, err
		}
		return out, cb.next()
	}
	if out, err = t.pair(ca.e, cb.e, prefix, out); err != nil {
		return out, err
	}
	if err := ca.next(); err != nil {
		return out, err
	}
	return out, cb.next()
}

// pair records the difference between two entries of the same name.
func (t *trees) pair(x, y entry, prefix string, out []fileChange) ([]fileChange, error) {
	if x.hash == y.hash && x.dir == y.dir && x.link == y.link {
		return out, nil
	}
	switch {
	case x.dir && y.dir:
		return t.diff(x.hash, y.hash, prefix+string(x.name)+"/", out)
	case x.dir != y.dir:
		out, err := t.side(x, prefix, true, out)
		if err != nil {
			return out, err
		}
		return t.side(y, prefix, false, out)
	}
	return append(out, fileChange{path: prefix + string(x.name), old: x.hash, new: y.hash}), nil
}

// side records an entry present on one side only (old when deleted).
func (t *trees) side(e entry, prefix string, deleted bool, out []fileChange) ([]fileChange, error) {
	if e.dir {
		if deleted {
			return t.diff(e.hash, plumbing.ZeroHash, prefix+string(e.name)+"/", out)
		}
		return t.diff(plumbing.ZeroHash, e.hash, prefix+string(e.name)+"/", out)
	}
	fc := fileChange{path: prefix + string(e.name)}
	if deleted {
		fc.old = e.hash
	} else {
		fc.new = e.hash
	}
	return append(out, fc), nil
}
