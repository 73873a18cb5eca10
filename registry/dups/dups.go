// Package dups finds near-duplicate demands that are not linked yet.
//
// Each demand becomes a weighted bag of terms (see terms.go): English
// words, stemmed, stop words dropped but negations kept; Han text as single
// characters and character bigrams. A term's weight is its inverse
// document frequency on the registry, so a product name that most demands
// mention counts for little but is not thrown away, times a field weight
// (the title above the body). Lines of the body that many demands share
// (the headings and prompts of the body template) are left out. Two
// mostly Chinese demands are as similar as the cosine of their vectors,
// others as their weighted Jaccard (see overlap), lowered when one title
// is negated and the other is not.
//
// Up to exactBelow demands every pair is compared; above that, a
// one-permutation MinHash signature of each demand's rarer terms goes into
// an LSH index of bands, and only demands sharing a band are compared, so
// the work grows with the number of demands, not its square.
package dups

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/demand-registry/demand/registry/config"
	"github.com/demand-registry/demand/registry/finding"

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

// Weights of the similarity, calibrated with scripts/bench-dups (see
// registry/dups/testdata/README).
const (
	titleWeight = 2.0 // a title term counts this many body occurrences
	han1Weight  = 2.5 // a single Han character, against a bigram or a word
	// A word counts as much as a two-character Han word does through its
	// characters and bigram, so that "Excel" and "PDF" weigh in Chinese
	// titles; a function word counts less.
	wordWeight = 3.0
	stopWeight = 1.8
	negPenalty = 0.75 // similarity kept when one title is negated and the other not
	// hanGamma calibrates the similarity of two mostly Chinese titles as
	// sim^hanGamma: on the Chinese sets a cosine of 0.45 is as telling as
	// 0.65 on the English ones (character terms overlap more by chance
	// than words do), so one threshold serves both.
	hanGamma = 0.54
	// wordGamma does the same for the weighted Jaccard of other titles,
	// which is lower than their cosine: at 0.65 it keeps precision above
	// 0.75 and recall near 0.6 on both MRPC splits.
	wordGamma = 0.6
)

// Pair is two similar demands; A < B.
type Pair struct {
	A          string  `json:"a"`
	B          string  `json:"b"`
	Similarity float64 `json:"similarity"` // cosine of the weighted term vectors, 0 to 1
	TitleA     string  `json:"title_a"`
	TitleB     string  `json:"title_b"`
	// Terms, with --explain, are the shared terms that made the pair
	// similar, largest share first.
	Terms []Term `json:"terms,omitempty"`
}

// Term is a shared term and its share of a pair's similarity.
type Term struct {
	Text   string  `json:"text"`
	Weight float64 `json:"weight"`
}

type doc struct {
	id, title string
	hs        []uint64  // sorted term hashes
	ws        []float32 // their weights, the vector of unit length
	l1        float64   // the sum of ws
	neg       bool      // the title is negated
	han       bool      // mostly Chinese
	title0    []uint64  // LSH set: the title's rarer terms
	all       []uint64  // LSH set: all rarer terms
}

// Index holds the weighted terms of every demand of a snapshot.
type Index struct {
	s    *registry.Snapshot
	docs []doc
	pos  map[string]int
}

// dfTable holds document frequencies in shards by the hash's top bits,
// so that they are counted in parallel.
type dfTable [dfShards]map[uint64]int32

const dfShards = 16

func (t *dfTable) get(h uint64) int32 { return t[h>>60][h] }

// documentFrequencies counts in how many documents each term is. Each
// shard takes its range of hashes from every document's sorted terms.
func documentFrequencies(docs []doc) *dfTable {
	var t dfTable
	_ = par.For(dfShards, 0, func(shard int) error {
		m := make(map[uint64]int32)
		lo := uint64(shard) << 60
		for i := range docs {
			hs := docs[i].hs
			k, _ := slices.BinarySearch(hs, lo)
			for ; k < len(hs) && hs[k]>>60 == uint64(shard); k++ {
				m[hs[k]]++
			}
		}
		t[shard] = m
		return nil
	})
	return &t
}

// hashTerm hashes a term. Bit 0 is left clear (terms marks title terms
// with it while counting); bits 1–2 hold the kind, so that the LSH sets can
// leave single Han characters out and the weights know the kind.
func hashTerm(tok []byte, kind int) uint64 {
	return fnv64(tok)&^7 | uint64(kind)<<1
}

