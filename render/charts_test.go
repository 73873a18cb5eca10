package render

import (
	"os"
	"path/filepath"
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

// TestChartsSmallData draws the charts for the smallest data they meet:
// one day, one month, one status, many statuses with long names, and
// compares them with testdata/charts (go test ./render -update rewrites
// them). Every bar and area has a size, and the legend stays inside.
func TestChartsSmallData(t *testing.T) {
	long := []series{}
	for _, name := range []string{"Withdrawn", "Duplicate", "Rejected", "On hold", "Closed", "Delivered", "In progress", "Planned", "Accepted", "Triaged", "新建 (New)"} {
		long = append(long, series{Name: name, Values: []float64{1, 2}})
	}
	cases := map[string]string{
		"cfd-one-day.svg":     string(areaChart("flow", []string{"2026-11-23"}, []series{{Name: "Delivered", Values: []float64{2}}, {Name: "New", Values: []float64{3}}})),
		"cfd-one-status.svg":  string(areaChart("flow", []string{"2026-11-01", "2026-11-02", "2026-11-03"}, []series{{Name: "New", Values: []float64{1, 2, 2}}})),
		"cfd-legend-wrap.svg": string(areaChart("flow", []string{"2026-11-01", "2026-11-02"}, long)),
		"throughput-one-month.svg": string(barChart("throughput", []string{"2026-11"},
			[]series{{Name: "Received", Values: []float64{3}}, {Name: "Delivered", Values: []float64{0}}}, "")),
		"sla-one-tier.svg": string(barChart("sla", []string{"1 · Critical"},
			[]series{{Name: "Evaluate", Values: []float64{100}}, {Name: "Solution", Values: []float64{50}}, {Name: "Feedback", Values: []float64{0}}}, "%")),
	}
	for name, svg := range cases {
		golden := filepath.Join("testdata", "charts", name)
		if *update {
			require.NoError(t, os.MkdirAll(filepath.Dir(golden), 0o755))
			require.NoError(t, os.WriteFile(golden, []byte(svg+"\n"), 0o644))
			continue
		}
		want, err := os.ReadFile(golden)
		require.NoError(t, err, "missing golden file: run go test ./render -update")
		assert.Equal(t, string(want), svg+"\n", name)
	}
	// One day is a column, not a line of zero width.
	assert.Contains(t, cases["cfd-one-day.svg"], `<rect class="c0" x="276.0"`)
	// A single status still says which it is.
	assert.Contains(t, cases["cfd-one-status.svg"], `>New</text>`)
	// The long legend wraps: the chart grows, no entry passes its width.
	assert.Contains(t, cases["cfd-legend-wrap.svg"], `viewBox="0 0 640 256"`)
	items, rows := legendLayout(long, true)
	assert.Equal(t, 2, rows)
	for j, it := range items {
		assert.LessOrEqual(t, it.x+14+textWidth(long[j].Name), chartW-padR, long[j].Name)
	}
	// One month: bars as wide as a group allows, centred.
	assert.Contains(t, cases["throughput-one-month.svg"], `<rect class="c0" x="288.0"`)
}

// TestKPIsWithNothing builds the KPI page of a registry with no demands
// and an empty history: each section says there is nothing to show.
func TestKPIsWithNothing(t *testing.T) {
	snap := registry.NewSnapshot(config.Default(), nil)
	in := Input{Snapshot: snap, Ranking: rank.Rank(snap), History: map[string]*history.History{}, Commit: strings.Repeat("1", 40),
		Date: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)}
	files, err := Build(in, Options{Templates: templates.FS})
	require.NoError(t, err)
	page := string(files["kpis.html"])
	for _, s := range []string{"No demand has an SLA node yet", "No demand has been received yet.", "No demand is open or active.", "No status has changed yet"} {
		assert.Contains(t, page, s)
	}
	assert.NotContains(t, page, "<svg")
}
