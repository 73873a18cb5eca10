package kpi

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/demand-registry/demand/registry/config"

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
	cfg := config.Default()
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

// flowByDay is the cumulative flow counted the plain way: for each day,
// each demand's latest transition dated before that day ends.
func flowByDay(ids []string, hist map[string]*history.History, days []string) []map[string]int {
	var out []map[string]int
	for _, day := range days {
		d, _ := time.Parse("2006-01-02", day)
		cut := d.AddDate(0, 0, 1)
		counts := map[string]int{}
		for _, id := range ids {
			status := ""
			for _, t := range hist[id].Statuses {
				if t.Date.Before(cut) {
					status = t.To
				}
			}
			if status != "" {
				counts[status]++
			}
		}
		out = append(out, counts)
	}
	return out
}

// The one-sweep flow counts what the plain way counts, transitions out of
// date order (an amended commit's date) included.
func TestFlowMatchesPlainCount(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	statuses := []string{"new", "triaged", "accepted", "done", ""}
	for round := 0; round < 50; round++ {
		hist := map[string]*history.History{}
		var ids []string
		base := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
		for i := 0; i < 1+r.IntN(20); i++ {
			id := fmt.Sprintf("D-%03d", i)
			ids = append(ids, id)
			h := &history.History{ID: id}
			for j := 0; j < r.IntN(6); j++ {
				h.Statuses = append(h.Statuses, history.Transition{Date: base.Add(time.Duration(r.IntN(200*24)) * time.Hour), To: statuses[r.IntN(len(statuses))]})
			}
			hist[id] = h
		}
		asOf := base.AddDate(0, 0, 60+r.IntN(200))
		got := flow(ids, hist, asOf)
		var days []string
		var counts []map[string]int
		for _, p := range got {
			days = append(days, p.Date)
			counts = append(counts, p.Counts)
		}
		require.Equal(t, flowByDay(ids, hist, days), counts, "round %d", round)
	}
}

// Dates far apart (commits may carry any date) give a bounded number of
// flow points, not one a week between them.
func TestFlowBounded(t *testing.T) {
	for _, span := range [][2]time.Time{
		{time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)},
		{time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Unix(100000000000000, 0).UTC()}, // year 3170843
	} {
		hist := map[string]*history.History{"D-001": {ID: "D-001", Statuses: []history.Transition{{Date: span[0], To: "new"}, {Date: span[1], To: "done"}}}}
		got := flow([]string{"D-001"}, hist, span[1])
		assert.LessOrEqual(t, len(got), maxFlowPoints+1)
		assert.Greater(t, len(got), maxFlowPoints/2)
		assert.Equal(t, map[string]int{"new": 1}, got[0].Counts)
	}
}

// TestUnknownApart: a node reached at a time no record gives counts as
// unknown, in no rate, and a delivery with no date in no month.
func TestUnknownApart(t *testing.T) {
	cfg := config.Default()
	d, fs := registry.ParseDemand(cfg, "D-0001-x.md", []byte("---\nid: D-0001\ntitle: A\nstatus: delivered\nreceived: 2026-06-01\n---\n"))
	require.False(t, fs.HasErrors(), "%v", fs)
	s := registry.NewSnapshot(cfg, []*registry.Demand{d})
	day := func(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }
	hist := map[string]*history.History{
		"D-0001": {Statuses: []history.Transition{{Date: day("2026-11-23"), To: "delivered", Undated: true}},
			SLA: &history.SLA{Tier: 4, Nodes: []history.SLANode{{Node: "evaluate", State: history.Unknown}, {Node: "solution", State: history.Unknown}, {Node: "feedback", State: history.Unknown}}}},
	}
	k := Measure(s, rank.Rank(s), hist, []string{"D-0001"}, day("2026-11-30"))
	for _, c := range k.Compliance {
		if c.Tier == 4 {
			assert.Equal(t, Compliance{Tier: 4, Node: c.Node, Unknown: 1, Rate: -1}, c)
		}
	}
	assert.Equal(t, 1, k.DeliveredUndated)
	assert.Equal(t, []Month{{"2026-06", 1, 0}}, k.Throughput, "received in June; delivered in no month")
}
