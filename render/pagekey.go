package render

import (
	"hash/maphash"

	"github.com/gohugoio/hashstructure"
)

// pageKey hashes what a page is made from for the page cache: its
// template's and path's prefix and what of its data a template can show.
// hashstructure walks the data's exported fields (templates see no
// others), map entries in any order and what pointers point to, without
// encoding any text. It reports false for data it cannot hash (functions,
// channels), which is then not cached.
func pageKey(seed maphash.Seed, prefix string, data any) (uint64, bool) {
	h := new(maphash.Hash)
	h.SetSeed(seed)
	k, err := hashstructure.Hash(struct {
		Prefix string
		Data   any
	}{prefix, data}, &hashstructure.HashOptions{Hasher: h})
	return k, err == nil
}
