package kpi

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/registry/history"
	"github.com/demand-registry/demand/registry/rank"
)

func TestQuantile(t *testing.T) {
	assert.Equal(t, 0.0, quantile(nil, 0.5))
	assert.Equal(t, 3.0, quantile([]float64{1, 2, 3, 4, 5}, 0.5))
	assert.Equal(t, 5.0, quantile([]float64{1, 2, 3, 4, 5}, 0.9))
	assert.Equal(t, 9.0, quantile([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0.9))
}

func TestMeasure(t *testing.T) {
	cfg := registry.DefaultConfig()
	var ds []*registry.Demand
	for i, f := range []string{
		"---\nid: D-0001\ntitle: A\nstatus: delivered\nreceived: 2026-10-01\nsatisfaction: 4\n---\n",
		"---\nid: D-0002\ntitle: B\nstatus: new\nreceived: 2026-11-01\n---\n",
		"---\nid: D-0003\ntitle: C\nstatus: triaged\nreceived: 2025-01-01\nsatisfaction: 5\n---\n",
	} {
		d, fs := registry.ParseDemand(cfg, fmt.Sprintf("D-%04d-x.md", i+1), []byte(f))
		require.False(t, fs.HasErrors(), "%v", fs)
		ds = append(ds, d)
	}
	s := registry.NewSnapshot(cfg, ds)
	day := func(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }
	reached := day("2026-10-03")
	hist := map[string]*history.History{
		"D-0001": {Statuses: []history.Transition{{Date: day("2026-10-01"), To: "new"}, {Date: day("2026-10-03"), From: "new", To: "triaged"}, {Date: day("2026-10-20"), From: "triaged", To: "delivered"}},
			SLA: &history.SLA{Tier: 4, Nodes: []history.SLANode{{Node: "evaluate", State: history.Met, ElapsedDays: 2, Reached: &reached}, {Node: "solution", State: history.Breached, ElapsedDays: 50, Reached: &reached}, {Node: "feedback", State: history.Running}}}},
		"D-0002": {Statuses: []history.Transition{{Date: day("2026-11-01"), To: "new"}},
			SLA: &history.SLA{Tier: 4, Nodes: []history.SLANode{{Node: "evaluate", State: history.Breached, ElapsedDays: 12}, {Node: "solution", State: history.Running}, {Node: "feedback", State: history.Running}}}},
	}
	k := Measure(s, rank.Rank(s), hist, []string{"D-0001", "D-0002", "D-0003"}, day("2026-11-20"))
	var ev Compliance
	for _, c := range k.Compliance {
		if c.Tier == 4 && c.Node == "evaluate" {
			ev = c
		}
	}
	assert.Equal(t, Compliance{Tier: 4, Node: "evaluate", Met: 1, Breached: 1, Rate: 0.5}, ev)
	assert.Equal(t, Response{Node: "evaluate", Count: 1, Median: 2, P90: 2}, k.Response[0], "running breaches are not response times")
	assert.Equal(t, []Month{{"2025-01", 1, 0}, {"2026-10", 1, 1}, {"2026-11", 1, 0}}, k.Throughput)
	assert.Equal(t, 1, k.Ages[2].Count+k.Ages[1].Count+k.Ages[0].Count, "D-0002 is 19 days old")
	assert.Equal(t, 1, k.Ages[5].Count, "D-0003 is older than a year")
	assert.Equal(t, 2, k.Satisfaction.Count)
	assert.Equal(t, 4.5, k.Satisfaction.Average)
	require.NotEmpty(t, k.Flow)
	last := k.Flow[len(k.Flow)-1]
	assert.Equal(t, "2026-11-20", last.Date)
	assert.Equal(t, map[string]int{"delivered": 1, "new": 1}, last.Counts)
	assert.Equal(t, map[string]int{"new": 1}, k.Flow[0].Counts)
}
