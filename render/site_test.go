package render

import (
	"bytes"
	"flag"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/demand-registry/demand/registry/config"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/registry/history"
	"github.com/demand-registry/demand/registry/public"
	"github.com/demand-registry/demand/registry/rank"
	"github.com/demand-registry/demand/templates"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// loadRegistry loads a registry folder that must be clean.
func loadRegistry(t *testing.T, dir string) *registry.Snapshot {
	src, err := registry.OpenDir(dir)
	require.NoError(t, err)
	defer src.Close()
	snap, fs, err := registry.Load(src)
	require.NoError(t, err)
	require.False(t, fs.HasErrors(), "%v", fs)
	return snap
}

func testInput(t *testing.T) Input {
	snap := loadRegistry(t, "testdata/registry")
	when := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	hist := map[string]*history.History{
		"D-0001": {ID: "D-0001", Path: "demands/D-0001-sso.md", Commits: []history.Commit{
			{Hash: "2222222222222222222222222222222222222222", Author: "Ada", Date: when, Committed: when, Subject: "Start SSO (#7)", PR: 7,
				Kind: "changed", Changes: []history.Change{{Field: "status", From: "planned", To: "in-progress"}}},
			{Hash: "1111111111111111111111111111111111111111", Author: "Ada", Date: when.AddDate(0, 0, -8), Subject: "Add SSO", Kind: "created", Changes: []history.Change{}},
		}, SLA: &history.SLA{Tier: 1, Nodes: []history.SLANode{
			{Node: "evaluate", State: history.Met, TargetDays: 1, ElapsedDays: 1, WorkingDays: true},
			{Node: "solution", State: history.Breached, TargetDays: 5, ElapsedDays: 7, OverDays: 2, WorkingDays: true},
			{Node: "feedback", State: history.Running, TargetDays: 30, ElapsedDays: 7, WorkingDays: true},
		}}},
	}
	return Input{Snapshot: snap, Ranking: rank.Rank(snap), History: hist, Commit: "2222222222222222222222222222222222222222", Date: when}
}

// publicInput is the public view of an input (as public.Derive makes it
// of a walked history), the SLA given kept.
func publicInput(in Input) Input {
	snap := public.Snapshot(in.Snapshot)
	out := Input{Snapshot: snap, Ranking: rank.Rank(snap), Commit: in.Commit, Date: in.Date}
	if in.History != nil {
		out.History = map[string]*history.History{}
		for id, h := range in.History {
			if snap.Get(id) != nil {
				r := history.Redact(h, in.Date, func(id string) bool { return snap.Get(id) != nil })
				r.SLA = h.SLA
				out.History[id] = r
			}
		}
	}
	return out
}

// forAudience is the input as a build for an audience is handed it.
func forAudience(in Input, opt Options) Input {
	if opt.Audience == Public {
		return publicInput(in)
	}
	return in
}

func build(t *testing.T, opt Options) map[string][]byte {
	opt.Templates = templates.FS
	files, err := Build(forAudience(testInput(t), opt), opt)
	require.NoError(t, err)
	return files
}

// TestGolden compares the rendered pages with testdata/golden
// (go test ./render -update rewrites them).
func TestGolden(t *testing.T) {
	files := build(t, Options{BaseURL: "https://demands.example.com/"})
	// Assets copied from the templates are compared with their source, not
	// kept twice as golden files.
	copied := map[string]string{"assets/style.css": "style.css", "assets/favicon.svg": "favicon.svg", "assets/search.js": "search.js",
		"assets/minisearch.js": "vendor/minisearch.js", "assets/minisearch.LICENSE.txt": "vendor/minisearch.LICENSE.txt"}
	var names []string
	for n := range files {
		if src, ok := copied[n]; ok {
			want, err := fs.ReadFile(templates.FS, src)
			require.NoError(t, err)
			assert.Equal(t, want, files[n], n)
			continue
		}
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		golden := filepath.Join("testdata", "golden", filepath.FromSlash(n))
		if *update {
			require.NoError(t, os.MkdirAll(filepath.Dir(golden), 0o755))
			require.NoError(t, os.WriteFile(golden, files[n], 0o644))
			continue
		}
		want, err := os.ReadFile(golden)
		require.NoError(t, err, "missing golden file: run go test ./render -update")
		assert.Equal(t, string(want), string(files[n]), n)
	}
}

func TestDeterministic(t *testing.T) {
	a := build(t, Options{})
	b := build(t, Options{})
	assert.Equal(t, a, b)
}

func TestSafeAndComplete(t *testing.T) {
	files := build(t, Options{})
	page := string(files["demands/D-0001.html"])
	assert.Contains(t, page, "Single sign-on &lt;for admins&gt;")
	assert.NotContains(t, page, "javascript:")
	assert.Contains(t, page, `href="https://example.com/sso"`)
	assert.Contains(t, page, `Content-Security-Policy`)
	assert.NotContains(t, page, "<script>")
	for _, want := range []string{"Start SSO (#7)", "In progress", "sla-breached", "D-0002", "上海华信物流", "Why this tier", "via requester"} {
		assert.Contains(t, page, want)
	}
	assert.Contains(t, string(files["demands/D-0002.html"]), "Blocks")
	csv := files["demands.csv"]
	assert.True(t, bytes.HasPrefix(csv, []byte("\ufeffid,title,")), "CSV starts with a UTF-8 BOM")
	assert.Contains(t, string(csv), "报表导出 Excel")
}

func TestPublicAudience(t *testing.T) {
	files := build(t, Options{Audience: Public})
	for name, data := range files {
		s := string(data)
		assert.NotContains(t, s, "D-0003", name)
		assert.NotContains(t, s, "Internal platform work", name)
		assert.NotContains(t, s, "Northwind", name)
		assert.NotContains(t, s, "上海华信物流", name)
		assert.False(t, strings.HasPrefix(name, "customers/"), name)
	}
	assert.Contains(t, string(files["demands/D-0001.html"]), "VIP")
}

// TestPublicNeedsPublicView: a public build refuses an input with an
// internal demand, a ranking of more, or a history not redacted.
func TestPublicNeedsPublicView(t *testing.T) {
	opt := Options{Audience: Public, Templates: templates.FS}
	_, err := Build(testInput(t), opt)
	assert.ErrorContains(t, err, "D-0003 is internal")
	in := publicInput(testInput(t))
	in.Ranking = testInput(t).Ranking
	_, err = Build(in, opt)
	assert.ErrorContains(t, err, "D-0003 is ranked")
	in = publicInput(testInput(t))
	h := *in.History["D-0001"]
	h.Commits = append([]history.Commit{{Hash: "3333333333", Email: "ada@example.com", Kind: "changed"}}, h.Commits...)
	in.History = map[string]*history.History{"D-0001": &h}
	_, err = Build(in, opt)
	assert.ErrorContains(t, err, "D-0001 is not redacted")
	_, err = Exports(testInput(t), opt)
	assert.Error(t, err)
}

func TestChinese(t *testing.T) {
	files := build(t, Options{Lang: "zh-CN"})
	assert.Contains(t, string(files["index.html"]), `lang="zh-CN"`)
	assert.Contains(t, string(files["index.html"]), "需求优先级")
	assert.Contains(t, string(files["demands/D-0001.html"]), "定级依据")
}

// TestLinksResolve: every internal link and asset of every page points at
// a file of the site.
func TestLinksResolve(t *testing.T) {
	for _, opt := range []Options{{}, {Audience: Public}} {
		files := build(t, opt)
		checkLinks(t, files)
	}
}

func checkLinks(t *testing.T, files map[string][]byte) {
	t.Helper()
	for name, data := range files {
		if !strings.HasSuffix(name, ".html") {
			continue
		}
		z := html.NewTokenizer(bytes.NewReader(data))
		for {
			tt := z.Next()
			if tt == html.ErrorToken {
				break
			}
			if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
				continue
			}
			for {
				key, val, more := z.TagAttr()
				if k := string(key); k == "href" || k == "src" {
					link := string(val)
					if strings.Contains(link, "://") || strings.HasPrefix(link, "#") || strings.HasPrefix(link, "mailto:") {
						goto next
					}
					link, _, _ = strings.Cut(link, "#")
					if u, err := url.PathUnescape(link); err == nil {
						link = u // browsers decode %e6%8a%a5 to 报
					}
					target := filepath.ToSlash(filepath.Clean(filepath.Join(filepath.Dir(name), link)))
					_, ok := files[target]
					assert.True(t, ok, "%s links to %s, which the site does not have", name, val)
				}
			next:
				if !more {
					break
				}
			}
		}
	}
}

