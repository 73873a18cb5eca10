package intake

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/demand-registry/demand/registry/config"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/demand-registry/demand/registry"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := "testdata/" + name
	if *update {
		require.NoError(t, os.WriteFile(p, got, 0o644))
	}
	want, err := os.ReadFile(p)
	require.NoError(t, err)
	require.Equal(t, string(want), string(got))
}

func TestIssueFormGolden(t *testing.T) {
	cfg := config.Default()
	b, err := IssueForm(cfg, "")
	require.NoError(t, err)
	golden(t, "demand.en.yml", b)
	zh := config.Default()
	zh.Language = "zh-CN"
	b, err = IssueForm(zh, "需求")
	require.NoError(t, err)
	golden(t, "demand.zh-CN.yml", b)

	// The form is what GitHub's issue-form schema asks for: unique ids
	// and unique, non-empty dropdown options.
	var f struct {
		Name, Description string
		Labels            []string
		Body              []struct {
			Type       string
			ID         string
			Attributes struct {
				Label   string
				Options []string
			}
		}
	}
	require.NoError(t, yaml.Unmarshal(b, &f))
	require.NotEmpty(t, f.Name)
	require.NotEmpty(t, f.Description)
	ids := map[string]bool{}
	for _, e := range f.Body {
		if e.Type == "markdown" {
			continue
		}
		require.NotEmpty(t, e.Attributes.Label)
		require.Regexp(t, `^[A-Za-z0-9_-]+$`, e.ID)
		require.False(t, ids[e.ID], "id %s twice", e.ID)
		ids[e.ID] = true
		seen := map[string]bool{}
		for _, o := range e.Attributes.Options {
			require.NotEmpty(t, o)
			require.NotEqual(t, "None", o) // reserved by GitHub
			require.False(t, seen[o])
			seen[o] = true
		}
	}

	_, err = IssueForm(cfg, "a,b")
	require.Error(t, err)
}

func TestParseRenderedForms(t *testing.T) {
	form := NewForm(config.Default())
	for _, tc := range []struct {
		file string
		want map[string]string
	}{
		{"submitted.md", map[string]string{
			"title": "Export invoices as PDF", "customer": `Acme "Logistics": Ltd.`, "segment": "VIP / 重要客户 (vip)",
			"type": "Product / 产品需求 (product)", "urgency": "", "importance": "Secondary / 次要 (secondary)",
			"channel": "Feedback form / 反馈表单 (feedback-form)",
			"body":    "Our accounting team re-types every invoice.\n\n### Steps\n\n1. Open the portal\n2. ---\n\n_No response_ is what they wrote",
		}},
		{"empty-fields-crlf.md", map[string]string{
			"title": "支持导出中文发票", "customer": "", "segment": "", "type": "", "urgency": "Urgent / 紧急 (urgent)",
			"importance": "", "channel": "", "body": "",
		}},
	} {
		b, err := os.ReadFile("testdata/" + tc.file)
		require.NoError(t, err)
		got, probs := form.Parse(string(b))
		require.Empty(t, probs, tc.file)
		vals := map[string]string{}
		for id, a := range got {
			vals[id] = a.Value
		}
		require.Equal(t, tc.want, vals, tc.file)
	}
}

func TestParseEdgeCases(t *testing.T) {
	form := NewForm(config.Default())
	for _, tc := range []struct {
		name, body string
		want       map[string]string
		problem    string
	}{
		{"not a form", "Please add PDF export", nil, "no question of the demand form"},
		{"headings by one language", "### Title\n\nA\n\n### 需求描述\n\ntext", map[string]string{"title": "A", "body": "text"}, ""},
		{"order is kept", "### Description / 需求描述\n\n### Title / 标题\n\nnot a title", map[string]string{"body": "### Title / 标题\n\nnot a title"}, ""},
		{"several lines in an input", "### Title / 标题\n\nA\nB\n\n### Description / 需求描述\n\nx", map[string]string{"title": "A", "body": "x"}, "several lines"},
		{"not UTF-8", "### Title\n\n\xff", nil, "not UTF-8"},
	} {
		got, probs := form.Parse(tc.body)
		if tc.problem != "" {
			require.NotEmpty(t, probs, tc.name)
			require.Contains(t, probs[0].Message, tc.problem, tc.name)
		} else {
			require.Empty(t, probs, tc.name)
		}
		if tc.want != nil {
			vals := map[string]string{}
			for id, a := range got {
				vals[id] = a.Value
			}
			require.Equal(t, tc.want, vals, tc.name)
		}
	}
}

