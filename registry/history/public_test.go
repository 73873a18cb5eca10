package history

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/demand-registry/demand/internal/gitrepo"

	"github.com/demand-registry/demand/registry/config"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/demand-registry/demand/registry"
)

// TestPublicRedactsInternalVersions: a demand public, then internal
// (renamed, triaged, accepted), then public again and planned. Its public
// history has neither the internal versions' commits, paths, titles nor
// statuses, nor anyone's e-mail; the republication is a "published"
// commit without values, and the status it was in counts as entered at
// an unknown time.
func TestPublicRedactsInternalVersions(t *testing.T) {
	b := newBuilder(t)
	b.write("demands/D-0001-open.md", demand("D-0001", "Open", "new", "links: {related: [D-0002]}\n", "x\n"))
	b.write("demands/D-0002-other.md", demand("D-0002", "Other", "new", "", ""))
	b.commit("add", 1)
	b.remove("demands/D-0001-open.md")
	b.write("demands/D-0001-hush.md", demand("D-0001", "Hush", "triaged", "visibility: internal\nlinks: {related: [D-0002]}\n", "x\n"))
	b.commit("hide", 3)
	b.write("demands/D-0001-hush.md", demand("D-0001", "Hush", "accepted", "visibility: internal\nlinks: {related: [D-0002]}\n", "x\n"))
	b.commit("accept", 5)
	b.remove("demands/D-0001-hush.md")
	b.write("demands/D-0001-open-again.md", demand("D-0001", "Open again", "accepted", "links: {related: [D-0002]}\n", "x\n"))
	b.commit("publish", 8)
	b.write("demands/D-0001-open-again.md", demand("D-0001", "Open again", "planned", "links: {related: [D-0002]}\n", "x\n"))
	b.commit("plan", 10)
	full := b.walk(Options{})
	require.Len(t, full.Histories["D-0001"].Commits, 5)

	shown := func(id string) bool { return id == "D-0001" }
	pub := full.Public(shown)
	assert.NotContains(t, pub.Histories, "D-0002")
	h := pub.Histories["D-0001"]
	require.NotNil(t, h)
	kinds := []string{}
	for _, c := range h.Commits {
		kinds = append(kinds, c.Subject+" "+c.Kind)
		assert.Empty(t, c.Email)
	}
	assert.Equal(t, []string{"plan changed", "publish published", "add created"}, kinds)
	assert.Empty(t, h.Commits[1].Changes)
	assert.Equal(t, "demands/D-0001-open-again.md", h.Path)
	require.Len(t, h.Statuses, 3)
	assert.Equal(t, "accepted", h.Statuses[1].To)
	assert.Empty(t, h.Statuses[1].From)
	assert.True(t, h.Statuses[1].Published)
	// new: from day 1 until it was hidden on day 3; accepted: unknown;
	// planned: from day 10 to the head (day 10).
	assert.Equal(t, []StatusTime{{Status: "new", Days: 2}, {Status: "planned", Days: 0}}, h.TimeInStatus)
	// The evaluate node was reached while internal: unknown, not invented.
	pub.ComputeSLA(config.Default(), map[string]int{"D-0001": 2})
	assert.Equal(t, Unknown, h.SLA.Nodes[0].State)
	assert.Nil(t, h.SLA.Nodes[0].Reached)

	data, err := json.Marshal(pub.Histories)
	require.NoError(t, err)
	for _, s := range []string{"hush", "Hush", "triaged", "@", "D-0002"} {
		assert.NotContains(t, string(data), s)
	}
	// The whole result is unchanged.
	assert.Equal(t, "ada@example.com", full.Histories["D-0001"].Commits[0].Email)
	assert.Len(t, full.Histories["D-0002"].Commits, 1)

}

// TestPublicLinkChanges: a links change keeps its values only when every
// demand it names is shown.
func TestPublicLinkChanges(t *testing.T) {
	cs := []Change{{Field: "links", From: `{"related":["D-0002"]}`, To: `{"duplicate_of":"D-0002","related":["D-0002","D-0003"]}`}, {Field: "title", From: "A", To: "B"}}
	assert.Equal(t, cs, publicChanges(cs, func(string) bool { return true }))
	got := publicChanges(cs, func(id string) bool { return id != "D-0003" })
	assert.Equal(t, []Change{{Field: "links"}, cs[1]}, got)
	assert.Equal(t, `{"related":["D-0002"]}`, cs[0].From, "the input is not changed")
	assert.Equal(t, []Change{{Field: "links"}}, publicChanges([]Change{{Field: "links", To: "not json"}}, func(string) bool { return true }))
}

// TestPublicPendingPublication: internal at the head, public in the work
// tree: nothing committed shows, and the pending edit is a publication.
func TestPublicPendingPublication(t *testing.T) {
	b := newBuilder(t)
	b.write("demands/D-0001-hush.md", demand("D-0001", "Hush", "triaged", "visibility: internal\n", ""))
	b.commit("add", 1)
	b.remove("demands/D-0001-hush.md")
	b.write("demands/D-0001-open.md", demand("D-0001", "Open", "triaged", "", ""))
	res := b.walk(Options{})
	repo, err := gitrepo.OpenRepo(filepath.Join(b.dir, "demands"))
	require.NoError(t, err)
	src, err := registry.OpenDir(filepath.Join(b.dir, "demands"))
	require.NoError(t, err)
	defer src.Close()
	require.NoError(t, res.AddPending(repo, src, config.Default()))
	pub := res.Public(func(string) bool { return true })
	h := pub.Histories["D-0001"]
	assert.Empty(t, h.Commits)
	assert.Nil(t, h.Created)
	require.NotNil(t, h.Pending)
	assert.Equal(t, Published, h.Pending.Kind)
	assert.Empty(t, h.Pending.Changes)
	assert.Equal(t, "demands/D-0001-open.md", h.Path)
	pub.ComputeSLA(config.Default(), map[string]int{"D-0001": 2})
	assert.Equal(t, Unknown, h.SLA.Nodes[0].State)
	data, err := json.Marshal(h)
	require.NoError(t, err)
	assert.NotContains(t, strings.ToLower(string(data)), "hush")
}
