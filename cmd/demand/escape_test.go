package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"
)

// testRepo is a git repository built in a test. Commits are made from
// objects directly, so file names git itself refuses to check out (a
// newline, an ESC) can be committed, as a contributor's push can.
type testRepo struct {
	t    *testing.T
	root string
	git  *git.Repository
	head plumbing.Hash
	day  int
}

func newTestRepo(t *testing.T) *testRepo {
	root := t.TempDir()
	r, err := git.PlainInit(root, false)
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Join(root, "demands"), 0o755))
	return &testRepo{t: t, root: root, git: r}
}

func (r *testRepo) dir() string { return filepath.Join(r.root, "demands") }

// write puts files into the work tree's demands folder.
func (r *testRepo) write(files map[string]string) {
	for name, data := range files {
		require.NoError(r.t, os.WriteFile(filepath.Join(r.dir(), name), []byte(data), 0o644))
	}
}

func (r *testRepo) remove(name string) { require.NoError(r.t, os.Remove(filepath.Join(r.dir(), name))) }

// commit commits the work tree's demands folder as it is.
func (r *testRepo) commit(author, msg string) {
	t := r.t
	ents, err := os.ReadDir(r.dir())
	require.NoError(t, err)
	var entries []object.TreeEntry
	for _, e := range ents {
		data, err := os.ReadFile(filepath.Join(r.dir(), e.Name()))
		require.NoError(t, err)
		entries = append(entries, object.TreeEntry{Name: e.Name(), Mode: filemode.Regular, Hash: r.store(plumbing.BlobObject, data)})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name < entries[j].Name })
	sub := r.tree(entries)
	top := r.tree([]object.TreeEntry{{Name: "demands", Mode: filemode.Dir, Hash: sub}})
	r.day++
	sig := object.Signature{Name: author, Email: "eve@example.com", When: time.Date(2026, 11, r.day, 10, 0, 0, 0, time.UTC)}
	c := &object.Commit{Author: sig, Committer: sig, Message: msg, TreeHash: top}
	if !r.head.IsZero() {
		c.ParentHashes = []plumbing.Hash{r.head}
	}
	o := r.git.Storer.NewEncodedObject()
	require.NoError(t, c.Encode(o))
	h, err := r.git.Storer.SetEncodedObject(o)
	require.NoError(t, err)
	r.head = h
	require.NoError(t, r.git.Storer.SetReference(plumbing.NewHashReference("refs/heads/master", h)))
}

func (r *testRepo) store(typ plumbing.ObjectType, data []byte) plumbing.Hash {
	o := r.git.Storer.NewEncodedObject()
	o.SetType(typ)
	w, err := o.Writer()
	require.NoError(r.t, err)
	_, err = w.Write(data)
	require.NoError(r.t, err)
	require.NoError(r.t, w.Close())
	h, err := r.git.Storer.SetEncodedObject(o)
	require.NoError(r.t, err)
	return h
}

func (r *testRepo) tree(entries []object.TreeEntry) plumbing.Hash {
	o := r.git.Storer.NewEncodedObject()
	require.NoError(r.t, (&object.Tree{Entries: entries}).Encode(o))
	h, err := r.git.Storer.SetEncodedObject(o)
	require.NoError(r.t, err)
	return h
}

// demand runs the CLI on the repository's registry.
func (r *testRepo) demand(args ...string) (stdout, stderr string, code int) {
	var o, e bytes.Buffer
	code = run(append(args, "--dir", r.dir()), &o, &e)
	return o.String(), e.String(), code
}

// rawControl returns the first control character in s other than a
// newline, or "".
func rawControl(s string) string {
	for _, c := range s {
		if c != '\n' && (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f)) {
			return string(c)
		}
	}
	return ""
}

const evilTitle = `"SSO \e[31mred\e[0m\a\rD-0009 forged \e]0;pwned\a"`

