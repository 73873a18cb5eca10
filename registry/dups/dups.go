// Package dups finds near-duplicate demands that are not linked yet.
//
// Each demand becomes two token sets, its title and its title plus body:
// English words, lower-cased, stop words dropped and lightly stemmed, and
// Han text as character bigrams (so 导出报表 and 报表导出 share 报表). A
// one-permutation MinHash signature of each set goes into an LSH index of
// bands; only demands sharing a band are compared exactly, so the work
// grows with the number of demands, not its square.
package dups

import (
	"bytes"
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/demand-registry/demand/internal/par"
	"github.com/demand-registry/demand/registry"
)

const (
	sigSize = 64 // signature slots
	rows    = 4  // rows per LSH band: a pair at Jaccard 0.5 shares a band with p ≈ 0.64, at 0.7 with p ≈ 0.998
	// exactBelow is the registry size up to which every pair is compared
	// exactly, without LSH.
	exactBelow = 2000
	bands      = sigSize / rows
	// maxBucket bounds the demands compared pairwise within one band bucket.
	maxBucket = 64
)

// Pair is two similar demands; A < B.
type Pair struct {
	A          string  `json:"a"`
	B          string  `json:"b"`
	Similarity float64 `json:"similarity"` // the larger of the title and the whole-text Jaccard similarity
	TitleA     string  `json:"title_a"`
	TitleB     string  `json:"title_b"`
}

type doc struct {
	id, title string
	title0    []uint64 // sorted token hashes of the title
	all       []uint64 // title and body
}

// tokenizer holds buffers reused between texts.
type tokenizer struct {
	word, tok []byte
	han       []rune
	hashes    []uint64
}

var tokenizers = sync.Pool{New: func() any { return new(tokenizer) }}

// run calls emit with each token of s, in a buffer reused between calls:
// lower-cased words (stop words and single letters dropped, lightly
// stemmed) and Han character bigrams (a lone Han character on its own).
func (tz *tokenizer) run(s string, emit func([]byte)) {
	word, tok, han := tz.word[:0], tz.tok[:0], tz.han[:0]
	flushWord := func() {
		if len(word) > 1 && !stop[string(word)] {
			emit(stem(word))
		}
		word = word[:0]
	}
	flushHan := func() {
		switch {
		case len(han) == 1:
			tok = utf8.AppendRune(tok[:0], han[0])
			emit(tok)
		case len(han) > 1:
			for i := 0; i+1 < len(han); i++ {
				tok = utf8.AppendRune(tok[:0], han[i])
				tok = utf8.AppendRune(tok, han[i+1])
				emit(tok)
			}
		}
		han = han[:0]
	}
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9'):
			flushHan()
			word = append(word, byte(r))
		case r < utf8.RuneSelf && r >= 'A' && r <= 'Z':
			flushHan()
			word = append(word, byte(r+'a'-'A'))
		case r >= 0x2E80 && unicode.Is(unicode.Han, r):
			flushWord()
			han = append(han, r)
		case r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			flushHan()
			word = utf8.AppendRune(word, unicode.ToLower(r))
		default:
			flushWord()
			flushHan()
		}
	}
	flushWord()
	flushHan()
	tz.word, tz.tok, tz.han = word, tok, han
}

var stop = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields("a an and are as at be by can for from has have in is it its of on or our should so that the their them they this to was we when which will with without not no all any each every only into more than then there these those what who how do does be been being would could you your need needs") {
		m[w] = true
	}
	return m
}()

// stem strips common English suffixes: lightly, so that "exports",
// "exported" and "exporting" meet while short words stay whole.
func stem(w []byte) []byte {
	for _, suf := range [][]byte{[]byte("ing"), []byte("ed"), []byte("es"), []byte("s"), []byte("ly")} {
		if len(w) > len(suf)+3 && bytes.HasSuffix(w, suf) {
			return w[:len(w)-len(suf)]
		}
	}
	return w
}

