package registry

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/demand-registry/demand/registry/config"

	"github.com/demand-registry/demand/registry/finding"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mapSource is an in-memory registry for tests.
type mapSource map[string]string

func (m mapSource) Describe() string { return "test" }
func (m mapSource) List() ([]File, error) {
	var fs []File
	for p, c := range m {
		if IsDemandFile(p) {
			fs = append(fs, File{Path: p, Size: int64(len(c))})
		}
	}
	sort.Slice(fs, func(i, j int) bool { return fs[i].Path < fs[j].Path })
	return fs, nil
}
func (m mapSource) ReadFile(p string) ([]byte, error) {
	c, ok := m[p]
	if !ok {
		return nil, fs.ErrNotExist
	}
	return []byte(c), nil
}

func demandFile(id, extra string) string {
	return fmt.Sprintf("---\nid: %s\ntitle: Demand %s\nstatus: new\nreceived: 2026-01-05\n%s---\nBody.\n", id, id, extra)
}

// check loads and validates a registry and returns "line:col rule" per finding of path.
func check(t *testing.T, src Source) finding.Findings {
	t.Helper()
	snap, fs, err := Load(src)
	require.NoError(t, err)
	fs = append(fs, Validate(snap)...)
	fs.Sort()
	return fs
}

func brief(fs finding.Findings) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s:%d:%d %s %s", f.Path, f.Line, f.Col, f.Severity, f.Rule))
	}
	return out
}

