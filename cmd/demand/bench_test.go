package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"testing"
)

// BenchmarkServeRebuild measures what demand serve does after one demand
// file is saved: the registry is loaded again (unchanged files come from
// the parse cache), ranked, its history read and the site rendered
// (unchanged pages come from the page cache). It runs in the registry
// repository DEMAND_BENCH_REPO names; scripts/bench-serve.sh makes one with
// a long history. "body" adds a line to the demand's text (its page
// changes); "title" changes its title, so that its card changes on the
// tier and status boards and its tag and customer pages too.
func BenchmarkServeRebuild(b *testing.B) {
	repo := os.Getenv("DEMAND_BENCH_REPO")
	if repo == "" {
		b.Skip("set DEMAND_BENCH_REPO to a registry repository (scripts/bench-serve.sh)")
	}
	b.Chdir(repo)
	b.Cleanup(serveGC()) // as demand serve runs
	files, err := filepath.Glob("demands/*.md")
	if err != nil || len(files) == 0 {
		b.Fatalf("no demands/*.md in %s", repo)
	}
	edited := files[len(files)/2]
	orig, err := os.ReadFile(edited)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.WriteFile(edited, orig, 0o644) })
	title := regexp.MustCompile(`(?m)^title: .*$`)
	edits := map[string]func(n int) []byte{
		"body": func(n int) []byte { return fmt.Appendf(append([]byte(nil), orig...), "\nEdit %d.\n", n) },
		"title": func(n int) []byte {
			return title.ReplaceAll(orig, fmt.Appendf(nil, "title: Edited title %d", n))
		},
	}
	for _, kind := range []string{"body", "title"} {
		b.Run(kind, func(b *testing.B) {
			o := &serveOptions{buildOptions: buildOptions{dir: "demands", audience: "internal"}}
			e := &env{stdout: io.Discard, stderr: io.Discard}
			newSiteServer(o, e)
			if s, _ := o.site(e, io.Discard); s == nil {
				b.Fatal("the first build failed")
			}
			n := 0
			for b.Loop() {
				n++
				b.StopTimer()
				if err := os.WriteFile(edited, edits[kind](n), 0o644); err != nil {
					b.Fatal(err)
				}
				runtime.GC() // as demand serve collects between rebuilds
				b.StartTimer()
				if s, _ := o.site(e, io.Discard); s == nil {
					b.Fatal("rebuild failed")
				}
			}
		})
	}
}
