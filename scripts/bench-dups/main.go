// Command bench-dups measures near-duplicate detection on sets of labelled
// pairs: for each set, ROC AUC and precision, recall and F1 at the default
// threshold and at the threshold of best F1, for `demand dups` and for
// three baselines (character 1–2-gram Jaccard, character bigram Jaccard,
// TF-IDF cosine on character 1–3-grams).
//
// A set is a file NAME.tsv of lines "label<TAB>text<TAB>text" (label 1: a
// duplicate). Each text becomes one demand with that title, so the
// registry's term weights come from the set itself, as they would from a
// registry. Names starting with "heldout-" are sets not tuned on.
//
//	go run ./scripts/bench-dups                       # the sample in registry/dups/testdata
//	go run ./scripts/bench-dups -data /work/data-dups # the full sets
//	go run ./scripts/bench-dups -prepare RAW -data DIR # build the sets from the raw corpora (see testdata/README)
package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"

	"github.com/demand-registry/demand/registry/config"

	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/registry/dups"
)

type pair struct {
	dup  bool
	a, b string
}

func main() {
	data := flag.String("data", "registry/dups/testdata", "folder of sets (NAME.tsv)")
	prepare := flag.String("prepare", "", "build the sets into -data from this folder of raw corpora")
	brief := flag.Bool("brief", false, "one line per set: AUC of the tool and of the best baseline, P/R at the default")
	show := flag.Int("show", 0, "print this many false negatives and false positives per set")
	flag.Parse()
	if *prepare != "" {
		if err := prepareSets(*prepare, *data); err != nil {
			fmt.Fprintln(os.Stderr, "bench-dups:", err)
			os.Exit(1)
		}
		return
	}
	files, _ := filepath.Glob(filepath.Join(*data, "*.tsv"))
	if len(files) == 0 {
		fmt.Fprintln(os.Stderr, "bench-dups: no sets (*.tsv) in", *data)
		os.Exit(1)
	}
	threshold := config.Default().Duplicates.Threshold
	fmt.Printf("default threshold %.2f (baselines: 0.50); P/R/F1 at it, then at the threshold of best F1\n", threshold)
	fmt.Printf("%-22s %-16s %6s  %-17s  %-23s\n", "set", "method", "AUC", "P/R/F1 default", "P/R/F1 best-F1 (thr)")
	for _, f := range files {
		ps, err := readSet(f)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench-dups:", err)
			os.Exit(1)
		}
		name := strings.TrimSuffix(filepath.Base(f), ".tsv")
		npos := 0
		for _, p := range ps {
			if p.dup {
				npos++
			}
		}
		name = fmt.Sprintf("%s (%d+%d)", name, npos, len(ps)-npos)
		tool, reported := toolScores(ps, threshold)
		methods := []struct {
			name   string
			scores []float64
			pred   []bool
		}{
			{"demand dups", tool, reported},
			{"char1-2 Jaccard", jaccardScores(ps, 1, 2), nil},
			{"char2 Jaccard", jaccardScores(ps, 2, 2), nil},
			{"tfidf char1-3", tfidfScores(ps), nil},
		}
		if *brief {
			best := 0.0
			for _, m := range methods[1:] {
				best = max(best, auc(ps, m.scores))
			}
			p, r, _ := prf(ps, reported)
			a := auc(ps, tool)
			fmt.Printf("%-32s AUC %.3f base %.3f diff %+.3f  P %.2f R %.2f\n", name, a, best, a-best, p, r)
			if os.Getenv("SWEEP") != "" {
				for t := 0.2; t < 0.85; t += 0.05 {
					pred := make([]bool, len(ps))
					for i, s := range tool {
						pred[i] = math.Round(s*100)/100 > t
					}
					p, r, _ := prf(ps, pred)
					fmt.Printf("   %.2f:%.2f/%.2f", t, p, r)
				}
				fmt.Println()
			}
			continue
		}
		for _, m := range methods {
			pred := m.pred
			if pred == nil {
				pred = make([]bool, len(ps))
				for i, s := range m.scores {
					pred[i] = s > 0.5
				}
			}
			p, r, f1 := prf(ps, pred)
			bt, bp, br, bf := bestF1(ps, m.scores)
			fmt.Printf("%-22s %-16s %6.3f  %.2f/%.2f/%.2f    %.2f/%.2f/%.2f (%.2f)\n", name, m.name, auc(ps, m.scores), p, r, f1, bp, br, bf, bt)
			name = ""
		}
		if *show > 0 {
			printErrors(ps, tool, reported, *show)
		}
	}
}

func readSet(path string) ([]pair, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var ps []pair
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for line := 1; sc.Scan(); line++ {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) != 3 || cols[0] != "0" && cols[0] != "1" {
			return nil, fmt.Errorf("%s:%d: want label<TAB>text<TAB>text with label 0 or 1", path, line)
		}
		ps = append(ps, pair{dup: cols[0] == "1", a: cols[1], b: cols[2]})
	}
	return ps, sc.Err()
}

