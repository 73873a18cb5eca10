package rank

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/registry/config"
)

// TestMatrixAxesFromConfig: the priority matrix reads the axes the config
// names, by the registry's keys; the built-in axes need the built-in
// fields.
func TestMatrixAxesFromConfig(t *testing.T) {
	cfg, fs := config.Parse("registry.yaml", []byte(`
roles: {status: status, received: received}
fields:
  severity: {type: enum, values: [blocker, major, minor]}
  reach: {type: enum, values: [all, many, few]}
scoring:
  matrix: {urgency: severity, importance: reach}
`))
	require.False(t, fs.HasErrors(), "%v", fs)
	d, pf := registry.ParseDemand(cfg, "D-0001-a.md", []byte("---\nid: D-0001\ntitle: A\nstatus: new\nreceived: 2026-11-02\nseverity: blocker\nreach: few\n---\n"))
	require.False(t, pf.HasErrors(), "%v", pf)
	m := matrix(cfg, d)
	assert.Equal(t, "blocker", m.Urgency)
	assert.Equal(t, "few", m.Importance)
	assert.Equal(t, "delegate", m.Quadrant)

	bare, _ := config.Parse("registry.yaml", []byte("roles: {status: status}\n"))
	assert.False(t, bare.HasMatrix(), "no urgency or importance: no matrix")

	_, fs = config.Parse("registry.yaml", []byte("scoring: {matrix: {urgency: owner, importance: importance}}\n"))
	require.True(t, fs.HasErrors())
	assert.Contains(t, fs[0].Message, `scoring.matrix names "owner", which is not an enum field`)
}
