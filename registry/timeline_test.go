package registry

import (
	"testing"
	"time"

	"github.com/demand-registry/demand/registry/config"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTimelineRules(t *testing.T) {
	file := func(status, tl string) mapSource {
		return mapSource{"D-0001-a.md": "---\nid: D-0001\ntitle: T\nstatus: " + status + "\nreceived: 2026-07-01\ntimeline:\n" + tl + "---\n"}
	}
	tests := []struct {
		name string
		src  mapSource
		want []string
	}{
		{"in order", file("accepted", "  - {date: 2026-07-01, status: new}\n  - {date: 2026-07-02, status: triaged, by: li.lei}\n  - {date: 2026-07-09, status: accepted, note: ok}\n"), []string{}},
		{"out of order", file("accepted", "  - {date: 2026-07-05, status: triaged}\n  - {date: 2026-07-03, status: accepted}\n"),
			[]string{"D-0001-a.md:8:6 error timeline-order"}},
		{"before received", file("triaged", "  - {date: 2026-06-30, status: triaged}\n"), []string{"D-0001-a.md:7:6 error timeline-order"}},
		{"a step the workflow has no way to", file("delivered", "  - {date: 2026-07-02, status: withdrawn}\n  - {date: 2026-07-03, status: delivered}\n"),
			[]string{"D-0001-a.md:8:24 error timeline-status"}},
		{"skipping steps is fine", file("delivered", "  - {date: 2026-07-02, status: delivered}\n"), []string{}},
		{"the file's status out of reach", file("triaged", "  - {date: 2026-07-02, status: withdrawn}\n"), []string{"D-0001-a.md:7:24 error timeline-status"}},
		{"unknown status", file("triaged", "  - {date: 2026-07-02, status: done}\n"), []string{"D-0001-a.md:7:32 error status"}},
		{"no date", file("triaged", "  - {status: triaged}\n"), []string{"D-0001-a.md:7:5 error required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, brief(check(t, tt.src)))
		})
	}
}

func TestTimelineDates(t *testing.T) {
	src := mapSource{"D-0001-a.md": "---\nid: D-0001\ntitle: T\nstatus: triaged\nreceived: 2026-07-01\ntimeline:\n  - {date: 2026-07-01, status: new}\n  - {date: 2026-07-03, status: triaged}\n---\n"}
	snap, fs, err := Load(src)
	require.NoError(t, err)
	require.Empty(t, fs)
	assert.Empty(t, TimelineDates(snap, time.Date(2026, 7, 3, 8, 0, 0, 0, time.UTC)))
	// A day anywhere on earth: the 3rd has begun in Kiribati at 10:00 UTC on the 2nd.
	assert.Empty(t, TimelineDates(snap, time.Date(2026, 7, 2, 10, 0, 0, 0, time.UTC)))
	got := TimelineDates(snap, time.Date(2026, 7, 2, 9, 0, 0, 0, time.UTC))
	assert.Equal(t, []string{"D-0001-a.md:8:6 error timeline-future"}, brief(got))
	assert.Empty(t, TimelineDates(snap, time.Time{}))
}

func TestTimelineFieldConfig(t *testing.T) {
	_, fs := config.Parse(config.File, []byte("history:\n  timeline_field: tags\n"))
	require.Len(t, fs, 1)
	assert.Contains(t, fs[0].Message, "not a list of {date, status} maps")
	cfg, fs := config.Parse(config.File, []byte("history:\n  timeline_field: \"\"\n"))
	require.Empty(t, fs)
	assert.Empty(t, cfg.History.TimelineField)
	// A timeline under another name.
	cfg, fs = config.Parse(config.File, []byte("history:\n  timeline_field: before\nfields:\n  before:\n    type: list\n    items:\n      type: map\n      fields:\n        date: {type: date, required: true}\n        status: {type: status, required: true}\n"))
	require.Empty(t, fs)
	assert.Equal(t, "before", cfg.History.TimelineField)
}