// writeSite writes a whole site at once.
func writeSite(out string, files map[string][]byte) error {
	w, err := NewSiteWriter(out)
	if err != nil {
		return err
	}
	for name, data := range files {
		w.Put(name, data)
	}
	return w.Commit()
}

func TestWriteAtomic(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "site")
	require.NoError(t, writeSite(out, map[string][]byte{"index.html": []byte("one"), "a/b.html": []byte("b")}))
	require.NoError(t, writeSite(out, map[string][]byte{"index.html": []byte("two")}))
	got, err := os.ReadFile(filepath.Join(out, "index.html"))
	require.NoError(t, err)
	assert.Equal(t, "two", string(got))
	assert.NoFileExists(t, filepath.Join(out, "a", "b.html"), "the old site is replaced, not merged")
	entries, _ := os.ReadDir(dir)
	assert.Len(t, entries, 1, "no temporary folders left")

	other := filepath.Join(dir, "docs")
	require.NoError(t, os.MkdirAll(other, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(other, "keep.txt"), []byte("mine"), 0o644))
	err = writeSite(other, map[string][]byte{"index.html": []byte("x")})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not a site built by demand")
	assert.FileExists(t, filepath.Join(other, "keep.txt"))
}

// A site written while it renders replaces the old one only on Commit; an
// aborted one leaves the old site as it was and nothing behind; a write
// that fails is reported at Commit and leaves the old site too.
func TestSiteWriter(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "site")
	require.NoError(t, writeSite(out, map[string][]byte{"index.html": []byte("old")}))
	read := func(name string) string {
		data, err := os.ReadFile(filepath.Join(out, name))
		require.NoError(t, err)
		return string(data)
	}

	w, err := NewSiteWriter(out)
	require.NoError(t, err)
	w.Put("index.html", []byte("new"))
	w.Put("demands/D-1.html", []byte("d"))
	assert.Equal(t, "old", read("index.html"), "not swapped in before Commit")
	w.Abort()
	assert.Equal(t, "old", read("index.html"))
	entries, _ := os.ReadDir(dir)
	assert.Len(t, entries, 1, "nothing left behind by Abort")

	w, err = NewSiteWriter(out)
	require.NoError(t, err)
	w.Put("index.html", []byte("new"))
	w.Put("index.html", []byte("again")) // files are final when put
	w.Put("demands/D-1.html", []byte("d"))
	require.NoError(t, w.Commit())
	assert.Equal(t, "new", read("index.html"))
	assert.Equal(t, "d", read("demands/D-1.html"))
	assert.FileExists(t, filepath.Join(out, Marker))

	w, err = NewSiteWriter(out)
	require.NoError(t, err)
	w.Put("index.html", []byte("newer"))
	require.NoError(t, w.Commit())

	w, err = NewSiteWriter(out)
	require.NoError(t, err)
	w.Put("index.html/x.html", []byte("cannot be written: index.html is a file"))
	w.Put("index.html", []byte("x"))
	require.Error(t, w.Commit())
	assert.Equal(t, "newer", read("index.html"), "a failed write leaves the old site")
	entries, _ = os.ReadDir(dir)
	assert.Len(t, entries, 1)
}