// TestTextOutputIsEscaped: titles, names, statuses, commit subjects and
// authors with control characters never reach the terminal raw, in any
// text output.
func TestTextOutputIsEscaped(t *testing.T) {
	r := newTestRepo(t)
	r.write(map[string]string{
		"D-0001-sso.md": "---\nid: D-0001\ntitle: " + evilTitle + "\nstatus: new\nreceived: 2026-11-01\n" +
			"urgency: urgent\nimportance: critical\ncustomer: {name: \"Acme\\e[2J\", segment: vip}\n---\nBody\n",
		"D-0002-sso.md": "---\nid: D-0002\ntitle: " + evilTitle + "\nstatus: new\nreceived: 2026-11-01\n---\nBody\n",
	})
	r.commit("Eve \x1b[2J\x07", "add \x1b]0;owned\x07 demands\rforged line")
	r.write(map[string]string{
		"D-0001-sso.md": "---\nid: D-0001\ntitle: \"SSO \\e[32mgreen\"\nstatus: triaged\nreceived: 2026-11-01\n" +
			"urgency: urgent\nimportance: critical\ncustomer: {name: \"Acme\\e[2J\", segment: vip}\n---\nBody\n",
	})
	r.commit("Eve \x1b[2J", "triage \x1b[1A")
	for _, args := range [][]string{
		{"rank"},
		{"rank", "--explain", "D-0001"},
		{"dups", "--threshold", "0.1"},
		{"history", "D-0001"},
		{"diff", "HEAD~1", "HEAD"},
		{"validate"},
	} {
		out, errs, code := r.demand(args...)
		assert.NotEqual(t, exitUsage, code, "%v: %s", args, errs)
		assert.Empty(t, rawControl(out), "%v prints a raw control character: %q", args, out)
		assert.Empty(t, rawControl(errs), "%v prints a raw control character: %q", args, errs)
		if args[0] != "validate" { // its findings name no title
			assert.Contains(t, out, `\x1b[`, "%v shows the escape, escaped", args)
		}
	}
}

// TestValidateFileNames: a file name with a control character is an error
// in the pull request that adds it, reported with the name quoted; a
// commit that already holds one no longer breaks validate --base; a name
// with ':' is quoted so PATH:LINE:COL stays unambiguous.
func TestValidateFileNames(t *testing.T) {
	ok := "---\nid: %s\ntitle: T\nstatus: new\nreceived: 2026-11-01\n---\n"
	file := func(id string) string { return strings.Replace(ok, "%s", id, 1) }
	r := newTestRepo(t)
	r.write(map[string]string{"D-0001-sso.md": file("D-0001")})
	r.commit("Ada", "base")

	// The pull request adding the file is red.
	r.write(map[string]string{"D-0002-a\nb.md": file("D-0002"), "D-0003-\x1b[2J.md": file("D-0003")})
	out, errs, code := r.demand("validate", "--base", "HEAD")
	assert.Equal(t, exitFindings, code, errs)
	assert.Contains(t, out, `/D-0002-a\nb.md": error: the file name has a control character`)
	assert.Contains(t, out, `/D-0003-\x1b[2J.md": error: `)
	assert.Empty(t, rawControl(out))
	out, _, code = r.demand("validate", "--base", "HEAD", "--format", "github")
	assert.Equal(t, exitFindings, code)
	assert.Contains(t, out, "::error file=demands/D-0002-a%0Ab.md,title=filename::")
	assert.Equal(t, 2, strings.Count(out, "\n"), "one command per finding: %q", out)

	// Merged anyway (before this check existed): later pull requests that
	// remove it, or change other files, still validate against that base.
	r.commit("Eve", "merged bad names")
	r.remove("D-0002-a\nb.md")
	r.remove("D-0003-\x1b[2J.md")
	out, errs, code = r.demand("validate", "--base", "HEAD")
	assert.Equal(t, exitOK, code, "%s%s", out, errs)
	assert.NotContains(t, errs, "invalid path")
	_, errs, code = r.demand("diff", "HEAD~1", "HEAD")
	assert.NotEqual(t, exitUsage, code, errs)

	// A ':' in a name is quoted in text output.
	r.write(map[string]string{"D-0004-a:1:2.md": "---\nid: D-0004\ntitle: T\nstatus: nosuch\nreceived: 2026-11-01\n---\n"})
	out, _, _ = r.demand("validate")
	assert.Contains(t, out, `/D-0004-a:1:2.md":4:`)
	out, _, _ = r.demand("validate", "--format", "github")
	assert.Contains(t, out, "file=demands/D-0004-a%3A1%3A2.md,line=4,")
}

