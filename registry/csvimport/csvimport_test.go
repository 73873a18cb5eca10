package csvimport

import (
	"strings"
	"testing"

	"github.com/demand-registry/demand/registry/config"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/demand-registry/demand/registry"
)

func empty() *registry.Snapshot { return registry.NewSnapshot(config.Default(), nil) }

func TestPlan(t *testing.T) {
	cases := []struct {
		name, csv string
		m         *Map
		want      []string // "ID path" per row, or "line N: message" per problem
	}{
		{"field names", "title,received,urgency\nA,2026-01-01,urgent\n", nil, []string{"D-0001 D-0001-a.md"}},
		{"id column kept when free", "id,title,received\nD-0042,A,2026-01-01\nD-0042,B,2026-01-01\n", nil, []string{"D-0042 D-0042-a.md", "D-0043 D-0043-b.md"}},
		{"bad id replaced", "id,title,received\nX,A,2026-01-01\n", nil, []string{"D-0001 D-0001-a.md"}},
		{"missing required", "title\nA\n", nil, []string{`line 2: required field "received" is missing`}},
		{"bad enum", "title,received,kano\nA,2026-01-01,great\n", nil, []string{`line 2: kano "great" is not allowed`}},
		{"bad number", "title,received,satisfaction\nA,2026-01-01,many\n", nil, []string{`line 2: satisfaction: "many" is not a whole number`}},
		{"unknown column", "title,colour\nA,red\n", nil, []string{`line 1: column "colour" is not a field`}},
		{"map and values", "Key,Name,Prio,When\nK-1,A,P1,03/14/2026\n",
			&Map{Columns: map[string]string{"Key": "external_key", "Name": "title", "Prio": "urgency", "When": "received"},
				Values: map[string]map[string]string{"urgency": {"P1": "urgent"}}, Dates: []string{"01/02/2006"}},
			[]string{"D-0001 D-0001-a.md"}},
		{"unmapped columns ignored with a map", "Name,Other\nA,x\n", &Map{Columns: map[string]string{"Name": "title"}, Defaults: map[string]string{"received": "2026-01-01"}}, []string{"D-0001 D-0001-a.md"}},
		{"bad quoting", "title,received\n\"A,2026-01-01\n", nil, []string{"line 2: "}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rows, problems := Plan(empty(), nil, []byte(tc.csv), tc.m)
			var got []string
			for _, r := range rows {
				got = append(got, r.ID+" "+r.Path)
			}
			for _, p := range problems {
				got = append(got, p.Error())
			}
			require.Len(t, got, len(tc.want))
			for i := range got {
				assert.True(t, strings.HasPrefix(got[i], tc.want[i]), "%q does not start with %q", got[i], tc.want[i])
			}
		})
	}
}

func TestRenderQuotesAmbiguousText(t *testing.T) {
	cfg := config.Default()
	data, err := config.RenderFile(cfg, map[string]any{"id": "D-0001", "title": "yes", "status": "new", "received": "2026-01-01",
		"owner": "# not a comment", "tags": []any{"true", "a: b"}}, "Body.")
	require.NoError(t, err)
	d, fs := registry.ParseDemand(cfg, "D-0001-x.md", data)
	require.False(t, fs.HasErrors(), "%s\n%v", data, fs)
	assert.Equal(t, "yes", d.Title)
	assert.Equal(t, "# not a comment", d.Owner)
	assert.Equal(t, []string{"true", "a: b"}, d.Tags)
	assert.Equal(t, "\nBody.\n", d.Body)
}

// FuzzPlan: any CSV input either yields rows whose files parse cleanly, or
// problems; it never panics.
func FuzzPlan(f *testing.F) {
	f.Add([]byte("title,received\nA,2026-01-01\n"))
	f.Add([]byte("\ufefftitle,received,tags,body\n\"x\ny\",2026-01-01,a;b,\"# h\"\n"))
	f.Add([]byte("id,title,received,customer,segment\nD-0009,报表,2026-02-28,华信,vip\n"))
	cfg := config.Default()
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, problems := Plan(empty(), nil, data, nil)
		if len(rows) > 0 && len(problems) > 0 {
			t.Fatal("rows and problems at once")
		}
		for _, r := range rows {
			if r.Skipped {
				continue
			}
			if _, fs := registry.ParseDemand(cfg, r.Path, r.Data); fs.HasErrors() {
				t.Fatalf("row at line %d gives a bad file:\n%s\n%v", r.Line, r.Data, fs)
			}
		}
	})
}

func FuzzPlanJSON(f *testing.F) {
	f.Add([]byte(`[{"fields": {"title": "A", "status": "new", "received": "2026-01-01"}, "body": "x", "path": "D-0001-a.md"}]`))
	f.Add([]byte(`[{"fields": {"title": "A", "received": "2026-01-01", "rice": {"reach": 1e3, "impact": 1, "confidence": 0.5, "effort": 2}, "tags": ["a;b"]}, "path": "../x.md"}]`))
	f.Add([]byte(`[{"fields": {"title": "A", "received": "2026-01-01", "timeline": [{"date": "2026-01-01", "status": "new"}]}}]`))
	cfg := config.Default()
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, problems := PlanJSON(empty(), nil, data)
		if len(rows) > 0 && len(problems) > 0 {
			t.Fatal("rows and problems at once")
		}
		for _, r := range rows {
			if r.Skipped {
				continue
			}
			if strings.ContainsAny(r.Path, "/\\") || !strings.HasPrefix(r.Path, r.ID) {
				t.Fatalf("row %d names the file %q", r.Line, r.Path)
			}
			if _, fs := registry.ParseDemand(cfg, r.Path, r.Data); fs.HasErrors() {
				t.Fatalf("row %d gives a bad file:\n%s\n%v", r.Line, r.Data, fs)
			}
		}
	})
}

func TestParseMapErrors(t *testing.T) {
	_, err := ParseMap("jira.yaml", []byte("columns:\n  Key: title\ncolums:\n  x: y\n"))
	require.Error(t, err)
	assert.Equal(t, `jira.yaml:3: unknown key "colums" (keys: columns, values, dates, defaults, list_separators, timeline)`, err.Error())
	_, err = ParseMap("m.yaml", []byte("columns: [a, b]\n"))
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "m.yaml:1: cannot unmarshal"), err.Error())
	m, err := ParseMap("m.yaml", []byte(""))
	require.NoError(t, err)
	assert.NotNil(t, m)
}
