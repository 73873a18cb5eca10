package registry

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/demand-registry/demand/registry/config"
)

const rolesConfig = `title: Proposals
roles:
  id: {from: filename, pattern: '^([0-9]{4})-.*\.md$'}
  title: {from: heading}
  status: stage
  received: opened
  owner: lead
  customer: client
statuses:
  - {name: proposed, kind: open, next: [accepted]}
  - {name: accepted, kind: done, next: []}
fields:
  area: {type: enum, values: [sync, mobile, web], required: true}
  effort: {type: int, min: 1, max: 13}
  teams: {type: list, items: {type: string}, separator: ";"}
  released: {type: date}
  type: {type: string}
  extra: {type: map}
  done: {type: bool}
  cost: {type: number, one_of: [0.5, 1, 2]}
  blocks: {type: list, items: {type: id}}
`

func rolesCfg(t *testing.T) *config.Config {
	t.Helper()
	cfg, fs := config.Parse(config.File, []byte(rolesConfig))
	if fs.HasErrors() {
		t.Fatalf("config: %v", fs)
	}
	return cfg
}

func TestParseValue(t *testing.T) {
	def := config.Default()
	roles := rolesCfg(t)
	f := func(cfg *config.Config, path string) *config.Field {
		t.Helper()
		fd := cfg.FieldByPath(path)
		if fd == nil {
			t.Fatalf("no field %s", path)
		}
		return fd
	}
	tests := []struct {
		cfg     *config.Config
		field   string
		in      string
		want    any
		wantErr string
	}{
		{def, "title", "  Export PDF ", "Export PDF", ""},
		{def, "tier", "2", int64(2), ""},
		{def, "tier", "2.5", nil, `tier must be a whole number, not "2.5" (from 1 to 4)`},
		{def, "tier", "9", nil, "tier 9 is outside 1–4"},
		{def, "tier", "99999999999999999", nil, "beyond the bound"},
		{def, "rice.reach", "1200.5", 1200.5, ""},
		{def, "rice.reach", "-1", nil, "rice.reach -1 is below the minimum 0"},
		{def, "rice.reach", "NaN", nil, "must be a number"},
		{def, "rice.reach", "lots", nil, `rice.reach must be a number, not "lots" (at least 0)`},
		{def, "rice.impact", "0.7", nil, "rice.impact 0.7 is not on the scale; use one of 0.25, 0.5, 1, 2, 3"},
		{def, "received", "2026-05-04", "2026-05-04", ""},
		{def, "received", "2026-05-04T09:30:00Z", "2026-05-04", ""},
		{def, "received", "2026-13-01", nil, `received "2026-13-01" is not a real date`},
		{def, "received", "May 4", nil, `received "May 4" is not a date; write it as YYYY-MM-DD`},
		{def, "urgency", "urgent", "urgent", ""},
		{def, "urgency", "urgnet", nil, `urgency "urgnet" is not allowed; did you mean "urgent"? (use one of urgent, routine, long-term)`},
		{def, "status", "triaged", "triaged", ""},
		{def, "status", "open", nil, `status "open" is not allowed`},
		{def, "links.duplicate_of", "D-0042", "D-0042", ""},
		{def, "links.duplicate_of", "42", nil, `links.duplicate_of "42" is not an ID like D-0042`},
		{def, "links.depends_on", "D-0001, D-0002,", []any{"D-0001", "D-0002"}, ""},
		{def, "links.depends_on", "D-0001,x", nil, `links.depends_on[1] "x" is not an ID`},
		{def, "tags", "billing, pdf", []any{"billing", "pdf"}, ""},
		{def, "tags", " , ", nil, "tags has no items"},
		{def, "requesters", `[{"name": "Acme", "segment": "vip"}]`, []any{map[string]any{"name": "Acme", "segment": "vip"}}, ""},
		{def, "requesters", `Acme`, nil, `requesters is a list of mappings, written as JSON: [{"name": "…"`},
		{def, "customer", "Acme", nil, "customer is a mapping"},
		{roles, "teams", "a, b; c", []any{"a, b", "c"}, ""},
		{roles, "blocks", "0001,D-1", nil, `blocks[1] "D-1" is not an ID like 0042`},
		{roles, "done", "true", true, ""},
		{roles, "done", "yes", nil, `done must be true or false, not "yes"`},
		{roles, "cost", "2", 2.0, ""},
		{roles, "status", "accepted", "accepted", ""},
	}
	for _, tt := range tests {
		got, err := ParseValue(tt.cfg, f(tt.cfg, tt.field), tt.field, tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseValue(%s, %q) error = %v, want %q", tt.field, tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseValue(%s, %q) = %#v, %v; want %#v", tt.field, tt.in, got, err, tt.want)
		}
	}
}

