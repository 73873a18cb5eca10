package history

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/demand-registry/demand/registry/config"
)

// TestConfiguredSLANodes: the SLA is measured at the nodes the config
// lists, reached by the statuses or kinds it names, against targets keyed
// by the nodes' names; no fixed evaluate/solution/feedback.
func TestConfiguredSLANodes(t *testing.T) {
	cfg, fs := config.Parse("registry.yaml", []byte(`
sla:
  working_days: false
  nodes:
    - {name: acknowledge, statuses: [triaged], label: {en: Acknowledged, zh-CN: 已确认}}
    - {name: ship, kinds: [done]}
  targets:
    - {tier: 4, acknowledge: 2, ship: 4000}
`))
	require.Nil(t, fs, "%v", fs)
	b := newBuilder(t)
	b.write("demands/D-0001-sso.md", demand("D-0001", "SSO", "new", "tier: 4\n", "Body.\n"))
	b.commit("Add", 2)
	b.write("demands/D-0001-sso.md", demand("D-0001", "SSO", "triaged", "tier: 4\n", "Body.\n"))
	b.commit("Triage", 3)
	b.write("demands/D-0001-sso.md", demand("D-0001", "SSO", "accepted", "tier: 4\n", "Body.\n"))
	b.commit("Accept", 9)
	res := b.walk(Options{Config: cfg})
	res.ComputeSLA(cfg, map[string]int{"D-0001": 4})
	sla := res.Histories["D-0001"].SLA
	require.NotNil(t, sla)
	require.Len(t, sla.Nodes, 2)
	assert.Equal(t, "acknowledge", sla.Nodes[0].Node)
	assert.Equal(t, Met, sla.Nodes[0].State, "triaged one day after received: within 2")
	assert.Equal(t, "ship", sla.Nodes[1].Node)
	assert.Equal(t, Running, sla.Nodes[1].State)
}

// TestSLANodeConfigErrors: nodes and targets are checked where written.
func TestSLANodeConfigErrors(t *testing.T) {
	for yml, want := range map[string]string{
		"sla: {nodes: [{name: a, statuses: [nope]}]}":                        `sla node "a" names unknown status "nope"`,
		"sla: {nodes: [{name: a}]}":                                          `sla node "a" is reached by nothing`,
		"sla: {nodes: [{name: a, kinds: [done]}, {name: a, kinds: [done]}]}": `sla node "a" is listed twice`,
		"sla: {targets: [{tier: 1, evaluat: 3}]}":                            `sla target for tier 1 names "evaluat", which is not a node`,
		"sla: {nodes: [{name: a, kinds: [finished]}]}":                       `unknown status kind "finished"`,
	} {
		_, fs := config.Parse("registry.yaml", []byte(yml))
		require.True(t, fs.HasErrors(), yml)
		assert.Contains(t, fs[0].Message, want, yml)
		assert.Positive(t, fs[0].Line, yml)
	}
}

// TestBrokenFrontMatterVersions: a version whose front matter does not
// parse says nothing of its fields: no field is "unset" there, the next
// good version is not a change of every field, and the body is compared
// as it is.
func TestBrokenFrontMatterVersions(t *testing.T) {
	b := newBuilder(t)
	b.write("demands/D-0001-sso.md", demand("D-0001", "SSO", "new", "", "Body.\n"))
	b.commit("Add", 2)
	b.write("demands/D-0001-sso.md", demand("D-0001", "SSO", "triaged", "owner ada\n", "Body.\n"))
	b.commit("Break", 3)
	b.write("demands/D-0001-sso.md", demand("D-0001", "SSO", "triaged", "owner: ada\n", "Body.\n"))
	b.commit("Fix", 4)
	h := b.walk(Options{}).Histories["D-0001"]
	require.NotNil(t, h)
	require.Len(t, h.Commits, 3)
	assert.Equal(t, []Change{{Field: "front matter", From: "does not parse", To: "parses again"}}, h.Commits[0].Changes, "Fix")
	assert.Equal(t, []Change{{Field: "front matter", To: "does not parse"}}, h.Commits[1].Changes, "Break")
	var to []string
	for _, s := range h.Statuses {
		to = append(to, s.From+"→"+s.To)
	}
	assert.Equal(t, []string{"→new", "new→triaged"}, to)
}