// hashSet returns the sorted, distinct token hashes of texts, in a slice
// of exactly the right size.
func hashSet(texts ...string) []uint64 {
	tz := tokenizers.Get().(*tokenizer)
	defer tokenizers.Put(tz)
	hs := tz.hashes[:0]
	for _, t := range texts {
		tz.run(t, func(tok []byte) { hs = append(hs, fnv64(tok)) })
	}
	slices.Sort(hs)
	hs = slices.Compact(hs)
	tz.hashes = hs
	return slices.Clone(hs)
}

// signature is a one-permutation MinHash with optimal densification.
func signature(set []uint64) [sigSize]uint64 {
	var sig [sigSize]uint64
	for i := range sig {
		sig[i] = math.MaxUint64
	}
	for _, h := range set {
		h = mix(h)
		b := h % sigSize
		if v := h / sigSize; v < sig[b] {
			sig[b] = v
		}
	}
	// Optimal densification (Shrivastava 2017): an empty slot borrows the
	// value of a filled slot chosen by a hash of (slot, attempt), not its
	// neighbour, so small sets do not fill whole bands with one token.
	var filled [sigSize]bool
	n := 0
	for i := range sig {
		if sig[i] != math.MaxUint64 {
			filled[i] = true
			n++
		}
	}
	if n == 0 {
		return sig
	}
	for i := range sig {
		if filled[i] {
			continue
		}
		for attempt := uint64(1); ; attempt++ {
			j := mix(uint64(i)<<32|attempt) % sigSize
			if filled[j] {
				sig[i] = sig[j]
				break
			}
		}
	}
	return sig
}

// fnv64 is FNV-1a: a fixed hash, so results never vary between runs.
func fnv64(s []byte) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

func mix(x uint64) uint64 { // splitmix64 finalizer
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

func jaccard(a, b []uint64) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	i, j, inter := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			inter++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}

// Find returns every pair of demands more similar than threshold that are
// not linked to each other (by any link, or as duplicates of one original),
// most similar first.
func Find(s *registry.Snapshot, threshold float64) []Pair {
	docs := make([]doc, len(s.Demands))
	_ = par.For(len(docs), 0, func(i int) error {
		d := s.Demands[i]
		docs[i] = doc{id: d.ID, title: d.Title, title0: hashSet(d.Title), all: hashSet(d.Title, d.Body)}
		return nil
	})
	dropBoilerplate(docs)
	var cand []uint64
	if len(docs) <= exactBelow {
		for i := range docs {
			for j := i + 1; j < len(docs); j++ {
				cand = append(cand, uint64(i)<<32|uint64(j))
			}
		}
	} else {
		cand = lshCandidates(docs)
	}
	var out []Pair
	for _, c := range cand {
		a, b := &docs[c>>32], &docs[c&0xffffffff]
		sim := math.Max(jaccard(a.title0, b.title0), jaccard(a.all, b.all))
		if sim < threshold || linked(s, a.id, b.id) {
			continue
		}
		if a.id > b.id {
			a, b = b, a
		}
		out = append(out, Pair{A: a.id, B: b.id, Similarity: math.Round(sim*100) / 100, TitleA: a.title, TitleB: b.title})
	}
	slices.SortFunc(out, func(x, y Pair) int {
		return cmp.Or(cmp.Compare(y.Similarity, x.Similarity), cmp.Compare(x.A, y.A), cmp.Compare(x.B, y.B))
	})
	return out
}

func linked(s *registry.Snapshot, a, b string) bool {
	da, db := s.Get(a), s.Get(b)
	for _, l := range da.AllLinks() {
		if l[1] == b {
			return true
		}
	}
	for _, l := range db.AllLinks() {
		if l[1] == a {
			return true
		}
	}
	return da.Links.DuplicateOf != "" && da.Links.DuplicateOf == db.Links.DuplicateOf
}

