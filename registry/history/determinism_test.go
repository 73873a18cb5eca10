package history

import (
	"fmt"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/demand-registry/demand/registry/config"

	"github.com/stretchr/testify/require"
)

// fromNameConfig identifies demands by the number their file name starts
// with, as RFC repositories do: the same content under two names is two
// demands.
func fromNameConfig(t *testing.T) *config.Config {
	cfg, fs := config.Parse(config.File, []byte("id:\n  pattern: '^[0-9]{4}$'\n  prefix: ''\n  digits: 4\n  from_filename: true\n"))
	require.False(t, fs.HasErrors(), "%v", fs)
	return cfg
}

func noID(title, status, body string) string {
	return "---\ntitle: " + title + "\nstatus: " + status + "\nreceived: 2026-11-02\n---\n" + body
}

// renameCopyRepo has pure renames that change the ID, identical content at
// two paths and copies: the shapes in which a parse cached by blob alone
// took its ID from whichever path a worker saw first.
func renameCopyRepo(t *testing.T) *builder {
	b := newBuilder(t)
	day := 1
	commit := func(msg string) { b.commit(msg, day); day++ }
	for round := 0; round < 4; round++ {
		draft := fmt.Sprintf("demands/0000-draft-%d.md", round)
		text := noID(fmt.Sprintf("Proposal %d", round), "new", fmt.Sprintf("Text %d.\n", round))
		b.write(draft, text)
		commit("draft")
		num := fmt.Sprintf("demands/%04d-proposal-%d.md", 10+round, round)
		b.rename(draft, num) // same blob, new ID
		commit("number it")
		b.write(fmt.Sprintf("demands/%04d-copy.md", 50+round), text) // the same blob again
		commit("copy")
		b.write(num, noID(fmt.Sprintf("Proposal %d", round), "triaged", fmt.Sprintf("Text %d.\n", round)))
		b.write(fmt.Sprintf("demands/%04d-twin.md", 70+round), text) // identical content at two more paths
		b.write(fmt.Sprintf("demands/%04d-twin.md", 80+round), text)
		commit("triage and twins")
	}
	return b
}

// TestWalkDeterministic: a walk gives byte-identical histories whatever
// the number of workers, their share of the commits, and whether it is
// cold or starts from the memo of an earlier walk.
func TestWalkDeterministic(t *testing.T) {
	b := renameCopyRepo(t)
	cfg := fromNameConfig(t)
	var want string
	everyWorkers(t, func(procs int) {
		cold := asJSON(t, b.walk(Options{Config: cfg}).Sorted())
		if want == "" {
			want = cold
			require.True(t, strings.Contains(want, `"id":"0010"`) && strings.Contains(want, `"id":"0050"`) && strings.Contains(want, `"id":"0071"`), "a copy or rename is a demand of its own")
		}
		require.True(t, want == cold, "cold walk with %d workers differs", procs)
		// Incremental: a walk of the first half, then of the whole.
		memo := &Memo{}
		half := b.walkAt(Options{Config: cfg, Memo: memo}, "HEAD~8")
		require.NotEmpty(t, half.Histories)
		inc := b.walk(Options{Config: cfg, Memo: memo})
		require.True(t, want == asJSON(t, inc.Sorted()), "incremental walk with %d workers differs", procs)
		cacheDir := filepath.Join(t.TempDir(), "cache")
		b.walkAt(Options{Config: cfg, CacheDir: cacheDir}, "HEAD~5")
		cached := b.walk(Options{Config: cfg, CacheDir: cacheDir})
		require.True(t, want == asJSON(t, cached.Sorted()), "walk from the cache with %d workers differs", procs)
	})
}

// everyWorkers runs f with 1, 2 and 8 workers (GOMAXPROCS), which split
// their spans down to one commit, so the workers' schedule varies as much
// as it can.
func everyWorkers(t *testing.T, f func(procs int)) {
	t.Helper()
	old, oldProcs := commitsPerWorker, runtime.GOMAXPROCS(0)
	defer func() { commitsPerWorker = old; runtime.GOMAXPROCS(oldProcs) }()
	commitsPerWorker = 1
	for _, procs := range []int{1, 2, 8} {
		runtime.GOMAXPROCS(procs)
		f(procs)
	}
}

