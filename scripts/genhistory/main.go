// Command genhistory creates a git repository holding a synthetic registry
// with a long history, for benchmarks: demands created, moved through the
// workflow, edited, renamed (some with edits in the same commit) and
// deleted, on a main branch with topic branches merged back.
//
//	go run ./scripts/genhistory -out /tmp/hist -demands 5000 -commits 20000
//
// It writes a `git fast-import` stream, so it needs the git command.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/demand-registry/demand/internal/synth"
)

var flow = []string{"new", "triaged", "accepted", "planned", "in-progress", "delivered", "closed"}

type demand struct {
	path    string
	oldPath string // the path before a rename in the current topic branch
	content string
	step    int
}

var statusRe = regexp.MustCompile(`(?m)^status: [a-z-]*$`)

func main() {
	out := flag.String("out", "", "repository folder to create")
	nDemands := flag.Int("demands", 5000, "demands to create")
	nCommits := flag.Int("commits", 20000, "commits in all")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "genhistory: --out is required")
		os.Exit(2)
	}
	if err := run(*out, *nDemands, *nCommits); err != nil {
		fmt.Fprintln(os.Stderr, "genhistory:", err)
		os.Exit(1)
	}
}

func run(out string, nDemands, nCommits int) error {
	w, finish, err := synth.FastImport(out)
	if err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(11, 11))
	var ds []*demand
	live := map[int]bool{}
	when := time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC)
	mark := 0
	mainMark := 0
	n := 0

	data := func(s string) { fmt.Fprintf(w, "data %d\n%s\n", len(s), s) }
	header := func(ref, msg string, from int, merge int) int {
		mark++
		when = when.Add(time.Duration(20+r.IntN(40)) * time.Minute)
		fmt.Fprintf(w, "commit %s\nmark :%d\n", ref, mark)
		fmt.Fprintf(w, "author Dev %d <dev%d@example.com> %d +0800\n", mark%17, mark%17, when.Unix())
		fmt.Fprintf(w, "committer Dev %d <dev%d@example.com> %d +0800\n", mark%17, mark%17, when.Unix())
		data(msg)
		if from > 0 {
			fmt.Fprintf(w, "from :%d\n", from)
		}
		if merge > 0 {
			fmt.Fprintf(w, "merge :%d\n", merge)
		}
		return mark
	}
	put := func(d *demand) { fmt.Fprintf(w, "M 100644 inline %s\n", d.path); data(d.content) }
	pick := func() int {
		for {
			i := r.IntN(len(ds))
			if live[i] {
				return i
			}
		}
	}
	// change applies one random change to the registry and writes its
	// file commands; it returns the commit subject.
	change := func(avoid map[int]bool) (string, []*demand) {
		if len(ds) == 0 {
			fmt.Fprintf(w, "M 100644 inline demands/registry.yaml\n")
			data("id: {pattern: '^D-[0-9]{5,}$', prefix: D-, digits: 5}\n")
		}
		if len(ds) < nDemands && (len(ds) < 10 || r.IntN(100) < 30) {
			i := len(ds)
			name, content := synth.Demand(r, i+1, nDemands)
			// Declared tiers, as a registry whose CI runs rank --check has.
			d := &demand{path: "demands/" + name, content: statusRe.ReplaceAllString(content, fmt.Sprintf("status: new\ntier: %d", 1+r.IntN(4)))}
			ds = append(ds, d)
			live[i] = true
			put(d)
			return fmt.Sprintf("Add D-%05d", i+1), []*demand{d}
		}
		i := pick()
		for avoid[i] {
			i = pick()
		}
		avoid[i] = true
		d := ds[i]
		id := fmt.Sprintf("D-%05d", i+1)
		switch k := r.IntN(100); {
		case k < 1: // delete
			fmt.Fprintf(w, "D %s\n", d.path)
			delete(live, i)
			return "Remove " + id, nil
		case k < 5: // rename, half of the time with an edit
			fmt.Fprintf(w, "D %s\n", d.path)
			if d.oldPath == "" {
				d.oldPath = d.path
			}
			d.path = fmt.Sprintf("demands/%s-renamed-%d.md", id, r.IntN(1000))
			if r.IntN(2) == 0 {
				d.content += "\nRenamed and edited.\n"
			}
			put(d)
			return "Rename " + id, []*demand{d}
		case k < 60 && d.step+1 < len(flow): // status step
			d.step++
			d.content = statusRe.ReplaceAllString(d.content, "status: "+flow[d.step])
			put(d)
			return fmt.Sprintf("Move %s to %s (#%d)", id, flow[d.step], r.IntN(5000)), []*demand{d}
		default: // body edit
			d.content += fmt.Sprintf("\nNote %d: customer follow-up.\n", r.IntN(100000))
			put(d)
			return "Edit " + id, []*demand{d}
		}
	}
	// commit writes one commit on ref whose change is chosen by change: the
	// subject is known only after the change, so its file commands go to a
	// buffer first.
	commit := func(ref string, from int, avoid map[int]bool) []*demand {
		saved := w
		var buf strings.Builder
		bw := bufio.NewWriter(&buf)
		w = bw
		subject, changed := change(avoid)
		bw.Flush()
		w = saved
		header(ref, subject, from, 0)
		w.WriteString(buf.String())
		n++
		return changed
	}
	for n < nCommits {
		if n > 50 && r.IntN(40) == 0 && n+4 <= nCommits {
			// A topic branch of two commits, merged back with a merge
			// commit, while main moves on with another demand.
			avoid := map[int]bool{}
			var changed []*demand
			tip := mainMark
			for k := 0; k < 2; k++ {
				changed = append(changed, commit("refs/heads/topic", tip, avoid)...)
				tip = mark
			}
			for _, d := range commit("refs/heads/main", mainMark, avoid) {
				d.oldPath = ""
			}
			mainMark = mark
			header("refs/heads/main", fmt.Sprintf("Merge pull request #%d from team/topic", r.IntN(5000)), mainMark, tip)
			for _, d := range changed {
				if d.oldPath != "" && d.oldPath != d.path {
					fmt.Fprintf(w, "D %s\n", d.oldPath) // renamed on the branch
				}
				d.oldPath = ""
				if live[idx(ds, d)] {
					put(d)
				} else {
					fmt.Fprintf(w, "D %s\n", d.path)
				}
			}
			mainMark = mark
			n++
			continue
		}
		for _, d := range commit("refs/heads/main", mainMark, map[int]bool{}) {
			d.oldPath = ""
		}
		mainMark = mark
	}
	fmt.Fprintf(w, "reset refs/heads/main\nfrom :%d\n", mainMark)
	if err := finish(); err != nil {
		return err
	}
	abs, _ := filepath.Abs(out)
	fmt.Printf("%s: %d demands created, %d commits\n", abs, len(ds), mark)
	return nil
}

func idx(ds []*demand, d *demand) int {
	for i, x := range ds {
		if x == d {
			return i
		}
	}
	return -1
}