// TestSampleSiteLinks builds the bundled sample registry (dogfood) and
// checks every internal link and asset.
func TestSampleSiteLinks(t *testing.T) {
	snap := loadRegistry(t, "../demands")
	for _, aud := range []Audience{Internal, Public} {
		opt := Options{Audience: aud, Templates: templates.FS}
		files, err := Build(forAudience(Input{Snapshot: snap, Ranking: rank.Rank(snap)}, opt), opt)
		require.NoError(t, err)
		require.Contains(t, files, "demands/D-0001.html")
		checkLinks(t, files)
	}
}

// TestPageCache: a build through the page cache gives the same files as a
// full build, after a change as well.
func TestPageCache(t *testing.T) {
	cache := NewPageCache()
	in := testInput(t)
	full, err := Build(in, Options{Templates: templates.FS})
	require.NoError(t, err)
	first, err := Build(in, Options{Templates: templates.FS, Pages: cache})
	require.NoError(t, err)
	again, err := Build(in, Options{Templates: templates.FS, Pages: cache})
	require.NoError(t, err)
	assert.Equal(t, full, first)
	assert.Equal(t, full, again)
	// Change one demand: its page and the boards change, the cache follows.
	edit := func(in Input, change func(d *registry.Demand)) Input { return withDemand(in, "D-0002", change) }
	in2 := edit(in, func(d *registry.Demand) { d.Title = "报表导出 Excel 和 PDF" })
	want, err := Build(in2, Options{Templates: templates.FS})
	require.NoError(t, err)
	got, err := Build(in2, Options{Templates: templates.FS, Pages: cache})
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.Contains(t, string(got["index.html"]), "报表导出 Excel 和 PDF")
	// A change to the body alone reaches the demand's page.
	in3 := edit(in2, func(d *registry.Demand) { d.Body += "\nA new paragraph.\n" })
	want, err = Build(in3, Options{Templates: templates.FS})
	require.NoError(t, err)
	got, err = Build(in3, Options{Templates: templates.FS, Pages: cache})
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.Contains(t, string(got["demands/D-0002.html"]), "A new paragraph.")
	// Cards are kept between builds by their data and the templates: a
	// changed card template reaches every board and tag page.
	theme := themed(t, "card.html", `{{define "card"}}<li class="themed">{{.ID}} {{.Title}}</li>{{end}}`)
	want, err = Build(in3, Options{Templates: theme})
	require.NoError(t, err)
	got, err = Build(in3, Options{Templates: theme, Pages: cache})
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.Contains(t, string(got["index.html"]), `<li class="themed">D-0002 报表导出 Excel 和 PDF</li>`)
	assert.Contains(t, string(got["status.html"]), `<li class="themed">`)
}