// toolScores makes a registry of the set's texts, one demand each, and
// returns the similarity of every pair and whether `demand dups` reports
// it at the threshold.
func toolScores(ps []pair, threshold float64) ([]float64, []bool) {
	cfg := config.Default()
	var ds []*registry.Demand
	id := func(i int) string { return fmt.Sprintf("D-%05d", i) }
	for i, p := range ps {
		ds = append(ds, &registry.Demand{ID: id(2 * i), Title: p.a, Path: id(2*i) + ".md"},
			&registry.Demand{ID: id(2*i + 1), Title: p.b, Path: id(2*i+1) + ".md"})
	}
	s := registry.NewSnapshot(cfg, ds)
	ix, err := dups.NewIndex(context.Background(), s)
	if err != nil {
		panic(err)
	}
	found, err := ix.Pairs(context.Background(), threshold)
	if err != nil {
		panic(err)
	}
	rep := map[[2]string]bool{}
	for _, p := range found {
		rep[[2]string{p.A, p.B}] = true
	}
	scores := make([]float64, len(ps))
	pred := make([]bool, len(ps))
	for i := range ps {
		scores[i] = ix.Similarity(id(2*i), id(2*i+1))
		pred[i] = rep[[2]string{id(2 * i), id(2*i + 1)}]
	}
	return scores, pred
}

// grams returns the character n-grams (lo ≤ n ≤ hi) of a text, lower-cased,
// letters and digits only.
func grams(s string, lo, hi int) []string {
	var rs []rune
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			rs = append(rs, r)
		}
	}
	var out []string
	for n := lo; n <= hi; n++ {
		for i := 0; i+n <= len(rs); i++ {
			out = append(out, string(rs[i:i+n]))
		}
	}
	return out
}

func jaccardScores(ps []pair, lo, hi int) []float64 {
	out := make([]float64, len(ps))
	for i, p := range ps {
		a, b := map[string]bool{}, map[string]bool{}
		for _, g := range grams(p.a, lo, hi) {
			a[g] = true
		}
		for _, g := range grams(p.b, lo, hi) {
			b[g] = true
		}
		inter := 0
		for g := range a {
			if b[g] {
				inter++
			}
		}
		if u := len(a) + len(b) - inter; u > 0 {
			out[i] = float64(inter) / float64(u)
		}
	}
	return out
}

// tfidfScores is the cosine of TF-IDF vectors of character 1–3-grams, the
// IDF taken over the set's texts.
func tfidfScores(ps []pair) []float64 {
	df := map[string]int{}
	vec := func(s string) map[string]float64 {
		v := map[string]float64{}
		for _, g := range grams(s, 1, 3) {
			v[g]++
		}
		return v
	}
	var vs [][2]map[string]float64
	for _, p := range ps {
		a, b := vec(p.a), vec(p.b)
		for g := range a {
			df[g]++
		}
		for g := range b {
			df[g]++
		}
		vs = append(vs, [2]map[string]float64{a, b})
	}
	n := float64(2 * len(ps))
	weigh := func(v map[string]float64) {
		var norm float64
		for g, tf := range v {
			w := tf * (math.Log((n+1)/float64(df[g]+1)) + 1)
			v[g] = w
			norm += w * w
		}
		for g := range v {
			v[g] /= math.Sqrt(norm)
		}
	}
	out := make([]float64, len(ps))
	for i, v := range vs {
		weigh(v[0])
		weigh(v[1])
		for g, w := range v[0] {
			out[i] += w * v[1][g]
		}
	}
	return out
}

// auc is the ROC AUC: the chance that a duplicate scores above a
// non-duplicate, ties counting half.
func auc(ps []pair, scores []float64) float64 {
	var pos, neg []float64
	for i, p := range ps {
		if p.dup {
			pos = append(pos, scores[i])
		} else {
			neg = append(neg, scores[i])
		}
	}
	slices.Sort(neg)
	var sum float64
	for _, s := range pos {
		lo, _ := slices.BinarySearch(neg, s)
		hi := lo
		for hi < len(neg) && neg[hi] == s {
			hi++
		}
		sum += float64(lo) + float64(hi-lo)/2
	}
	return sum / float64(len(pos)*len(neg))
}

func prf(ps []pair, pred []bool) (p, r, f1 float64) {
	tp, fp, fn := 0, 0, 0
	for i, x := range ps {
		switch {
		case pred[i] && x.dup:
			tp++
		case pred[i]:
			fp++
		case x.dup:
			fn++
		}
	}
	if tp+fp > 0 {
		p = float64(tp) / float64(tp+fp)
	}
	if tp+fn > 0 {
		r = float64(tp) / float64(tp+fn)
	}
	if p+r > 0 {
		f1 = 2 * p * r / (p + r)
	}
	return p, r, f1
}

// bestF1 tries every threshold on a grid of 0.01 (scores strictly above
// it are duplicates) and returns the one of best F1.
func bestF1(ps []pair, scores []float64) (thr, p, r, f1 float64) {
	pred := make([]bool, len(ps))
	thr, f1 = -1, -1
	for t := 0; t < 100; t++ {
		tt := float64(t) / 100
		for i, s := range scores {
			pred[i] = math.Round(s*100)/100 > tt
		}
		if pp, rr, ff := prf(ps, pred); ff > f1 {
			thr, p, r, f1 = tt, pp, rr, ff
		}
	}
	return thr, p, r, f1
}

