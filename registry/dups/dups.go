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
	"cmp"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/demand-registry/demand/registry"
)

const (
	sigSize = 63 // signature slots
	rows    = 3  // rows per LSH band: candidates from Jaccard ≈ (1/21)^(1/3) ≈ 0.36 up
	bands   = sigSize / rows
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

// Tokens splits text into tokens: stemmed English words and Han bigrams.
func Tokens(s string) []string {
	var out []string
	var word []rune
	var han []rune
	flushWord := func() {
		if len(word) > 0 {
			w := strings.ToLower(string(word))
			if !stop[w] && len(word) > 1 {
				out = append(out, stem(w))
			}
			word = word[:0]
		}
	}
	flushHan := func() {
		switch {
		case len(han) == 1:
			out = append(out, string(han))
		case len(han) > 1:
			for i := 0; i+1 < len(han); i++ {
				out = append(out, string(han[i:i+2]))
			}
		}
		han = han[:0]
	}
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Han, r):
			flushWord()
			han = append(han, r)
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			flushHan()
			word = append(word, r)
		default:
			flushWord()
			flushHan()
		}
	}
	flushWord()
	flushHan()
	return out
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
func stem(w string) string {
	for _, suf := range []string{"ing", "ed", "es", "s", "ly"} {
		if len(w) > len(suf)+3 && strings.HasSuffix(w, suf) {
			return w[:len(w)-len(suf)]
		}
	}
	return w
}

func hashSet(tokens []string) []uint64 {
	hs := make([]uint64, 0, len(tokens))
	for _, t := range tokens {
		hs = append(hs, fnv64(t))
	}
	slices.Sort(hs)
	return slices.Compact(hs)
}

// signature is a one-permutation MinHash with rotation densification.
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
	// Fill empty slots from the next filled one, marking the distance.
	for i := range sig {
		if sig[i] != math.MaxUint64 {
			continue
		}
		for k := 1; k < sigSize; k++ {
			j := (i + k) % sigSize
			if sig[j] != math.MaxUint64 && sig[j]>>56 == 0 {
				sig[i] = sig[j] + uint64(k)<<56
				break
			}
		}
	}
	return sig
}

// fnv64 is FNV-1a: a fixed hash, so results never vary between runs.
func fnv64(s string) uint64 {
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
	type sigs struct{ title, all [sigSize]uint64 }
	sg := make([]sigs, len(s.Demands))
	parallel(len(docs), func(i int) {
		d := s.Demands[i]
		docs[i] = doc{id: d.ID, title: d.Title, title0: hashSet(Tokens(d.Title))}
		docs[i].all = hashSet(append(Tokens(d.Title), Tokens(d.Body)...))
		sg[i].title = signature(docs[i].title0)
		sg[i].all = signature(docs[i].all)
	})
	// Candidate pairs: documents sharing any band of either signature.
	cand := map[[2]int32]struct{}{}
	bucket := make(map[uint64][]int32, len(docs))
	for _, which := range []int{0, 1} {
		for band := 0; band < bands; band++ {
			clear(bucket)
			for i := range docs {
				sig := &sg[i].all
				if which == 1 && len(docs[i].all) == 0 {
					continue
				}
				if which == 0 {
					if len(docs[i].title0) == 0 {
						continue
					}
					sig = &sg[i].title
				}
				h := uint64(band)*0x9e3779b97f4a7c15 + uint64(which)
				for r := 0; r < rows; r++ {
					h = mix(h ^ sig[band*rows+r])
				}
				bucket[h] = append(bucket[h], int32(i))
			}
			for _, ids := range bucket {
				if len(ids) < 2 || len(ids) > 500 { // a huge bucket is boilerplate, not a duplicate
					continue
				}
				for x := 0; x < len(ids); x++ {
					for y := x + 1; y < len(ids); y++ {
						cand[[2]int32{ids[x], ids[y]}] = struct{}{}
					}
				}
			}
		}
	}
	var out []Pair
	for c := range cand {
		a, b := &docs[c[0]], &docs[c[1]]
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

func parallel(n int, f func(i int)) {
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	next := make(chan int, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}
