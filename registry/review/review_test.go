package review

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/demand-registry/demand/registry/config"

	"github.com/stretchr/testify/require"

	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/registry/history"
	"github.com/demand-registry/demand/registry/rank"
)

func demand(t *testing.T, cfg *config.Config, id, status, extra string) *registry.Demand {
	t.Helper()
	src := fmt.Sprintf("---\nid: %s\ntitle: Demand %s\nstatus: %s\nreceived: 2026-11-02\n%s---\n", id, id, status, extra)
	d, fs := registry.ParseDemand(cfg, id+"-x.md", []byte(src))
	require.False(t, fs.HasErrors(), "%v", fs)
	return d
}

func at(s string) *time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return &t
}

func TestBuild(t *testing.T) {
	cfg := config.Default()
	ds := []*registry.Demand{
		demand(t, cfg, "D-0001", "triaged", "owner: li\ntier_override: {tier: 1, reason: r}\n"),       // stale: 8 days > 7
		demand(t, cfg, "D-0002", "triaged", "owner: li\ntier_override: {tier: 1, reason: r}\n"),       // 7 days: not stale
		demand(t, cfg, "D-0003", "planned", "due: 2026-11-20\ntier_override: {tier: 4, reason: r}\n"), // overdue, no owner
		demand(t, cfg, "D-0004", "delivered", "owner: li\ndue: 2026-11-01\n"),                         // done: never listed
		demand(t, cfg, "D-0005", "new", "owner: amy\ntier_override: {tier: 4, reason: r}\n"),          // SLA due soon
		demand(t, cfg, "D-0006", "new", "owner: amy\ntier_override: {tier: 4, reason: r}\n"),          // SLA breached
	}
	s := registry.NewSnapshot(cfg, ds)
	rk := rank.Rank(s)
	asOf := *at("2026-11-30T09:00:00+08:00")
	hist := map[string]*history.History{
		"D-0001": {Updated: at("2026-11-22T23:00:00+08:00")},
		"D-0002": {Updated: at("2026-11-23T01:00:00+08:00")},
		"D-0003": {Updated: at("2026-11-29T10:00:00Z")},
		"D-0004": {Updated: at("2026-01-01T10:00:00Z")},
		"D-0005": {Updated: at("2026-11-29T10:00:00Z"), SLA: &history.SLA{Nodes: []history.SLANode{
			{Node: "evaluate", State: history.Running, TargetDays: 10, ElapsedDays: 6, WorkingDays: true},
			{Node: "solution", State: history.Breached, TargetDays: 4, ElapsedDays: 6, WorkingDays: true}, // a later node: not listed
		}}},
		"D-0006": {Updated: at("2026-11-29T10:00:00Z"), SLA: &history.SLA{Nodes: []history.SLANode{
			{Node: "evaluate", State: history.Met, Reached: at("2026-11-03T10:00:00Z")},
			{Node: "solution", State: history.Breached, TargetDays: 4, ElapsedDays: 6, OverDays: 2},
		}}},
	}
	rep := Build(s, rk, hist, "0123456789abcdef", asOf)
	var got []string
	for _, g := range rep.Groups {
		for _, it := range g.Items {
			for _, r := range it.Reasons {
				got = append(got, fmt.Sprintf("%s %s %s %s", ownerName(g.Owner), it.ID, r.Kind, r.Describe()))
			}
		}
	}
	require.Equal(t, []string{
		"amy D-0005 sla-due-soon SLA evaluate due in 4 working days (target 10)",
		"amy D-0006 sla-breached SLA solution breached: 2 days over the target of 4",
		"li D-0001 stale no commit for 8 days (tier limit 7), last 2026-11-22",
		"no owner D-0003 overdue due 2026-11-20, 10 days ago",
	}, got)
	require.Equal(t, 4, rep.Total)

	var text, md, js bytes.Buffer
	require.NoError(t, rep.Write(&text, "text"))
	require.NoError(t, rep.Write(&md, "markdown"))
	require.NoError(t, rep.Write(&js, "json"))
	require.Contains(t, text.String(), "4 demands need attention, as of commit 0123456 of 2026-11-30.")
	require.Contains(t, md.String(), "### no owner\n")
	var back Report
	require.NoError(t, json.Unmarshal(js.Bytes(), &back))
	require.Equal(t, 4, back.Total)

	// No head commit: no ages, nothing listed.
	require.Zero(t, Build(s, rk, hist, "", time.Time{}).Total)
}

func TestMarkdownIsBoundedAndEscaped(t *testing.T) {
	cfg := config.Default()
	var ds []*registry.Demand
	hist := map[string]*history.History{}
	for i := 1; i <= 2000; i++ {
		id := fmt.Sprintf("D-%04d", i)
		ds = append(ds, demand(t, cfg, id, "triaged", "owner: \"@x | [y](javascript:z)\"\ndue: 2026-11-01\n"))
		hist[id] = &history.History{Updated: at("2026-11-29T10:00:00Z")}
	}
	s := registry.NewSnapshot(cfg, ds)
	rep := Build(s, rank.Rank(s), hist, "abc", *at("2026-11-30T09:00:00Z"))
	var md bytes.Buffer
	require.NoError(t, rep.Write(&md, "markdown"))
	require.Less(t, md.Len(), 65536)
	require.Contains(t, md.String(), "more: run `demand review`")
	require.NotContains(t, md.String(), "[y](javascript")
	require.True(t, strings.Contains(md.String(), `\[y\]`))
}
