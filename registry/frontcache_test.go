package registry

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/demand-registry/demand/registry/config"
	"github.com/demand-registry/demand/registry/finding"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sameAsParseDemand checks that the cache reads a file as ParseDemand
// does: the same findings, at the same lines and columns, and nil for nil,
// else the same demand with the same positions.
func sameAsParseDemand(t *testing.T, c *FrontCache, cfg *config.Config, p string, data []byte) {
	t.Helper()
	want, wantFs := ParseDemand(cfg, p, data)
	got, gotFs := c.parse(cfg, p, data)
	assert.Equal(t, wantFs, gotFs, "%q", data)
	if want == nil {
		assert.Nil(t, got, "%q", data)
		return
	}
	require.NotNil(t, got, "%q", data)
	assert.Equal(t, want, got, "%q", data)
	if lean := c.ParseDemand(cfg, p, data); assert.NotNil(t, lean) {
		want.Pos = nil
		assert.Equal(t, want, lean, "%q", data)
	}
}

func TestFrontEntries(t *testing.T) {
	for _, tc := range []struct {
		yml  string
		want []string // nil: parsed whole
	}{
		{"id: D-1\ntitle: a\n", []string{"id: D-1\n", "title: a\n"}},
		{"# lead\n\nid: D-1\n# note\ntags:\n- a\n-\n  - b\nx: |\n  text\n\n  more\n", []string{"id: D-1\n# note\n", "tags:\n- a\n-\n  - b\n", "x: |\n  text\n\n  more\n"}},
		{"\"quoted key\": 1\n'k': 2\n_k: 3\n9: 4", []string{"\"quoted key\": 1\n", "'k': 2\n", "_k: 3\n", "9: 4"}},
		{"", nil},
		{"# only a comment\n", nil},
		{"  id: D-1\n", nil},           // indented before the first entry
		{"- a\n", nil},                 // a sequence, not a mapping
		{"id: D-1\n--- x\n", nil},      // a document marker
		{"id: D-1\n-x\n", nil},         // not a sequence item
		{"%YAML 1.2\nid: D-1\n", nil},  // a directive
		{"!!str id: D-1\n", nil},       // a tag
		{"&a id: D-1\n", nil},          // an anchor
		{"? id\n: D-1\n", nil},         // a complex key
		{"{id: D-1}\n", nil},           // a flow mapping
		{"id: D-1\n\ttitle: a\n", nil}, // a tab at column 0
	} {
		got, ok := frontEntries([]byte(tc.yml), nil)
		if tc.want == nil {
			assert.False(t, ok, "%q", tc.yml)
			continue
		}
		require.True(t, ok, "%q", tc.yml)
		var s []string
		for _, e := range got {
			s = append(s, string(e))
		}
		assert.Equal(t, tc.want, s, "%q", tc.yml)
	}
}

// Front matter the cache cuts into entries, and front matter it must parse
// whole (entries that only make sense together), read as ParseDemand
// reads them, through one cache so that entries are reused.
func TestFrontCacheAsParseDemand(t *testing.T) {
	cfg := config.Default()
	c := NewFrontCache(3) // small: generations turn over
	head := "---\nid: D-0001\ntitle: Export\nstatus: new\nreceived: 2026-11-02\n"
	for _, fm := range []string{
		"",
		"tags: [a, b]\n",
		"tags:\n- a\n- b\n",
		"tags:\n# which\n  - a\n",
		"title: \"two\nlines\"\n",   // a quoted scalar on two lines: parsed whole
		"tags: [a,\nb]\n",           // a flow sequence on two lines: parsed whole
		"title: 'it''s\nfine'\n",    // the same, single-quoted
		"title: plain\ncontinued\n", // not YAML either way
		"customer:\n  name: Acme\n  segment: vip\n",
		"title: again\n",         // a key twice
		"x: &a 1\ny: *a\n",       // an alias across entries
		"x: &a 1\n",              // an anchor
		"<<: {a: 1}\n",           // a merge key
		"title: !!binary aGk=\n", // a tag
		"urgency: urgent\nimportance: critical\ntype: product\n",
		"tier_override:\n  tier: 1\n",
		"tier_override:\n  tier: 1\n  reason: CEO\n",
		"unknown: 1\n",
		"rice: {reach: 100, impact: 2, confidence: 0.8, effort: 3}\n",
		"body: |\n  text\nnext: 1\n",
		"received: 2026-02-30\n",
		"title: \"\"\n",
		"title:\n",
		"title: >\n  folded\n  text\n",
		"customer:\n  name: &n Acme\n",         // an anchor inside an entry
		"customer:\n  <<: {name: Acme}\n",      // a merge key inside an entry
		"customer:\n  name: !!str Acme\n",      // a tag inside an entry
		"customer:\n  name: A\n  name: B\n",    // a key twice inside an entry
		"urgency: urgent\n",                    // checked before: taken as it checked
		"owner: \"a\u2028b\"\nurgency: soon\n", // a line break YAML counts: lines after it as YAML gives them
		"owner: a\u0085 b\nurgency: soon\n",
		"owner: \"a\u2029b\"\ncustomer:\n  segment: gold\n",
		manyKeys(40, -1),
		manyKeys(40, 35), // a key twice among many
	} {
		for _, p := range []string{"D-0001-export.md", "D-0002-other.md"} {
			sameAsParseDemand(t, c, cfg, p, []byte(head+fm+"---\nBody.\n"))
		}
	}
	for _, data := range []string{"", "no front matter", "---\n", "---\n---\n", "---\nid: D-0001\n", "\ufeff---\r\nid: D-0001\r\ntitle: t\r\n---\r\n"} {
		sameAsParseDemand(t, c, cfg, "D-0001-x.md", []byte(data))
	}
}

