package render

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"
)

// testLinks is a registry in decisions/ of a repository on GitHub, with
// demands at 0005-use-dashes.md and sub/0042-x.md.
func testLinks(file, repo string) *Links {
	ids := map[string]string{"0005-use-dashes.md": "0005", "sub/0042-x.md": "0042", "0008-add-status.md": "0008"}
	return &Links{Path: file, Dir: "docs/decisions", RepoURL: repo, Branch: "main", Demand: func(p string) string { return ids[p] }}
}

func TestMarkdownLinks(t *testing.T) {
	const repo = "https://github.com/adr/madr"
	for _, tc := range []struct {
		name, file, repo, body string
		want, not              []string
	}{
		{name: "sibling demand", file: "0008-add-status.md", repo: repo, body: "[see 0005](0005-use-dashes.md)",
			want: []string{`<a href="0005.html">see 0005</a>`}},
		{name: "sibling with ./", file: "0008-add-status.md", repo: repo, body: "[see 0005](./0005-use-dashes.md)",
			want: []string{`<a href="0005.html">see 0005</a>`}},
		{name: "into a sub-folder", file: "0008-add-status.md", repo: repo, body: "[x](sub/0042-x.md)",
			want: []string{`<a href="0042.html">x</a>`}},
		{name: "out of a sub-folder", file: "sub/0042-x.md", repo: repo, body: "[x](../0005-use-dashes.md) [y](../../decisions/0008-add-status.md)",
			want: []string{`<a href="0005.html">x</a>`, `<a href="0008.html">y</a>`}},
		{name: "fragment kept", file: "0008-add-status.md", repo: repo, body: "[ctx](0005-use-dashes.md#context)",
			want: []string{`<a href="0005.html#context">ctx</a>`}},
		{name: "escaped name", file: "0008-add-status.md", repo: repo, body: "[x](0005%2Duse-dashes.md) [y](<0005-use-dashes.md>)",
			want: []string{`<a href="0005.html">x</a>`, `<a href="0005.html">y</a>`}},
		{name: "image", file: "0008-add-status.md", repo: repo, body: "![example](0008-example-badge.png)",
			want: []string{`<img src="https://github.com/adr/madr/raw/main/docs/decisions/0008-example-badge.png" alt="example">`}},
		{name: "image of a demand file is the file", file: "0008-add-status.md", repo: repo, body: "![x](0005-use-dashes.md)",
			want: []string{`src="https://github.com/adr/madr/raw/main/docs/decisions/0005-use-dashes.md"`}},
		{name: "other file", file: "0008-add-status.md", repo: repo, body: "[template](../../template.md?plain=1#L3) [assets](../assets/erc-4519/x%20y.png)",
			want: []string{`href="https://github.com/adr/madr/blob/main/template.md?plain=1#L3"`, `href="https://github.com/adr/madr/blob/main/docs/assets/erc-4519/x%20y.png"`}},
		{name: "repository root", file: "0008-add-status.md", repo: repo + ".git/", body: "[root](/) [readme](/README.md)",
			want: []string{`href="https://github.com/adr/madr/tree/main"`, `href="https://github.com/adr/madr/blob/main/README.md"`}},
		{name: "a file that is not a demand", file: "0008-add-status.md", repo: repo, body: "[gone](0009-gone.md)",
			want: []string{`href="https://github.com/adr/madr/blob/main/docs/decisions/0009-gone.md"`}},
		{name: "outside the repository", file: "0008-add-status.md", repo: repo,
			body: "[pw](../../../etc/passwd) ![img](../../../x.png) [enc](%2e%2e/%2E%2E/..%2fx) [bs](..\\\\..\\\\..\\\\x) [dots](%2e%2e/.%2E/%2e./x)",
			want: []string{"pw", "img", "enc", "bs", "dots"}, not: []string{"<a", "<img", "passwd", "x.png"}},
		{name: "no repository.url", file: "0008-add-status.md", body: "[template](../../template.md) ![example](badge.png) [ok](0005-use-dashes.md)",
			want: []string{"template", "example", `<a href="0005.html">ok</a>`}, not: []string{"template.md", "badge.png", "<img"}},
		{name: "repository.url not a web address", file: "0008-add-status.md", repo: "javascript:alert(1)//", body: "[t](t.md) ![i](i.png)",
			not: []string{"<a", "<img", "javascript"}},
		{name: "absolute, fragment, mailto", file: "0008-add-status.md", repo: repo,
			body: "[a](https://example.com/x.md) [b](#decision) [c](mailto:a@example.com) [d](//example.org/y) <https://example.net>",
			want: []string{`href="https://example.com/x.md"`, `href="#decision"`, `href="mailto:a@example.com"`, `href="//example.org/y"`, `href="https://example.net"`}},
		{name: "unsafe schemes still lose the address", file: "0008-add-status.md", repo: repo, body: "[x](javascript:alert(1)) ![y](data:image/png;base64,AA)",
			not: []string{"javascript", "data:"}},
		{name: "reference link", file: "0008-add-status.md", repo: repo, body: "[see][r]\n\n[r]: 0005-use-dashes.md#x \"Title\"\n",
			want: []string{`<a href="0005.html#x" title="Title">see</a>`}},
		{name: "image in a link that goes nowhere", file: "0008-add-status.md", body: "[![badge](b.png) text](../../../../out)",
			want: []string{"badge text"}, not: []string{"<a", "<img"}},
		{name: "ampersand and backslash survive", file: "0008-add-status.md", repo: repo, body: "[q](t.md?a=1&b=&amp;c)",
			want: []string{`href="https://github.com/adr/madr/blob/main/docs/decisions/t.md?a=1&amp;b=&amp;c"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := MarkdownFor(tc.body, testLinks(tc.file, tc.repo))
			require.NoError(t, err)
			for _, w := range tc.want {
				assert.Contains(t, out, w)
			}
			for _, n := range tc.not {
				assert.NotContains(t, out, n)
			}
		})
	}
}

// Markdown without Links leaves relative links as written.
func TestMarkdownLinksNil(t *testing.T) {
	out, err := Markdown("[a](0005-use-dashes.md) ![b](x.png)")
	require.NoError(t, err)
	assert.Contains(t, out, `href="0005-use-dashes.md"`)
	assert.Contains(t, out, `src="x.png"`)
}

// The golden pages are made with every body's Links: a body with no
// relative link renders as it did (the golden files are unchanged), and
// none of them links to a Markdown file that the site does not have.
func TestMarkdownLinksGolden(t *testing.T) {
	files := build(t, Options{BaseURL: "https://demands.example.com/"}) // as TestGolden
	for name, data := range files {
		if !strings.HasSuffix(name, ".html") {
			continue
		}
		want, err := os.ReadFile(filepath.Join("testdata", "golden", filepath.FromSlash(name)))
		if err != nil {
			continue // pages not kept as golden files
		}
		assert.Equal(t, string(want), string(data), name)
		assert.NotContains(t, string(data), `.md"`, name)
	}
}

// Images of repository files load from its host: the page's policy lets
// them, and only a host name gets into the policy.
func TestImageSources(t *testing.T) {
	for in, want := range map[string]string{
		"https://github.com/adr/madr":           " https://github.com https://raw.githubusercontent.com",
		"https://GitHub.com/adr/madr.git/":      " https://github.com https://raw.githubusercontent.com",
		"https://git.example.com:3000/team/reg": " https://git.example.com:3000",
		"":                                      "",
		"git@github.com:adr/madr.git":           "",
		"https://evil.example;script-src *":     "",
		"https://a@github.com/x":                "",
		"javascript:alert(1)":                   "",
	} {
		assert.Equal(t, want, imageSources(in), in)
	}
}

// FuzzMarkdownLinks: whatever a body's links say, its page links only to
// demand pages, its own fragments and queries, and absolute addresses —
// never to a relative path the site does not have.
func FuzzMarkdownLinks(f *testing.F) {
	for _, s := range []string{"[a](0005-use-dashes.md#x)", "![i](../../../x.png)", "[r][r]\n\n[r]: ../x\n", "[a](%2e%2e/%2e%2e/%2e%2e/x)",
		"[a](..\\\\..\\\\x) [b](<a b.md>) [c](/x) [d](//h/x) [e](?q) [f](#f) [g](mailto:x@y)", "[![b](b.png)](sub/0042-x.md)",
		"[a](x&amp;y.md) [b](x\\&y.md) [c](&#x2e;&#x2e;/&#46;./../x)"} {
		f.Add(s, "0008-add-status.md", "https://github.com/adr/madr")
		f.Add(s, "sub/0042-x.md", "")
	}
	f.Fuzz(func(t *testing.T, body, file, repo string) {
		out, err := MarkdownFor(body, testLinks(file, repo))
		if err != nil {
			return
		}
		doc, err := html.Parse(strings.NewReader(out))
		require.NoError(t, err)
		var check func(n *html.Node)
		check = func(n *html.Node) {
			for _, a := range n.Attr {
				if a.Key != "href" && a.Key != "src" {
					continue
				}
				v := a.Val
				switch {
				case v == "", strings.HasPrefix(v, "#"), strings.HasPrefix(v, "?"), strings.HasPrefix(v, "//"),
					strings.HasPrefix(strings.ToLower(v), "https://"), strings.HasPrefix(strings.ToLower(v), "http://"), strings.HasPrefix(strings.ToLower(v), "mailto:"):
				case a.Key == "href" && demandPage(v):
				default:
					t.Fatalf("%s=%q in %q (from %q)", a.Key, v, out, body)
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				check(c)
			}
		}
		check(doc)
	})
}

// demandPage reports whether an address is a demand's page beside this one.
func demandPage(v string) bool {
	for _, id := range []string{"0005", "0042", "0008"} {
		if v == id+".html" || strings.HasPrefix(v, id+".html#") || strings.HasPrefix(v, id+".html?") {
			return true
		}
	}
	return false
}
