// Package public derives what a public audience may see of a registry:
// the demands that are not internal now, ranked among themselves, with
// their histories redacted. A public site or export is made from this
// view only, so that nothing internal can reach it by any path: not
// through links, duplicates' customers, inherited tiers, rank positions,
// nor old versions in the history.
package public

import (
	"regexp"
	"slices"
	"strings"

	"github.com/demand-registry/demand/registry/config"

	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/registry/history"
	"github.com/demand-registry/demand/registry/rank"
)

// View is a registry as a public audience sees it.
type View struct {
	Snapshot *registry.Snapshot
	Ranking  *rank.Ranking
	History  *history.Result // nil when there was none
}

// Shown reports whether a demand is published to the public.
func Shown(d *registry.Demand) bool { return d.Visibility != "internal" }

// Derive makes the public view of a snapshot and its walked history
// (nil when the registry is not in git). Neither is changed. The ranking
// is computed on the public demands alone, so no internal demand raises a
// tier, passes on customers or takes a position; the SLA is computed
// again with those tiers on the redacted histories.
func Derive(snap *registry.Snapshot, res *history.Result) View {
	s := Snapshot(snap)
	v := View{Snapshot: s, Ranking: rank.Rank(s)}
	if res != nil {
		shown := func(id string) bool { return s.Get(id) != nil }
		v.History = res.Public(shown)
		hideIDs(snap.Config, v.History, shown)
		tiers := make(map[string]int, len(v.Ranking.Results))
		for _, r := range v.Ranking.Results {
			tiers[r.ID] = r.Tier
		}
		v.History.ComputeSLA(snap.Config, tiers)
	}
	return v
}

// Hidden stands for an ID in a commit subject that names no public demand.
const Hidden = "[hidden]"

// hideIDs replaces, in the subjects of the public histories, every word
// that matches the ID pattern and names no public demand: a subject such
// as "Fix D-0002 first" must not name an internal demand. What is replaced
// depends on the public demands only, so the view is the same as that of
// a registry that never held the internal ones.
func hideIDs(cfg *config.Config, res *history.Result, shown func(string) bool) {
	p := strings.TrimSuffix(strings.TrimPrefix(cfg.ID.Pattern, "^"), "$")
	re, err := regexp.Compile(`(?:` + p + `)`)
	if err != nil || p == "" {
		return
	}
	word := func(r byte) bool {
		return r == '_' || r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z'
	}
	hide := func(text string) string {
		var b strings.Builder
		last := 0
		for _, m := range re.FindAllStringIndex(text, -1) {
			if m[0] == m[1] || (m[0] > 0 && word(text[m[0]-1])) || (m[1] < len(text) && word(text[m[1]])) {
				continue // part of a longer word
			}
			if id := text[m[0]:m[1]]; !shown(id) {
				b.WriteString(text[last:m[0]])
				b.WriteString(Hidden)
				last = m[1]
			}
		}
		if last == 0 {
			return text
		}
		return b.String() + text[last:]
	}
	for _, h := range res.Histories {
		for i := range h.Commits {
			h.Commits[i].Subject = hide(h.Commits[i].Subject)
		}
	}
}

// Snapshot keeps the demands that are not internal, with their links to
// demands outside that set dropped.
func Snapshot(snap *registry.Snapshot) *registry.Snapshot {
	keep := map[string]bool{}
	for _, d := range snap.Demands {
		if Shown(d) {
			keep[d.ID] = true
		}
	}
	var ds []*registry.Demand
	for _, d := range snap.Demands {
		if keep[d.ID] {
			ds = append(ds, withLinks(d, keep))
		}
	}
	return registry.NewSnapshot(snap.Config, ds)
}

// withLinks returns d, or a copy of it, linking only to demands in keep,
// both in its links and in the front-matter fields exported with it.
func withLinks(d *registry.Demand, keep map[string]bool) *registry.Demand {
	l := d.Links
	in := func(id string) bool { return keep[id] }
	one := func(id string) string {
		if in(id) {
			return id
		}
		return ""
	}
	some := func(ids []string) []string {
		var out []string
		for _, id := range ids {
			if in(id) {
				out = append(out, id)
			}
		}
		return out
	}
	nl := registry.Links{DependsOn: some(l.DependsOn), DuplicateOf: one(l.DuplicateOf), Related: some(l.Related), Parent: one(l.Parent)}
	m, hasMap := d.Fields.Get("links").(map[string]any)
	if slices.Equal(nl.DependsOn, l.DependsOn) && slices.Equal(nl.Related, l.Related) && nl.DuplicateOf == l.DuplicateOf && nl.Parent == l.Parent && (!hasMap || fieldLinksIn(m, keep)) {
		return d
	}
	c := *d
	c.Links = nl
	if hasMap {
		fm := map[string]any{}
		for k, v := range m {
			switch x := v.(type) {
			case string:
				if in(x) {
					fm[k] = x
				}
			case []any:
				var ids []any
				for _, it := range x {
					if s, ok := it.(string); ok && in(s) {
						ids = append(ids, s)
					}
				}
				if len(ids) > 0 {
					fm[k] = ids
				}
			}
		}
		if len(fm) > 0 {
			c.Fields = c.Fields.With("links", fm)
		} else {
			c.Fields = c.Fields.Without("links")
		}
	}
	return &c
}

// fieldLinksIn reports whether every ID in a links field is in keep.
func fieldLinksIn(m map[string]any, keep map[string]bool) bool {
	for _, v := range m {
		switch x := v.(type) {
		case string:
			if !keep[x] {
				return false
			}
		case []any:
			for _, it := range x {
				if s, ok := it.(string); !ok || !keep[s] {
					return false
				}
			}
		default:
			return false
		}
	}
	return true
}