func termKind(h uint64) int { return int(h>>1) & 3 }

var kindWeight = [4]float32{kindWord: wordWeight, kindHan1: han1Weight, kindHan2: 1, kindStop: stopWeight}

// terms returns the terms of a title and a body (boilerplate lines already
// left out), sorted by hash, one per term, with its weight: the
// field-weighted, dampened count times the kind's weight; and the hashes
// of the title's terms.
func terms(title string, body []string) (hs []uint64, ws []float32, titleHs []uint64) {
	tz := tokenizers.Get().(*tokenizer)
	defer tokenizers.Put(tz)
	raw := tz.raw[:0]
	var field uint64 = 1
	emit := func(tok []byte, kind int) { raw = append(raw, hashTerm(tok, kind)|field) }
	tz.run(title, emit)
	field = 0
	for _, l := range body {
		tz.run(l, emit)
	}
	slices.Sort(raw)
	distinct := 0
	for i := range raw {
		if i == 0 || raw[i]&^1 != raw[i-1]&^1 {
			distinct++
		}
	}
	hs = make([]uint64, 0, distinct)
	ws = make([]float32, 0, distinct)
	for i := 0; i < len(raw); {
		h := raw[i] &^ 1
		j, inTitle, n := i, false, 0
		for ; j < len(raw) && raw[j]&^1 == h; j++ {
			if raw[j]&1 == 1 {
				inTitle = true
			} else {
				n++
			}
		}
		w := float32(math.Log1p(float64(n)))
		if inTitle {
			w += titleWeight
			titleHs = append(titleHs, h)
		}
		hs = append(hs, h)
		ws = append(ws, w*kindWeight[termKind(h)])
		i = j
	}
	tz.raw = raw
	return hs, ws, titleHs
}