func printErrors(ps []pair, scores []float64, pred []bool, n int) {
	type ex struct {
		i int
		s float64
	}
	var fns, fps []ex
	for i, p := range ps {
		switch {
		case p.dup && !pred[i]:
			fns = append(fns, ex{i, scores[i]})
		case !p.dup && pred[i]:
			fps = append(fps, ex{i, scores[i]})
		}
	}
	// The clearest misses: false negatives scoring lowest, false
	// positives highest; ties in the order of the set.
	slices.SortStableFunc(fns, func(a, b ex) int { return cmp.Compare(a.s, b.s) })
	slices.SortStableFunc(fps, func(a, b ex) int { return cmp.Compare(b.s, a.s) })
	for _, e := range fns[:min(n, len(fns))] {
		fmt.Printf("    FN %.2f  %s | %s\n", e.s, ps[e.i].a, ps[e.i].b)
	}
	for _, e := range fps[:min(n, len(fps))] {
		fmt.Printf("    FP %.2f  %s | %s\n", e.s, ps[e.i].a, ps[e.i].b)
	}
}

// Raw corpora and the sets made of them: 300 duplicates and 300
// non-duplicates drawn with a fixed seed.
var sources = []struct {
	set, file string
	parse     func(io.Reader) ([]pair, error)
}{
	{"tune-zh-lcqmc", "LCQMC/dev.txt", tabCols(0, 1, 2, false)},
	{"tune-zh-bq", "BQ_corpus/dev.csv", csvCols},
	{"heldout-zh-atec", "ATEC/atec_nlp_sim_train.csv", tabCols(1, 2, 3, false)},
	{"heldout-zh-bq-test", "BQ_corpus/test.csv", csvCols},
	{"heldout-zh-lcqmc-test", "LCQMC/test.txt", tabCols(0, 1, 2, false)},
	{"heldout-zh-atec-ccks", "ATEC_CCKS/test.csv", tabCols(0, 1, 2, true)},
	{"tune-en-mrpc-train", "msrp/msr_paraphrase_train.txt", tabCols(3, 4, 0, true)},
	{"heldout-en-mrpc-test", "msrp/msr_paraphrase_test.txt", tabCols(3, 4, 0, true)},
}

// tabCols parses tab-separated lines with the two texts and the label in
// the given columns, after a header line if header.
func tabCols(ca, cb, cl int, header bool) func(io.Reader) ([]pair, error) {
	return func(r io.Reader) ([]pair, error) {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var ps []pair
		for first := true; sc.Scan(); first = false {
			if first && header {
				continue
			}
			cols := strings.Split(strings.TrimPrefix(sc.Text(), "\ufeff"), "\t")
			if len(cols) <= max(ca, cb, cl) {
				continue
			}
			ps = append(ps, pair{dup: strings.TrimSpace(strings.TrimPrefix(cols[cl], "\ufeff")) == "1", a: clean(cols[ca]), b: clean(cols[cb])})
		}
		return ps, sc.Err()
	}
}

func csvCols(r io.Reader) ([]pair, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	var ps []pair
	for first := true; ; first = false {
		rec, err := cr.Read()
		if err == io.EOF {
			return ps, nil
		}
		if err != nil {
			return nil, err
		}
		if first || len(rec) < 3 {
			continue
		}
		ps = append(ps, pair{dup: rec[2] == "1", a: clean(rec[0]), b: clean(rec[1])})
	}
}

func clean(s string) string {
	return strings.Join(strings.Fields(strings.TrimPrefix(s, "\ufeff")), " ")
}

func prepareSets(raw, out string) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for _, src := range sources {
		f, err := os.Open(filepath.Join(raw, src.file))
		if err != nil {
			return err
		}
		ps, err := src.parse(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", src.file, err)
		}
		ps = slices.DeleteFunc(ps, func(p pair) bool { return p.a == "" || p.b == "" })
		r := rand.New(rand.NewPCG(16, 300))
		r.Shuffle(len(ps), func(i, j int) { ps[i], ps[j] = ps[j], ps[i] })
		var b strings.Builder
		npos, nneg := 0, 0
		for _, p := range ps {
			label := "0"
			if p.dup {
				if npos == 300 {
					continue
				}
				npos++
				label = "1"
			} else {
				if nneg == 300 {
					continue
				}
				nneg++
			}
			fmt.Fprintf(&b, "%s\t%s\t%s\n", label, p.a, p.b)
		}
		if npos < 300 || nneg < 300 {
			return fmt.Errorf("%s: only %d duplicates and %d others", src.file, npos, nneg)
		}
		if err := os.WriteFile(filepath.Join(out, src.set+".tsv"), []byte(b.String()), 0o644); err != nil {
			return err
		}
	}
	return nil
}