// Every sample demand, and versions of it with each line dropped in turn
// (as a history holds them), read as ParseDemand reads them.
func TestFrontCacheSamples(t *testing.T) {
	data, err := os.ReadFile("../demands/registry.yaml")
	require.NoError(t, err)
	cfg, fs := config.Parse("registry.yaml", data)
	require.False(t, fs.HasErrors(), "%v", fs)
	c := NewFrontCache(50)
	paths, err := filepath.Glob("../demands/*.md")
	require.NoError(t, err)
	require.NotEmpty(t, paths)
	entries := 0
	for _, p := range paths {
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		sameAsParseDemand(t, c, cfg, filepath.Base(p), data)
		yml, _, _ := FrontMatter(data)
		e, _ := frontEntries(yml, nil)
		entries += len(e)
		lines := strings.SplitAfter(string(data), "\n")
		for i := 1; i < len(lines) && lines[i] != "---\n"; i++ {
			v := strings.Join(lines[:i], "") + strings.Join(lines[i+1:], "")
			sameAsParseDemand(t, c, cfg, filepath.Base(p), []byte(v))
			v = strings.Join(lines[:i], "") + fmt.Sprintf("# edited %d\n", i) + strings.Join(lines[i:], "")
			sameAsParseDemand(t, c, cfg, filepath.Base(p), []byte(v))
		}
	}
	// Each edit parses the entry it touches, no more.
	assert.Less(t, c.parsed, 3*entries, "entries parsed again")
}

// FuzzFrontCache: for any bytes, the cache reads a file as ParseDemand
// does, and so does a second read from a cache that has seen it.
func FuzzFrontCache(f *testing.F) {
	addSampleDemands(f)
	for _, s := range []string{
		"---\nid: D-0001\ntitle: \"a\nb\"\nstatus: new\nreceived: 2026-11-02\n---\n",
		"---\nid: D-0001\ntags: [a,\nb]\n---\n", "---\nx: &a 1\ny: *a\n---\n", "---\nid: D-0001\n- a\n---\n",
		"---\nid: D-0001\ntitle: |\n  x\nstatus: new\n---\n",
		"---\nid: D-0001\n--- # c\nvisibility: internal\n---\n", "---\nid: D-0001\n... # end\nx: 1\n---\n", "---\nowner: a\x00b\n---\n",
	} {
		f.Add([]byte(s))
	}
	cfg := config.Default()
	c := NewFrontCache(100)
	f.Fuzz(func(t *testing.T, data []byte) {
		sameAsParseDemand(t, c, cfg, "D-0001-x.md", data)
		sameAsParseDemand(t, c, cfg, "D-0001-x.md", data)
	})
}