func TestSetByKey(t *testing.T) {
	cfg := rolesCfg(t)
	var n NewDemand
	for _, kv := range [][2]string{
		{"stage", "accepted"}, {"area", "web"}, {"client.name", "Acme"}, {"extra.tracker", "https://x/1"}, {"effort", "3"},
	} {
		if err := n.Set(cfg, kv[0], kv[1]); err != nil {
			t.Fatalf("Set(%s): %v", kv[0], err)
		}
	}
	if err := n.SetRole(cfg, "owner", "Mei"); err != nil {
		t.Fatal(err)
	}
	if err := n.SetRole(cfg, "customer.segment", "vip"); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"status": "accepted", "area": "web", "owner": "Mei", "effort": int64(3),
		"customer": map[string]any{"name": "Acme", "segment": "vip"},
		"extra":    map[string]any{"tracker": "https://x/1"},
	}
	if !reflect.DeepEqual(n.Fields, want) {
		t.Errorf("Fields = %#v\nwant %#v", n.Fields, want)
	}
	if m := n.Missing(cfg); len(m) != 1 || m[0] != "opened" {
		t.Errorf("Missing = %v, want [opened]", m)
	}
	if err := n.SetRole(cfg, "urgency", "urgent"); err == nil {
		t.Error("SetRole(urgency) on a registry without the role: no error")
	}

	for _, tt := range []struct{ key, val, want string }{
		{"lead", "Bo", "lead is given twice"},
		{"status", "accepted", `unknown key "status" (this registry keeps the status under "stage")`},
		{"aera", "web", `unknown key "aera" (did you mean "area"?)`},
		{"segment", "vip", `unknown key "segment" (did you mean "client.segment"?)`},
		{"zzzzzz", "1", `unknown key "zzzzzz" (the keys are stage, opened, type, client, lead, area,`},
		{"client.nmae", "A", `unknown key "client.nmae" (did you mean "client.name"?)`},
		{"client", "A", "client is a mapping; set its keys: client.name, client.segment"},
		{"extra", "A", "extra is a mapping; set its keys: extra.KEY"},
		{"extra.a.b", "A", "extra takes keys of one part"},
		{"area.x", "A", "area has no keys: it is an enum"},
		{"released", " ", "released has no value"},
	} {
		err := n.Set(cfg, tt.key, tt.val)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Set(%s=%s) = %v, want %q", tt.key, tt.val, err, tt.want)
		}
	}
	if err := n.Set(cfg, "title", "X"); !errors.Is(err, ErrSetTitle) {
		t.Errorf("Set(title) = %v, want ErrSetTitle", err)
	}
	if err := n.Set(cfg, "id", "0001"); !errors.Is(err, ErrSetID) {
		t.Errorf("Set(id) = %v, want ErrSetID", err)
	}
	// A failed set leaves nothing behind.
	if _, ok := n.Fields["released"]; ok {
		t.Error("a failed Set left a value")
	}
}

