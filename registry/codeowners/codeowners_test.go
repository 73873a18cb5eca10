package codeowners

import (
	"testing"

	"github.com/demand-registry/demand/registry/config"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/registry/rank"
)

func TestReplace(t *testing.T) {
	block := begin + "\n/demands/D-0001.md @a\n" + end + "\n"
	assert.Equal(t, "/x @b\n"+block, Replace("/x @b", block), "appended, on a line of its own")
	old := "/x @b\n" + begin + "\n/demands/D-0009.md @a\n" + end + "\n/y @c\n"
	assert.Equal(t, "/x @b\n"+block+"/y @c\n", Replace(old, block), "replaced in place, other lines kept")
	assert.Equal(t, block, Replace("", block))
}

// snapshot parses one tier-1 demand file at path p.
func snapshot(t *testing.T, p string) (*registry.Snapshot, *rank.Ranking) {
	cfg := config.Default()
	d, _ := registry.ParseDemand(cfg, p, []byte("---\nid: D-0001\ntitle: SSO\nstatus: new\nreceived: 2026-11-02\n"+
		"urgency: urgent\nimportance: critical\ncustomer: {segment: vip}\n---\n"))
	require.NotNil(t, d)
	s := registry.NewSnapshot(cfg, []*registry.Demand{d})
	rk := rank.Rank(s)
	require.Equal(t, 1, rk.Get("D-0001").Tier)
	return s, rk
}

// TestBlockRefusesOddPaths: a path with a newline would add a line of the
// contributor's choosing (an owner rule for any file); a pattern character
// would own other files. Neither is ever written.
func TestBlockRefusesOddPaths(t *testing.T) {
	s, rk := snapshot(t, "D-0001-sso file.md")
	b, err := Block(s, rk, "demands", 1, "@acme/leads")
	require.NoError(t, err)
	assert.Contains(t, b, "\n/demands/D-0001-sso\\ file.md @acme/leads\n", "a space is escaped")

	for _, p := range []string{
		"D-0001-x.md\n/.github/ @evil",
		"D-0001-x\r.md",
		"D-0001-\x1b.md",
		"D-0001-*.md",
		"D-0001-?.md",
		"D-0001-[ab].md",
		"D-0001-!x.md",
		"D-0001-#x.md",
		`D-0001-a\b.md`,
	} {
		s, rk := snapshot(t, p)
		b, err := Block(s, rk, "demands", 1, "@acme/leads")
		if assert.Error(t, err, "%q", p) {
			assert.Contains(t, err.Error(), "rename the file")
			assert.NotContains(t, err.Error(), "\n", "the path is quoted in the error")
		}
		assert.Empty(t, b, "%q", p)
		assert.False(t, Literal("/demands/"+p))
	}
	assert.True(t, Literal("/demands/D-0002-报表中心.md"))
}
