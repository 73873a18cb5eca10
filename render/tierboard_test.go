package render

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/demand-registry/demand/registry/config"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/registry/history"
	"github.com/demand-registry/demand/registry/rank"
	"github.com/demand-registry/demand/templates"
)

// TestTierBoardOpenFirst: in each tier the open and active demands are
// ranked first; done and closed ones follow, collapsed, even when they
// score higher; a delivered demand's age stops at its delivery.
func TestTierBoardOpenFirst(t *testing.T) {
	cfg := config.Default()
	file := func(id, status, extra string) *registry.Demand {
		d, fs := registry.ParseDemand(cfg, id+"-x.md", []byte("---\nid: "+id+"\ntitle: T "+id+"\nstatus: "+status+"\ntier: 1\nreceived: 2026-10-01\n"+extra+"---\n"))
		require.False(t, fs.HasErrors(), "%v", fs)
		return d
	}
	high := "value: high\nimpact: high\nurgency: urgent\nimportance: critical\nowner: a\ndue: 2026-12-31\n"
	snap := registry.NewSnapshot(cfg, []*registry.Demand{
		file("D-0001", "delivered", high+"difficulty: low\n"), // the highest score
		file("D-0002", "planned", high),
		file("D-0003", "rejected", high),
	})
	delivered := time.Date(2026, 10, 11, 9, 0, 0, 0, time.UTC)
	hist := map[string]*history.History{
		"D-0001": {ID: "D-0001", Commits: []history.Commit{}, Statuses: []history.Transition{
			{Date: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), To: "new", Recorded: true},
			{Date: delivered, From: "new", To: "delivered", Hash: strings.Repeat("a", 40)},
		}},
	}
	asOf := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	files, err := Build(Input{Snapshot: snap, Ranking: rank.Rank(snap), History: hist, Commit: strings.Repeat("1", 40), Date: asOf}, Options{Templates: templates.FS})
	require.NoError(t, err)
	page := string(files["index.html"])
	tier1 := page[strings.Index(page, `id="tier-1"`):strings.Index(page, `id="tier-2"`)]
	open, ended, ok := strings.Cut(tier1, `<details class="ended">`)
	require.True(t, ok, "done and closed demands are collapsed")
	assert.Contains(t, open, "D-0002")
	assert.NotContains(t, open, "D-0001")
	assert.Contains(t, ended, "D-0001")
	assert.Contains(t, ended, "D-0003")
	assert.Regexp(t, `<span class="count">1</span></h2>`, tier1, "the heading counts what is still to do")
	assert.Regexp(t, `Done or closed <span class="count">2</span>`, ended)
	// Delivered ten days after it was received; the rejected one (no
	// history) ages to the build date.
	age := regexp.MustCompile(`(?s)D-0001.*?<dt>Age</dt><dd>(\d+) days`).FindStringSubmatch(ended)
	require.NotNil(t, age)
	assert.Equal(t, "10", age[1])
}