// Document markers and control characters inside the front matter are
// errors through the cache too (it cuts no entries across them).
func TestFrontCacheMarkers(t *testing.T) {
	cfg := config.Default()
	c := NewFrontCache(10)
	head := "---\nid: D-0001\ntitle: T\nstatus: new\nreceived: 2026-11-02\n"
	for _, fm := range []string{"--- # c\nvisibility: internal\n", "--- !!map\nvisibility: internal\n", "--- {}\nvisibility: internal\n",
		"... # end\nvisibility: internal\n", "owner: a\x00b\n"} {
		data := []byte(head + fm + "---\nBody.\n")
		sameAsParseDemand(t, c, cfg, "D-0001-x.md", data)
		assert.Nil(t, c.ParseDemand(cfg, "D-0001-x.md", data), "%q", fm)
	}
}

// A value checked against one config's field is checked again against
// another's: the same entry may be valid under one and not the other.
func TestFrontCacheConfigChange(t *testing.T) {
	lax := config.Default()
	strict := config.Default()
	strict.Fields["urgency"] = &config.Field{Type: "enum", Values: []string{"urgent"}}
	c := NewFrontCache(10)
	data := []byte("---\nid: D-0001\ntitle: Export\nstatus: new\nreceived: 2026-11-02\nurgency: routine\n---\nBody.\n")
	for _, cfg := range []*config.Config{lax, strict, lax} {
		sameAsParseDemand(t, c, cfg, "D-0001-export.md", data)
	}
	assert.NotContains(t, c.ParseDemand(strict, "D-0001-export.md", data).Fields.Map(), "urgency")
	assert.Equal(t, "routine", c.ParseDemand(lax, "D-0001-export.md", data).Fields.Get("urgency"))
	// Values may hang on the config beyond the field (the ID pattern):
	// another config starts the entries afresh.
	n := c.parsed
	c.ParseDemand(lax, "D-0001-export.md", data)
	assert.Equal(t, n, c.parsed, "the same config reuses the entries")
	c.ParseDemand(strict, "D-0001-export.md", data)
	assert.Equal(t, n+5, c.parsed, "another config parses them again")
}

// manyKeys is front matter of n entries x0: 0 …, with x0 again at dup.
func manyKeys(n, dup int) string {
	var sb strings.Builder
	for i := range n {
		k := i
		if i == dup {
			k = 0
		}
		fmt.Fprintf(&sb, "x%d: %d\n", k, i)
	}
	return sb.String()
}

// The same entries, right and wrong, in other orders and at other lines:
// what their check found is reported where each file has them.
func TestFrontCacheFindingsMove(t *testing.T) {
	cfg := config.Default()
	c := NewFrontCache(100)
	entries := []string{
		"id: D-0001\n", "title: Export\n", "status: new\n", "received: 2026-11-02\n",
		"urgency: sometimes\n",                                  // not one of the values
		"received_at: 2026-02-30\n",                             // unknown
		"customer:\n  name: Acme\n  segment: gold\n  size: 3\n", // nested: a bad value, an unknown key
		"rice: {reach: x, impact: 2, confidence: 0.8}\n",        // a bad number, a missing key
		"tags:\n  - a\n  -\n  - b\n",                            // an empty item
		"due: 2026-13-01\n",
	}
	for round := range 6 {
		order := slices.Clone(entries)
		rand.New(rand.NewPCG(uint64(round), 1)).Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		lead := strings.Repeat("# lead\n\n", round%3)
		data := []byte("---\n" + lead + strings.Join(order, "") + "---\nBody.\n")
		sameAsParseDemand(t, c, cfg, "D-0001-export.md", data)
		_, fs := c.parse(cfg, "D-0001-export.md", data)
		assert.GreaterOrEqual(t, len(fs), 7, "%q", data)
	}
}

