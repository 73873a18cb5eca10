// Command genshapes creates a git repository holding a synthetic registry
// in one of several shapes, so that benchmarks measure more than the shape
// genhistory makes (one demand a commit):
//
//	one      one demand changed per commit
//	spread   2-10 demands per commit, anywhere in the folder (a triage PR)
//	bulk     one commit adding every demand (an import), then one a commit
//	sharded  the folder split into subfolders of 100 demands
//	long     bodies of about 20 KB (RFC-sized)
//	renames  every tenth commit renames a demand (a new slug)
//
//	go run ./scripts/genshapes -shape spread -out /tmp/spread -demands 5000 -commits 20000
//
// It writes a `git fast-import` stream, so it needs the git command.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/demand-registry/demand/internal/synth"
)

// Shapes are the shapes genshapes makes, in the benchmarks' order.
var Shapes = []string{"one", "spread", "bulk", "sharded", "long", "renames"}

var (
	flow     = []string{"new", "triaged", "accepted", "planned", "in-progress", "delivered", "closed"}
	statusRe = regexp.MustCompile(`(?m)^status: [a-z-]*$`)
)

type demand struct {
	path, content string
	step          int
}

func main() {
	out := flag.String("out", "", "repository folder to create")
	shape := flag.String("shape", "spread", "shape: "+strings.Join(Shapes, ", "))
	nDemands := flag.Int("demands", 5000, "demands to create")
	nCommits := flag.Int("commits", 20000, "commits in all")
	flag.Parse()
	known := false
	for _, s := range Shapes {
		known = known || s == *shape
	}
	if *out == "" || !known || *nDemands < 1 || *nCommits < 1 {
		fmt.Fprintf(os.Stderr, "genshapes: --out is required, --shape is one of %s, counts are positive\n", strings.Join(Shapes, ", "))
		os.Exit(2)
	}
	if err := run(*out, *shape, *nDemands, *nCommits); err != nil {
		fmt.Fprintln(os.Stderr, "genshapes:", err)
		os.Exit(1)
	}
}

func run(out, shape string, nDemands, nCommits int) error {
	w, finish, err := synth.FastImport(out)
	if err != nil {
		return err
	}
	g := &gen{w: w, r: rand.New(rand.NewPCG(13, 13)), shape: shape, when: time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC)}
	g.make(nDemands, nCommits)
	return finish()
}

type gen struct {
	w     *bufio.Writer
	r     *rand.Rand
	shape string
	when  time.Time
	mark  int
	ds    []*demand
}

func (g *gen) path(i int, name string) string {
	if g.shape == "sharded" {
		return fmt.Sprintf("demands/%03d/%s", i/100, name)
	}
	return "demands/" + name
}

func (g *gen) newDemand(i, n int) *demand {
	name, content := synth.Demand(g.r, i, n)
	if g.shape == "long" {
		var b strings.Builder
		b.WriteString(content)
		for b.Len() < 20<<10 {
			fmt.Fprintf(&b, "\n## Section %d\n\nThe customer describes the need in detail, with examples and constraints, paragraph %d.\n", b.Len()%97, b.Len())
		}
		content = b.String()
	}
	return &demand{path: g.path(i, name), content: content}
}

// commit writes one commit changing the given demands (edits follow the
// workflow, or add a line to the body).
func (g *gen) commit(msg string, changed []*demand, renamed map[*demand]string) {
	g.when = g.when.Add(time.Duration(20+g.r.IntN(40)) * time.Minute)
	g.mark++
	fmt.Fprintf(g.w, "commit refs/heads/main\nmark :%d\n", g.mark)
	fmt.Fprintf(g.w, "author Dev %d <dev%d@example.com> %d +0800\n", g.mark%17, g.mark%17, g.when.Unix())
	fmt.Fprintf(g.w, "committer Dev %d <dev%d@example.com> %d +0800\n", g.mark%17, g.mark%17, g.when.Unix())
	fmt.Fprintf(g.w, "data %d\n%s\n", len(msg), msg)
	if g.mark > 1 {
		fmt.Fprintf(g.w, "from :%d\n", g.mark-1)
	}
	for _, d := range changed {
		if old, ok := renamed[d]; ok {
			fmt.Fprintf(g.w, "D %s\n", old)
		}
		fmt.Fprintf(g.w, "M 100644 inline %s\ndata %d\n%s\n", d.path, len(d.content), d.content)
	}
}

func (g *gen) edit(d *demand) {
	if d.step+1 < len(flow) && g.r.IntN(2) == 0 {
		d.step++
		d.content = statusRe.ReplaceAllString(d.content, "status: "+flow[d.step])
		return
	}
	d.content += fmt.Sprintf("\nNote %d from the customer call.\n", g.mark)
}

func (g *gen) make(nDemands, nCommits int) {
	left := nCommits
	if g.shape == "bulk" {
		for i := 1; i <= nDemands; i++ {
			g.ds = append(g.ds, g.newDemand(i, nDemands))
		}
		g.commit("Import demands", g.ds, nil)
		left--
	}
	for c := 0; c < left; c++ {
		// Demands are created over the first quarter of the commits.
		if len(g.ds) < nDemands && (c%max(1, left/4/nDemands+1) == 0 || left-c <= nDemands-len(g.ds)) {
			d := g.newDemand(len(g.ds)+1, nDemands)
			g.ds = append(g.ds, d)
			g.commit("Add "+d.path, []*demand{d}, nil)
			continue
		}
		k := 1
		if g.shape == "spread" {
			k = 2 + g.r.IntN(9)
		}
		picked := map[*demand]bool{}
		var changed []*demand
		for len(changed) < min(k, len(g.ds)) {
			d := g.ds[g.r.IntN(len(g.ds))]
			if !picked[d] {
				picked[d] = true
				changed = append(changed, d)
			}
		}
		renamed := map[*demand]string{}
		if g.shape == "renames" && c%10 == 0 {
			d := changed[0]
			renamed[d] = d.path
			d.path = strings.TrimSuffix(d.path, ".md") + fmt.Sprintf("-v%d.md", c)
		}
		for _, d := range changed {
			g.edit(d)
		}
		g.commit("Triage", changed, renamed)
	}
}
