package render

import (
	"bytes"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/registry/history"
	"github.com/demand-registry/demand/registry/rank"
	"github.com/demand-registry/demand/templates"
)

// withDemand returns the input with one demand changed (parsed again, as
// the parse cache does for an edited file) and the ranking made again.
func withDemand(in Input, id string, change func(d *registry.Demand)) Input {
	var ds []*registry.Demand
	for _, x := range in.Snapshot.Demands {
		if x.ID == id {
			d := *x
			change(&d)
			x = &d
		}
		ds = append(ds, x)
	}
	snap := registry.NewSnapshot(in.Snapshot.Config, ds)
	return Input{Snapshot: snap, Ranking: rank.Rank(snap), History: in.History, Commit: in.Commit, Date: in.Date}
}

// themed is the built-in template set with one file replaced.
func themed(t *testing.T, name, text string) fstest.MapFS {
	theme := fstest.MapFS{}
	require.NoError(t, fs.WalkDir(templates.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(templates.FS, p)
		theme[p] = &fstest.MapFile{Data: data}
		return err
	}))
	theme[name] = &fstest.MapFile{Data: []byte(text)}
	return theme
}

// withHistory returns the input with a copy of the histories (as each
// build of demand serve has), one of them changed.
func withHistory(in Input, id string, change func(h *history.History)) Input {
	hs := map[string]*history.History{}
	for k, h := range in.History {
		c := *h
		hs[k] = &c
	}
	h := hs[id]
	if h == nil {
		h = &history.History{ID: id}
		hs[id] = h
	}
	change(h)
	out := in
	out.History = hs
	return out
}

// A demand's page is kept between builds of demand serve while what it is
// made from is unchanged, and made again when any of it changes: the
// demand, its ranking, its history, the demands it links to or that link
// to it, its customer and tag pages, the config, the language, the
// templates, the audience and the commit. Kept pages are poisoned before
// each edited build: every page the edit changes (in full builds) must be
// made again, and pages it does not change must be the kept ones.
func TestDemandMemo(t *testing.T) {
	base := testInput(t)
	theme := themed(t, "demand.html", `{{define "content"}}<p class="themed">{{.Demand.ID}}</p>{{end}}`)
	std := Options{Templates: templates.FS}
	edits := []struct {
		name string
		in   Input
		opt  Options
	}{
		{"nothing", base, std},
		{"title", withDemand(base, "D-0002", func(d *registry.Demand) { d.Title = "报表导出 PDF" }), std},
		{"body", withDemand(base, "D-0002", func(d *registry.Demand) { d.Body += "\nMore.\n" }), std},
		{"status", withDemand(base, "D-0002", func(d *registry.Demand) { d.Status = "triaged" }), std},
		{"tag", withDemand(base, "D-0002", func(d *registry.Demand) { d.Tags = append(d.Tags, "新标签") }), std},
		{"customer", withDemand(base, "D-0002", func(d *registry.Demand) { d.Customer.Name = "Contoso" }), std},
		{"linked title", withDemand(base, "D-0003", func(d *registry.Demand) { d.Title = "Renamed platform work" }), std},
		{"new link", withDemand(base, "D-0002", func(d *registry.Demand) { d.Links.Related = []string{"D-0003"} }), std},
		{"hidden", withDemand(base, "D-0003", func(d *registry.Demand) { d.Visibility = "public" }), std},
		{"commit subject", withHistory(base, "D-0001", func(h *history.History) {
			h.Commits = append([]history.Commit(nil), h.Commits...)
			h.Commits[0].Subject = "Start SSO, take two"
		}), std},
		{"sla", withHistory(base, "D-0001", func(h *history.History) {
			sla := *h.SLA
			sla.Nodes = append([]history.SLANode(nil), sla.Nodes...)
			sla.Nodes[2].ElapsedDays = 9
			h.SLA = &sla
		}), std},
		{"pending", withHistory(base, "D-0002", func(h *history.History) {
			h.Pending = &history.Pending{Path: "demands/D-0002-export.md", Kind: "changed", Changes: []history.Change{{Field: "status", From: "new", To: "triaged"}}}
		}), std},
		{"pending on a history", withHistory(base, "D-0001", func(h *history.History) {
			h.Pending = &history.Pending{Path: "demands/D-0001-sso.md", Kind: "changed", Changes: []history.Change{{Field: "owner", From: "li.wei", To: "ada"}}}
		}), std},
		// Another demand's edit that changes this one's ranking (D-0002
		// inherits the tier of D-0001, which depends on it), its tag page
		// ("#security" sorts first and takes the file name security.html)
		// or its customer page.
		{"inherited tier", withDemand(base, "D-0001", func(d *registry.Demand) {
			d.Urgency, d.Importance = "long-term", "general"
			d.Fields = registry.Values{}
		}), std},
		// D-0003 moves above D-0002 in the ranked list; D-0002's page does
		// not show its position, so it is kept.
		{"rank moved", withDemand(base, "D-0003", func(d *registry.Demand) {
			d.Value, d.Impact = "high", "high"
			d.Fields = registry.ValuesOf(map[string]any{"value": "high", "impact": "high"})
		}), std},
		{"tag page renamed", withDemand(base, "D-0002", func(d *registry.Demand) { d.Tags = append(d.Tags, "#security") }), std},
		{"customer page renamed", withDemand(base, "D-0003", func(d *registry.Demand) { d.Customer.Name = "#Northwind Bank" }), std},
		{"head", func() Input { in := base; in.Commit = "3333333333333333333333333333333333333333"; return in }(), std},
		{"config", func() Input {
			cfg := *base.Snapshot.Config
			cfg.Title = "Another title"
			snap := registry.NewSnapshot(&cfg, base.Snapshot.Demands)
			return Input{Snapshot: snap, Ranking: rank.Rank(snap), History: base.History, Commit: base.Commit, Date: base.Date}
		}(), std},
		{"language", base, Options{Templates: templates.FS, Lang: "zh-CN"}},
		{"audience", publicInput(base), Options{Templates: templates.FS, Audience: Public}},
		{"templates", base, Options{Templates: theme}},
	}
	before, err := Build(base, std)
	require.NoError(t, err)
	poison := []byte("kept page")
	for _, e := range edits {
		t.Run(e.name, func(t *testing.T) {
			cache := NewPageCache()
			opt := std
			opt.Pages = cache
			_, err := Build(base, opt)
			require.NoError(t, err)
			demandPages := 0
			for out, k := range cache.m {
				if strings.HasPrefix(out, "demands/") {
					// Kept only through what the page was made from, not
					// through the hash of its data.
					k.data, k.key = poison, 0
					cache.m[out] = k
					demandPages++
				}
			}
			require.NotZero(t, demandPages, "demand pages are kept")
			want, err := Build(e.in, e.opt)
			require.NoError(t, err)
			opt = e.opt
			opt.Pages = cache
			got, err := Build(e.in, opt)
			require.NoError(t, err)
			kept := 0
			for p, w := range want {
				if !strings.HasPrefix(p, "demands/") {
					assert.Equal(t, string(w), string(got[p]), p)
					continue
				}
				if bytes.Equal(got[p], poison) {
					kept++
					assert.Equal(t, string(before[p]), string(w), "%s changed but was kept", p)
					continue
				}
				assert.Equal(t, string(w), string(got[p]), p)
			}
			assert.Len(t, got, len(want))
			switch e.name {
			case "nothing":
				assert.Equal(t, demandPages, kept, "unchanged pages are kept")
			case "rank moved":
				require.NotEqual(t, base.Ranking.Get("D-0002").Rank, e.in.Ranking.Get("D-0002").Rank)
				assert.Equal(t, poison, got["demands/D-0002.html"], "a page whose demand only moved in the list is kept")
			}
		})
	}
}