// Load reads every file into one buffer per worker and keeps entries from
// file to file: each demand is still what ParseDemand makes of its file
// alone, with the same findings. Files of many sizes, some broken, some
// with CRLF line ends, are loaded in one go; a demand that kept bytes of
// the buffer would hold those of a later file.
func TestLoadAsParseDemand(t *testing.T) {
	dir := t.TempDir()
	extras := []string{"", "urgency: urgent\n", "urgency: someday\n", "tags: [a, b]\n", "customer:\n  name: Acme\n  segment: vip\n",
		"title: again\n", "x: &a 1\n", "y: *a\n", "customer: {name: Acme, segment: gold}\n", "received: 2026-02-30\n",
		"owner: \"unclosed\n", "tags: [a,\n  b]\n", "due: 2027-01-0%d\n"}
	var paths []string
	for i := range 300 {
		id := fmt.Sprintf("D-%05d", i+1)
		body := strings.Repeat(fmt.Sprintf("Line %d of a body.\n", i), i%37*i%5+1)
		extra := extras[i%len(extras)]
		if strings.Contains(extra, "%d") {
			extra = fmt.Sprintf(extra, i%9+1) // new in some chunks, seen in others
		}
		data := fmt.Sprintf("---\nid: %s\ntitle: Demand %d\nstatus: new\nreceived: 2026-01-05\n%s---\n%s", id, i, extra, body)
		if i%7 == 3 {
			data = strings.ReplaceAll(data, "\n", "\r\n")
		}
		p := id + "-demand.md"
		paths = append(paths, p)
		require.NoError(t, os.WriteFile(filepath.Join(dir, p), []byte(data), 0o644))
	}
	src, err := OpenDir(dir)
	require.NoError(t, err)
	defer src.Close()
	snap, fs, err := Load(src)
	require.NoError(t, err)
	cfg := config.Default()
	var wantFs finding.Findings
	for _, p := range paths {
		data, err := os.ReadFile(filepath.Join(dir, p))
		require.NoError(t, err)
		want, wfs := ParseDemand(cfg, p, data)
		wantFs = append(wantFs, wfs...)
		if want == nil || want.ID == "" {
			continue
		}
		assert.Equal(t, want, snap.Get(want.ID), p)
	}
	fs.Sort()
	wantFs.Sort()
	assert.Equal(t, wantFs, fs)
	assert.Greater(t, len(fs), 60)
}

// FuzzPrefetch: entries of two files parsed together beforehand leave
// each file read as ParseDemand reads it.
func FuzzPrefetch(f *testing.F) {
	f.Add([]byte("---\nid: D-0001\nx: &a 1\n---\n"), []byte("---\nid: D-0002\ny: *a\n---\n"))
	f.Add([]byte("---\nid: D-0001\ntitle: \"open\n---\n"), []byte("---\nid: D-0002\ntitle: T\nstatus: new\n---\n"))
	f.Add([]byte("---\nid: D-0001\ntags: [a,\n b]\n---\n"), []byte("---\nid: D-0002\nurgency: urgent\n---\n"))
	f.Add([]byte("---\nid: D-0001\ntitle: \"a\u2028b\"\nstatus: bogus\n---\n"), []byte("---\nid: D-0002\nstatus: bogus\n---\n"))
	cfg := config.Default()
	f.Fuzz(func(t *testing.T, a, b []byte) {
		c := NewFrontCache(100)
		c.prefetch(cfg, [][]byte{a, b, a})
		sameAsParseDemand(t, c, cfg, "D-0001-x.md", a)
		sameAsParseDemand(t, c, cfg, "D-0002-y.md", b)
	})
}

// Demands with their keys on the same lines share one slice of
// positions; another layout has its own, at its lines.
func TestPositionsShared(t *testing.T) {
	cfg := config.Default()
	c := NewFrontCache(2)
	file := func(id, extra string) []byte {
		return []byte("---\nid: " + id + "\ntitle: T " + id + "\n" + extra + "status: new\nreceived: 2026-11-02\n---\nBody.\n")
	}
	a, _ := c.parse(cfg, "D-0001-a.md", file("D-0001", ""))
	b, _ := c.parse(cfg, "D-0002-b.md", file("D-0002", ""))
	x, _ := c.parse(cfg, "D-0003-x.md", file("D-0003", "# a comment\n"))
	assert.Same(t, &a.Pos[0], &b.Pos[0])
	assert.NotSame(t, &a.Pos[0], &x.Pos[0])
	assert.Equal(t, Pos{Line: 4, Col: 1}, a.At("status"))
	assert.Equal(t, Pos{Line: 5, Col: 1}, x.At("status"))
	// Past the cache's size, older layouts give way; positions stay right.
	for i := range 10 {
		id := fmt.Sprintf("D-%04d", 10+i)
		sameAsParseDemand(t, c, cfg, id+"-y.md", file(id, strings.Repeat("# c\n", i)))
	}
	assert.Equal(t, Pos{Line: 4, Col: 1}, a.At("status"))
}
