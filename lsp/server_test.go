package lsp

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/demand-registry/demand/registry/config"

	"github.com/demand-registry/demand/internal/lsptest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testConfig = `title: 测试 registry
fields:
  product_area:
    type: enum
    label: {en: Product area, zh-CN: 产品线}
    description: The part of the product the demand is about.
    values: [portal, reports]
    labels:
      portal: {en: Customer portal, zh-CN: 客户门户}
      reports: {en: Reports, zh-CN: 报表中心}
`

func demandText(id, title, status, extra string) string {
	return fmt.Sprintf("---\nid: %s\ntitle: %s\nstatus: %s\nreceived: 2026-07-01\n%s---\n\n正文。\n", id, title, status, extra)
}

// fixture writes a registry in a fresh repository and returns its folder.
func fixture(t *testing.T) (root, dir string) {
	t.Helper()
	root = t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(root, ".git"), 0o755))
	dir = filepath.Join(root, "demands")
	require.NoError(t, os.Mkdir(dir, 0o755))
	write := func(name, text string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
	}
	write("registry.yaml", testConfig)
	write("D-0001-sso.md", demandText("D-0001", "Single sign-on", "triaged", "product_area: portal\n"))
	write("D-0002-报表导出.md", demandText("D-0002", "报表中心支持导出 Excel", "new", "links: {related: [D-0001]}\n"))
	write("D-0003-dark-mode.md", demandText("D-0003", "Dark mode", "accepted", "links:\n  depends_on:\n    - D-0001\n"))
	return root, dir
}

type session struct {
	*lsptest.Client
	t    *testing.T
	done <-chan error
}

func start(t *testing.T, root string) *session {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	c, done := lsptest.Pipe(ctx, func(rwc io.ReadWriteCloser) error {
		return Serve(ctx, rwc, Options{Debounce: 50 * time.Millisecond, Log: io.Discard})
	})
	s := &session{Client: c, t: t, done: done}
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("the server did not stop")
		}
	})
	res, err := c.Initialize(root)
	require.NoError(t, err)
	var init struct {
		Capabilities map[string]any `json:"capabilities"`
	}
	require.NoError(t, json.Unmarshal(res, &init))
	for _, k := range []string{"textDocumentSync", "completionProvider", "hoverProvider", "definitionProvider", "referencesProvider", "codeActionProvider"} {
		assert.Contains(t, init.Capabilities, k)
	}
	return s
}

func (s *session) open(path, text string) lsptest.Publish {
	s.t.Helper()
	uri := lsptest.URI(path)
	require.NoError(s.t, s.Open(uri, text, 1))
	p, err := s.Wait(uri, lsptest.Version(1))
	require.NoError(s.t, err)
	return p
}

func codes(p lsptest.Publish) []string {
	var out []string
	for _, d := range p.Diagnostics {
		out = append(out, d.Code)
	}
	return out
}

func find(t *testing.T, p lsptest.Publish, code string) lsptest.Diagnostic {
	t.Helper()
	for _, d := range p.Diagnostics {
		if d.Code == code {
			return d
		}
	}
	t.Fatalf("no %s diagnostic in %+v", code, p.Diagnostics)
	return lsptest.Diagnostic{}
}

func rng(l1, c1, l2, c2 int) lsptest.Range {
	return lsptest.Range{Start: lsptest.Position{Line: l1, Character: c1}, End: lsptest.Position{Line: l2, Character: c2}}
}

func TestDiagnosticsChinesePositions(t *testing.T) {
	root, dir := fixture(t)
	s := start(t, root)
	// "customer: {name: " is 17 UTF-16 units; 北京银行 four more; an emoji
	// two (one character for the registry); ", segment: " eleven.
	text := demandText("D-0004", "中文标题", "new", "customer: {name: 北京银行😀, segment: vipp}\nproduct_area: 报表\n")
	p := s.open(filepath.Join(dir, "D-0004-中文.md"), text)
	enum := p.Diagnostics[slices.IndexFunc(p.Diagnostics, func(d lsptest.Diagnostic) bool { return strings.Contains(d.Message, "customer.segment") })]
	assert.Equal(t, "enum", enum.Code)
	assert.Equal(t, rng(5, 34, 5, 38), enum.Range)
	assert.Contains(t, enum.Message, `did you mean "vip"?`)
	assert.Equal(t, 1, enum.Severity)
	assert.Equal(t, "demand", enum.Source)
	area := p.Diagnostics[slices.IndexFunc(p.Diagnostics, func(d lsptest.Diagnostic) bool { return strings.Contains(d.Message, "product_area") })]
	assert.Equal(t, rng(6, 14, 6, 16), area.Range)
}

func TestDiagnosticsUnsavedBufferAndDebounce(t *testing.T) {
	root, dir := fixture(t)
	s := start(t, root)
	path := filepath.Join(dir, "D-0001-sso.md")
	uri := lsptest.URI(path)
	data, _ := os.ReadFile(path)
	p := s.open(path, string(data))
	assert.Empty(t, p.Diagnostics)
	// A burst of edits: the buffer, not the file, is checked, once.
	for v := 2; v <= 6; v++ {
		require.NoError(t, s.Change(uri, strings.Replace(string(data), "status: triaged", "status: triaged"+strings.Repeat("x", v), 1), v))
	}
	p, err := s.Wait(uri, lsptest.Version(6))
	require.NoError(t, err)
	assert.Equal(t, []string{"status"}, codes(p))
	assert.Contains(t, p.Diagnostics[0].Message, `"triagedxxxxxx"`)
	assert.Less(t, len(s.Publishes(uri)), 6, "debounced: fewer checks than changes")
	// A ranged change, as clients that sync incrementally send: the
	// status value on line 3 (after a Chinese title in other tests) is
	// replaced in place.
	require.NoError(t, s.Notify("textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": uri, "version": 100},
		"contentChanges": []map[string]any{{"range": rng(3, 8, 3, 21), "text": "new"}}}))
	p, err = s.Wait(uri, lsptest.Version(100))
	require.NoError(t, err)
	assert.Empty(t, p.Diagnostics)
	// Fixed again.
	require.NoError(t, s.Change(uri, string(data), 7))
	p, err = s.Wait(uri, lsptest.Version(7))
	require.NoError(t, err)
	assert.Empty(t, p.Diagnostics)
}

func TestCrossFileRules(t *testing.T) {
	root, dir := fixture(t)
	s := start(t, root)
	a := filepath.Join(dir, "D-0005-a.md")
	p := s.open(a, demandText("D-0005", "A", "new", "links: {depends_on: [D-0099]}\n"))
	assert.Equal(t, []string{"unknown-link"}, codes(p))
	// A new file, not saved yet, supplies D-0099: the other buffer is
	// checked again.
	b := filepath.Join(dir, "D-0099-b.md")
	p = s.open(b, demandText("D-0099", "B", "new", ""))
	assert.Empty(t, p.Diagnostics)
	p, err := s.Wait(lsptest.URI(a), func(p lsptest.Publish) bool { return len(p.Diagnostics) == 0 })
	require.NoError(t, err)
	// An unsaved buffer reusing a saved file's ID.
	c := filepath.Join(dir, "D-0001-copy.md")
	p = s.open(c, demandText("D-0001", "Copy", "new", ""))
	d := find(t, p, "duplicate-id")
	assert.Contains(t, d.Message, "D-0001-sso.md")
	assert.Equal(t, rng(1, 0, 1, 2), d.Range)
}

func TestOtherMarkdownLeftAlone(t *testing.T) {
	root, dir := fixture(t)
	s := start(t, root)
	require.NoError(t, os.Mkdir(filepath.Join(root, "docs"), 0o755))
	guide := filepath.Join(root, "docs", "guide.md")
	require.NoError(t, s.Open(lsptest.URI(guide), "# Guide\n\nno front matter\n", 1))
	readme := filepath.Join(dir, "README.md")
	require.NoError(t, s.Open(lsptest.URI(readme), "# Demands\n", 1))
	// A demand file outside any registry folder is checked on its own.
	loose := filepath.Join(root, "docs", "D-0042-loose.md")
	p := s.open(loose, "no front matter\n")
	assert.Equal(t, []string{"front-matter"}, codes(p))
	assert.Empty(t, s.Publishes(lsptest.URI(guide)))
	assert.Empty(t, s.Publishes(lsptest.URI(readme)))
	assert.Empty(t, s.complete(lsptest.URI(guide), 0, 0))
}

func TestConfigEditRechecksOpenFiles(t *testing.T) {
	root, dir := fixture(t)
	s := start(t, root)
	demand := filepath.Join(dir, "D-0001-sso.md")
	data, _ := os.ReadFile(demand)
	p := s.open(demand, string(data))
	assert.Empty(t, p.Diagnostics)
	cfgPath := filepath.Join(dir, "registry.yaml")
	p = s.open(cfgPath, testConfig)
	assert.Empty(t, p.Diagnostics)
	// portal is no longer a product area.
	edited := strings.Replace(testConfig, "values: [portal, reports]", "values: [reports]", 1)
	require.NoError(t, s.Change(lsptest.URI(cfgPath), edited, 2))
	p, err := s.Wait(lsptest.URI(demand), func(p lsptest.Publish) bool { return len(p.Diagnostics) > 0 })
	require.NoError(t, err)
	assert.Equal(t, []string{"enum"}, codes(p))
	// A typo in a key.
	require.NoError(t, s.Change(lsptest.URI(cfgPath), edited+"titel: x\n", 3))
	p, err = s.Wait(lsptest.URI(cfgPath), lsptest.Version(3))
	require.NoError(t, err)
	d := find(t, p, "config")
	assert.Equal(t, rng(10, 0, 10, 5), d.Range)
	assert.Contains(t, d.Message, `did you mean "title"?`)
	var acts []action
	require.NoError(t, s.Call("textDocument/codeAction", map[string]any{
		"textDocument": map[string]any{"uri": lsptest.URI(cfgPath)}, "range": rng(10, 0, 10, 0),
		"context": map[string]any{"diagnostics": p.Diagnostics}}, &acts))
	require.Len(t, acts, 1)
	assert.Equal(t, "title", acts[0].Edit.Changes[lsptest.URI(cfgPath)][0].NewText)

	// Closing the edited config: its diagnostics are cleared and the open
	// demand is checked against the file on disk again.
	require.NoError(t, s.Notify("textDocument/didClose", map[string]any{"textDocument": map[string]any{"uri": lsptest.URI(cfgPath)}}))
	p, err = s.Wait(lsptest.URI(cfgPath), func(p lsptest.Publish) bool { return len(p.Diagnostics) == 0 })
	require.NoError(t, err)
	assert.Nil(t, p.Version)
	_, err = s.Wait(lsptest.URI(demand), func(p lsptest.Publish) bool { return len(p.Diagnostics) == 0 })
	require.NoError(t, err)
}

type item struct {
	Label         string `json:"label"`
	Detail        string `json:"detail"`
	Documentation struct {
		Value string `json:"value"`
	} `json:"documentation"`
	TextEdit struct {
		Range   lsptest.Range `json:"range"`
		NewText string        `json:"newText"`
	} `json:"textEdit"`
}

func (s *session) complete(uri string, line, char int) []item {
	s.t.Helper()
	var res struct {
		Items []item `json:"items"`
	}
	require.NoError(s.t, s.Call("textDocument/completion", map[string]any{
		"textDocument": map[string]any{"uri": uri}, "position": map[string]any{"line": line, "character": char}}, &res))
	return res.Items
}

func labelsOf(items []item) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Label)
	}
	return out
}

func TestCompletion(t *testing.T) {
	root, dir := fixture(t)
	s := start(t, root)
	cfg, fs := config.Parse("registry.yaml", []byte(testConfig))
	require.Empty(t, fs)
	path := filepath.Join(dir, "D-0001-sso.md")
	uri := lsptest.URI(path)
	text := "---\nid: D-0001\ntitle: 单点登录\nstatus: \nprod\nlinks:\n  depends_on: [D-00\n  rel\ncustomer:\n  segment: \n---\n"
	s.open(path, text)

	// Field names at the top, with labels in both languages; fields
	// already there are not offered again.
	items := s.complete(uri, 4, 4)
	i := slices.IndexFunc(items, func(it item) bool { return it.Label == "product_area" })
	require.GreaterOrEqual(t, i, 0, labelsOf(items))
	assert.Equal(t, "Product area · 产品线", items[i].Detail)
	assert.Contains(t, items[i].Documentation.Value, "The part of the product")
	assert.Equal(t, "product_area: ", items[i].TextEdit.NewText)
	assert.Equal(t, rng(4, 0, 4, 4), items[i].TextEdit.Range)
	assert.NotContains(t, labelsOf(items), "title")

	// Nested field names.
	items = s.complete(uri, 7, 5)
	assert.Equal(t, []string{"depends_on", "duplicate_of", "parent", "related"}, labelsOf(items))
	assert.Equal(t, "Related · 相关", items[3].Detail)

	// Enum values, nested too.
	items = s.complete(uri, 9, 11)
	assert.Equal(t, cfg.Fields["customer"].Fields["segment"].Values, labelsOf(items))

	// Statuses allowed next after the one saved in the file (triaged),
	// whatever the buffer holds.
	items = s.complete(uri, 3, 8)
	assert.Equal(t, append([]string{"triaged"}, cfg.Status("triaged").Next...), labelsOf(items))
	assert.Equal(t, "Triaged · 已评估", items[0].Detail)

	// Demand IDs in links, after a Chinese title, with their titles.
	items = s.complete(uri, 6, 19)
	assert.Equal(t, []string{"D-0002", "D-0003"}, labelsOf(items))
	assert.Equal(t, "报表中心支持导出 Excel", items[0].Detail)
	assert.Equal(t, rng(6, 15, 6, 19), items[0].TextEdit.Range)

	// Outside the front matter: nothing.
	assert.Empty(t, s.complete(uri, 11, 0))

	// Enum values with their labels, in a file not saved yet.
	other := filepath.Join(dir, "D-0009-新.md")
	s.open(other, "---\nid: D-0009\ntitle: 新\nstatus: \nproduct_area: rep\n---\n")
	items = s.complete(lsptest.URI(other), 4, 17)
	assert.Equal(t, []string{"portal", "reports"}, labelsOf(items))
	assert.Equal(t, "Reports · 报表中心", items[1].Detail)
	assert.Equal(t, rng(4, 14, 4, 17), items[1].TextEdit.Range)
	// A new file's status starts anywhere in the workflow.
	items = s.complete(lsptest.URI(other), 3, 8)
	assert.Len(t, items, len(cfg.Statuses))
}

func TestCompletionFlowCollections(t *testing.T) {
	root, dir := fixture(t)
	s := start(t, root)
	cfg := config.Default()
	path := filepath.Join(dir, "D-0007-流.md")
	uri := lsptest.URI(path)
	s.open(path, "---\nid: D-0007\nrequesters:\n  - {name: 张三, segment: \nlinks: {related: [D-0001, D-00\ncustomer: {name: 李四, se\n---\n")
	items := s.complete(uri, 3, 29)
	assert.Equal(t, cfg.Fields["requesters"].Items.Fields["segment"].Values, labelsOf(items))
	assert.Equal(t, rng(3, 29, 3, 29), items[0].TextEdit.Range)
	items = s.complete(uri, 4, 31)
	assert.Equal(t, []string{"D-0001", "D-0002", "D-0003"}, labelsOf(items))
	items = s.complete(uri, 5, 23)
	assert.Equal(t, []string{"name", "segment"}, labelsOf(items))
}

func TestConfigCompletion(t *testing.T) {
	root, dir := fixture(t)
	s := start(t, root)
	path := filepath.Join(dir, "registry.yaml")
	uri := lsptest.URI(path)
	text := testConfig + "statuses:\n  - name: new\n    kind: \n    next: [new, tri\n  - {name: x, kind: a\ntiers:\n  lev\nlanguage: \n"
	s.open(path, text)
	base := strings.Count(testConfig, "\n")
	assert.Equal(t, []string{"open", "active", "done", "closed"}, labelsOf(s.complete(uri, base+2, 10)))
	items := s.complete(uri, base+3, 19)
	require.NotEmpty(t, items)
	assert.Equal(t, "triaged", items[1].Label)
	assert.Equal(t, "Triaged · 已评估", items[1].Detail)
	assert.Equal(t, []string{"open", "active", "done", "closed"}, labelsOf(s.complete(uri, base+4, 21)))
	items = s.complete(uri, base+6, 5)
	assert.Contains(t, labelsOf(items), "levels")
	assert.Contains(t, labelsOf(items), "floors")
	assert.Equal(t, []string{"en", "zh-CN"}, labelsOf(s.complete(uri, base+7, 10)))
	items = s.complete(uri, 3, 4) // inside fields.product_area
	assert.Contains(t, labelsOf(items), "values")
	assert.Contains(t, labelsOf(items), "description")
}

func (s *session) hover(uri string, line, char int) string {
	s.t.Helper()
	var res *struct {
		Contents struct {
			Value string `json:"value"`
		} `json:"contents"`
		Range lsptest.Range `json:"range"`
	}
	require.NoError(s.t, s.Call("textDocument/hover", map[string]any{
		"textDocument": map[string]any{"uri": uri}, "position": map[string]any{"line": line, "character": char}}, &res))
	if res == nil {
		return ""
	}
	return res.Contents.Value
}

func TestHover(t *testing.T) {
	root, dir := fixture(t)
	s := start(t, root)
	path := filepath.Join(dir, "D-0002-报表导出.md")
	data, _ := os.ReadFile(path)
	s.open(path, string(data)+"")
	uri := lsptest.URI(path)
	h := s.hover(uri, 2, 2) // title
	assert.Contains(t, h, "Title")
	assert.Contains(t, h, "标题")
	// The linked ID after a flow mapping: the demand's title.
	h = s.hover(uri, 5, 20)
	assert.Contains(t, h, "Single sign-on")
	assert.Empty(t, s.hover(uri, 8, 0), "the body has no hover")

	p1 := filepath.Join(dir, "D-0001-sso.md")
	d1, _ := os.ReadFile(p1)
	s.open(p1, string(d1))
	h = s.hover(lsptest.URI(p1), 5, 3)
	assert.Contains(t, h, "Product area · 产品线")
	assert.Contains(t, h, "The part of the product the demand is about.")
	h = s.hover(lsptest.URI(p1), 5, 16)
	assert.Contains(t, h, "Customer portal · 客户门户")
}

type location struct {
	URI   string        `json:"uri"`
	Range lsptest.Range `json:"range"`
}

func TestDefinitionAndReferences(t *testing.T) {
	root, dir := fixture(t)
	s := start(t, root)
	p2 := filepath.Join(dir, "D-0002-报表导出.md")
	d2, _ := os.ReadFile(p2)
	// Neovim escapes a URI's bytes in lower case: the same file.
	u2 := regexp.MustCompile(`%[0-9A-F]{2}`).ReplaceAllStringFunc(lsptest.URI(p2), strings.ToLower)
	require.NoError(t, s.Open(u2, string(d2), 1))
	_, err := s.Wait(u2, lsptest.Version(1))
	require.NoError(t, err)
	pos := func(uri string, line, char int) map[string]any {
		return map[string]any{"textDocument": map[string]any{"uri": uri}, "position": map[string]any{"line": line, "character": char}}
	}
	var locs []location
	require.NoError(t, s.Call("textDocument/definition", pos(u2, 5, 19), &locs))
	require.Len(t, locs, 1)
	assert.Equal(t, lsptest.URI(filepath.Join(dir, "D-0001-sso.md")), locs[0].URI)
	assert.Equal(t, rng(1, 4, 1, 10), locs[0].Range)

	// References of D-0001 from its own id: the flow list in D-0002 and
	// the block list in D-0003 (a file not open), and the declaration.
	p1 := filepath.Join(dir, "D-0001-sso.md")
	d1, _ := os.ReadFile(p1)
	s.open(p1, string(d1))
	params := pos(lsptest.URI(p1), 1, 5)
	params["context"] = map[string]any{"includeDeclaration": true}
	require.NoError(t, s.Call("textDocument/references", params, &locs))
	assert.Equal(t, []location{
		{lsptest.URI(p1), rng(1, 4, 1, 10)},
		{u2, rng(5, 18, 5, 24)},
		{lsptest.URI(filepath.Join(dir, "D-0003-dark-mode.md")), rng(7, 6, 7, 12)},
	}, locs)
	// An unsaved link counts too.
	require.NoError(t, s.Change(u2, strings.Replace(string(d2), "related: [D-0001]", "related: [D-0003]", 1), 2))
	_, err = s.Wait(u2, lsptest.Version(2))
	require.NoError(t, err)
	require.NoError(t, s.Call("textDocument/references", params, &locs))
	assert.Len(t, locs, 2)
}

type action struct {
	Title string `json:"title"`
	Kind  string `json:"kind"`
	Edit  struct {
		Changes map[string][]struct {
			Range   lsptest.Range `json:"range"`
			NewText string        `json:"newText"`
		} `json:"changes"`
	} `json:"edit"`
}

func TestCodeActionDidYouMean(t *testing.T) {
	root, dir := fixture(t)
	s := start(t, root)
	path := filepath.Join(dir, "D-0006-拼写.md")
	uri := lsptest.URI(path)
	text := "---\nid: D-0006\ntitel: 拼写错误\ntitle: 拼写\nstatus: new\nreceived: 2026-07-01\ncustomer: {name: 北京, segment: vipp}\nlinks: {related: [D-0003, D-0011]}\n---\n"
	p := s.open(path, text)
	assert.ElementsMatch(t, []string{"unknown-field", "enum", "unknown-link"}, codes(p))
	var acts []action
	require.NoError(t, s.Call("textDocument/codeAction", map[string]any{
		"textDocument": map[string]any{"uri": uri}, "range": rng(0, 0, 9, 0),
		"context": map[string]any{"diagnostics": p.Diagnostics}}, &acts))
	got := map[string]lsptest.Range{}
	for _, a := range acts {
		assert.Equal(t, "quickfix", a.Kind)
		for _, e := range a.Edit.Changes[uri] {
			got[e.NewText] = e.Range
		}
	}
	assert.Equal(t, map[string]lsptest.Range{
		"title":  rng(2, 0, 2, 5),
		"vip":    rng(6, 30, 6, 34),
		"D-0001": rng(7, 26, 7, 32),
	}, got)
	// Applying them leaves a valid file.
	fixed := strings.NewReplacer("titel: 拼写错误\n", "", "vipp", "vip", "D-0011", "D-0001").Replace(text)
	require.NoError(t, s.Change(uri, fixed, 2))
	p, err := s.Wait(uri, lsptest.Version(2))
	require.NoError(t, err)
	assert.Empty(t, p.Diagnostics)
	// Only the actions on the requested lines.
	require.NoError(t, s.Call("textDocument/codeAction", map[string]any{
		"textDocument": map[string]any{"uri": uri}, "range": rng(0, 0, 0, 0),
		"context": map[string]any{"diagnostics": []any{}}}, &acts))
	assert.Empty(t, acts)
}

func TestHostileDocuments(t *testing.T) {
	root, dir := fixture(t)
	s := start(t, root)
	cases := map[string]string{
		"D-0100-big.md":      demandText("D-0100", "big", "new", "") + strings.Repeat("长", 1<<20),
		"D-0101-nested.md":   "---\nid: D-0101\nx: " + strings.Repeat("[", 100000) + "\n---\n",
		"D-0102-binary.md":   "\x00\x01\xff\xfe---\n",
		"D-0103-noend.md":    "---\nid: D-0103\ntitle: 未结束\n",
		"D-0104-alias.md":    "---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n---\n",
		"D-0105-longline.md": "---\nid: D-0105\ntitle: " + strings.Repeat("题", 300000) + "\n---\n",
		"D-0106-empty.md":    "",
	}
	for name, text := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			p := s.open(path, text)
			if name != "D-0106-empty.md" {
				assert.NotEmpty(t, p.Diagnostics)
			}
			uri := lsptest.URI(path)
			// Every request on every line answers, past the end too.
			for _, line := range []int{0, 1, 2, 3, 1000} {
				for _, char := range []int{0, 5, 100000} {
					s.complete(uri, line, char)
					s.hover(uri, line, char)
					var v any
					pos := map[string]any{"textDocument": map[string]any{"uri": uri}, "position": map[string]any{"line": line, "character": char}}
					require.NoError(t, s.Call("textDocument/definition", pos, &v))
					pos["context"] = map[string]any{"includeDeclaration": true}
					require.NoError(t, s.Call("textDocument/references", pos, &v))
				}
			}
			var v any
			require.NoError(t, s.Call("textDocument/codeAction", map[string]any{
				"textDocument": map[string]any{"uri": uri}, "range": rng(0, 0, 100, 0),
				"context": map[string]any{"diagnostics": []any{}}}, &v))
		})
	}
	big := find(t, s.Publishes(lsptest.URI(filepath.Join(dir, "D-0100-big.md")))[0], "file-size")
	assert.Contains(t, big.Message, "more than the limit")
}

// frame writes one message with the base protocol's header.
func frame(w io.Writer, body string) {
	fmt.Fprintf(w, "Content-Length: %d\r\n\r\n%s", len(body), body)
}

// raw runs a server on pipes and returns the client's ends.
func raw(t *testing.T) (io.WriteCloser, *bufio.Reader, <-chan error) {
	cr, sw := io.Pipe()
	sr, cw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- Serve(context.Background(), struct {
			io.Reader
			io.Writer
			io.Closer
		}{sr, sw, sr}, Options{})
		sw.Close()
	}()
	t.Cleanup(func() { cw.Close(); cr.Close() })
	return cw, bufio.NewReader(cr), done
}

// readMessage reads one framed message.
func readMessage(t *testing.T, r *bufio.Reader) map[string]any {
	t.Helper()
	var n int
	for {
		line, err := r.ReadString('\n')
		require.NoError(t, err)
		if line == "\r\n" {
			break
		}
		fmt.Sscanf(line, "Content-Length: %d", &n)
	}
	body := make([]byte, n)
	_, err := io.ReadFull(r, body)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(body, &m))
	return m
}

func TestFramingHostileMessages(t *testing.T) {
	w, r, done := raw(t)
	go func() {
		frame(w, "{not json")
		frame(w, `[1, 2, 3]`)
		frame(w, `{"jsonrpc":"2.0","id":1,"method":"textDocument/hover","params":"nonsense"}`)
		// Larger than the limit: skipped without being held in memory.
		fmt.Fprintf(w, "Content-Length: %d\r\n\r\n", MaxMessage+10)
		chunk := strings.Repeat(" ", 1<<16)
		for n := 0; n < MaxMessage+10; n += len(chunk) {
			io.WriteString(w, chunk[:min(len(chunk), MaxMessage+10-n)])
		}
		frame(w, `{"jsonrpc":"2.0","id":2,"method":"initialize","params":{"processId":null,"rootUri":null,"capabilities":{}}}`)
		frame(w, `{"jsonrpc":"2.0","id":3,"method":"no/such/method"}`)
		frame(w, `{"jsonrpc":"2.0","id":4,"method":"shutdown"}`)
		frame(w, `{"jsonrpc":"2.0","id":5,"method":"textDocument/hover","params":{}}`)
		frame(w, `{"jsonrpc":"2.0","method":"exit"}`)
	}()
	m := readMessage(t, r)
	assert.EqualValues(t, 1, m["id"])
	assert.EqualValues(t, -32602, m["error"].(map[string]any)["code"], "bad params are an error reply")
	m = readMessage(t, r)
	assert.EqualValues(t, 2, m["id"])
	assert.Contains(t, m, "result")
	m = readMessage(t, r)
	assert.EqualValues(t, 3, m["id"])
	assert.EqualValues(t, -32601, m["error"].(map[string]any)["code"])
	m = readMessage(t, r)
	assert.EqualValues(t, 4, m["id"])
	assert.Nil(t, m["result"])
	m = readMessage(t, r)
	assert.EqualValues(t, 5, m["id"])
	assert.Contains(t, m, "error", "no request is served after shutdown")
	select {
	case err := <-done:
		assert.NoError(t, err, "shutdown then exit is a clean end")
	case <-time.After(10 * time.Second):
		t.Fatal("exit did not end the server")
	}
}

func TestExitWithoutShutdown(t *testing.T) {
	w, _, done := raw(t)
	frame(w, `{"jsonrpc":"2.0","method":"exit"}`)
	select {
	case err := <-done:
		assert.True(t, errors.Is(err, ErrNoShutdown))
	case <-time.After(10 * time.Second):
		t.Fatal("exit did not end the server")
	}
}

func TestBrokenFramingEnds(t *testing.T) {
	for name, input := range map[string]string{
		"no length":    "Content-Type: x\r\n\r\n{}",
		"long header":  strings.Repeat("X", 5000) + "\r\n",
		"many headers": strings.Repeat("X-A: b\r\n", 100),
		"bad length":   "Content-Length: -5\r\n\r\n",
		"eof in body":  "Content-Length: 100\r\n\r\n{",
	} {
		t.Run(name, func(t *testing.T) {
			w, _, done := raw(t)
			go func() {
				io.WriteString(w, input)
				w.Close()
			}()
			select {
			case err := <-done:
				assert.True(t, errors.Is(err, ErrNoShutdown))
			case <-time.After(10 * time.Second):
				t.Fatal("the server hangs on broken framing")
			}
		})
	}
}

// TestCompletionRoles: in a registry that renames its roles, completion
// offers the registry's keys (stage, not status; no title kept in the
// heading) and reads their values by the key.
func TestCompletionRoles(t *testing.T) {
	root := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(root, ".git"), 0o755))
	dir := filepath.Join(root, "decisions")
	require.NoError(t, os.Mkdir(dir, 0o755))
	cfgText := "roles:\n  id: {from: filename, pattern: '^([0-9]{4})-'}\n  title: {from: heading}\n  status: stage\nstatuses:\n  - {name: proposed, kind: open, next: [accepted]}\n  - {name: accepted, kind: done, next: []}\nfields:\n  deciders: {type: string}\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "registry.yaml"), []byte(cfgText), 0o644))
	s := start(t, root)
	path := filepath.Join(dir, "0001-use-adrs.md")
	s.open(path, "---\nstage: \nde\n---\n# Use ADRs\n")
	items := s.complete(lsptest.URI(path), 2, 2)
	assert.Contains(t, labelsOf(items), "deciders")
	assert.NotContains(t, labelsOf(items), "status")
	assert.NotContains(t, labelsOf(items), "title")
	items = s.complete(lsptest.URI(path), 1, 7)
	assert.Equal(t, []string{"proposed", "accepted"}, labelsOf(items))
}
