package registry

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/demand-registry/demand/registry/config"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

func TestECMAScriptPattern(t *testing.T) {
	for _, tc := range []struct{ goPattern, js string }{
		{`^D-[0-9]{4}$`, `^D-[0-9]{4}$`},
		{`^D-\d{4,}\z`, `^D-[0-9]{4,}$`},
		{`\Aab\z`, `^ab$`},
		{`(?i)ab`, `[Aa][Bb]`},
		{`(?i)k`, "[Kk\u212A]"},
		{`^(?P<year>[0-9]{4})-(?:x|y)$`, `^([0-9]{4})-[xy]$`},
		{`^\p{Han}+$`, `^\p{Script=Han}+$`},
		{`^\PL$`, `^\P{L}$`},
		{`\Q1.5*\E`, `1\.5\*`},
		{`[[:digit:]]`, `[0-9]`},
		{`a.b`, `a[^\n]b`},
		{`(?s)a.b`, `a[\s\S]b`},
		{`(?m)^a$`, `(?:^|(?<=\n))a(?:$|(?=\n))`},
		{`a+?b*?`, `a+?b*?`},
		{`x{2,5}y{3,}`, `x{2,5}y{3,}`},
		{`[^a]`, `[^a]`},
		{`a/b`, `a\/b`},
		{`[\]\-^]`, `[\-\]\^]`},
		{`\x{1F600}`, "\U0001F600"},
	} {
		got, err := config.ECMAScriptPattern(tc.goPattern)
		require.NoError(t, err, tc.goPattern)
		assert.Equal(t, tc.js, got, "%s", tc.goPattern)
	}
	// Letters merged with other characters are written range by range.
	_, err := config.ECMAScriptPattern(`[\p{L}0]a|[\p{N}b]c|[\p{S}d]e|[\p{M}f]g|[\p{P}h]i`)
	assert.ErrorContains(t, err, "more than")
}

func TestConfigRejectsPatternTooLongForEditors(t *testing.T) {
	_, fs := config.Parse("registry.yaml", []byte("fields:\n  area:\n    type: string\n    pattern: '[\\p{L}0]a|[\\p{N}b]c|[\\p{S}d]e|[\\p{M}f]g|[\\p{P}h]i'\n"))
	require.Len(t, fs, 1, "%v", fs)
	assert.Equal(t, 4, fs[0].Line)
	assert.Contains(t, fs[0].Message, "JSON Schema validators")
}

// patternConfig has fields whose Go patterns need translating.
const patternConfig = `
fields:
  code: {type: string, pattern: '(?i)^ab-\d+\z'}
  han: {type: string, pattern: '^\p{Han}+$'}
  stamp: {type: string, pattern: '^(?P<y>[0-9]{4})-[[:digit:]]{2}$'}
  version: {type: string, pattern: '\Q1.5\E'}
`

