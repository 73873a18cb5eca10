package render

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMarkdownSafe(t *testing.T) {
	cases := map[string]string{
		"[x](javascript:alert(1))":                 "javascript",
		"[x](JaVaScRiPt:alert(1))":                 "alert",
		"[x](&#106;avascript:alert(1))":            "alert(1)",
		"[x](java\tscript:alert(1))":               `href="java`,
		"![x](data:image/svg+xml;base64,PHN2Zz4=)": "data:",
		"<script>alert(1)</script>":                "<script",
		"<img src=x onerror=alert(1)>":             "onerror",
		"[x](vbscript:msgbox)":                     "vbscript",
		"<javascript:alert(1)>":                    `href="javascript`,
	}
	for in, bad := range cases {
		out, err := Markdown(in)
		require.NoError(t, err)
		assert.NotContains(t, out, bad, in)
	}
	out, err := Markdown("[ok](https://example.com/a?b=1) [rel](../x.html) <https://example.org>")
	require.NoError(t, err)
	assert.Contains(t, out, `href="https://example.com/a?b=1"`)
	assert.Contains(t, out, `href="../x.html"`)
	assert.Contains(t, out, `href="https://example.org"`)
}

func TestMarkdownExtensions(t *testing.T) {
	out, err := Markdown("| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n- [ ] todo\n\n~~old~~ www.example.com\n\nNote[^1]\n\n[^1]: Footnote.\n\n中文\n段落\n")
	require.NoError(t, err)
	for _, want := range []string{"<table>", `type="checkbox"`, "<del>old</del>", `href="http://www.example.com"`, "footnote", "中文段落"} {
		assert.Contains(t, out, want)
	}
}

func TestPlainText(t *testing.T) {
	got := plainText("## 背景\n\nSee [the docs](https://example.com/x) and **bold** `code`.\n\n- [x] 导出 Excel\n\n```\nfenced\n```\n", 1000)
	assert.Equal(t, "背景 See the docs and bold code . 导出 Excel fenced", got)
	assert.Equal(t, "背景", plainText("## 背景与目标", 2))
}

func TestWithoutTitle(t *testing.T) {
	for _, tc := range []struct{ body, title, want string }{
		{"# Use ADRs\n\n## Context\n", "Use ADRs", "\n## Context\n"},
		{"\n# Use ADRs\ntext\n", "Use ADRs", "\ntext\n"},
		{"Use ADRs\n===\ntext\n", "Use ADRs", "text\n"},
		{"# Another title\ntext\n", "Use ADRs", "# Another title\ntext\n"},
		{"## Summary\ntext\n", "Timely Vote Credits", "## Summary\ntext\n"},
	} {
		assert.Equal(t, tc.want, withoutTitle(tc.body, tc.title), "%q", tc.body)
	}
}
