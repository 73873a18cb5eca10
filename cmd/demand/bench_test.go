package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"testing"

	"github.com/demand-registry/demand/pipeline"
)

// BenchmarkServeRebuild measures what demand serve does after one demand
// file is saved, up to the pages a reload asks for: the registry is loaded
// again (unchanged files come from the parse cache), ranked, its history
// read and the site planned, then the edited demand's page and the home
// page are made (pages are made when asked for; unchanged ones come from
// the page cache). It runs in the registry repository DEMAND_BENCH_REPO
// names; scripts/bench-serve.sh makes one with a long history. "body" adds
// a line to the demand's text (its page changes); "title" changes its
// title, so that its card changes on the boards and its tag and customer
// pages too.
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
	page := "demands/" + regexp.MustCompile(`^[A-Z]+-[0-9]+`).FindString(filepath.Base(edited)) + ".html"
	title := regexp.MustCompile(`(?m)^title: .*$`)
	edits := map[string]func(n int) []byte{
		"body": func(n int) []byte { return fmt.Appendf(append([]byte(nil), orig...), "\nEdit %d.\n", n) },
		"title": func(n int) []byte {
			return title.ReplaceAll(orig, fmt.Appendf(nil, "title: Edited title %d", n))
		},
	}
	for _, kind := range []string{"body", "title"} {
		b.Run(kind, func(b *testing.B) {
			o := &serveOptions{buildOptions: buildOptions{dir: "demands", SiteOptions: pipeline.SiteOptions{Audience: "internal"}}}
			e := &env{stdout: io.Discard, stderr: io.Discard}
			newSiteServer(o, e)
			if _, err := o.site(context.Background(), e, io.Discard); err != nil {
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
				s, err := o.site(context.Background(), e, io.Discard)
				if err != nil {
					b.Fatal("rebuild failed")
				}
				// What a reload asks for: the edited demand's page, or the
				// home page's board that shows its card.
				for _, p := range []string{page, "index.html"} {
					if _, ok, err := s.lazy.Get(p); !ok || err != nil {
						b.Fatalf("%s: %v", p, err)
					}
				}
			}
		})
	}
}