// TestRenamedFrom: a rename in a demand's history says the file it came
// from (a draft numbered by renaming 0000-draft.md), in each language.
func TestRenamedFrom(t *testing.T) {
	in := testInput(t)
	h := *in.History["D-0001"]
	h.Commits = append([]history.Commit{{Hash: "3333333333333333333333333333333333333333", Author: "Ada", Date: in.Date, Committed: in.Date,
		Subject: "Number the draft", Path: "demands/D-0001-sso.md", Kind: "renamed",
		Changes: []history.Change{{Field: "path", From: "demands/0000-draft.md", To: "demands/D-0001-sso.md"}}}}, h.Commits...)
	in.History = map[string]*history.History{"D-0001": &h}
	for lang, want := range map[string]string{"en": "renamed from 0000-draft.md", "zh-CN": "重命名自 0000-draft.md"} {
		files, err := Build(in, Options{Templates: templates.FS, Lang: lang})
		require.NoError(t, err)
		assert.Contains(t, string(files["demands/D-0001.html"]), "<li>"+want+"</li>", lang)
	}
}

// TestRepositoryLinks: with repository.url set, every demand page links
// to its file's edit page and the boards to the issue form; without it,
// neither.
func TestRepositoryLinks(t *testing.T) {
	in := testInput(t)
	cfg := *in.Snapshot.Config
	cfg.Repository = config.Repo{URL: "https://github.com/acme/demands/", Branch: "main"}
	in.Snapshot = registry.NewSnapshot(&cfg, in.Snapshot.Demands)
	in.Dir = "reg 1/需求"
	opt := Options{Templates: templates.FS}
	files, err := Build(in, opt)
	require.NoError(t, err)
	d := in.Snapshot.Demands[0]
	page := string(files["demands/"+fileName(d.ID)])
	require.Contains(t, page, `<a href="https://github.com/acme/demands/edit/main/reg%201/%E9%9C%80%E6%B1%82/`+url.PathEscape(d.Path)+`" rel="noopener">Propose a change</a>`)
	for _, board := range []string{"index.html", "status.html"} {
		require.Contains(t, string(files[board]), `<a href="https://github.com/acme/demands/issues/new?template=demand.yml" rel="noopener">Submit a demand</a>`, board)
	}
	plain := build(t, Options{})
	require.NotContains(t, string(plain["demands/"+fileName(d.ID)]), "Propose a change")
	require.NotContains(t, string(plain["index.html"]), "Submit a demand")
}

// TestAttentionPage: the "Needs attention" page lists the demands the
// review names, in the registry's language.
func TestAttentionPage(t *testing.T) {
	files := build(t, Options{})
	page := string(files["attention.html"])
	require.Contains(t, page, `<a href="attention.html" aria-current="page">Needs attention</a>`)
	require.Contains(t, page, "SLA Solution breached: 2 working days over the target of 5")
}