func TestDropdownValue(t *testing.T) {
	form := NewForm(config.Default())
	var seg *Element
	for i := range form.Elements {
		if form.Elements[i].ID == "segment" {
			seg = &form.Elements[i]
		}
	}
	require.NotNil(t, seg)
	for text, want := range map[string]string{
		"VIP / 重要客户 (vip)": "vip", "Regular (regular)": "regular", "potential": "potential", "潜在客户": "potential", "VIP": "vip",
	} {
		v, ok := seg.Value(text)
		require.True(t, ok, text)
		require.Equal(t, want, v, text)
	}
	_, ok := seg.Value("gold")
	require.False(t, ok)
}

func TestPlanIsIdempotentAndEscapes(t *testing.T) {
	cfg := config.Default()
	s := registry.NewSnapshot(cfg, nil)
	body, err := os.ReadFile("testdata/submitted.md")
	require.NoError(t, err)
	is := Issue{Body: string(body), URL: "https://github.com/acme/demands/issues/7", Received: "2026-11-02"}
	p, probs := Plan(s, nil, is)
	require.Empty(t, probs)
	require.Equal(t, "D-0001", p.ID)
	require.Equal(t, "D-0001-export-invoices-as-pdf.md", p.Path)
	d, fs := registry.ParseDemand(cfg, p.Path, p.Data)
	require.False(t, fs.HasErrors(), "%v", fs)
	require.Equal(t, `Acme "Logistics": Ltd.`, d.Customer.Name)
	require.Equal(t, "feedback-form", d.Channel)
	require.Equal(t, is.URL, d.Fields.Get("external_key"))
	require.NotZero(t, d.Tier)

	again, probs := Plan(registry.NewSnapshot(cfg, []*registry.Demand{d}), nil, is)
	require.Empty(t, probs)
	require.True(t, again.Existing)
	require.Equal(t, p.Path, again.Path)

	// A hostile title cannot choose the file's place or break the YAML.
	evil := strings.Replace(string(body), "Export invoices as PDF", `../../x: y\n--- "#{}[]`, 1)
	p, probs = Plan(s, nil, Issue{Body: evil, URL: "https://github.com/acme/demands/issues/9", Received: "2026-11-02"})
	require.Empty(t, probs)
	require.NotContains(t, p.Path, "/")
	d, fs = registry.ParseDemand(cfg, p.Path, p.Data)
	require.False(t, fs.HasErrors(), "%v", fs)
	require.Equal(t, `../../x: y\n--- "#{}[]`, d.Title)

	for _, bad := range []string{"", "javascript:alert(1)", "https://x/\n", "ftp://x/1"} {
		_, probs = Plan(s, nil, Issue{Body: string(body), URL: bad, Received: "2026-11-02"})
		require.NotEmpty(t, probs, bad)
	}
	_, probs = Plan(s, nil, Issue{Body: strings.Replace(string(body), "VIP / 重要客户 (vip)", "Gold", 1), URL: is.URL, Received: "2026-11-02"})
	require.NotEmpty(t, probs)
	require.Contains(t, probs[0].Message, `"Gold" is not one of the choices`)
	require.Equal(t, 11, probs[0].Line)
}

// FuzzParse: no body makes the parser panic, and an answer it returns is
// never "_No response_" and, outside the text, one line.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"submitted.md", "empty-fields-crlf.md"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add("### Title\n\n_No response_\n\n### Description\n\n### Title\n")
	form := NewForm(config.Default())
	cfg := config.Default()
	s := registry.NewSnapshot(cfg, nil)
	f.Fuzz(func(t *testing.T, body string) {
		got, _ := form.Parse(body)
		for id, a := range got {
			if a.Value == NoResponse {
				t.Fatalf("%s: _No response_ kept", id)
			}
			if a.Element.Kind != Textarea && strings.ContainsAny(a.Value, "\n\r") {
				t.Fatalf("%s: several lines: %q", id, a.Value)
			}
		}
		p, probs := Plan(s, nil, Issue{Body: body, URL: "https://github.com/a/b/issues/1", Title: "T", Received: "2026-11-02"})
		if len(probs) == 0 {
			if strings.Contains(p.Path, "/") {
				t.Fatalf("path %q", p.Path)
			}
			if _, fs := registry.ParseDemand(cfg, p.Path, p.Data); fs.HasErrors() {
				t.Fatalf("planned file does not validate: %v\n%s", fs, p.Data)
			}
		}
	})
}