func TestRenderUnderKeys(t *testing.T) {
	cfg := rolesCfg(t)
	n := NewDemand{ID: "0003", Title: "Dark theme"}
	for _, kv := range [][2]string{{"area", "web"}, {"lead", "Mei"}, {"opened", "2026-05-04"}, {"teams", "a;b"}} {
		if err := n.Set(cfg, kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	data, err := n.Render(cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := "---\nstage: proposed\nopened: 2026-05-04\nlead: Mei\narea: web\nteams: [a, b]\n---\n\n# Dark theme\n"
	if !strings.HasPrefix(string(data), want) {
		t.Errorf("Render =\n%s\nwant it to start with\n%s", data, want)
	}
	if _, fs := ParseDemand(cfg, n.FileName(), data); fs.HasErrors() {
		t.Errorf("the file does not parse: %v", fs)
	}
}

func TestSettables(t *testing.T) {
	rows := Settables(rolesCfg(t))
	got := map[string]Settable{}
	var keys []string
	for _, s := range rows {
		got[s.Key] = s
		keys = append(keys, s.Key)
	}
	wantKeys := "stage opened type client.name client.segment lead area effort teams released extra.KEY done cost blocks"
	if strings.Join(keys, " ") != wantKeys {
		t.Errorf("keys = %s\nwant %s", strings.Join(keys, " "), wantKeys)
	}
	for key, want := range map[string]Settable{
		"stage":          {Key: "stage", Type: "status", Allowed: "proposed, accepted", Required: true, Default: "proposed"},
		"opened":         {Key: "opened", Type: "date", Allowed: "YYYY-MM-DD", Required: true, Default: "today"},
		"area":           {Key: "area", Type: "enum", Allowed: "sync, mobile, web", Required: true},
		"effort":         {Key: "effort", Type: "int", Allowed: "from 1 to 13"},
		"teams":          {Key: "teams", Type: "list of string", Allowed: `separated by ";"`},
		"client.segment": {Key: "client.segment", Type: "enum", Allowed: "vip, regular, potential"},
		"blocks":         {Key: "blocks", Type: "list of id", Allowed: "comma-separated; each like 0042"},
		"cost":           {Key: "cost", Type: "number", Allowed: "one of 0.5, 1, 2"},
		"extra.KEY":      {Key: "extra.KEY", Type: "string"},
	} {
		if got[key] != want {
			t.Errorf("Settables %s = %+v, want %+v", key, got[key], want)
		}
	}
	// The default registry: the ID and the title are not keys --set takes.
	for _, s := range Settables(config.Default()) {
		if s.Key == "id" || s.Key == "title" {
			t.Errorf("Settables lists %s", s.Key)
		}
	}
}

func TestMissingMap(t *testing.T) {
	cfg, fs := config.Parse(config.File, []byte(`fields:
  contract: {type: map, required: true, fields: {number: {type: string, required: true}, note: {type: string}}}
  meta: {type: map, required: true}
  plan: {type: map, required: true, fields: {q: {type: int}}}
  areas: {type: list, items: {type: enum, values: [a, b]}}
`))
	if fs.HasErrors() {
		t.Fatal(fs)
	}
	n := NewDemand{}
	if err := n.SetRole(cfg, "received", "2026-01-01"); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(n.Missing(cfg), " "); got != "contract.number meta.KEY plan.q" {
		t.Errorf("Missing = %s", got)
	}
	for _, s := range Settables(cfg) {
		if s.Key == "areas" && s.Allowed != "comma-separated; each one of a, b" {
			t.Errorf("areas allows %q", s.Allowed)
		}
	}
}

// FuzzSet: any key and value set on a new demand is refused or gives a
// file that renders without a panic.
func FuzzSet(f *testing.F) {
	f.Add("customer.name", "Acme")
	f.Add("tags", "a,,b")
	f.Add("requesters", `[{"name": "x"}]`)
	f.Add("links.depends_on", "D-0001")
	f.Add("rice.reach", "1e400")
	cfg := config.Default()
	f.Fuzz(func(t *testing.T, key, value string) {
		n := NewDemand{ID: "D-0001", Title: "T"}
		if err := n.Set(cfg, key, value); err != nil {
			return
		}
		data, err := n.Render(cfg)
		if err != nil {
			return
		}
		ParseDemand(cfg, n.FileName(), data)
	})
}