// Findings reports each pair as a warning on the later demand's title.
func Findings(s *registry.Snapshot, pairs []Pair) registry.Findings {
	var fs registry.Findings
	for _, p := range pairs {
		d := s.Get(p.B)
		pos := d.At("title")
		fs = append(fs, registry.Finding{Path: d.Path, Line: pos.Line, Col: pos.Col, Severity: registry.Warning, Rule: "near-duplicate",
			Message: fmtPair(p), Hint: "if it is the same demand, set status: duplicate and links.duplicate_of: " + p.A + "; otherwise link them with links.related"})
	}
	return fs
}

func fmtPair(p Pair) string {
	return fmt.Sprintf("%s looks like a duplicate of %s (%s), similarity %.2f", p.B, p.A, p.TitleA, p.Similarity)
}

// sigs holds a document's LSH band keys: each band's rows of the MinHash
// signature hashed to one number (0: no signature).
type sigs struct{ title, all [bands]uint64 }

// bandKeys hashes a set's signature band by band.
func bandKeys(set []uint64, which int) (keys [bands]uint64) {
	if len(set) < 2 {
		return keys
	}
	sig := signature(set)
	for band := range bands {
		h := uint64(band)*0x9e3779b97f4a7c15 + uint64(which)
		for r := 0; r < rows; r++ {
			h = mix(h ^ sig[band*rows+r])
		}
		keys[band] = h | 1 // never 0
	}
	return keys
}

// lshCandidates returns the pairs of documents that share a band of their
// title or whole-text signatures.
func lshCandidates(docs []doc) []uint64 {
	sg := make([]sigs, len(docs))
	_ = par.For(len(docs), 0, func(i int) error {
		sg[i].title = bandKeys(docs[i].title0, 0)
		sg[i].all = bandKeys(docs[i].all, 1)
		return nil
	})
	// Candidate pairs: documents sharing any band of either signature,
	// collected as packed index pairs, then sorted and deduplicated (a
	// slice is several times faster than a map here).
	// The title and the whole-text bands are independent: index them on
	// two goroutines.
	var parts [2][]uint64
	var wg sync.WaitGroup
	for which := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			parts[which] = bandPairs(docs, sg, which)
		}()
	}
	wg.Wait()
	cand := append(parts[0], parts[1]...)
	slices.Sort(cand)
	cand = slices.Compact(cand)
	return cand
}

// dropBoilerplate removes tokens found in more than one document in twenty
// (template headings such as "Background" or 验收标准): they say nothing
// about duplication and would make every pair look alike.
func dropBoilerplate(docs []doc) {
	limit := max(20, len(docs)/20)
	df := map[uint64]int{}
	for _, d := range docs {
		for _, h := range d.all {
			df[h]++
		}
	}
	keep := func(h uint64) bool { return df[h] > limit }
	for i := range docs {
		docs[i].all = slices.DeleteFunc(docs[i].all, keep)
		docs[i].title0 = slices.DeleteFunc(docs[i].title0, keep)
	}
}

// bandPairs returns the candidate pairs from one kind of signature (0:
// title, 1: whole text).
func bandPairs(docs []doc, sg []sigs, which int) []uint64 {
	var cand []uint64
	// Per band, each bucket is a chain through next[], its head and size
	// packed in one map value; a document meets every earlier member of
	// its bucket as it is added, up to maxBucket members.
	head := make(map[uint64]uint64, len(docs))
	next := make([]int32, len(docs))
	for band := 0; band < bands; band++ {
		clear(head)
		for i := range docs {
			h := sg[i].all[band]
			if which == 0 {
				h = sg[i].title[band]
			}
			if h == 0 {
				continue
			}
			v, ok := head[h]
			if !ok {
				next[i] = -1
				head[h] = uint64(i) | 1<<32
				continue
			}
			size := int(v >> 32)
			if size >= maxBucket {
				// A bucket this full is boilerplate shared by many
				// demands (a template body), not a duplicate.
				continue
			}
			for j := int32(v & 0xffffffff); j >= 0; j = next[j] {
				cand = append(cand, uint64(j)<<32|uint64(i))
			}
			next[i] = int32(v & 0xffffffff)
			head[h] = uint64(i) | uint64(size+1)<<32
		}
	}
	return cand
}
