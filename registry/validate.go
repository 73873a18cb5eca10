package registry

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/demand-registry/demand/internal/suggest"
	"github.com/demand-registry/demand/registry/finding"
)

// Validate runs the rules that look across demands: links, cycles and the
// duplicate workflow. Per-file rules ran in Load.
func Validate(s *Snapshot) finding.Findings {
	var fs finding.Findings
	for _, d := range s.Demands {
		fs = append(fs, checkTimeline(s.Config, d)...)
		for _, l := range d.AllLinks() {
			field, id := "links."+l[0], l[1]
			p := d.At(field)
			switch {
			case id == d.ID:
				fs = append(fs, finding.Finding{Path: d.Path, Line: p.Line, Col: p.Col, Severity: finding.Error, Rule: "self-link",
					Message: fmt.Sprintf("%s links to itself", field), Hint: "remove " + id + " from " + field})
			case s.Get(id) == nil:
				f := finding.Finding{Path: d.Path, Line: p.Line, Col: p.Col, Severity: finding.Error, Rule: "unknown-link",
					Message: fmt.Sprintf("%s names %s, which is not in the registry", field, id)}
				// Suggest an ID only when one typo away from exactly one.
				var near []string
				for _, o := range s.Demands {
					if o.ID != d.ID && suggest.Distance(id, o.ID) == 1 {
						near = append(near, o.ID)
					}
				}
				if len(near) == 1 {
					f.Hint = fmt.Sprintf("did you mean %s?", near[0])
				}
				fs = append(fs, f)
			}
		}
		if d.Status == "duplicate" && d.Links.DuplicateOf == "" {
			p := d.At("status")
			fs = append(fs, finding.Finding{Path: d.Path, Line: p.Line, Col: p.Col, Severity: finding.Error, Rule: "duplicate-of",
				Message: "status is duplicate but links.duplicate_of is not set", Hint: "name the original demand in links.duplicate_of"})
		}
		if d.Links.DuplicateOf != "" && d.Status != "duplicate" && s.Config.Status("duplicate") != nil {
			p := d.At("links.duplicate_of")
			fs = append(fs, finding.Finding{Path: d.Path, Line: p.Line, Col: p.Col, Severity: finding.Warning, Rule: "duplicate-of",
				Message: fmt.Sprintf("links.duplicate_of is set but status is %s", d.Status), Hint: "set status: duplicate"})
		}
	}
	fs = append(fs, dependencyCycles(s)...)
	fs = append(fs, customerLookalikes(s)...)
	return fs
}

// dependencyCycles finds every depends_on cycle (strongly connected
// components with more than one demand) and reports each once, at the
// depends_on of its smallest ID.
func dependencyCycles(s *Snapshot) finding.Findings {
	index := map[string]int{}
	low := map[string]int{}
	onStack := map[string]bool{}
	var stack []string
	var comps [][]string
	n := 0
	var strong func(id string)
	strong = func(id string) {
		index[id], low[id] = n, n
		n++
		stack = append(stack, id)
		onStack[id] = true
		for _, dep := range s.Get(id).Links.DependsOn {
			if s.Get(dep) == nil || dep == id {
				continue
			}
			if _, seen := index[dep]; !seen {
				strong(dep)
				low[id] = min(low[id], low[dep])
			} else if onStack[dep] {
				low[id] = min(low[id], index[dep])
			}
		}
		if low[id] == index[id] {
			var comp []string
			for {
				top := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				onStack[top] = false
				comp = append(comp, top)
				if top == id {
					break
				}
			}
			if len(comp) > 1 {
				comps = append(comps, comp)
			}
		}
	}
	for _, d := range s.Demands {
		if _, seen := index[d.ID]; !seen {
			strong(d.ID)
		}
	}
	var fs finding.Findings
	for _, comp := range comps {
		in := map[string]bool{}
		start := comp[0]
		for _, id := range comp {
			in[id] = true
			start = min(start, id)
		}
		// The shortest cycle through the smallest ID, found breadth-first
		// over sorted dependencies, names the cycle the same way every time.
		path := shortestCycle(s, start, in)
		d := s.Get(start)
		p := d.At("links.depends_on")
		fs = append(fs, finding.Finding{Path: d.Path, Line: p.Line, Col: p.Col, Severity: finding.Error, Rule: "cycle",
			Message: "depends_on cycle: " + strings.Join(path, " → "), Hint: "remove one of these dependencies"})
	}
	return fs
}

func shortestCycle(s *Snapshot, start string, in map[string]bool) []string {
	prev := map[string]string{}
	queue := []string{start}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		deps := append([]string(nil), s.Get(cur).Links.DependsOn...)
		sort.Strings(deps)
		for _, dep := range deps {
			if !in[dep] {
				continue
			}
			if dep == start {
				path := []string{start}
				for at := cur; at != start; at = prev[at] {
					path = append(path, at)
				}
				slices.Reverse(path[1:])
				return append(path, start)
			}
			if _, seen := prev[dep]; !seen {
				prev[dep] = cur
				queue = append(queue, dep)
			}
		}
	}
	return []string{start, start}
}
