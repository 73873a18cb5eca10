package history

import (
	"bytes"
	"fmt"
	"io"

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

// trees reads raw tree objects, keeping the last few: a linear walk reads
// each tree as a child, then again as the next commit's parent.
type trees struct {
	s     storer.EncodedObjectStorer
	cache map[plumbing.Hash][]entry
	order []plumbing.Hash
}

func newTrees(s storer.EncodedObjectStorer) *trees {
	return &trees{s: s, cache: map[plumbing.Hash][]entry{}}
}

const treeCacheSize = 64

// read parses a tree object without allocating a string per entry, which
// matters for a folder of thousands of demands read at every commit.
func (t *trees) read(h plumbing.Hash) ([]entry, error) {
	if es, ok := t.cache[h]; ok {
		return es, nil
	}
	obj, err := t.s.EncodedObject(plumbing.TreeObject, h)
	if err != nil {
		return nil, fmt.Errorf("reading tree %s: %w", h, err)
	}
	r, err := obj.Reader()
	if err != nil {
		return nil, err
	}
	data := make([]byte, 0, obj.Size())
	buf := bytes.NewBuffer(data)
	_, err = io.Copy(buf, r)
	r.Close()
	if err != nil {
		return nil, err
	}
	data = buf.Bytes()
	var es []entry
	for len(data) > 0 {
		sp := bytes.IndexByte(data, ' ')
		if sp < 0 {
			return nil, fmt.Errorf("tree %s is corrupt", h)
		}
		mode := data[:sp]
		data = data[sp+1:]
		nul := bytes.IndexByte(data, 0)
		if nul < 0 || len(data) < nul+21 {
			return nil, fmt.Errorf("tree %s is corrupt", h)
		}
		e := entry{name: data[:nul], dir: string(mode) == "40000", link: string(mode) == "120000"}
		copy(e.hash[:], data[nul+1:nul+21])
		data = data[nul+21:]
		if string(mode) == "160000" { // submodule: not part of the registry
			continue
		}
		es = append(es, e)
	}
	t.cache[h] = es
	t.order = append(t.order, h)
	if len(t.order) > treeCacheSize {
		delete(t.cache, t.order[0])
		t.order = t.order[1:]
	}
	return es, nil
}

// sub returns the hash of the subtree at a slash-separated path under
// root ("" is root itself), or the zero hash when it does not exist.
func (t *trees) sub(root plumbing.Hash, path string) (plumbing.Hash, error) {
	h := root
	for path != "" {
		var part string
		part, path, _ = cutSlash(path)
		es, err := t.read(h)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		found := false
		for _, e := range es {
			if e.dir && string(e.name) == part {
				h, found = e.hash, true
				break
			}
		}
		if !found {
			return plumbing.ZeroHash, nil
		}
	}
	return h, nil
}

func cutSlash(p string) (string, string, bool) {
	if i := bytes.IndexByte([]byte(p), '/'); i >= 0 {
		return p[:i], p[i+1:], true
	}
	return p, "", false
}

// fileChange is one changed file between two trees; a zero hash means
// absent on that side.
type fileChange struct {
	path     string
	old, new plumbing.Hash
}

// compareNames orders entries as git does: a directory sorts as if its
// name ended in '/'.
func compareNames(a entry, b entry) int {
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

// diff lists the files that differ between two trees (either may be the
// zero hash), descending only into subtrees whose hashes differ.
func (t *trees) diff(a, b plumbing.Hash, prefix string, out []fileChange) ([]fileChange, error) {
	if a == b {
		return out, nil
	}
	var ea, eb []entry
	var err error
	if !a.IsZero() {
		if ea, err = t.read(a); err != nil {
			return out, err
		}
	}
	if !b.IsZero() {
		if eb, err = t.read(b); err != nil {
			return out, err
		}
	}
	i, j := 0, 0
	for i < len(ea) || j < len(eb) {
		var c int
		switch {
		case i >= len(ea):
			c = 1
		case j >= len(eb):
			c = -1
		default:
			c = compareNames(ea[i], eb[j])
		}
		switch {
		case c < 0:
			out, err = t.side(ea[i], prefix, true, out)
			i++
		case c > 0:
			out, err = t.side(eb[j], prefix, false, out)
			j++
		default:
			x, y := ea[i], eb[j]
			i++
			j++
			if x.hash == y.hash && x.dir == y.dir && x.link == y.link {
				continue
			}
			switch {
			case x.dir && y.dir:
				out, err = t.diff(x.hash, y.hash, prefix+string(x.name)+"/", out)
			case x.dir != y.dir:
				if out, err = t.side(x, prefix, true, out); err == nil {
					out, err = t.side(y, prefix, false, out)
				}
			default:
				out = append(out, fileChange{path: prefix + string(x.name), old: x.hash, new: y.hash})
			}
		}
		if err != nil {
			return out, err
		}
	}
	return out, nil
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

// file finds a file's blob hash in a tree by path, or the zero hash.
func (t *trees) file(root plumbing.Hash, p string) (plumbing.Hash, error) {
	dir, name := "", p
	if i := bytes.LastIndexByte([]byte(p), '/'); i >= 0 {
		dir, name = p[:i], p[i+1:]
	}
	h, err := t.sub(root, dir)
	if err != nil || h.IsZero() {
		return plumbing.ZeroHash, err
	}
	es, err := t.read(h)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	for _, e := range es {
		if !e.dir && string(e.name) == name {
			return e.hash, nil
		}
	}
	return plumbing.ZeroHash, nil
}
