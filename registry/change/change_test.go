package change

import (
	"fmt"
	"testing"

	"github.com/demand-registry/demand/registry/config"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/registry/rank"
)

type file struct{ path, id, title, status, received, extra string }

func snap(t *testing.T, files ...file) *registry.Snapshot {
	cfg := config.Default()
	var ds []*registry.Demand
	for _, f := range files {
		text := fmt.Sprintf("---\nid: %s\ntitle: %s\nstatus: %s\nreceived: %s\n%s---\n", f.id, f.title, f.status, f.received, f.extra)
		d, fs := registry.ParseDemand(cfg, f.path, []byte(text))
		for _, f := range fs {
			require.Equal(t, "filename", f.Rule, "%v", f) // id-change cases keep the old file name
		}
		ds = append(ds, d)
	}
	return registry.NewSnapshot(cfg, ds)
}

func rules(base, head *registry.Snapshot) []string {
	var out []string
	for _, f := range Check(base, head, rank.Rank(head)) {
		out = append(out, f.Path+" "+f.Rule)
	}
	return out
}

func TestRules(t *testing.T) {
	a := file{"D-0001-a.md", "D-0001", "A", "new", "2026-01-01", ""}
	cases := []struct {
		name       string
		base, head []file
		want       []string
	}{
		{"unchanged", []file{a}, []file{a}, nil},
		{"one step", []file{a}, []file{{a.path, a.id, a.title, "triaged", a.received, ""}}, nil},
		{"skipped steps", []file{a}, []file{{a.path, a.id, a.title, "delivered", a.received, ""}}, []string{"D-0001-a.md transition"}},
		{"rename keeps the demand", []file{a}, []file{{"D-0001-b.md", a.id, "A, renamed", a.status, a.received, ""}}, nil},
		{"id reused by another demand", []file{a}, []file{{"D-0001-z.md", a.id, "Something else", "new", "2026-05-05", ""}}, []string{"D-0001-z.md id-reuse"}},
		{"id changed in place", []file{a}, []file{{a.path, "D-0002", a.title, a.status, a.received, ""}}, []string{"D-0001-a.md id-change"}},
		{"deleted", []file{a, {"D-0002-b.md", "D-0002", "B", "new", "2026-01-01", ""}}, []file{a}, []string{"D-0002-b.md deleted"}},
		{"withdrawn instead", []file{a}, []file{{a.path, a.id, a.title, "withdrawn", a.received, ""}}, nil},
		{"received changed", []file{a}, []file{{a.path, a.id, a.title, a.status, "2026-01-02", ""}}, []string{"D-0001-a.md received-change"}},
		{"tier by hand", []file{a}, []file{{a.path, a.id, a.title, a.status, a.received, "tier: 1\n"}}, []string{"D-0001-a.md tier-change"}},
		{"tier with the ranker", []file{a}, []file{{a.path, a.id, a.title, a.status, a.received, "tier: 4\n"}}, nil},
		{"tier with an override", []file{a}, []file{{a.path, a.id, a.title, a.status, a.received, "tier: 1\ntier_override: {tier: 1, reason: CEO promise}\n"}}, nil},
		{"timeline appended", []file{{a.path, a.id, a.title, "triaged", a.received, "timeline:\n  - {date: 2026-01-01, status: new}\n"}}, []file{{a.path, a.id, a.title, "triaged", a.received, "timeline:\n  - {date: 2026-01-01, status: new}\n  - {date: 2026-01-02, status: triaged, by: li.lei}\n"}}, nil},
		{"timeline entry removed", []file{{a.path, a.id, a.title, "triaged", a.received, "timeline:\n  - {date: 2026-01-01, status: new}\n  - {date: 2026-01-02, status: triaged, by: li.lei}\n"}}, []file{{a.path, a.id, a.title, "triaged", a.received, "timeline:\n  - {date: 2026-01-01, status: new}\n"}}, []string{"D-0001-a.md timeline-change"}},
		{"timeline entry edited", []file{{a.path, a.id, a.title, "triaged", a.received, "timeline:\n  - {date: 2026-01-01, status: new}\n  - {date: 2026-01-02, status: triaged, by: li.lei}\n"}}, []file{{a.path, a.id, a.title, "triaged", a.received, "timeline:\n  - {date: 2026-01-01, status: new}\n  - {date: 2026-01-02, status: triaged, by: han.mei}\n"}}, []string{"D-0001-a.md timeline-change"}},
		{"timeline removed", []file{{a.path, a.id, a.title, "triaged", a.received, "timeline:\n  - {date: 2026-01-01, status: new}\n  - {date: 2026-01-02, status: triaged, by: li.lei}\n"}}, []file{{a.path, a.id, a.title, "triaged", a.received, ""}}, []string{"D-0001-a.md timeline-change", "D-0001-a.md timeline-change"}},
		{"new demand's timeline ends in its status", nil, []file{{a.path, a.id, a.title, "triaged", a.received, "timeline:\n  - {date: 2026-01-01, status: new}\n  - {date: 2026-01-02, status: triaged, by: li.lei}\n"}}, nil},
		{"new demand's timeline ends elsewhere", nil, []file{{a.path, a.id, a.title, "accepted", a.received, "timeline:\n  - {date: 2026-01-01, status: new}\n  - {date: 2026-01-02, status: triaged, by: li.lei}\n"}}, []string{"D-0001-a.md timeline-last"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, rules(snap(t, tc.base...), snap(t, tc.head...)))
		})
	}
}