// bodyLines splits a body into lines, trimmed, without empty ones.
func bodyLines(body string) []string {
	var out []string
	for rest := body; rest != ""; {
		var l string
		l, rest, _ = strings.Cut(rest, "\n")
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// NewIndex weighs the terms of every demand of s.
func NewIndex(ctx context.Context, s *registry.Snapshot) (*Index, error) {
	n := len(s.Demands)
	ix := &Index{s: s, docs: make([]doc, n), pos: make(map[string]int, n)}
	lines := make([][]string, n)
	_ = par.For(n, 0, func(i int) error {
		lines[i] = bodyLines(s.Demands[i].Body)
		return nil
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// A line that many demands share is boilerplate: a heading or a
	// prompt of the body template ("## Background", 验收标准).
	lineDF := map[uint64]int{}
	var hs []uint64
	for _, ls := range lines {
		hs = hs[:0]
		for _, l := range ls {
			hs = append(hs, fnv64s(l))
		}
		slices.Sort(hs)
		for _, h := range slices.Compact(hs) {
			lineDF[h]++
		}
	}
	boiler := max(3, n/10)
	_ = par.For(n, 0, func(i int) error {
		d := s.Demands[i]
		body := slices.DeleteFunc(lines[i], func(l string) bool { return lineDF[fnv64s(l)] >= boiler || isTemplateLine(l) })
		hs, ws, th := terms(d.Title, body)
		ix.docs[i] = doc{id: d.ID, title: d.Title, hs: hs, ws: ws, neg: negated(d.Title), han: hanShare(d.Title) >= 0.5}
		if n > exactBelow {
			ix.docs[i].title0 = th
		}
		return nil
	})
	lines = nil
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for i := range ix.docs {
		ix.pos[ix.docs[i].id] = i
	}
	df := documentFrequencies(ix.docs)
	lshLimit := int32(max(20, n/20))
	lshTerm := func(h uint64, df int32) bool { return termKind(h) != kindHan1 && df <= lshLimit }
	_ = par.For(n, 0, func(i int) error {
		d := &ix.docs[i]
		var norm float64
		for k, h := range d.hs {
			f := df.get(h)
			w := float64(d.ws[k]) * idf(n, int(f))
			d.ws[k] = float32(w)
			norm += w * w
			if n > exactBelow && lshTerm(h, f) {
				d.all = append(d.all, h)
			}
		}
		if norm > 0 {
			norm = 1 / math.Sqrt(norm)
			for k := range d.ws {
				d.ws[k] *= float32(norm)
				d.l1 += float64(d.ws[k])
			}
		}
		d.title0 = slices.DeleteFunc(d.title0, func(h uint64) bool { return !lshTerm(h, df.get(h)) })
		return nil
	})
	return ix, ctx.Err()
}

// idf is the smoothed inverse document frequency of a term in df of n
// demands: a term in every demand still counts a little.
func idf(n, df int) float64 {
	return math.Log(float64(n+1)/float64(df+1)) + 1
}

// templateLines are the headings and prompts of the built-in body
// templates (`demand new`), left out even in a registry too small to
// tell them by their frequency.
var templateLines = map[string]bool{}

func init() {
	for _, l := range bodyLines(registry.BodyTemplate("en") + "\n" + registry.BodyTemplate("zh-CN")) {
		templateLines[l] = true
	}
}

func isTemplateLine(l string) bool { return templateLines[l] }

// similarity is the measure of two documents (see overlap), lowered when
// one title is negated and the other is not, and calibrated per language
// so that one threshold serves both.
func similarity(a, b *doc) float64 {
	sim := min(overlap(a, b, nil), 1)
	if sim > 0 {
		if a.han && b.han {
			sim = math.Pow(sim, hanGamma)
		} else {
			sim = math.Pow(sim, wordGamma)
		}
	}
	if a.neg != b.neg {
		sim *= negPenalty
	}
	return sim
}

// overlap measures two documents' vectors: the cosine for two mostly
// Chinese titles, the weighted Jaccard (Ruzicka) of the unit vectors for
// the others. Weighted Jaccard divides by the weight either holds, so
// the part one text adds counts against the pair twice as much as under
// the cosine; on English sentences that tells "the same plus a clause"
// from a paraphrase (ROC AUC +0.015 on both MRPC splits), while on the
// Chinese sets it is no better (±0.01). With share not nil, it is called
// with each shared term's index in a and its part of the result.
func overlap(a, b *doc, share func(k int, part float64)) float64 {
	cosine := a.han && b.han
	part := func(x, y float64) float64 {
		if cosine {
			return x * y
		}
		return min(x, y)
	}
	// The loop of eachShared, written out: it runs for every candidate pair.
	var sum float64
	for i, j := 0, 0; i < len(a.hs) && j < len(b.hs); {
		switch {
		case a.hs[i] == b.hs[j]:
			sum += part(float64(a.ws[i]), float64(b.ws[j]))
			i++
			j++
		case a.hs[i] < b.hs[j]:
			i++
		default:
			j++
		}
	}
	// Under weighted Jaccard the shared minimum is divided by the union's
	// maximum: for a shared term max = x + y − min, so the union holds
	// both vectors' weight less the shared minimum.
	denom := 1.0
	if !cosine {
		if denom = a.l1 + b.l1 - sum; denom <= 0 {
			return 0
		}
	}
	if share != nil {
		eachShared(a, b, func(k int, x, y float64) { share(k, part(x, y)/denom) })
	}
	return sum / denom
}

// eachShared calls f with the index in a and the two weights of each term
// a and b share.
func eachShared(a, b *doc, f func(k int, x, y float64)) {
	i, j := 0, 0
	for i < len(a.hs) && j < len(b.hs) {
		switch {
		case a.hs[i] == b.hs[j]:
			f(i, float64(a.ws[i]), float64(b.ws[j]))
			i++
			j++
		case a.hs[i] < b.hs[j]:
			i++
		default:
			j++
		}
	}
}

// Similarity is the similarity of two demands of the index by ID (0 when
// one is not in it).
func (ix *Index) Similarity(a, b string) float64 {
	i, ok1 := ix.pos[a]
	j, ok2 := ix.pos[b]
	if !ok1 || !ok2 {
		return 0
	}
	return similarity(&ix.docs[i], &ix.docs[j])
}

// Find returns every pair of demands more similar than threshold that are
// not linked to each other (by any link, or as duplicates of one original),
// most similar first.
func Find(s *registry.Snapshot, threshold float64) []Pair {
	ix, err := NewIndex(context.Background(), s)
	if err != nil {
		return nil
	}
	pairs, _ := ix.Pairs(context.Background(), threshold)
	return pairs
}

// Pairs returns the pairs of the index more similar than threshold,
// compared at the two decimals shown, and not linked.
func (ix *Index) Pairs(ctx context.Context, threshold float64) ([]Pair, error) {
	docs := ix.docs
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
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var mu sync.Mutex
	var out []Pair
	const chunk = 1 << 14
	_ = par.For((len(cand)+chunk-1)/chunk, 0, func(c int) error {
		var mine []Pair
		for _, pc := range cand[c*chunk : min(len(cand), (c+1)*chunk)] {
			a, b := &docs[pc>>32], &docs[pc&0xffffffff]
			sim := math.Round(similarity(a, b)*100) / 100
			if sim <= threshold || linked(ix.s, a.id, b.id) {
				continue
			}
			if a.id > b.id {
				a, b = b, a
			}
			mine = append(mine, Pair{A: a.id, B: b.id, Similarity: sim, TitleA: a.title, TitleB: b.title})
		}
		mu.Lock()
		out = append(out, mine...)
		mu.Unlock()
		return nil
	})
	slices.SortFunc(out, func(x, y Pair) int {
		return cmp.Or(cmp.Compare(y.Similarity, x.Similarity), cmp.Compare(x.A, y.A), cmp.Compare(x.B, y.B))
	})
	return out, ctx.Err()
}

// Explain fills each pair's Terms with up to n shared terms, the largest
// contributions to its similarity first.
func (ix *Index) Explain(pairs []Pair, n int) {
	for k := range pairs {
		p := &pairs[k]
		i, ok1 := ix.pos[p.A]
		j, ok2 := ix.pos[p.B]
		if !ok1 || !ok2 {
			continue
		}
		a, b := &ix.docs[i], &ix.docs[j]
		names := ix.termNames(a)
		// Each term's share of the calibrated similarity.
		scale := 1.0
		if raw := overlap(a, b, nil); raw > 0 {
			scale = similarity(a, b) / raw
		}
		var ts []Term
		overlap(a, b, func(k int, part float64) {
			ts = append(ts, Term{Text: names[a.hs[k]], Weight: math.Round(part*scale*1000) / 1000})
		})
		slices.SortStableFunc(ts, func(s, t Term) int { return cmp.Or(cmp.Compare(t.Weight, s.Weight), cmp.Compare(s.Text, t.Text)) })
		if len(ts) > n {
			ts = ts[:n]
		}
		p.Terms = ts
	}
}

// termNames maps the hashes of a document's terms back to their text,
// tokenizing it again (the index keeps hashes only).
func (ix *Index) termNames(d *doc) map[uint64]string {
	dm := ix.s.Get(d.id)
	names := map[uint64]string{}
	tz := tokenizers.Get().(*tokenizer)
	defer tokenizers.Put(tz)
	emit := func(tok []byte, kind int) {
		h := hashTerm(tok, kind)
		if _, ok := names[h]; !ok {
			names[h] = string(tok)
		}
	}
	tz.run(dm.Title, emit)
	tz.run(dm.Body, emit)
	return names
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

// fnv64s is fnv64 of a string, without copying it.
func fnv64s(s string) uint64 {
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
func Findings(s *registry.Snapshot, pairs []Pair) finding.Findings {
	var fs finding.Findings
	for _, p := range pairs {
		d := s.Get(p.B)
		pos := d.At("title")
		if s.Config.TitleFromHeading() {
			pos = registry.Pos{Line: d.BodyLine, Col: 1}
			if _, l := registry.FirstHeading(d.Body); l > 0 {
				pos.Line += l - 1
			}
		}
		fs = append(fs, finding.Finding{Path: d.Path, Line: pos.Line, Col: pos.Col, Severity: finding.Warning, Rule: "near-duplicate",
			Message: fmtPair(p), Hint: dupHint(s.Config, p.A)})
	}
	return fs
}

// dupHint says how to mark a duplicate in the registry's own keys, or to
// merge the two where the registry has no way to mark one.
func dupHint(cfg *config.Config, original string) string {
	links := cfg.Key("links")
	if !cfg.HasRole("links") || links == "" {
		return "if it is the same demand, merge the two"
	}
	if cfg.HasRole("status") && cfg.Status("duplicate") != nil {
		return fmt.Sprintf("if it is the same demand, set %s: duplicate and %s.duplicate_of: %s; otherwise link them with %s.related", cfg.Key("status"), links, original, links)
	}
	return fmt.Sprintf("if it is the same demand, set %s.duplicate_of: %s; otherwise link them with %s.related", links, original, links)
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
