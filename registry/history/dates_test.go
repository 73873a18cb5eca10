package history

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/demand-registry/demand/registry/config"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rawCommit commits the work tree, then replaces that commit by one
// written byte for byte with the given date ("seconds zone", as git stores
// it) on the given parent: git accepts any such object. The branch points
// at it.
func (b *builder) rawCommit(msg, date string, parent plumbing.Hash) plumbing.Hash {
	h := b.commit("tmp", 1, parent)
	c, err := b.repo.CommitObject(h)
	require.NoError(b.t, err)
	text := fmt.Sprintf("tree %s\nparent %s\nauthor Eve <eve@example.com> %s\ncommitter Eve <eve@example.com> %s\n\n%s\n", c.TreeHash, parent, date, date, msg)
	obj := b.repo.Storer.NewEncodedObject()
	obj.SetType(plumbing.CommitObject)
	w, err := obj.Writer()
	require.NoError(b.t, err)
	_, err = w.Write([]byte(text))
	require.NoError(b.t, err)
	require.NoError(b.t, w.Close())
	raw, err := b.repo.Storer.SetEncodedObject(obj)
	require.NoError(b.t, err)
	head, err := b.repo.Head()
	require.NoError(b.t, err)
	require.NoError(b.t, b.repo.Storer.SetReference(plumbing.NewHashReference(head.Name(), raw)))
	return raw
}

// Commit dates out of range (year 10000, year 3170843, zone +2500) are
// clamped with one warning, so the history encodes as JSON; a child dated
// before its parent still comes after it; a PR number too large for an
// int is no PR.
func TestForgedCommitDates(t *testing.T) {
	b := newBuilder(t)
	b.write("demands/D-0001-sso.md", demand("D-0001", "SSO", "new", "", "Body.\n"))
	c1 := b.commit("Add SSO", 2)
	b.write("demands/D-0001-sso.md", demand("D-0001", "SSO", "triaged", "", "Body.\n"))
	c2 := b.rawCommit("Merge pull request #9999999999999999999 from eve/x", "253402300800 +0000", c1) // 10000-01-01
	b.write("demands/D-0001-sso.md", demand("D-0001", "SSO", "accepted", "", "Body.\n"))
	c3 := b.rawCommit("Accept (#12)", "100000000000000 +2500", c2) // year 3170843, zone +25:00
	b.write("demands/D-0001-sso.md", demand("D-0001", "SSO", "on-hold", "", "Body.\n"))
	c4 := b.rawCommit("Hold", fmt.Sprint(time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC).Unix())+" +0100", c3) // before its parents

	res := b.walk(Options{})
	require.Len(t, res.Warnings, 1)
	assert.Contains(t, res.Warnings[0], "2 commit(s), first "+c2.String()[:12])
	h := res.Histories["D-0001"]
	require.NotNil(t, h)
	var to []string
	for _, s := range h.Statuses {
		to = append(to, s.To)
		assert.False(t, s.Date.After(maxCommitTime) || s.Date.Before(minCommitTime), "%v", s.Date)
	}
	assert.Equal(t, []string{"new", "triaged", "accepted", "on-hold"}, to, "graph order")
	assert.Equal(t, "on-hold", res.current["D-0001"].Status)
	assert.Equal(t, c4.String(), h.Commits[0].Hash, "newest first by the graph")
	for _, c := range h.Commits {
		if c.Hash == c2.String() {
			assert.Equal(t, 0, c.PR)
		}
		if c.Hash == c3.String() {
			assert.Equal(t, 12, c.PR)
			_, off := c.Committed.Zone()
			assert.Equal(t, 0, off, "a zone beyond ±14:00 is UTC")
		}
	}
	res.ComputeSLA(config.Default(), nil)
	_, err := json.Marshal(res.Sorted())
	assert.NoError(t, err, "every date encodes")

	// The cache holds the clamped dates: a second walk is the same.
	dir := t.TempDir()
	first := b.walk(Options{CacheDir: dir})
	again := b.walk(Options{CacheDir: dir})
	assert.Equal(t, 0, again.Walked)
	assert.Equal(t, asJSON(t, first.Sorted()), asJSON(t, again.Sorted()))
	assert.Equal(t, first.Warnings, again.Warnings, "the warning stays while the commits are there")

	// Days between far dates are counted, not saturated at 292 years.
	assert.Equal(t, 2932896.0, Elapsed(&config.Config{}, time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), maxCommitTime))
	ts := timeInStatus([]Transition{{Date: minCommitTime, To: "new"}}, maxCommitTime)
	assert.Equal(t, 2932897.0, ts[0].Days)
}

func TestPRNumberBounded(t *testing.T) {
	assert.Equal(t, 0, PRNumber("Merge pull request #9999999999999999999 from a/b"))
	assert.Equal(t, 0, PRNumber("Add export (#99999999999)"))
	assert.Equal(t, 2147483647, PRNumber("Add export (#2147483647)"))
}

// A date in range in UTC but in year 10000 in its own zone is clamped too:
// JSON writes the year of the zone.
func TestSaneTime(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"2026-11-02T09:00:00+08:00", true},
		{"1970-01-01T00:00:00Z", true},
		{"1970-01-01T00:00:00+01:00", false},
		{"9999-12-31T23:59:59Z", true},
		{"9999-12-31T23:59:59-14:00", false},
		{"9999-12-31T18:00:00-05:00", true},
	} {
		in, err := time.Parse(time.RFC3339, tc.in)
		require.NoError(t, err)
		out, ok := saneTime(in)
		assert.Equal(t, tc.ok, ok, tc.in)
		_, err = json.Marshal(out)
		assert.NoError(t, err, tc.in)
	}
	late := time.Unix(253402300000, 0).In(time.FixedZone("", 14*3600)) // 10000-01-01 in its zone
	_, err := json.Marshal(late)
	require.Error(t, err)
	out, ok := saneTime(late)
	assert.False(t, ok)
	_, err = json.Marshal(out)
	assert.NoError(t, err)
}