// TestSchemaWithAjv checks the schema of `demand schema` with Ajv, the
// JavaScript validator of the YAML language server, in both drafts, and
// with the YAML language server itself (draft-07, as editors use it): it
// must compile in strict mode, accept every sample file's front matter,
// and reject each broken variant on the rule it breaks. Translated
// patterns must match in JavaScript exactly what they match in Go. It
// needs node and .ci/npm installed (npm ci in .ci/npm); DEMAND_NODE_TESTS=1
// (set by CI) makes their absence a failure.
func TestSchemaWithAjv(t *testing.T) {
	script, err := filepath.Abs("../.ci/npm/ajv-check.mjs")
	require.NoError(t, err)
	for _, pkg := range []string{"ajv", "yaml-language-server"} {
		if _, err := os.Stat(filepath.Join(filepath.Dir(script), "node_modules", pkg)); err != nil {
			if os.Getenv("DEMAND_NODE_TESTS") != "" {
				t.Fatalf("DEMAND_NODE_TESTS is set but .ci/npm/node_modules has no %s: run npm ci in .ci/npm", pkg)
			}
			t.Skipf("%s is not installed (npm ci in .ci/npm)", pkg)
		}
	}
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("DEMAND_NODE_TESTS") != "" {
			t.Fatal("DEMAND_NODE_TESTS is set but node was not found")
		}
		t.Skip("node is not installed")
	}

	src, err := OpenDir("../demands")
	require.NoError(t, err)
	defer src.Close()
	cfg, fs := LoadConfig(src)
	require.Empty(t, fs)
	input := map[string]any{}
	schemas := map[string]any{}
	for _, d := range config.SchemaDrafts {
		s, err := cfg.JSONSchema(d)
		require.NoError(t, err)
		schemas[d] = s
	}
	input["schemas"] = schemas

	type fail struct {
		Path     string   `json:"path"`
		Keywords []string `json:"keywords"`
	}
	type tcase struct {
		Name  string         `json:"name"`
		Doc   map[string]any `json:"doc"`
		YAML  string         `json:"yaml"` // the text an editor validates
		Fails []fail         `json:"fails"`
	}
	var cases []tcase
	files, err := filepath.Glob("../demands/*.md")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	var base map[string]any
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		doc := frontMatterJSON(t, data)
		yml, _, _ := FrontMatter(data)
		cases = append(cases, tcase{Name: filepath.Base(f), Doc: doc, YAML: string(yml)})
		if base == nil {
			base = doc // the broken variants start from a valid file
		}
	}
	require.NotNil(t, base)
	broken := func(name string, change func(m map[string]any), fails ...fail) {
		var m map[string]any
		b, _ := json.Marshal(base)
		require.NoError(t, json.Unmarshal(b, &m))
		change(m)
		text, err := json.Marshal(m) // JSON is YAML
		require.NoError(t, err)
		cases = append(cases, tcase{Name: name, Doc: m, YAML: string(text), Fails: fails})
	}
	at := func(path string, kw ...string) fail { return fail{path, kw} }
	sub := func(m map[string]any, k string) map[string]any {
		if v, ok := m[k].(map[string]any); ok {
			return v
		}
		v := map[string]any{}
		m[k] = v
		return v
	}
	// One variant for every rule of validate a schema can express.
	broken("unknown-field", func(m map[string]any) { m["urgncy"] = "urgent" }, at("", "additionalProperties"))
	broken("required: no title", func(m map[string]any) { delete(m, "title") }, at("", "required"))
	broken("required: empty title", func(m map[string]any) { m["title"] = "" }, at("/title", "minLength", "pattern"))
	broken("required: blank title", func(m map[string]any) { m["title"] = " \t " }, at("/title", "pattern"))
	broken("single-line title", func(m map[string]any) { m["title"] = "one\ntwo" }, at("/title", "pattern"))
	broken("single-line customer name", func(m map[string]any) { sub(m, "customer")["name"] = "A\nB" }, at("/customer/name", "pattern"))
	broken("length", func(m map[string]any) { m["title"] = strings.Repeat("长", 121) }, at("/title", "maxLength"))
	broken("type: list for text", func(m map[string]any) { m["title"] = []any{"a"} }, at("/title", "type"))
	broken("type: text for a number", func(m map[string]any) { sub(m, "rice")["reach"] = "many" }, at("/rice/reach", "type"))
	broken("type: number for an integer", func(m map[string]any) { m["satisfaction"] = 4.5 }, at("/satisfaction", "type"))
	broken("enum", func(m map[string]any) { m["urgency"] = "urgnt" }, at("/urgency", "enum"))
	broken("status", func(m map[string]any) { m["status"] = "nwe" }, at("/status", "enum"))
	broken("date: impossible", func(m map[string]any) { m["received"] = "2026-02-30" }, at("/received", "format"))
	broken("date: not a date", func(m map[string]any) { m["due"] = "next week" }, at("/due", "format", "pattern"))
	broken("range: confidence", func(m map[string]any) { sub(m, "rice")["confidence"] = 1.5 }, at("/rice/confidence", "maximum"))
	broken("range: RICE impact scale", func(m map[string]any) { sub(m, "rice")["impact"] = 4 }, at("/rice/impact", "enum"))
	broken("range: WSJF scale", func(m map[string]any) {
		m["wsjf"] = map[string]any{"value": 4, "time_criticality": 1, "risk_reduction": 1, "job_size": 1}
	}, at("/wsjf/value", "enum"))
	broken("satisfaction", func(m map[string]any) { m["satisfaction"] = 6 }, at("/satisfaction", "maximum"))
	broken("tier", func(m map[string]any) { m["tier"] = 5 }, at("/tier", "maximum", "enum"))
	broken("id-format", func(m map[string]any) { m["id"] = "X-1" }, at("/id", "pattern"))
	broken("id-format in a link", func(m map[string]any) { sub(m, "links")["duplicate_of"] = "D-1" }, at("/links/duplicate_of", "pattern"))
	broken("list-length", func(m map[string]any) {
		var tags []any
		for i := range 21 {
			tags = append(tags, "t"+string(rune('a'+i)))
		}
		m["tags"] = tags
	}, at("/tags", "maxItems"))
	broken("duplicate-of: no links", func(m map[string]any) { m["status"] = "duplicate"; delete(m, "links") }, at("", "required"))
	broken("duplicate-of: links without duplicate_of", func(m map[string]any) {
		m["status"] = "duplicate"
		m["links"] = map[string]any{"related": []any{"D-0001"}}
	}, at("/links", "required"))
	broken("override-reason", func(m map[string]any) { m["tier_override"] = map[string]any{"tier": 1} }, at("/tier_override", "required"))
	broken("unknown field in a map", func(m map[string]any) { sub(m, "customer")["nmae"] = "x" }, at("/customer", "additionalProperties"))
	broken("visibility", func(m map[string]any) { m["visibility"] = "secret" }, at("/visibility", "enum"))
	// The duplicate rule passes when it is kept.
	ok := func(name string, change func(m map[string]any)) {
		broken(name, change)
		cases[len(cases)-1].Fails = nil
	}
	ok("duplicate with duplicate_of", func(m map[string]any) {
		m["status"] = "duplicate"
		m["links"] = map[string]any{"duplicate_of": "D-0013"}
	})
	ok("a title with trailing newline, as a YAML block scalar gives", func(m map[string]any) { m["title"] = "One line\n" })
	ok("a single tag without brackets", func(m map[string]any) { m["tags"] = "export" })

	// A config whose patterns need translating, with values Go accepts
	// and rejects; JavaScript must agree on each.
	pcfg, fs := config.Parse("registry.yaml", []byte(patternConfig))
	require.Empty(t, fs)
	ps, err := pcfg.JSONSchema(config.Draft07)
	require.NoError(t, err)
	ps2, err := pcfg.JSONSchema(config.Draft2020)
	require.NoError(t, err)
	input["pattern_schemas"] = map[string]any{config.Draft07: ps, config.Draft2020: ps2}
	type pcase struct {
		Field string `json:"field"`
		Go    string `json:"go"`
		JS    string `json:"js"`
		S     string `json:"s"`
		Match bool   `json:"match"`
	}
	var pcases []pcase
	samples := map[string][]string{
		"code":    {"ab-1", "AB-12", "aB-9", "ab-", "xab-1", "ab-1\n", "ab-1x"},
		"han":     {"导出报表", "导出 Excel", "", "報表", "ｱ"},
		"stamp":   {"2026-11", "2026-1", "20261-11", "２０２６-11"},
		"version": {"1.5", "v1.5.0", "125", "1x5"},
	}
	names := make([]string, 0, len(samples))
	for n := range samples {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		f := pcfg.Fields[n]
		js, err := config.ECMAScriptPattern(f.Pattern)
		require.NoError(t, err)
		re := regexp.MustCompile(f.Pattern)
		for _, s := range samples[n] {
			pcases = append(pcases, pcase{Field: n, Go: f.Pattern, JS: js, S: s, Match: re.MatchString(s)})
		}
	}
	input["patterns"] = pcases
	input["cases"] = cases
	// What the YAML language server does not check: format "date" (it
	// tests the shape, not that the day exists).
	input["yls_misses"] = []string{"date: impossible"}

	in := filepath.Join(t.TempDir(), "cases.json")
	b, err := json.Marshal(input)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(in, b, 0o644))
	cmd := exec.Command(node, script, in)
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	require.NoError(t, err, "Ajv disagrees:\n%s", out)
	assert.Contains(t, string(out), " 0 failed")

	// The YAML language server, as editors run it, on the same cases.
	cmd = exec.Command(node, filepath.Join(filepath.Dir(script), "yls-check.cjs"), in)
	out, err = cmd.CombinedOutput()
	t.Logf("%s", out)
	require.NoError(t, err, "the YAML language server disagrees:\n%s", out)
	assert.Contains(t, string(out), " 0 failed")
}

