package pipeline_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/demand-registry/demand/pipeline"
	"github.com/demand-registry/demand/render"
)

// TestForeignRegistries checks each config of examples/registries against
// an excerpt of the public registry it was written for (see the README
// there): every file validates, and titles, statuses and dates come out
// as the registry means them, on the page too.
func TestForeignRegistries(t *testing.T) {
	type want struct{ title, status, received string }
	for _, tc := range []struct {
		dir     string
		demands map[string]want
		page    string // one demand's page and a label it shows
		label   string
	}{
		{"ercs", map[string]want{
			"20":   {"Token Standard", "Final", "2015-11-19"},
			"721":  {"Non-Fungible Token Standard", "Final", "2018-01-24"},
			"7579": {"Minimal Modular Smart Accounts", "Draft", "2023-12-14"},
		}, "demands/7579.html", "Requires"},
		{"simds", map[string]want{
			"0033": {"Timely Vote Credits", "Activated", "2023-01-30"},
			"0015": {"Partitioned Epoch Rewards Distribution", "Withdrawn", "2023-03-02"},
		}, "demands/0033.html", "authors"},
		{"madr", map[string]want{
			"0000": {"Use Markdown Architectural Decision Records", "", ""},
			"0003": {"Write Own MADR Tooling", "on hold", ""},
			"0013": {"Use YAML front matter for metadata", "", ""},
		}, "demands/0013.html", "Section"},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			dir := filepath.Join("..", "examples", "registries", tc.dir)
			r, err := pipeline.Open(dir, pipeline.OpenOptions{})
			require.NoError(t, err)
			defer r.Close()
			fs := pipeline.Check(r, nil)
			errs, _ := fs.Count()
			require.Zero(t, errs, "%v", fs)
			for id, w := range tc.demands {
				d := r.Snapshot.Get(id)
				require.NotNil(t, d, id)
				assert.Equal(t, w.title, d.Title, id)
				assert.Equal(t, w.status, d.Status, id)
				assert.Equal(t, w.received, string(d.Received), id)
			}
			site, err := pipeline.BuildSite(context.Background(), dir, pipeline.SiteOptions{Audience: render.Internal})
			require.NoError(t, err)
			page := string(site.Files[tc.page])
			require.NotEmpty(t, page, tc.page)
			title := r.Snapshot.Get(strings.TrimSuffix(filepath.Base(tc.page), ".html")).Title
			assert.Equal(t, 1, strings.Count(page, ">"+title+"</h1>"), "the title is the page's heading, once")
			assert.Contains(t, page, ">"+tc.label+"</dt>")
			assert.NotContains(t, page, "Score 0", "nothing to rank by: no score")
			if tc.dir == "ercs" {
				// Filters on the registry's own fields (site.facets).
				search := string(site.Files["search.html"])
				assert.Contains(t, search, `<select name="category" data-facet="f.category">`)
				assert.NotContains(t, search, `data-facet="tier"`, "nothing to rank by: no tier filter")
				assert.Contains(t, string(site.Files["assets/search-index.js"]), `"f":{"category":["ERC"],"type":["Standards Track"]}`)
			}
		})
	}
}

// TestForeignConfigsListed: every example registry has a note on its source.
func TestForeignConfigsListed(t *testing.T) {
	readme, err := os.ReadFile("../examples/registries/README.md")
	require.NoError(t, err)
	entries, err := os.ReadDir("../examples/registries")
	require.NoError(t, err)
	for _, e := range entries {
		if e.IsDir() {
			assert.Contains(t, string(readme), "`"+e.Name()+"/`", "examples/registries/README.md names %s", e.Name())
		}
	}
}

// TestForeignPagesLeftOut: no customers or tags pages where the registry
// has neither.
func TestForeignPagesLeftOut(t *testing.T) {
	site, err := pipeline.BuildSite(context.Background(), "../examples/registries/madr", pipeline.SiteOptions{Audience: render.Internal})
	require.NoError(t, err)
	for name := range site.Files {
		assert.False(t, strings.HasPrefix(name, "customers/") || strings.HasPrefix(name, "tags/"), name)
	}
}
