package render

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/templates"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostileBodies are bodies well within the file-size limit that made pages
// hundreds of times their size, or hung the parser.
func hostileBodies() map[string]string {
	wide := "|" + strings.Repeat(" a |", 1000) + "\n|" + strings.Repeat("-|", 1000) + "\n"
	narrow := "| a | b | c | d | e | f | g | h |\n|-|-|-|-|-|-|-|-|\n"
	return map[string]string{
		"wide table":          wide + strings.Repeat("|\n", 5000),
		"long table of empty": narrow + strings.Repeat("|\n", 50000),
		"nested brackets":     strings.Repeat("[", 100000),
		"nested links":        strings.Repeat("[a](", 100000),
		"nested quotes":       strings.Repeat(">", 100000) + " x",
		"nested lists":        strings.Repeat("- ", 50000) + "x",
		"reference used often": "[r]: https://example.com/" + strings.Repeat("a", 100000) + "\n\n" +
			strings.Repeat("[r] ", 100000),
		"empty list items": strings.Repeat("-\n", 100000),
	}
}

// TestMarkdownBounded: every body either renders to at most maxOutput of
// its length or is refused with an error, and the nested ones are refused
// before goldmark sees them (it took 1.9 s on 10,000 nested "[a](" and is
// quadratic: 100,000 did not finish).
func TestMarkdownBounded(t *testing.T) {
	for name, src := range hostileBodies() {
		t.Run(name, func(t *testing.T) {
			out, err := Markdown(src)
			if err == nil {
				assert.LessOrEqual(t, len(out), maxOutput(len(src)), "output %d bytes for %d bytes of input", len(out), len(src))
			}
			if strings.HasPrefix(name, "nested") || strings.Contains(name, "table") {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "too complex")
			}
		})
	}
	out, err := Markdown(strings.Repeat("[r] ", 100000) + "\n\n[r]: https://example.com/" + strings.Repeat("a", 100000) + "\n")
	assert.Error(t, err, "a long reference used 100,000 times")
	assert.Empty(t, out)
}

// TestPlainTextBounded: the search index reads bodies with the same parser
// and must not hang on them either.
func TestPlainTextBounded(t *testing.T) {
	for name, src := range hostileBodies() {
		s := plainText(src, searchTextLimit)
		assert.LessOrEqual(t, len([]rune(s)), searchTextLimit, name)
	}
}

// TestSampleBodiesWithinBounds: the limits leave the bundled sample alone.
func TestSampleBodiesWithinBounds(t *testing.T) {
	files, err := filepath.Glob("../demands/*.md")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		_, body, _ := strings.Cut(strings.TrimPrefix(string(data), "---\n"), "\n---\n")
		out, err := Markdown(body)
		require.NoError(t, err, f)
		assert.LessOrEqual(t, len(out), 4*len(body)+200, f)
	}
}

// TestLazyHostilePage: a body beyond the limits (never validated) makes its
// own page an error; the other pages and the idle warm-up are unharmed.
func TestLazyHostilePage(t *testing.T) {
	in := withDemand(testInput(t), "D-0002", func(d *registry.Demand) { d.Body = strings.Repeat("[a](", 100000) })
	s, err := BuildLazy(in, Options{Templates: templates.FS})
	require.NoError(t, err)
	s.Warm(func() bool { return false })
	_, _, err = s.Get("demands/" + fileName("D-0002"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "too complex")
	data, ok, err := s.Get("demands/" + fileName("D-0001"))
	require.NoError(t, err)
	assert.True(t, ok)
	assert.NotEmpty(t, data)
	_, ok, err = s.Get("index.html")
	require.NoError(t, err)
	assert.True(t, ok)
}

// TestJobPanicIsError: a job that panics fails with an error naming its
// page instead of killing the process.
func TestJobPanicIsError(t *testing.T) {
	j := job{paths: []string{"demands/x.html"}, run: func() error { panic("boom") }}
	err := j.safeRun()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "demands/x.html")
	assert.Contains(t, err.Error(), "boom")
}

// TestBodyTooLargeShownOnItsPage: a body that passes validation but would
// render beyond its bound (a long reference used very often) makes its
// page say so; the site is still built.
func TestBodyTooLargeShownOnItsPage(t *testing.T) {
	body := "[r]: https://example.com/" + strings.Repeat("a", 4000) + "\n\n" + strings.Repeat("[x][r] ", 10000) + "\n"
	require.Empty(t, registry.CheckBody(body), "within the limits validation checks")
	in := withDemand(testInput(t), "D-0002", func(d *registry.Demand) { d.Body = body })
	files, err := Build(in, Options{Templates: templates.FS})
	require.NoError(t, err)
	page := string(files["demands/"+fileName("D-0002")])
	assert.Contains(t, page, `class="body-problem"`)
	assert.Less(t, len(page), 200<<10)
}