// A demand's page whose body links to another demand's file is made
// again when that file moves, another demand takes its place, or the
// repository's address changes; pages that do not link are kept.
func TestDemandMemoBodyLinks(t *testing.T) {
	base := withDemand(testInput(t), "D-0002", func(d *registry.Demand) {
		d.Body += "\nSee [SSO](D-0001-sso.md#scope), [nine](./D-0009-new.md) and ![chart](chart.png).\n"
	})
	base.Dir = "demands"
	moved := func(id, p string) Input {
		in := withDemand(base, id, func(d *registry.Demand) { d.Path = p })
		in.Dir = base.Dir
		return in
	}
	withRepo := func(in Input, url string) Input {
		cfg := *in.Snapshot.Config
		cfg.Repository.URL = url
		snap := registry.NewSnapshot(&cfg, in.Snapshot.Demands)
		return Input{Snapshot: snap, Ranking: rank.Rank(snap), History: in.History, Commit: in.Commit, Date: in.Date, Dir: in.Dir}
	}
	std := Options{Templates: templates.FS}
	first, err := Build(base, std)
	require.NoError(t, err)
	page := string(first["demands/D-0002.html"])
	assert.Contains(t, page, `<a href="D-0001.html#scope">SSO</a>`)
	assert.Contains(t, page, "nine and chart.")
	for _, e := range []struct {
		name    string
		in      Input
		changed []string // demand pages made again
		want    string   // on D-0002's page
	}{
		{"target moved", moved("D-0001", "D-0001-single-sign-on.md"), []string{"D-0001", "D-0002"}, "SSO"},
		{"another demand at the linked path", moved("D-0003", "D-0009-new.md"), []string{"D-0002", "D-0003"}, `<a href="D-0003.html">nine</a>`},
		{"repository url", withRepo(base, "https://github.com/acme/demands"), []string{"D-0001", "D-0002", "D-0003"},
			`<img src="https://github.com/acme/demands/raw/main/demands/chart.png" alt="chart">`},
		{"registry folder", func() Input { in := withRepo(base, "https://github.com/acme/demands"); in.Dir = "reg"; return in }(), []string{"D-0001", "D-0002", "D-0003"},
			`src="https://github.com/acme/demands/raw/main/reg/chart.png"`},
	} {
		t.Run(e.name, func(t *testing.T) {
			cache := NewPageCache()
			opt := std
			opt.Pages = cache
			_, err := Build(base, opt)
			require.NoError(t, err)
			poison := []byte("kept page")
			for out, k := range cache.m {
				if strings.HasPrefix(out, "demands/") {
					k.data, k.key = poison, 0
					cache.m[out] = k
				}
			}
			want, err := Build(e.in, std)
			require.NoError(t, err)
			assert.Contains(t, string(want["demands/D-0002.html"]), e.want)
			if e.in.Snapshot.Config.Repository.URL != "" {
				assert.Contains(t, string(want["demands/D-0002.html"]), "img-src 'self' data: https://github.com https://raw.githubusercontent.com;", "the policy lets the image load")
			}
			got, err := Build(e.in, opt)
			require.NoError(t, err)
			for p, w := range want {
				if !strings.HasPrefix(p, "demands/") {
					continue
				}
				id := strings.TrimSuffix(strings.TrimPrefix(p, "demands/"), ".html")
				if contains(e.changed, id) {
					assert.Equal(t, string(w), string(got[p]), "%s is made again", p)
				} else {
					assert.Equal(t, poison, got[p], "%s is kept", p)
				}
			}
		})
	}
}