func (b *builder) walkAt(opts Options, rev string) *Result {
	opts.Rev = rev
	return b.walk(opts)
}

// TestDiffChangesFarApart: a commit that changes entries far apart in a
// large folder lists exactly those (the identical runs between them are
// skipped at once, not compared entry by entry with the whole rest).
func TestDiffChangesFarApart(t *testing.T) {
	b := newBuilder(t)
	for i := 1; i <= 300; i++ {
		b.write(fmt.Sprintf("demands/D-%04d-a.md", i), demand(fmt.Sprintf("D-%04d", i), "T", "new", "", "x\n"))
	}
	b.commit("bulk", 1)
	changed := []int{1, 2, 150, 299, 300}
	for _, i := range changed {
		b.write(fmt.Sprintf("demands/D-%04d-a.md", i), demand(fmt.Sprintf("D-%04d", i), "T", "triaged", "", "x\n"))
	}
	b.remove("demands/D-0100-a.md")
	b.write("demands/D-0400-a.md", demand("D-0400", "T", "new", "", "x\n"))
	b.commit("triage", 2)
	res := b.walk(Options{})
	var got []string
	for id, h := range res.Histories {
		if len(h.Commits) == 2 || h.Commits[0].Subject == "triage" {
			got = append(got, id+" "+h.Commits[0].Kind)
		}
	}
	sort.Strings(got)
	require.Equal(t, []string{"D-0001 changed", "D-0002 changed", "D-0100 deleted", "D-0150 changed", "D-0299 changed", "D-0300 changed", "D-0400 created"}, got)
}

// TestSortedTotal: two histories with one ID and one path (one draft
// number renamed to one file on two branches, as in rust-lang/rfcs'
// 1260-main-reexport.md) come out in the same order on every call.
func TestSortedTotal(t *testing.T) {
	p := "text/1260-main-reexport.md"
	res := &Result{Histories: map[string]*History{
		"1260":             {ID: "1260", Path: p, Commits: []Commit{{Hash: "a"}}},
		"1260@" + p:        {ID: "1260", Path: p, Commits: []Commit{{Hash: "b"}}},
		"0002":             {ID: "0002", Path: "text/0002-x.md"},
		"1260@" + p + "#2": {ID: "1260", Path: p, Commits: []Commit{{Hash: "c"}}},
	}}
	for range 50 {
		var got []string
		for _, h := range res.Sorted() {
			got = append(got, h.ID)
			if len(h.Commits) > 0 {
				got[len(got)-1] += h.Commits[0].Hash
			}
		}
		require.Equal(t, []string{"0002", "1260a", "1260b", "1260c"}, got)
	}
}

// TestWalkDeterministicHeadingTitles: with titles in the first heading,
// two files with the same front matter under different headings, and a
// heading edited while the front matter stays, give the same history
// whatever the workers' schedule: a parse reused for its front matter
// must not carry another body's title.
func TestWalkDeterministicHeadingTitles(t *testing.T) {
	cfg, fs := config.Parse("registry.yaml", []byte("roles:\n  id: {from: filename, pattern: '^([0-9]{4})-'}\n  title: {from: heading}\n  status: stage\nstatuses:\n  - {name: proposed, kind: open, next: [accepted]}\n  - {name: accepted, kind: done, next: []}\n"))
	require.False(t, fs.HasErrors(), "%v", fs)
	b := newBuilder(t)
	front := "---\nstage: proposed\n---\n"
	for i := 1; i <= 12; i++ {
		b.write(fmt.Sprintf("demands/%04d-x.md", i), front+fmt.Sprintf("# Title %d\n", i))
	}
	b.commit("add", 2)
	for i := 1; i <= 12; i += 2 {
		b.write(fmt.Sprintf("demands/%04d-x.md", i), front+fmt.Sprintf("# Renamed %d\n", i))
	}
	b.commit("retitle", 3)
	var want string
	everyWorkers(t, func(procs int) {
		got := asJSON(t, b.walk(Options{Config: cfg}).Sorted())
		if want == "" {
			want = got
			require.Contains(t, want, `{"field":"title","from":"Title 1","to":"Renamed 1"}`)
		}
		require.True(t, want == got, "walk with %d workers differs", procs)
	})
}