func TestRules(t *testing.T) {
	ok := demandFile("D-0001", "")
	cases := []struct {
		name  string
		files mapSource
		want  []string
		msg   string // a substring of the first finding's message or hint
	}{
		{"clean", mapSource{"D-0001-a.md": ok}, []string{}, ""},
		{"no front matter", mapSource{"D-0001-a.md": "# Title\n"}, []string{"D-0001-a.md:1:1 error front-matter"}, "does not start"},
		{"unclosed front matter", mapSource{"D-0001-a.md": "---\nid: D-0001\n"}, []string{"D-0001-a.md:1:1 error front-matter"}, "not closed"},
		{"yaml syntax", mapSource{"D-0001-a.md": "---\nid: D-0001\ntitle: [oops\n---\n"}, []string{"D-0001-a.md:3:1 error yaml-syntax"}, "YAML syntax"},
		{"unknown field suggests", mapSource{"D-0001-a.md": demandFile("D-0001", "urgancy: urgent\n")}, []string{"D-0001-a.md:6:1 error unknown-field"}, `did you mean "urgency"`},
		{"unknown nested field", mapSource{"D-0001-a.md": demandFile("D-0001", "customer: {nam: X}\n")}, []string{"D-0001-a.md:6:12 error unknown-field"}, `"name"`},
		{"required missing", mapSource{"D-0001-a.md": "---\nid: D-0001\ntitle: T\nstatus: new\n---\n"}, []string{"D-0001-a.md:2:1 error required"}, `"received"`},
		{"required empty", mapSource{"D-0001-a.md": "---\nid: D-0001\ntitle:\nstatus: new\nreceived: 2026-01-01\n---\n"}, []string{"D-0001-a.md:3:7 error required"}, "empty"},
		{"wrong type", mapSource{"D-0001-a.md": demandFile("D-0001", "tags: {a: b}\n")}, []string{"D-0001-a.md:6:7 error type"}, "must be a list"},
		{"wrong type number", mapSource{"D-0001-a.md": demandFile("D-0001", "satisfaction: high\n")}, []string{"D-0001-a.md:6:15 error type"}, "whole number"},
		{"enum", mapSource{"D-0001-a.md": demandFile("D-0001", "urgency: asap\n")}, []string{"D-0001-a.md:6:10 error enum"}, "urgent, routine, long-term"},
		{"enum suggestion", mapSource{"D-0001-a.md": demandFile("D-0001", "urgency: urgnet\n")}, []string{"D-0001-a.md:6:10 error enum"}, `did you mean "urgent"`},
		{"status", mapSource{"D-0001-a.md": "---\nid: D-0001\ntitle: T\nstatus: done\nreceived: 2026-01-01\n---\n"}, []string{"D-0001-a.md:4:9 error status"}, "not allowed"},
		{"impossible date", mapSource{"D-0001-a.md": demandFile("D-0001", "due: 2026-02-30\n")}, []string{"D-0001-a.md:6:6 error date"}, "not a real date"},
		{"not a date", mapSource{"D-0001-a.md": demandFile("D-0001", "due: next week\n")}, []string{"D-0001-a.md:6:6 error date"}, "YYYY-MM-DD"},
		{"id format", mapSource{"D-0001-a.md": "---\nid: X-1\ntitle: T\nstatus: new\nreceived: 2026-01-01\n---\n"}, []string{"D-0001-a.md:2:5 error id-format"}, "not an ID"},
		{"duplicate id names both", mapSource{"D-0001-a.md": ok, "D-0001-b.md": ok}, []string{"D-0001-a.md:2:1 error duplicate-id", "D-0001-b.md:2:1 error duplicate-id"}, "D-0001-b.md"},
		{"file name", mapSource{"D-0002-a.md": ok}, []string{"D-0002-a.md:2:1 error filename"}, "does not start with the ID D-0001"},
		{"file name longer id", mapSource{"D-00012-a.md": ok}, []string{"D-00012-a.md:2:1 error filename"}, ""},
		{"unknown link", mapSource{"D-0001-a.md": demandFile("D-0001", "links: {depends_on: [D-0009]}\n")}, []string{"D-0001-a.md:6:9 error unknown-link"}, "D-0009"},
		{"self link", mapSource{"D-0001-a.md": demandFile("D-0001", "links: {related: [D-0001]}\n")}, []string{"D-0001-a.md:6:9 error self-link"}, "itself"},
		{"cycle named", mapSource{
			"D-0001-a.md": demandFile("D-0001", "links: {depends_on: [D-0002]}\n"),
			"D-0002-a.md": demandFile("D-0002", "links: {depends_on: [D-0003]}\n"),
			"D-0003-a.md": demandFile("D-0003", "links: {depends_on: [D-0001]}\n"),
		}, []string{"D-0001-a.md:6:9 error cycle"}, "D-0001 → D-0002 → D-0003 → D-0001"},
		{"duplicate without duplicate_of", mapSource{"D-0001-a.md": "---\nid: D-0001\ntitle: T\nstatus: duplicate\nreceived: 2026-01-01\n---\n"}, []string{"D-0001-a.md:4:1 error duplicate-of"}, "duplicate_of"},
		{"override without reason", mapSource{"D-0001-a.md": demandFile("D-0001", "tier_override: {tier: 1}\n")}, []string{"D-0001-a.md:6:16 error override-reason"}, "reason"},
		{"satisfaction range", mapSource{"D-0001-a.md": demandFile("D-0001", "satisfaction: 6\n")}, []string{"D-0001-a.md:6:15 error satisfaction"}, "outside 1–5"},
		{"rice reach beyond bound", mapSource{"D-0001-a.md": demandFile("D-0001", "rice: {reach: 1.7e308, impact: 3, confidence: 1, effort: 1}\n")}, []string{"D-0001-a.md:6:15 error range"}, "beyond the bound"},
		{"negative number beyond bound", mapSource{"registry.yaml": "fields:\n  cost: {type: number}\n", "D-0001-a.md": demandFile("D-0001", "cost: -2e15\n")}, []string{"D-0001-a.md:6:7 error range"}, "beyond the bound"},
		{"whole number beyond bound", mapSource{"D-0001-a.md": demandFile("D-0001", "satisfaction: 9223372036854775807\n")}, []string{"D-0001-a.md:6:15 error range"}, "beyond the bound"},
		{"rice scale", mapSource{"D-0001-a.md": demandFile("D-0001", "rice: {reach: 10, impact: 4, confidence: 0.5, effort: 1}\n")}, []string{"D-0001-a.md:6:27 error range"}, "0.25, 0.5, 1, 2, 3"},
		{"not utf-8", mapSource{"D-0001-a.md": "---\nid: D-0001\ntitle: \xb2\xe2\n---\n"}, []string{"D-0001-a.md:3:8 error encoding"}, "UTF-8"},
		{"bom and crlf accepted", mapSource{"D-0001-a.md": "\ufeff" + strings.ReplaceAll(ok, "\n", "\r\n")}, []string{}, ""},
		{"anchor rejected", mapSource{"D-0001-a.md": demandFile("D-0001", "owner: &a x\ntags: [*a]\n")}, []string{"D-0001-a.md:6:8 error yaml-anchor", "D-0001-a.md:7:8 error yaml-anchor"}, "anchor"},
		{"custom tag rejected", mapSource{"D-0001-a.md": demandFile("D-0001", "owner: !secret x\n")}, []string{"D-0001-a.md:6:8 error yaml-tag"}, "!secret"},
		{"deep nesting", mapSource{"D-0001-a.md": demandFile("D-0001", "x: "+strings.Repeat("[", 20)+strings.Repeat("]", 20)+"\n")}, []string{"D-0001-a.md:6:15 error yaml-depth"}, "deeper"},
		{"duplicate key", mapSource{"D-0001-a.md": demandFile("D-0001", "owner: a\nowner: b\n")}, []string{"D-0001-a.md:7:1 error duplicate-key"}, "line 6"},
		{"multi-line title", mapSource{"D-0001-a.md": "---\nid: D-0001\ntitle: |\n  a\n  b\nstatus: new\nreceived: 2026-01-01\n---\n"}, []string{"D-0001-a.md:3:8 error single-line"}, "one line"},
		// Front matter is exactly one mapping: a document marker inside it
		// would end the YAML document and drop the keys after it.
		{"marker with comment", mapSource{"D-0001-a.md": demandFile("D-0001", "--- # comment\nvisibility: internal\n")}, []string{"D-0001-a.md:6:1 error front-matter"}, "document marker"},
		{"marker with tag", mapSource{"D-0001-a.md": demandFile("D-0001", "--- !!map\nvisibility: internal\n")}, []string{"D-0001-a.md:6:1 error front-matter"}, "document marker"},
		{"marker with mapping", mapSource{"D-0001-a.md": demandFile("D-0001", "--- {}\nvisibility: internal\n")}, []string{"D-0001-a.md:6:1 error front-matter"}, "document marker"},
		{"end marker with comment", mapSource{"D-0001-a.md": demandFile("D-0001", "... # end\nvisibility: internal\n")}, []string{"D-0001-a.md:6:1 error front-matter"}, "document marker"},
		{"marker with tab", mapSource{"D-0001-a.md": demandFile("D-0001", "---\t# x\nvisibility: internal\n")}, []string{"D-0001-a.md:6:1 error front-matter"}, "document marker"},
		{"nul in front matter", mapSource{"D-0001-a.md": demandFile("D-0001", "owner: ab\x00c\n")}, []string{"D-0001-a.md:6:10 error encoding"}, "U+0000"},
		{"control in front matter", mapSource{"D-0001-a.md": demandFile("D-0001", "owner: 中\x01\n")}, []string{"D-0001-a.md:6:9 error encoding"}, "U+0001"},
		{"nul in body", mapSource{"D-0001-a.md": demandFile("D-0001", "") + "line\nx\x00\n"}, []string{"D-0001-a.md:9:2 error encoding"}, "NUL"},
		{"customer look-alike", mapSource{"D-0001-a.md": demandFile("D-0001", "customer: {name: Acme, segment: vip}\n"),
			"D-0002-a.md": demandFile("D-0002", "requesters:\n  - {name: Beta}\n  - {name: \"\u0410cme\"}\n")}, []string{"D-0002-a.md:8:6 warning customer-lookalike"}, `"Acme"`},
		{"customer look-alike in its own demand", mapSource{"D-0001-a.md": demandFile("D-0001", "customer:\n  name: \"\u0391\u0392C Ltd\"\nrequesters: [{name: ABC Ltd}]\n")},
			[]string{"D-0001-a.md:7:3 warning customer-lookalike"}, `"ABC Ltd"`},
		{"customer in one other script", mapSource{"D-0001-a.md": demandFile("D-0001", "customer: {name: Acme}\nrequesters: [{name: \"\u0410\u0441\u0435\"}, {name: Ace}]\n")}, []string{}, ""},
		{"readme and underscore skipped", mapSource{"D-0001-a.md": ok, "README.md": "x", "_draft.md": "x", ".hidden/x.md": "x"}, []string{}, ""},
		{"file size", mapSource{"registry.yaml": "files: {max_size: 50}\n", "D-0001-a.md": ok}, []string{"D-0001-a.md:0:0 error file-size"}, "limit of 50"},
		{"id from file name", mapSource{"registry.yaml": "id: {pattern: '^[0-9]{4}$', prefix: '', digits: 4, from_filename: true}\n",
			"0042-some-title.md": "---\ntitle: T\nstatus: new\nreceived: 2026-01-01\nlinks: {related: [0043]}\n---\n",
			"0043-other.md":      "---\ntitle: T\nstatus: new\nreceived: 2026-01-01\n---\n"}, []string{}, ""},
		{"id from file name missing", mapSource{"registry.yaml": "id: {pattern: '^[0-9]{4}$', prefix: '', digits: 4, from_filename: true}\n",
			"notes.md": "---\ntitle: T\nstatus: new\nreceived: 2026-01-01\n---\n"}, []string{"notes.md:1:1 error filename"}, "does not start with an ID"},
		{"custom field", mapSource{"registry.yaml": "fields:\n  area: {type: enum, values: [a, b], required: true}\n", "D-0001-a.md": demandFile("D-0001", "area: c\n")},
			[]string{"D-0001-a.md:6:7 error enum"}, ""},
		{"custom required field", mapSource{"registry.yaml": "fields:\n  area: {type: enum, values: [a, b], required: true}\n", "D-0001-a.md": ok},
			[]string{"D-0001-a.md:2:1 error required"}, `"area"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fs := check(t, tc.files)
			assert.Equal(t, tc.want, brief(fs))
			if tc.msg != "" && len(fs) > 0 {
				assert.Contains(t, fs[0].Message+" "+fs[0].Hint, tc.msg)
			}
		})
	}
}

func TestSymlinkNotFollowed(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "secret.md")
	require.NoError(t, os.WriteFile(outside, []byte(demandFile("D-0002", "")), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "D-0001-a.md"), []byte(demandFile("D-0001", "")), 0o644))
	require.NoError(t, os.Symlink(outside, filepath.Join(dir, "D-0002-link.md")))
	src, err := OpenDir(dir)
	require.NoError(t, err)
	defer src.Close()
	snap, fs, err := Load(src)
	require.NoError(t, err)
	assert.Equal(t, []string{"D-0002-link.md:0:0 error symlink"}, brief(fs))
	assert.Len(t, snap.Demands, 1)
	_, err = src.ReadFile("../" + filepath.Base(filepath.Dir(outside)) + "/secret.md")
	assert.Error(t, err, "reading outside the registry must fail")
}

func TestConfigErrors(t *testing.T) {
	cases := []struct {
		name, yaml string
		want       []string
		msg        string
	}{
		{"unknown key suggests", "titel: x\n", []string{"registry.yaml:1:1 error config"}, `did you mean "title"`},
		{"nested unknown key", "tiers:\n  levls: []\n", []string{"registry.yaml:2:3 error config"}, `"levels"`},
		{"wrong type", "files:\n  max_size: big\n", []string{"registry.yaml:2:13 error config"}, "cannot unmarshal"},
		{"bad field type", "fields:\n  area: {type: colour}\n", []string{"registry.yaml:2:16 error config"}, "not one of"},
		{"bad status kind", "statuses:\n  - {name: a, kind: doing, next: []}\n", []string{"registry.yaml:2:21 error config"}, "kind"},
		{"unknown next status", "statuses:\n  - {name: a, kind: open, next: [b]}\n", []string{"registry.yaml:2:33 error config"}, "unknown next status"},
		{"bad id pattern", "id: {pattern: '([', prefix: D-, digits: 4}\n", []string{"registry.yaml:1:15 error config"}, "regular expression"},
		{"yaml syntax", "title: [x\n", []string{"registry.yaml:2:1 error yaml-syntax"}, ""},
		{"huge weight", "scoring:\n  requesters:\n    segment_weights: {vip: 1e308}\n", []string{"registry.yaml:3:28 error config"}, "out of range"},
		{"tiny saturation", "scoring:\n  requesters:\n    saturation: 1e-308\n", []string{"registry.yaml:3:17 error config"}, "out of range"},
		{"infinite reach", "scoring:\n  requesters:\n    reach_per_requester: .inf\n", []string{"registry.yaml:3:26 error config"}, "out of range"},
		{"second document", "title: x\n--- # more\nlanguage: zh-CN\n", []string{"registry.yaml:2:1 error yaml-syntax"}, "second YAML document"},
		{"alias", "title: &t x\nlanguage: *t\n", []string{"registry.yaml:1:8 error yaml-anchor", "registry.yaml:2:11 error yaml-anchor"}, ""},
		{"unknown policy field", "policy:\n  rules:\n    - {name: r, when: {status: new}, require: [ownr], severity: error, message: m}\n", []string{"registry.yaml:3:7 error config"}, "ownr"},
		{"bad language", "language: fr\n", []string{"registry.yaml:1:11 error config"}, "en or zh-CN"},
		{"unknown key in a nested field", "fields:\n  a: {type: list, items: {type: map, fields: {b: {type: string, colour: red}}}}\n", []string{"registry.yaml:2:65 error config"}, "known keys: description"},
		{"unknown key in a map value", "scoring:\n  kano:\n    must-be: {flor: 3}\n", []string{"registry.yaml:3:15 error config"}, `did you mean "floor"`},
		{"unknown key in a list item", "statuses:\n  - {name: a, kind: open, nxt: []}\n", []string{"registry.yaml:2:27 error config"}, `did you mean "next"`},
		{"review names no tier", "review:\n  stale_days: {1: 7, 9: 3}\n", []string{"registry.yaml:2:15 error config"}, "tier 9, which is not a tier"},
		{"review limit below a day", "review:\n  stale_days: {1: 0}\n", []string{"registry.yaml:2:15 error config"}, "at least 1"},
		{"review negative due soon", "review:\n  due_soon_days: -1\n", []string{"registry.yaml:2:18 error config"}, "must not be negative"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, fs := config.Parse("registry.yaml", []byte(tc.yaml))
			require.NotNil(t, cfg)
			fs.Sort()
			assert.Equal(t, tc.want, brief(fs))
			if tc.msg != "" && len(fs) > 0 {
				assert.Contains(t, fs[0].Message+" "+fs[0].Hint, tc.msg)
			}
		})
	}
}

func TestConfigMergesFields(t *testing.T) {
	cfg, fs := config.Parse("registry.yaml", []byte("fields:\n  title: {max_length: 10}\n  area: {type: string}\n  kano: {remove: true}\n"))
	require.Empty(t, fs)
	assert.Equal(t, config.TString, cfg.Fields["title"].Type, "merged fields keep the built-in type")
	assert.True(t, cfg.Fields["title"].Required)
	assert.Equal(t, 10, cfg.Fields["title"].MaxLength)
	assert.Nil(t, cfg.Fields["kano"])
	assert.Equal(t, "area", cfg.FieldOrder[len(cfg.FieldOrder)-1])
	assert.NotContains(t, cfg.FieldOrder, "kano")
}

func TestOwnRegistryValidates(t *testing.T) {
	src, err := OpenDir("../demands")
	require.NoError(t, err)
	defer src.Close()
	fs := check(t, src)
	for _, f := range fs {
		assert.NotEqual(t, finding.Error, f.Severity, "%s:%d: %s [%s]", f.Path, f.Line, f.Message, f.Rule)
	}
	snap, _, _ := Load(src)
	assert.GreaterOrEqual(t, len(snap.Demands), 30)
}

func TestDiffFields(t *testing.T) {
	a := map[string]string{"status": "new", "owner": "li", "tags": `["a"]`}
	b := map[string]string{"status": "triaged", "tags": `["a"]`, "due": "2026-12-01"}
	assert.Equal(t, []FieldChange{
		{Field: "due", To: "2026-12-01"},
		{Field: "owner", From: "li"},
		{Field: "status", From: "new", To: "triaged"},
	}, DiffFields(a, b))
	assert.Empty(t, DiffFields(a, a))
	assert.Equal(t, map[string]string{"n": "3", "d": "2026-01-02", "l": `["x",1]`, "m": `{"a":true}`},
		CanonicalFields(ValuesOf(map[string]any{"n": int64(3), "d": config.Date("2026-01-02"), "l": []any{"x", int64(1)}, "m": map[string]any{"a": true}})))
}

func TestFingerprint(t *testing.T) {
	src := mapSource{"D-0001-a.md": demandFile("D-0001", ""), "README.md": "x"}
	a, err := Fingerprint(src)
	require.NoError(t, err)
	src["README.md"] = "y"
	b, err := Fingerprint(src)
	require.NoError(t, err)
	assert.Equal(t, a, b, "files that are not demands do not count")
	src["D-0001-a.md"] = demandFile("D-0001", "owner: x\n")
	c, err := Fingerprint(src)
	require.NoError(t, err)
	assert.NotEqual(t, a, c)
	src[config.File] = "title: T\n"
	d, err := Fingerprint(src)
	require.NoError(t, err)
	assert.NotEqual(t, c, d, "the config counts")
}

// FrontMatter splits a file as ParseDemand does: the same front matter and
// body whatever the byte-order mark and line endings.
func TestFrontMatter(t *testing.T) {
	for _, tc := range []struct {
		name, data, yml, body string
		ok                    bool
	}{
		{"plain", "---\nid: D-1\n---\nBody.\n", "id: D-1\n", "Body.\n", true},
		{"crlf and bom", "\ufeff---\r\nid: D-1\r\n---\r\nBody.\r\n", "id: D-1\n", "Body.\n", true},
		// Only --- closes: after a "..." close, lines a reviewer reads as
		// fields up to a later --- would be body text.
		{"dots do not close", "---\nid: D-1\n...\n", "", "", false},
		{"dots before fields", "---\nid: D-1\n...\nvisibility: internal\n---\n", "", "", false},
		{"no body line", "---\nid: D-1\n---", "id: D-1\n", "", true},
		{"not front matter", "id: D-1\n", "", "", false},
		{"not closed", "---\nid: D-1\n", "", "", false},
		{"not utf-8", "---\nid: \xff\n---\n", "", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			yml, body, ok := FrontMatter([]byte(tc.data))
			assert.Equal(t, tc.ok, ok)
			if tc.ok {
				assert.Equal(t, tc.yml, string(yml))
				assert.Equal(t, tc.body, body)
				cfg, _ := config.Parse("registry.yaml", nil)
				d, _ := ParseDemand(cfg, "D-1-x.md", []byte(tc.data))
				require.NotNil(t, d)
				assert.Equal(t, d.Body, body, "the body ParseDemand reads")
			}
		})
	}
}

// countingSource counts the demand files read (files load in parallel).
type countingSource struct {
	*DirSource
	reads atomic.Int64
}

func (c *countingSource) ReadFile(p string) ([]byte, error) {
	if IsDemandFile(p) {
		c.reads.Add(1)
	}
	return c.DirSource.ReadFile(p)
}

// A parse cache reuses a file whose bytes are unchanged, and does not even
// read one whose size and modification time are unchanged (unless it was
// modified just before it was read); a changed file is parsed again.
func TestParseCache(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "D-00001-a.md"), filepath.Join(dir, "D-00002-b.md")
	old := time.Now().Add(-time.Hour)
	for _, p := range []string{a, b} {
		require.NoError(t, os.WriteFile(p, []byte(demandFile(filepath.Base(p)[:7], "")), 0o644))
		require.NoError(t, os.Chtimes(p, old, old))
	}
	ds, err := OpenDir(dir)
	require.NoError(t, err)
	defer ds.Close()
	src := &countingSource{DirSource: ds}
	cache := NewParseCache()
	load := func() *Snapshot {
		src.reads.Store(0)
		s, fs, err := LoadCached(src, cache)
		require.NoError(t, err)
		require.False(t, fs.HasErrors(), "%v", fs)
		return s
	}
	first := load()
	assert.EqualValues(t, 2, src.reads.Load())
	second := load()
	assert.EqualValues(t, 0, src.reads.Load(), "unchanged files are not read")
	assert.Same(t, first.Get("D-00001"), second.Get("D-00001"))

	// The same size, another time and title: read and parsed again.
	data, err := os.ReadFile(a)
	require.NoError(t, err)
	edited := strings.Replace(string(data), "title: ", "title: X", 1)
	edited = strings.Replace(edited, "Body", "Bod", 1)
	require.Len(t, edited, len(data))
	require.NoError(t, os.WriteFile(a, []byte(edited), 0o644))
	third := load()
	assert.EqualValues(t, 1, src.reads.Load())
	assert.NotEqual(t, first.Get("D-00001").Title, third.Get("D-00001").Title)
	assert.Same(t, first.Get("D-00002"), third.Get("D-00002"))
	// Modified just before it was read: read again, found unchanged.
	load()
	assert.EqualValues(t, 1, src.reads.Load())
	assert.Same(t, third.Get("D-00001"), load().Get("D-00001"))
}

// mayHoldControl finds every rune notYAMLPrintable accepts, in any text:
// each rune from U+0000 to U+FFFF after a Chinese and an ASCII prefix.
func TestMayHoldControl(t *testing.T) {
	for r := rune(0); r <= 0xFFFF; r++ {
		if r >= 0xD800 && r < 0xE000 {
			continue // not encodable
		}
		for _, s := range []string{string(r), "订单（" + string(r) + "）", "a: " + string(r) + "\n"} {
			_, _, _, bad := findRune([]byte(s), notYAMLPrintable)
			if bad && !mayHoldControl([]byte(s)) {
				t.Fatalf("%U in %q missed", r, s)
			}
			if !bad && mayHoldControl([]byte(s)) {
				t.Fatalf("%U in %q taken for a control character", r, s)
			}
		}
	}
}

// A file that grew past files.max_size after it was listed is reported
// as too large, by its registry path, and is read no further than the
// limit.
func TestFileGrownPastLimit(t *testing.T) {
	dir := t.TempDir()
	p := "D-00001-a.md"
	require.NoError(t, os.WriteFile(filepath.Join(dir, p), []byte(demandFile("D-00001", "")+strings.Repeat("x", 5000)), 0o644))
	src, err := OpenDir(dir)
	require.NoError(t, err)
	defer src.Close()
	cfg := config.Default()
	cfg.Files.MaxSize = 1000
	l := &loader{front: NewFrontCache(10), bufs: make([][]byte, 1)}
	listed := File{Path: p, Size: 100} // as it was when listed
	data, _, res, done := l.read(cfg, src, listed, 0, nil, nil)
	require.True(t, done)
	assert.Nil(t, data)
	require.Len(t, res.fs, 1)
	f := res.fs[0]
	assert.Equal(t, p, f.Path)
	assert.Equal(t, "file-size", f.Rule)
	assert.Equal(t, "the file is more than the limit of 1000 bytes", f.Message)
	assert.Contains(t, f.Hint, "files.max_size")
	assert.NotContains(t, f.Message+f.Hint, dir, "no path of the machine")
}
