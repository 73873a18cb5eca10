package history

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/demand-registry/demand/internal/gitrepo"

	"github.com/demand-registry/demand/registry/config"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/demand-registry/demand/registry"
)

// commitDates commits the work tree with an author date and a later
// committer date, as a rebase or a squash merge records them.
func (b *builder) commitDates(msg string, authored, committed time.Time) plumbing.Hash {
	require.NoError(b.t, b.wt.AddWithOptions(&git.AddOptions{All: true}))
	h, err := b.wt.Commit(msg, &git.CommitOptions{
		Author:    &object.Signature{Name: "Ada", Email: "ada@example.com", When: authored},
		Committer: &object.Signature{Name: "Bob", Email: "bob@example.com", When: committed}})
	require.NoError(b.t, err)
	return h
}

// TestStatusDatesAreCommitterDates: status times, time in status, created,
// updated and the SLA all take the committer date (when a change landed),
// never the author date, which a rebase keeps from weeks before.
func TestStatusDatesAreCommitterDates(t *testing.T) {
	b := newBuilder(t)
	day := func(d int) time.Time { return time.Date(2026, 11, d, 9, 0, 0, 0, time.UTC) }
	b.write("demands/D-0001-a.md", demand("D-0001", "A", "new", "", ""))
	b.commitDates("add", day(1), day(3))
	b.write("demands/D-0001-a.md", demand("D-0001", "A", "triaged", "", ""))
	b.commitDates("triage", day(2), day(10))
	res := b.walk(Options{})
	res.ComputeSLA(config.Default(), map[string]int{"D-0001": 1})
	h := res.Histories["D-0001"]
	require.NotNil(t, h)
	require.Len(t, h.Statuses, 2)
	assert.True(t, day(3).Equal(h.Statuses[0].Date), "h.Statuses[0].Date")
	assert.True(t, day(10).Equal(h.Statuses[1].Date), "h.Statuses[1].Date")
	assert.Equal(t, []StatusTime{{"new", 7}, {"triaged", 0}}, h.TimeInStatus)
	assert.True(t, day(3).Equal(*h.Created), "*h.Created")
	assert.True(t, day(10).Equal(*h.Updated), "*h.Updated")
	assert.True(t, day(2).Equal(h.Commits[0].Date), "the commit list shows when it was written")
	assert.True(t, day(10).Equal(h.Commits[0].Committed), "h.Commits[0].Committed")
	require.NotNil(t, h.SLA)
	require.NotEmpty(t, h.SLA.Nodes)
	ev := h.SLA.Nodes[0]
	assert.Equal(t, "evaluate", ev.Node)
	require.NotNil(t, ev.Reached)
	assert.True(t, day(10).Equal(*ev.Reached), "*ev.Reached")
}

// TestVersionsWithoutFrontMatter: a file committed before it had front
// matter makes no empty status entry; its first status is the one the
// front matter brought.
func TestVersionsWithoutFrontMatter(t *testing.T) {
	b := newBuilder(t)
	cfg := fromNameConfig(t)
	b.write("demands/0007-idea.md", "# Idea\n\nJust notes.\n")
	b.commit("notes", 1)
	b.write("demands/0007-idea.md", "# Idea\n\nMore notes.\n")
	b.commit("more notes", 2)
	b.write("demands/0007-idea.md", noID("Idea", "new", "More notes.\n"))
	b.commit("front matter", 4)
	b.write("demands/0007-idea.md", noID("Idea", "triaged", "More notes.\n"))
	b.commit("triage", 6)
	h := b.walk(Options{Config: cfg}).Histories["0007"]
	require.NotNil(t, h)
	require.Len(t, h.Commits, 4)
	var sts []string
	for _, s := range h.Statuses {
		sts = append(sts, s.From+">"+s.To)
	}
	assert.Equal(t, []string{">new", "new>triaged"}, sts)
	assert.Equal(t, []StatusTime{{"new", 2}, {"triaged", 0}}, h.TimeInStatus)
}

// TestDraftPathReused: one draft file name used by draft after draft, each
// numbered by a rename, gives each numbered demand its own draft's commits
// and no demand 0000 with all of them; a rename in the work tree continues
// the draft's history as a pending change.
func TestDraftPathReused(t *testing.T) {
	b := newBuilder(t)
	cfg := fromNameConfig(t)
	day := 1
	for i, title := range []string{"Alpha", "Beta"} {
		b.write("demands/0000-draft.md", noID(title, "new", title+" text.\n"))
		b.commit("draft "+title, day)
		b.write("demands/0000-draft.md", noID(title, "new", title+" text.\nMore.\n"))
		b.commit("edit "+title, day+1)
		b.rename("demands/0000-draft.md", fmt.Sprintf("demands/%04d-%s.md", 10+i, strings.ToLower(title)))
		b.commit("number "+title, day+2)
		day += 3
	}
	b.write("demands/0000-draft.md", noID("Gamma", "new", "Gamma text.\n"))
	b.commit("draft Gamma", day)
	res := b.walk(Options{Config: cfg})
	kinds := func(id string) []string {
		var out []string
		for _, c := range res.Histories[id].Commits {
			out = append(out, c.Kind+": "+c.Subject)
		}
		return out
	}
	require.Len(t, res.Histories, 3)
	assert.Equal(t, []string{"renamed: number Alpha", "changed: edit Alpha", "created: draft Alpha"}, kinds("0010"))
	assert.Equal(t, []string{"renamed: number Beta", "changed: edit Beta", "created: draft Beta"}, kinds("0011"))
	assert.Equal(t, []string{"created: draft Gamma"}, kinds("0000"))

	// Gamma numbered and triaged in the work tree, not committed yet.
	b.remove("demands/0000-draft.md")
	b.write("demands/0012-gamma.md", noID("Gamma", "triaged", "Gamma text.\n"))
	repo, err := gitrepo.OpenRepo(filepath.Join(b.dir, "demands"))
	require.NoError(t, err)
	src, err := registry.OpenDir(filepath.Join(b.dir, "demands"))
	require.NoError(t, err)
	defer src.Close()
	require.NoError(t, res.AddPending(repo, src, cfg))
	require.Nil(t, res.Histories["0000"])
	h := res.Histories["0012"]
	require.NotNil(t, h)
	assert.Equal(t, "0012", h.ID)
	require.NotNil(t, h.Pending)
	assert.Equal(t, "renamed", h.Pending.Kind)
	assert.Equal(t, []Change{{Field: "path", From: "demands/0000-draft.md", To: "demands/0012-gamma.md"}, {Field: "status", From: "new", To: "triaged"}}, h.Pending.Changes)
	assert.Equal(t, []string{"created: draft Gamma"}, kinds("0012"))
}