// TestDiffMarkdownIsEscaped: no link, image or HTML from a title renders
// in the step summary.
func TestDiffMarkdownIsEscaped(t *testing.T) {
	r := newTestRepo(t)
	demand := func(title, status string) string {
		return "---\nid: D-0001\ntitle: '" + title + "'\nstatus: " + status + "\nreceived: 2026-11-01\n---\n"
	}
	title := `[click](https://evil.example/) ![i](https://evil.example/p.png) <img src=x onerror=alert(1)> www.evil.example **b** | x`
	r.write(map[string]string{"D-0001-sso.md": demand("old", "new")})
	r.commit("Ada", "base")
	r.write(map[string]string{"D-0001-sso.md": demand(title, "triaged")})
	r.commit("Ada", "head")
	out, errs, code := r.demand("diff", "HEAD~1", "HEAD", "--format", "markdown")
	require.Equal(t, exitOK, code, errs)
	var page bytes.Buffer
	md := goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(html.WithUnsafe()))
	require.NoError(t, md.Convert([]byte(out), &page))
	for _, tag := range []string{"<a ", "<img", "<strong>b</strong>"} {
		assert.NotContains(t, page.String(), tag, "%s", out)
	}
	assert.Contains(t, page.String(), "<td>D-0001 [click](https://evil.example/) ![i]", "shown as text, in its cell")
}

// TestCSVExportRoundTrip: cells a spreadsheet would run as formulas are
// neutralised in every CSV output, and import restores them exactly.
func TestCSVExportRoundTrip(t *testing.T) {
	titles := map[string]string{
		"D-0001": `=HYPERLINK("https://evil.example","x")`,
		"D-0002": "+1+cmd|' /C calc'!A0",
		"D-0003": "@SUM(A1:A9)",
		"D-0004": "'=already quoted",
		"D-0005": "'plain apostrophe",
		"D-0006": "-minus",
	}
	r := newTestRepo(t)
	for id, title := range titles {
		r.write(map[string]string{id + "-x.md": "---\nid: " + id + "\ntitle: '" + strings.ReplaceAll(title, "'", "''") +
			"'\nstatus: new\nreceived: 2026-11-01\n---\n- a list\n"})
	}
	r.commit("Ada", "base")
	csvOut, errs, code := r.demand("export", "--format", "csv")
	require.Equal(t, exitOK, code, errs)
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(csvOut, "\ufeff"))).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, len(titles)+1)
	byID := map[string][]string{}
	for _, row := range rows[1:] {
		byID[row[0]] = row
	}
	assert.Equal(t, `'=HYPERLINK("https://evil.example","x")`, byID["D-0001"][1])
	assert.Equal(t, "''=already quoted", byID["D-0004"][1])
	assert.Equal(t, "'plain apostrophe", byID["D-0005"][1])
	assert.Equal(t, "'- a list", byID["D-0001"][len(rows[0])-1], "the body")
	for _, row := range rows {
		for _, c := range row {
			assert.False(t, c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])), "cell %q starts a formula", c)
		}
	}
	rankOut, _, code := r.demand("rank", "--format", "csv")
	require.Equal(t, exitOK, code)
	assert.Contains(t, rankOut, `,"'=HYPERLINK(""https://evil.example"",""x"")",`)

	// Import into an empty registry gives the same titles and bodies.
	into := newTestRepo(t)
	exported := filepath.Join(t.TempDir(), "demands.csv")
	require.NoError(t, os.WriteFile(exported, []byte(csvOut), 0o644))
	_, errs, code = into.demand("import", "--from", "csv", exported)
	require.Equal(t, exitOK, code, errs)
	rows2, _, code := into.demand("export", "--format", "csv")
	require.Equal(t, exitOK, code)
	got, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(rows2, "\ufeff"))).ReadAll()
	require.NoError(t, err)
	for _, row := range got[1:] {
		assert.Equal(t, byID[row[0]][1], row[1], "title of %s", row[0])
		assert.Equal(t, byID[row[0]][len(row)-1], row[len(row)-1], "body of %s", row[0])
	}
	js, _, code := into.demand("export", "--format", "json")
	require.Equal(t, exitOK, code)
	var export struct {
		Demands []struct{ ID, Title, Body string }
	}
	require.NoError(t, json.Unmarshal([]byte(js), &export))
	imported := export.Demands
	require.Len(t, imported, len(titles))
	for _, d := range imported {
		assert.Equal(t, titles[d.ID], d.Title, "the title of %s is exactly what was exported", d.ID)
		assert.Equal(t, "- a list", strings.TrimSpace(d.Body), "the body of %s", d.ID)
	}
	ents, err := os.ReadDir(into.dir())
	require.NoError(t, err)
	for _, e := range ents {
		data, err := os.ReadFile(filepath.Join(into.dir(), e.Name()))
		require.NoError(t, err)
		id := e.Name()[:6]
		assert.Contains(t, string(data), "\n- a list", "%s body", id)
		assert.NotContains(t, string(data), "'- a list", "%s body", id)
	}
}
