package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// jsonSchemas compiles the published schemas of the JSON outputs
// (docs/json). Every object in them is closed (additionalProperties or
// unevaluatedProperties false), so a key the docs do not name fails.
func jsonSchemas(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	dir, err := filepath.Abs("../../docs/json")
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range ents {
		f, err := os.Open(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		doc, err := jsonschema.UnmarshalJSON(f)
		f.Close()
		require.NoError(t, err, e.Name())
		require.NoError(t, c.AddResource("https://demand-registry.invalid/json/"+e.Name(), doc))
	}
	out := map[string]*jsonschema.Schema{}
	for _, name := range []string{"demands", "history", "rank", "diff", "dups", "validate"} {
		s, err := c.Compile("https://demand-registry.invalid/json/" + name + ".schema.json")
		require.NoError(t, err, name)
		out[name] = s
	}
	return out
}

// checkJSON validates one output against its schema and returns it decoded.
func checkJSON(t *testing.T, s *jsonschema.Schema, what, out string) any {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
	require.NoError(t, err, "%s: %s", what, out)
	if err := s.Validate(v); err != nil {
		t.Errorf("%s does not match its schema:\n%v", what, err)
	}
	return v
}

// TestJSONOutputsMatchSchemas runs every command with JSON output on the
// sample registry and on a small repository made here (every kind of diff
// entry, history with pending edits, findings with hints), and checks each
// output against its schema in docs/json.
func TestJSONOutputsMatchSchemas(t *testing.T) {
	schemas := jsonSchemas(t)
	sample := func(args ...string) string {
		t.Helper()
		var o, e bytes.Buffer
		code := run(append(args, "--dir", "../../demands"), &o, &e)
		require.Contains(t, []int{exitOK, exitFindings}, code, "%v: %s", args, e.String())
		return o.String()
	}
	checkJSON(t, schemas["validate"], "validate on the sample", sample("validate", "--format", "json"))
	checkJSON(t, schemas["validate"], "rank --check on the sample", sample("rank", "--check", "--format", "json"))
	checkJSON(t, schemas["rank"], "rank on the sample", sample("rank", "--format", "json"))
	dups := checkJSON(t, schemas["dups"], "dups on the sample", sample("dups", "--format", "json", "--threshold", "0.2"))
	assert.NotEmpty(t, dups.(map[string]any)["pairs"], "the check saw pairs")
	checkJSON(t, schemas["dups"], "dups --explain on the sample", sample("dups", "--format", "json", "--explain"))
	checkJSON(t, schemas["demands"], "export on the sample", sample("export", "--format", "json"))
	checkJSON(t, schemas["demands"], "public export on the sample", sample("export", "--format", "json", "--audience", "public"))
	checkJSON(t, schemas["history"], "history --all on the sample", sample("history", "--all", "--format", "json"))
	checkJSON(t, schemas["history"], "history of one sample demand", sample("history", "D-0001", "--format", "json"))

	r := newTestRepo(t)
	r.write(map[string]string{
		"D-0001-sso.md": "---\nid: D-0001\ntitle: Single sign-on\nstatus: new\nreceived: 2026-11-01\nurgency: urgent\nimportance: critical\n" +
			"customer: {name: Northwind, segment: vip}\n---\nBody.\n",
		"D-0002-gone.md": "---\nid: D-0002\ntitle: Gone soon\nstatus: new\nreceived: 2026-11-01\n---\n",
	})
	r.commit("Ada", "base")
	r.write(map[string]string{
		"D-0001-sso.md": "---\nid: D-0001\ntitle: Single sign-on\nstatus: triaged\nreceived: 2026-11-01\nurgency: urgent\nimportance: critical\n" +
			"value: high\ncustomer: {name: Northwind, segment: vip}\n---\nBody, longer.\n",
		"D-0003-new.md": "---\nid: D-0003\ntitle: 导出 Excel\nstatus: new\nreceived: 2026-11-02\nrice: {reach: 10, impact: 1, confidence: 0.5, effort: 1}\n---\n",
	})
	r.remove("D-0002-gone.md")
	r.commit("Ada", "triage SSO (#4), add D-0003, drop D-0002")
	out, errs, code := r.demand("diff", "HEAD~1", "HEAD", "--format", "json")
	require.Equal(t, exitOK, code, errs)
	var diff struct {
		Demands []map[string]any `json:"demands"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &diff))
	kinds := map[string]map[string]any{}
	for _, d := range diff.Demands {
		kinds[d["kind"].(string)] = d
	}
	require.Len(t, kinds, 3, "added, removed and changed: %s", out)
	assert.NotContains(t, kinds["added"], "tier_from", "an added demand had no tier")
	assert.NotContains(t, kinds["removed"], "tier_to", "a removed demand has no tier")
	checkJSON(t, schemas["diff"], "diff of the test repository", out)

	r.write(map[string]string{"D-0003-new.md": "---\nid: D-0003\ntitle: 导出 Excel\nstatus: triaged\nreceived: 2026-11-02\n---\n"})
	out, errs, code = r.demand("history", "--all", "--format", "json")
	require.Equal(t, exitOK, code, errs)
	require.Contains(t, out, `"pending":`)
	checkJSON(t, schemas["history"], "history --all of the test repository", out)
	out, errs, code = r.demand("history", "D-0001", "--format", "json")
	require.Equal(t, exitOK, code, errs)
	checkJSON(t, schemas["history"], "history of one demand of the test repository", out)
	out, _, _ = r.demand("export", "--format", "json")
	checkJSON(t, schemas["demands"], "export of the test repository", out)
	require.Contains(t, out, `"path": "demands/D-0001-sso.md"`, "paths are relative to the repository root")

	r.write(map[string]string{"D-0004-bad.md": "---\nid: D-0004\ntitle: Bad\nstatus: nwe\nreceived: 2026-13-01\nurgency: urgnt\n---\n"})
	out, _, code = r.demand("validate", "--format", "json")
	require.Equal(t, exitFindings, code)
	require.Contains(t, out, `"hint":`)
	checkJSON(t, schemas["validate"], "validate of a broken file", out)
	require.Contains(t, out, `"path": "demands/D-0004-bad.md"`, "paths are relative to the repository root")
}

// TestJSONSchemasAreClosed: a key the docs do not name fails, so an
// output cannot grow a key without its schema saying so.
func TestJSONSchemasAreClosed(t *testing.T) {
	schemas := jsonSchemas(t)
	for name, doc := range map[string]string{
		"validate": `{"schema_version":1,"findings":[],"extra":1}`,
		"dups":     `{"schema_version":1,"threshold":0.5,"pairs":[{"a":"D-1","b":"D-2","similarity":0.6,"title_a":"x","title_b":"y","z":1}]}`,
		"diff":     `{"schema_version":1,"added":1,"removed":0,"changed":0,"demands":[{"id":"D-1","title":"x","kind":"added","status":"new","score_to":1,"tier_to":1,"tier_from":0}]}`,
		"history":  `{"schema_version":1,"id":"D-1","path":"demands/D-1.md","deleted":false,"Commits":[]}`,
		"rank":     `{"schema_version":1,"primary":"weighted","demands":[],"Demands":[]}`,
		"demands":  `{"schema_version":2,"demands":[]}`,
	} {
		v, err := jsonschema.UnmarshalJSON(strings.NewReader(doc))
		require.NoError(t, err)
		assert.Error(t, schemas[name].Validate(v), "%s accepts %s", name, doc)
	}
}

// TestJSONOutputsConfiguredSLANodes: history and diff JSON of a registry
// with its own SLA nodes (sla.nodes) still match the published schemas.
func TestJSONOutputsConfiguredSLANodes(t *testing.T) {
	schemas := jsonSchemas(t)
	r := newTestRepo(t)
	r.write(map[string]string{
		"registry.yaml": "sla:\n  working_days: false\n  nodes:\n    - {name: acknowledge, statuses: [triaged]}\n  targets:\n    - {tier: 4, acknowledge: 400}\n",
		"D-0001-sso.md": "---\nid: D-0001\ntitle: Single sign-on\nstatus: new\nreceived: 2026-11-01\n---\n",
	})
	r.commit("Ada", "base")
	r.write(map[string]string{"D-0001-sso.md": "---\nid: D-0001\ntitle: Single sign-on\nstatus: triaged\nreceived: 2026-11-01\n---\n"})
	r.commit("Ada", "triage")
	out, errs, code := r.demand("history", "--all", "--format", "json")
	require.Equal(t, exitOK, code, errs)
	require.Contains(t, out, `"node":"acknowledge"`)
	checkJSON(t, schemas["history"], "history with configured SLA nodes", out)
	out, errs, code = r.demand("diff", "HEAD~1", "HEAD", "--format", "json")
	require.Equal(t, exitOK, code, errs)
	require.Contains(t, out, `"node": "acknowledge"`)
	checkJSON(t, schemas["diff"], "diff with configured SLA nodes", out)
}