// frontMatterJSON is a demand file's front matter as the JSON an editor's
// YAML support validates: dates stay text, as YAML's core schema reads them.
func frontMatterJSON(t *testing.T, data []byte) map[string]any {
	yml, _, ok := FrontMatter(data)
	require.True(t, ok)
	var m map[string]any
	require.NoError(t, yaml.Unmarshal(yml, &m))
	var fix func(v any) any
	fix = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				x[k] = fix(e)
			}
		case []any:
			for i, e := range x {
				x[i] = fix(e)
			}
		case time.Time:
			return x.Format("2006-01-02")
		}
		return v
	}
	return fix(m).(map[string]any)
}

// TestSchemaWithRemark lints the sample's demand files, Markdown and all,
// with remark-lint-frontmatter-schema (the front-matter linter of the
// remark CLI and of editors' remark language server) against `demand
// schema`: none gets a warning, and a broken file gets one per broken rule
// at its line. Like TestSchemaWithAjv it needs .ci/npm installed.
func TestSchemaWithRemark(t *testing.T) {
	npmDir, err := filepath.Abs("../.ci/npm")
	require.NoError(t, err)
	remark := filepath.Join(npmDir, "node_modules", ".bin", "remark")
	if _, err := os.Stat(remark); err != nil {
		if os.Getenv("DEMAND_NODE_TESTS") != "" {
			t.Fatal("DEMAND_NODE_TESTS is set but remark is not installed: run npm ci in .ci/npm")
		}
		t.Skip("remark is not installed (npm ci in .ci/npm)")
	}
	src, err := OpenDir("../demands")
	require.NoError(t, err)
	defer src.Close()
	cfg, fs := LoadConfig(src)
	require.Empty(t, fs)
	schema, err := cfg.JSONSchema(config.DefaultDraft)
	require.NoError(t, err)
	work := t.TempDir()
	b, err := json.Marshal(schema)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(work, "demand.schema.json"), b, 0o644))
	require.NoError(t, os.Symlink(filepath.Join(npmDir, "node_modules"), filepath.Join(work, "node_modules")))
	require.NoError(t, os.WriteFile(filepath.Join(work, ".remarkrc.mjs"), []byte(`import remarkFrontmatter from "remark-frontmatter";
import remarkLintFrontmatterSchema from "remark-lint-frontmatter-schema";
export default {plugins: [remarkFrontmatter, [remarkLintFrontmatterSchema, {schemas: {"./demand.schema.json": ["./demands/*.md"]}}]]};
`), 0o644))
	require.NoError(t, os.Mkdir(filepath.Join(work, "demands"), 0o755))
	files, err := filepath.Glob("../demands/*.md")
	require.NoError(t, err)
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(work, "demands", filepath.Base(f)), data, 0o644))
	}
	lint := func(args ...string) (string, error) {
		cmd := exec.Command(remark, append([]string{"--quiet", "--no-color", "--frail", "--no-stdout"}, args...)...)
		cmd.Dir = work
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := lint("demands")
	require.NoError(t, err, "remark warns on valid files:\n%s", out)

	bad := "---\nid: D-0099\ntitle: \"  \"\nstatus: duplicate\nreceived: 2026-02-30\nurgency: urgnt\n---\nBody\n"
	require.NoError(t, os.WriteFile(filepath.Join(work, "demands", "D-0099-bad.md"), []byte(bad), 0o644))
	out, err = lint("demands/D-0099-bad.md")
	require.Error(t, err, "remark accepts a broken file:\n%s", out)
	t.Logf("%s", out)
	for _, want := range []string{`required property 'links'`, `3:8-3:12 +warning Must match pattern "\\S"`, `5:11-5:21 +warning Must match format "date"`,
		`6:10-6:15 +warning Must be equal to one of the allowed values`} {
		assert.Regexp(t, want, out)
	}
}

// FuzzECMAScriptPattern: every pattern Go compiles translates without a
// panic, within its bound or with an error, and the same way every time.
func FuzzECMAScriptPattern(f *testing.F) {
	for _, s := range []string{`^D-[0-9]{4}$`, `(?i)ab\z`, `(?P<y>\d+)`, `\p{Han}+`, `\Q.*\E`, `[[:alpha:]]`, `(?m)^a$|b*?`, `[^\x00-\x{10FFFF}]`, `(?s).`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if _, err := regexp.Compile(p); err != nil {
			return
		}
		js, err := config.ECMAScriptPattern(p)
		if err != nil {
			return
		}
		if len(js) > config.MaxECMAPattern {
			t.Fatalf("%q: %d bytes", p, len(js))
		}
		again, _ := config.ECMAScriptPattern(p)
		if again != js {
			t.Fatalf("%q: %q then %q", p, js, again)
		}
	})
}
