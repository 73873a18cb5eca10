package escape

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"
)

func TestTerminal(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain title", "plain title"},
		{"报表中心支持导出", "报表中心支持导出"},
		{"red \x1b[31mtext\x1b[0m", `red \x1b[31mtext\x1b[0m`},
		{"bell\a", `bell\a`},
		{"over\rwrite", `over\rwrite`},
		{"two\nlines\ttab", `two\nlines\ttab`},
		{"del\x7f", `del\x7f`},
		{"c1 \u009b2J csi", `c1 \u009b2J csi`},
		{"nel\u0085", `nel\u0085`},
		{"bad \xff byte", `bad \xff byte`},
		{"osc \x1b]0;title\a", `osc \x1b]0;title\a`},
	} {
		assert.Equal(t, c.want, Terminal(c.in), "%q", c.in)
	}
}

func TestPath(t *testing.T) {
	assert.Equal(t, "D-0001-sso.md", Path("D-0001-sso.md"))
	assert.Equal(t, "sub/D-0002-报表.md", Path("sub/D-0002-报表.md"))
	assert.Equal(t, `"D-0001-a:1:2.md"`, Path("D-0001-a:1:2.md"))
	assert.Equal(t, `"D-0001-a\nb.md"`, Path("D-0001-a\nb.md"))
	assert.Equal(t, `"D-0001-\x1b[2J.md"`, Path("D-0001-\x1b[2J.md"))
	assert.Equal(t, `"a\"b.md"`, Path(`a"b.md`))
}

func TestMarkdown(t *testing.T) {
	assert.Equal(t, `SSO for Azure AD`, Markdown("SSO for Azure AD"))
	assert.Equal(t, `\[click\](https\://evil.example/)`, Markdown("[click](https://evil.example/)"))
	assert.Equal(t, `\!\[x\](http\://t.example/p.png)`, Markdown("![x](http://t.example/p.png)"))
	assert.Equal(t, `\<img src=x onerror=alert(1)\>`, Markdown("<img src=x onerror=alert(1)>"))
	assert.Equal(t, `a \| b`, Markdown("a | b"))
	assert.Equal(t, `one two`, Markdown("one\ntwo"))
	assert.Equal(t, `\\x1b`, Markdown("\x1b"))
	assert.Equal(t, `导出 Excel`, Markdown("导出 Excel"))
	assert.Equal(t, `see WWW\.evil.example`, Markdown("see WWW.evil.example"))
	assert.Equal(t, `Single sign-on, 66.67 (at least 60)`, Markdown("Single sign-on, 66.67 (at least 60)"))
}

var csvCases = []struct{ in, out string }{
	{"plain", "plain"},
	{"=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"},
	{"+1", "'+1"},
	{"-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"},
	{"@SUM(A1)", "'@SUM(A1)"},
	{"\tx", "'\tx"},
	{"\rx", "'\rx"},
	{"'=already", "''=already"},
	{"''-x", "'''-x"},
	{"'quoted", "'quoted"},
	{"'", "'"},
	{"", ""},
	{"a=b", "a=b"},
	{"报表", "报表"},
}

func TestCSVCell(t *testing.T) {
	for _, c := range csvCases {
		assert.Equal(t, c.out, CSVCell(c.in), "%q", c.in)
		assert.Equal(t, c.in, CSVUncell(c.out), "round trip of %q", c.in)
	}
	// A cell another tool wrote with an apostrophe of its own is kept.
	assert.Equal(t, "'quoted", CSVUncell("'quoted"))
	assert.Equal(t, "=x", CSVUncell("=x"))
}

func FuzzCSVRoundTrip(f *testing.F) {
	for _, c := range csvCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := CSVCell(s)
		if needsQuote(e) && e[0] != '\'' {
			t.Fatalf("CSVCell(%q) = %q starts a formula", s, e)
		}
		if got := CSVUncell(e); got != s {
			t.Fatalf("CSVUncell(CSVCell(%q)) = %q", s, got)
		}
	})
}

// TestMarkdownRenders renders escaped titles as GitHub would (GFM with
// autolinks, HTML allowed) and checks nothing but text comes out.
func TestMarkdownRenders(t *testing.T) {
	md := goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(html.WithUnsafe()))
	for _, title := range []string{
		"[click](https://evil.example/)",
		"![x](http://t.example/p.png)",
		"<img src=x onerror=alert(1)>",
		"<script>alert(1)</script>",
		"see https://evil.example and www.evil.example",
		"mail a@evil.example",
		"ask @octocat or @acme/team",
		"math $x^2$",
		"(https://evil.example)",
		"*www.evil.example*",
		"[ref]\n\n[ref]: https://evil.example",
		"**bold** _em_ `code` ~~del~~",
		"# heading",
		"a | b\n|---|",
		"&lt;b&gt; &amp;",
	} {
		var out bytes.Buffer
		assert.NoError(t, md.Convert([]byte("| Demand |\n|---|\n| D-0001 "+Markdown(title)+" |\n\n**D-0001 "+Markdown(title)+"**\n"), &out))
		got := out.String()
		for _, tag := range []string{"<a", "<img", "<script", "<em>", "<strong>D-0001 <", "<code>", "<del>", "<h1", "&lt;b&gt;"} {
			assert.NotContains(t, got, tag, "%q renders %s", title, tag)
		}
		assert.Equal(t, 1, strings.Count(got, "<td>"), "%q stays in one cell: %s", title, got)
	}
}
