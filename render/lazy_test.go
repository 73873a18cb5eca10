package render

import (
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/demand-registry/demand/internal/par"
	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/templates"
)

// lazyPaths lists the files of a lazy site that has made none yet: those
// made in advance and those it makes when asked.
func lazyPaths(s *Lazy) []string {
	var paths []string
	for p := range s.b.files {
		paths = append(paths, p)
	}
	for p := range s.jobs {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	return paths
}

// lazyFiles asks a lazy site for every file it lists, all at once.
func lazyFiles(t *testing.T, s *Lazy) map[string][]byte {
	t.Helper()
	paths := lazyPaths(s)
	data := make([][]byte, len(paths))
	require.NoError(t, par.For(len(paths), 8, func(i int) error {
		d, ok, err := s.Get(paths[i])
		if err == nil && !ok {
			t.Errorf("%s is listed but not there", paths[i])
		}
		data[i] = d
		return err
	}))
	out := map[string][]byte{}
	for i, p := range paths {
		out[p] = data[i]
	}
	return out
}

// A lazy site lists the files Build makes, and makes each of them as
// Build does, byte for byte, whatever the options, asked for in any order
// and at once; through a page cache kept across edits too.
func TestLazySite(t *testing.T) {
	base := testInput(t)
	for _, opt := range []Options{
		{Templates: templates.FS},
		{Templates: templates.FS, Audience: Public},
		{Templates: templates.FS, Lang: "zh-CN", BaseURL: "https://example.org/registry/"},
	} {
		in := forAudience(base, opt)
		want, err := Build(in, opt)
		require.NoError(t, err)
		s, err := BuildLazy(in, opt)
		require.NoError(t, err)
		assert.Equal(t, slices.Sorted(maps.Keys(want)), lazyPaths(s))
		got := lazyFiles(t, s)
		for p, w := range want {
			assert.Equal(t, string(w), string(got[p]), "%s %+v", p, opt)
		}
		_, ok, err := s.Get("no/such/page.html")
		assert.False(t, ok)
		assert.NoError(t, err)
	}

	// demand serve: one page cache for every build, a few pages asked
	// for after each edit, then all of them.
	cache := NewPageCache()
	opt := Options{Templates: templates.FS, Pages: cache}
	for _, in := range []Input{
		base,
		withDemand(base, "D-0002", func(d *registry.Demand) { d.Title = "报表导出 PDF" }),
		withDemand(base, "D-0002", func(d *registry.Demand) { d.Tags = append(d.Tags, "新标签") }),
		withDemand(base, "D-0003", func(d *registry.Demand) { d.Visibility = "public" }),
		base,
	} {
		want, err := Build(in, Options{Templates: templates.FS})
		require.NoError(t, err)
		s, err := BuildLazy(in, opt)
		require.NoError(t, err)
		for _, p := range []string{"index.html", "demands/D-0002.html"} {
			data, ok, err := s.Get(p)
			require.NoError(t, err)
			require.True(t, ok)
			assert.Equal(t, string(want[p]), string(data), p)
		}
		got := lazyFiles(t, s)
		assert.Len(t, got, len(want))
		for p, w := range want {
			assert.Equal(t, string(w), string(got[p]), p)
		}
	}
}

// Warming makes every page but the exports, as Get would, and stops when
// told to.
func TestLazyWarm(t *testing.T) {
	in := testInput(t)
	want, err := Build(in, Options{Templates: templates.FS})
	require.NoError(t, err)
	s, err := BuildLazy(in, Options{Templates: templates.FS})
	require.NoError(t, err)
	asked := 0
	s.Warm(func() bool { asked++; return asked > 3 })
	assert.Equal(t, 2+2+len(searchFiles), len(s.b.files), "the assets, then the two boards and the search before stopping")
	assert.Contains(t, s.b.files, "index.html")
	assert.Contains(t, s.b.files, "status.html")
	s.Warm(func() bool { return false })
	for p, w := range want {
		if p == "demands.json" || p == "demands.csv" {
			assert.NotContains(t, s.b.files, p)
			continue
		}
		assert.Equal(t, string(w), string(s.b.files[p]), p)
	}
}

// A page whose template fails says so when it is asked for, every time;
// the other pages are made.
func TestLazySiteTemplateError(t *testing.T) {
	theme := themed(t, "kpis.html", `{{define "content"}}{{.NoSuchField}}{{end}}`)
	s, err := BuildLazy(testInput(t), Options{Templates: theme})
	require.NoError(t, err)
	for range 2 {
		_, _, err = s.Get("kpis.html")
		assert.ErrorContains(t, err, "rendering kpis.html")
	}
	data, ok, err := s.Get("index.html")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Contains(t, string(data), "</html>")
}
