package history

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
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

// builder makes a test repository in process, commit by commit.
type builder struct {
	t    *testing.T
	dir  string
	repo *git.Repository
	wt   *git.Worktree
}

func newBuilder(t *testing.T) *builder {
	dir := t.TempDir()
	repo, err := git.PlainInit(dir, false)
	require.NoError(t, err)
	wt, err := repo.Worktree()
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "demands"), 0o755))
	return &builder{t: t, dir: dir, repo: repo, wt: wt}
}

func (b *builder) write(p, content string) {
	full := filepath.Join(b.dir, p)
	require.NoError(b.t, os.MkdirAll(filepath.Dir(full), 0o755))
	require.NoError(b.t, os.WriteFile(full, []byte(content), 0o644))
}

func (b *builder) remove(p string) { require.NoError(b.t, os.Remove(filepath.Join(b.dir, p))) }

func (b *builder) rename(from, to string) {
	require.NoError(b.t, os.Rename(filepath.Join(b.dir, from), filepath.Join(b.dir, to)))
}

// commit commits the work tree on day d of November 2026.
func (b *builder) commit(msg string, d int, parents ...plumbing.Hash) plumbing.Hash {
	require.NoError(b.t, b.wt.AddWithOptions(&git.AddOptions{All: true}))
	when := time.Date(2026, 11, d, 9, 0, 0, 0, time.UTC)
	sig := &object.Signature{Name: "Ada", Email: "ada@example.com", When: when}
	h, err := b.wt.Commit(msg, &git.CommitOptions{Author: sig, Committer: sig, Parents: parents, AllowEmptyCommits: true})
	require.NoError(b.t, err)
	return h
}

func (b *builder) checkout(h plumbing.Hash) {
	require.NoError(b.t, b.wt.Checkout(&git.CheckoutOptions{Hash: h, Force: true}))
}

func demand(id, title, status, extra, body string) string {
	return "---\nid: " + id + "\ntitle: " + title + "\nstatus: " + status + "\nreceived: 2026-11-02\n" + extra + "---\n" + body
}

func (b *builder) walk(opts Options) *Result {
	repo, err := gitrepo.OpenRepo(filepath.Join(b.dir, "demands"))
	require.NoError(b.t, err)
	if opts.Config == nil {
		opts.Config = config.Default()
	}
	res, err := Walk(context.Background(), repo, opts)
	require.NoError(b.t, err)
	return res
}

type brief struct {
	Hash, Kind, Path string
	Changes          []Change
}

func briefs(h *History) []brief {
	var out []brief
	for _, c := range h.Commits {
		out = append(out, brief{c.Hash[:7], c.Kind, c.Path, c.Changes})
	}
	return out
}

func short(h plumbing.Hash) string { return h.String()[:7] }

func TestWalkKnownByConstruction(t *testing.T) {
	b := newBuilder(t)
	b.write("demands/D-0001-sso.md", demand("D-0001", "SSO", "new", "", "Body.\n"))
	b.write("demands/D-0002-a.md", demand("D-0002", "Export", "new", "", "Text.\n"))
	b.write("demands/D-0003-中文需求.md", demand("D-0003", "中文需求", "new", "", "正文。\n"))
	c1 := b.commit("Add demands", 1)
	b.write("demands/D-0001-sso.md", demand("D-0001", "SSO", "triaged", "", "Body.\n"))
	b.rename("demands/D-0002-a.md", "demands/D-0002-b.md")
	c2 := b.commit("Triage D-0001 (#12)", 2)
	b.write("README.md", "not in the registry\n")
	b.commit("Docs only", 2) // does not touch the registry
	main := b.commit("Empty commit", 2)

	// A branch: D-0001 accepted, with a body edit.
	b.write("demands/D-0001-sso.md", demand("D-0001", "SSO", "accepted", "", "Body.\nMore.\n"))
	c3 := b.commit("Accept D-0001", 3, main)
	// Main: D-0003 renamed and edited in one commit.
	b.checkout(main)
	b.remove("demands/D-0003-中文需求.md")
	b.write("demands/D-0003-新标题.md", demand("D-0003", "新标题", "triaged", "", "正文。\n"))
	c4 := b.commit("Rename D-0003", 4, main)
	// Merge both; the merge also edits D-0002 (differs from every parent).
	b.write("demands/D-0001-sso.md", demand("D-0001", "SSO", "accepted", "", "Body.\nMore.\n"))
	b.write("demands/D-0002-b.md", demand("D-0002", "Export to Excel", "new", "", "Text.\n"))
	c5 := b.commit("Merge pull request #7 from team/accept", 5, c4, c3)
	b.remove("demands/D-0002-b.md")
	c6 := b.commit("Remove D-0002", 6)
	_ = c2

	res := b.walk(Options{})
	assert.Equal(t, c6.String(), res.Head)
	assert.False(t, res.Shallow)

	d1 := res.Histories["D-0001"]
	require.NotNil(t, d1)
	assert.Equal(t, []brief{
		{short(c3), "changed", "demands/D-0001-sso.md", []Change{{Field: "status", From: "triaged", To: "accepted"}, {Field: "body", To: "+1 −0 lines", Added: 1}}},
		{short(c2), "changed", "demands/D-0001-sso.md", []Change{{Field: "status", From: "new", To: "triaged"}}},
		{short(c1), "created", "demands/D-0001-sso.md", []Change{}},
	}, briefs(d1), "the merge is not listed: D-0001 equals its second parent")
	assert.Equal(t, 12, d1.Commits[1].PR)
	var sts []string
	for _, s := range d1.Statuses {
		sts = append(sts, s.From+">"+s.To)
	}
	assert.Equal(t, []string{">new", "new>triaged", "triaged>accepted"}, sts)
	assert.Equal(t, []StatusTime{{"new", 1}, {"triaged", 1}, {"accepted", 3}}, d1.TimeInStatus)
	assert.Equal(t, "2026-11-01", d1.Created.Format("2006-01-02"))
	assert.False(t, d1.Deleted)

	d2 := res.Histories["D-0002"]
	require.NotNil(t, d2)
	assert.Equal(t, []brief{
		{short(c6), "deleted", "demands/D-0002-b.md", []Change{}},
		{short(c5), "changed", "demands/D-0002-b.md", []Change{{Field: "title", From: "Export", To: "Export to Excel"}}},
		{short(c2), "renamed", "demands/D-0002-b.md", []Change{{Field: "path", From: "demands/D-0002-a.md", To: "demands/D-0002-b.md"}}},
		{short(c1), "created", "demands/D-0002-a.md", []Change{}},
	}, briefs(d2))
	assert.True(t, d2.Deleted)
	assert.Equal(t, 7, d2.Commits[1].PR)
	assert.Equal(t, "2026-11-06", d2.Updated.Format("2006-01-02"))

	d3 := res.Histories["D-0003"]
	require.NotNil(t, d3)
	assert.Equal(t, []brief{
		{short(c4), "renamed", "demands/D-0003-新标题.md", []Change{
			{Field: "path", From: "demands/D-0003-中文需求.md", To: "demands/D-0003-新标题.md"},
			{Field: "status", From: "new", To: "triaged"},
			{Field: "title", From: "中文需求", To: "新标题"}}},
		{short(c1), "created", "demands/D-0003-中文需求.md", []Change{}},
	}, briefs(d3))
	assert.Len(t, res.Histories, 3)

	// A second walk through the cache gives the same result.
	cache := t.TempDir()
	cold := b.walk(Options{CacheDir: cache})
	warm := b.walk(Options{CacheDir: cache})
	assert.Equal(t, 0, warm.Walked)
	assert.Equal(t, asJSON(t, cold.Sorted()), asJSON(t, warm.Sorted()))
	assert.Equal(t, asJSON(t, res.Sorted()), asJSON(t, warm.Sorted()))
	// One new commit: only it is walked.
	b.write("demands/D-0001-sso.md", demand("D-0001", "SSO", "planned", "", "Body.\nMore.\n"))
	b.commit("Plan D-0001", 7)
	next := b.walk(Options{CacheDir: cache})
	assert.Equal(t, 1, next.Walked)
	assert.Equal(t, "accepted>planned", next.Histories["D-0001"].Statuses[3].From+">"+next.Histories["D-0001"].Statuses[3].To)
	_ = c5
}

func TestShallowClone(t *testing.T) {
	b := newBuilder(t)
	b.write("demands/D-0001-a.md", demand("D-0001", "A", "new", "", ""))
	b.commit("one", 1)
	b.write("demands/D-0001-a.md", demand("D-0001", "A", "triaged", "", ""))
	c2 := b.commit("two", 3)
	b.write("demands/D-0001-a.md", demand("D-0001", "A", "accepted", "", ""))
	c3 := b.commit("three", 5)
	// What a depth-2 clone records: c2's parents are missing.
	require.NoError(t, b.repo.Storer.SetShallow([]plumbing.Hash{c2}))
	res := b.walk(Options{})
	assert.True(t, res.Shallow)
	h := res.Histories["D-0001"]
	require.NotNil(t, h)
	assert.True(t, h.Incomplete)
	assert.Nil(t, h.Created, "the creation date is not known")
	assert.Equal(t, []brief{
		{short(c3), "changed", "demands/D-0001-a.md", []Change{{Field: "status", From: "triaged", To: "accepted"}}},
		{short(c2), "snapshot", "demands/D-0001-a.md", []Change{}},
	}, briefs(h))
	// SLA: evaluate was reached before the visible history: unknown, never invented.
	res.ComputeSLA(config.Default(), map[string]int{"D-0001": 3})
	assert.Equal(t, Unknown, h.SLA.Nodes[0].State)
}

func TestNoCommitsAndPending(t *testing.T) {
	b := newBuilder(t)
	b.write("demands/D-0001-a.md", demand("D-0001", "A", "new", "", ""))
	res := b.walk(Options{})
	assert.Empty(t, res.Head)
	assert.Empty(t, res.Histories)
	repo, err := gitrepo.OpenRepo(filepath.Join(b.dir, "demands"))
	require.NoError(t, err)
	src, err := registry.OpenDir(filepath.Join(b.dir, "demands"))
	require.NoError(t, err)
	defer src.Close()
	require.NoError(t, res.AddPending(repo, src, config.Default()))
	require.NotNil(t, res.Histories["D-0001"].Pending)
	assert.Equal(t, "created", res.Histories["D-0001"].Pending.Kind)

	// Committed, then edited: the edit is pending.
	b.commit("add", 1)
	b.write("demands/D-0001-a.md", demand("D-0001", "A", "triaged", "", ""))
	res = b.walk(Options{})
	require.NoError(t, res.AddPending(repo, src, config.Default()))
	assert.Equal(t, []Change{{Field: "status", From: "new", To: "triaged"}}, res.Histories["D-0001"].Pending.Changes)
}

func TestDetachedHeadAndFolderNotCommitted(t *testing.T) {
	b := newBuilder(t)
	b.write("README.md", "x")
	c1 := b.commit("readme", 1)
	b.write("demands/D-0001-a.md", demand("D-0001", "A", "new", "", ""))
	b.commit("add", 2)
	b.checkout(c1) // detached, and the demands folder is not in this commit
	b.write("demands/D-0001-a.md", demand("D-0001", "A", "new", "", ""))
	res := b.walk(Options{})
	assert.Equal(t, c1.String(), res.Head)
	assert.Empty(t, res.Histories)
}

func TestSLA(t *testing.T) {
	b := newBuilder(t)
	// Received Monday 2026-11-02; triaged Wednesday the 4th (2 working days);
	// planned Monday the 16th (10 working days).
	b.write("demands/D-0001-a.md", demand("D-0001", "A", "new", "", ""))
	b.commit("add", 2)
	b.write("demands/D-0001-a.md", demand("D-0001", "A", "triaged", "tier: 2\n", ""))
	b.commit("triage", 4)
	b.write("demands/D-0001-a.md", demand("D-0001", "A", "planned", "tier: 2\n", ""))
	b.commit("plan", 16)
	b.write("demands/D-0002-b.md", demand("D-0002", "B", "new", "", ""))
	b.write("demands/D-0003-c.md", demand("D-0003", "C", "rejected", "", ""))
	b.commit("more", 20) // as of Friday the 20th
	res := b.walk(Options{})
	cfg := config.Default()
	res.ComputeSLA(cfg, map[string]int{"D-0001": 2, "D-0002": 1, "D-0003": 4})
	states := func(id string) []string {
		var out []string
		for _, n := range res.Histories[id].SLA.Nodes {
			out = append(out, n.Node+" "+string(n.State)+" "+fmtDays(n.ElapsedDays)+"/"+fmtDays(n.TargetDays))
		}
		return out
	}
	// Tier 2 targets: evaluate 3, solution 10, feedback 60 working days.
	assert.Equal(t, []string{"evaluate met 2/3", "solution met 10/10", "feedback running 14/60"}, states("D-0001"))
	// Tier 1 (evaluate 1): received the 2nd, still new on the 20th: 14 working days.
	assert.Equal(t, []string{"evaluate breached 14/1", "solution breached 14/5", "feedback running 14/30"}, states("D-0002"))
	assert.Equal(t, 13.0, res.Histories["D-0002"].SLA.Nodes[0].OverDays)
	// Committed already rejected, with no timeline: when it was evaluated
	// is not known (not the commit's date); solution and feedback never
	// will be reached.
	assert.Equal(t, []string{"evaluate unknown 0/10", "solution not-applicable 0/0", "feedback not-applicable 0/0"}, states("D-0003"))
}

func TestSLATimeline(t *testing.T) {
	b := newBuilder(t)
	// Received Monday 2026-11-02 (tier 2: evaluate 3, solution 10, feedback
	// 60 working days). D-0001 was triaged on the 3rd and accepted on the
	// 5th before the registry; committed accepted on the 9th, planned on the
	// 20th (14 working days: late).
	tl := "timeline:\n  - {date: 2026-11-03, status: triaged, by: li.lei}\n  - {date: 2026-11-05, status: accepted, note: signed off}\n"
	b.write("demands/D-0001-a.md", demand("D-0001", "A", "accepted", "tier: 2\n"+tl, ""))
	// D-0002: committed accepted with no timeline: evaluate unknown.
	b.write("demands/D-0002-b.md", demand("D-0002", "B", "accepted", "tier: 2\n", ""))
	// D-0003: its timeline ends in triaged but it was committed accepted:
	// evaluate has a date, the entry into accepted does not.
	b.write("demands/D-0003-c.md", demand("D-0003", "C", "delivered", "tier: 2\ntimeline:\n  - {date: 2026-11-04, status: triaged}\n", ""))
	b.commit("import", 9)
	b.write("demands/D-0001-a.md", demand("D-0001", "A", "planned", "tier: 2\n"+tl, ""))
	b.commit("plan", 20)
	res := b.walk(Options{})
	res.ComputeSLA(config.Default(), map[string]int{"D-0001": 2, "D-0002": 2, "D-0003": 2})
	states := func(id string) []string {
		var out []string
		for _, n := range res.Histories[id].SLA.Nodes {
			out = append(out, n.Node+" "+string(n.State)+" "+fmtDays(n.ElapsedDays)+"/"+fmtDays(n.TargetDays))
		}
		return out
	}
	assert.Equal(t, []string{"evaluate met 1/3", "solution breached 14/10", "feedback running 14/60"}, states("D-0001"))
	// Solution is not reached yet: its clock runs from received.
	assert.Equal(t, []string{"evaluate unknown 0/3", "solution breached 14/10", "feedback running 14/60"}, states("D-0002"))
	assert.Equal(t, []string{"evaluate met 2/3", "solution unknown 0/10", "feedback unknown 0/60"}, states("D-0003"))

	h := res.Histories["D-0001"]
	require.Len(t, h.Statuses, 3)
	assert.True(t, h.Statuses[0].Recorded)
	assert.Empty(t, h.Statuses[0].Hash, "before the registry: no commit")
	assert.Equal(t, "li.lei", h.Statuses[0].By)
	// The first commit's status is dated by its entry.
	assert.Equal(t, "2026-11-05", h.Statuses[1].Date.Format("2006-01-02"))
	assert.Equal(t, "signed off", h.Statuses[1].Note)
	assert.NotEmpty(t, h.Statuses[1].Hash)
	assert.False(t, h.Statuses[1].Undated)
	assert.Equal(t, "triaged", h.Statuses[1].From)
	// Time in status starts at the recorded dates.
	assert.Equal(t, []StatusTime{{Status: "triaged", Days: 2}}, h.TimeInStatus[:1])
	assert.True(t, res.Histories["D-0002"].Statuses[0].Undated)
	assert.True(t, res.Histories["D-0003"].Statuses[1].Undated)

	// The public view keeps what a public file's timeline records.
	pub := res.Public(func(string) bool { return true })
	assert.Len(t, pub.Histories["D-0001"].Statuses, 3)
	pub.ComputeSLA(config.Default(), map[string]int{"D-0001": 2})
	assert.Equal(t, Met, pub.Histories["D-0001"].SLA.Nodes[0].State)
}

func TestPassedOver(t *testing.T) {
	cfg := config.Default()
	for _, tc := range []struct {
		from, to, node string
		want           bool
	}{
		{"new", "triaged", "evaluate", false},   // one step: exact
		{"", "triaged", "evaluate", false},      // from the demand as received
		{"new", "accepted", "evaluate", true},   // triaged on the way
		{"new", "delivered", "solution", true},  // planned on the way
		{"new", "delivered", "feedback", false}, // delivered is the first done status
		{"accepted", "in-progress", "solution", true},
		{"planned", "in-progress", "solution", false},
		{"new", "rejected", "evaluate", false},
	} {
		assert.Equal(t, tc.want, PassedOver(cfg, tc.from, tc.to, tc.node), "%s → %s %s", tc.from, tc.to, tc.node)
	}
}

func TestSLATimelineRecordedLate(t *testing.T) {
	b := newBuilder(t)
	// Committed new on the 9th and moved on the 10th and 20th; the timeline
	// (added later) says it was triaged on the 3rd and accepted on the 5th,
	// the moves' commits recording them late.
	b.write("demands/D-0001-a.md", demand("D-0001", "A", "new", "tier: 2\n", ""))
	// D-0002 says it was triaged on the 30th, which no commit recorded.
	b.write("demands/D-0002-b.md", demand("D-0002", "B", "new", "tier: 2\ntimeline:\n  - {date: 2026-11-02, status: new}\n  - {date: 2026-11-30, status: triaged}\n", ""))
	b.commit("add", 9)
	b.write("demands/D-0001-a.md", demand("D-0001", "A", "triaged", "tier: 2\n", ""))
	b.commit("triage", 10)
	tl := "timeline:\n  - {date: 2026-11-02, status: new}\n  - {date: 2026-11-03, status: triaged}\n  - {date: 2026-11-05, status: accepted}\n"
	b.write("demands/D-0001-a.md", demand("D-0001", "A", "accepted", "tier: 2\n"+tl, ""))
	b.commit("accept, with the dates from the old tracker", 20)
	res := b.walk(Options{})
	res.ComputeSLA(config.Default(), map[string]int{"D-0001": 2})
	h := res.Histories["D-0001"]
	var got []string
	for _, s := range h.Statuses {
		got = append(got, fmt.Sprintf("%s %s %v", s.To, s.Date.Format("01-02"), s.Recorded))
	}
	assert.Equal(t, []string{"new 11-02 true", "triaged 11-03 true", "accepted 11-05 true"}, got)
	assert.Equal(t, Met, h.SLA.Nodes[0].State)
	assert.Equal(t, 1.0, h.SLA.Nodes[0].ElapsedDays)
	require.Len(t, res.Warnings, 1)
	assert.Contains(t, res.Warnings[0], "timeline entries of D-0002 fit no status change")
	assert.Len(t, res.Histories["D-0002"].Statuses, 1, "the unfit entry is left out")
}

func fmtDays(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

func asJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

func TestElapsed(t *testing.T) {
	cfg := config.Default()
	d := func(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }
	assert.Equal(t, 5.0, Elapsed(cfg, d("2026-11-06"), d("2026-11-13")), "Friday to Friday: five working days")
	cfg.SLA.Holidays = []string{"2026-11-10"}
	assert.Equal(t, 4.0, Elapsed(cfg, d("2026-11-06"), d("2026-11-13")))
	cfg.SLA.WorkingDays = false
	assert.Equal(t, 7.0, Elapsed(cfg, d("2026-11-06"), d("2026-11-13")))
	assert.Equal(t, 0.0, Elapsed(cfg, d("2026-11-13"), d("2026-11-06")))
}

func TestPRNumber(t *testing.T) {
	assert.Equal(t, 42, PRNumber("Merge pull request #42 from a/b"))
	assert.Equal(t, 7, PRNumber("Add export (#7)"))
	assert.Equal(t, 0, PRNumber("Fix #7 in the middle"))
}

// TestSLATargetsInForce: a node is judged by the targets of the config at
// the commit that reached it; a later change of targets does not rewrite it.
func TestSLATargetsInForce(t *testing.T) {
	b := newBuilder(t)
	strict := "sla:\n  working_days: false\n  targets: [{tier: 1, evaluate: 1, solution: 2, feedback: 3}, {tier: 2, evaluate: 1, solution: 2, feedback: 3}, {tier: 3, evaluate: 1, solution: 2, feedback: 3}, {tier: 4, evaluate: 1, solution: 2, feedback: 3}]\n"
	lax := "sla:\n  working_days: false\n  targets: [{tier: 1, evaluate: 9, solution: 20, feedback: 30}, {tier: 2, evaluate: 9, solution: 20, feedback: 30}, {tier: 3, evaluate: 9, solution: 20, feedback: 30}, {tier: 4, evaluate: 9, solution: 20, feedback: 30}]\n"
	b.write("demands/registry.yaml", strict)
	b.write("demands/D-0001-a.md", demand("D-0001", "A", "new", "", ""))
	b.commit("add", 2)
	b.write("demands/D-0001-a.md", demand("D-0001", "A", "triaged", "", ""))
	b.commit("triage on the 5th: 3 days, strict target 1", 5)
	b.write("demands/registry.yaml", lax)
	b.commit("relax targets", 6)
	b.write("demands/D-0001-a.md", demand("D-0001", "A", "planned", "", ""))
	b.commit("plan on the 8th: 6 days, lax target 20", 8)
	cfg, fs := config.Parse("registry.yaml", []byte(lax))
	require.False(t, fs.HasErrors())
	res := b.walk(Options{Config: cfg})
	res.ComputeSLA(cfg, map[string]int{"D-0001": 4})
	n := res.Histories["D-0001"].SLA.Nodes
	assert.Equal(t, Breached, n[0].State)
	assert.Equal(t, 1.0, n[0].TargetDays, "the strict target in force on the 5th")
	assert.Equal(t, 2.0, n[0].OverDays)
	assert.Equal(t, Met, n[1].State)
	assert.Equal(t, 20.0, n[1].TargetDays)
}

// TestParallelWalkSameAsSequential: splitting the commits between workers
// (each with its own object store) gives the same histories.
func TestParallelWalkSameAsSequential(t *testing.T) {
	b := newBuilder(t)
	for i := 1; i <= 12; i++ {
		b.write(fmt.Sprintf("demands/D-%04d-a.md", i%5+1), demand(fmt.Sprintf("D-%04d", i%5+1), fmt.Sprintf("T%d", i), []string{"new", "triaged", "accepted"}[i%3], "", fmt.Sprintf("body %d\n", i)))
		b.commit(fmt.Sprintf("c%d", i), i)
	}
	seq := b.walk(Options{})
	old := commitsPerWorker
	commitsPerWorker = 1
	defer func() { commitsPerWorker = old }()
	par := b.walk(Options{})
	assert.Equal(t, asJSON(t, seq.Sorted()), asJSON(t, par.Sorted()))
	assert.Len(t, par.Histories, 5)
}

// A memo gives the next walk the same history without reading git again
// for the same head, walks only new commits after a commit, and is not
// changed by what callers do to a result (pending edits, SLA).
func TestMemo(t *testing.T) {
	b := newBuilder(t)
	b.write("demands/D-0001-a.md", demand("D-0001", "A", "new", "", "one\n"))
	b.commit("add", 1)
	b.write("demands/D-0001-a.md", demand("D-0001", "A", "triaged", "", "one\n"))
	b.commit("triage", 2)
	memo := &Memo{}
	first := b.walk(Options{Memo: memo})
	assert.Equal(t, 2, first.Walked)
	want := asJSON(t, first.Sorted())

	first.Histories["D-0001"].Pending = &Pending{Kind: "changed"}
	first.ComputeSLA(config.Default(), nil)
	again := b.walk(Options{Memo: memo})
	assert.Equal(t, want, asJSON(t, again.Sorted()), "the memo is unchanged by what was done to the first result")
	assert.Nil(t, again.Histories["D-0001"].Pending)

	b.write("demands/D-0002-b.md", demand("D-0002", "B", "new", "", ""))
	b.commit("add b", 3)
	next := b.walk(Options{Memo: memo})
	assert.Equal(t, 1, next.Walked, "only the new commit is read")
	fresh := b.walk(Options{})
	assert.Equal(t, asJSON(t, fresh.Sorted()), asJSON(t, next.Sorted()))
	assert.Len(t, next.Histories, 2)
}

// A packed repository (as every clone is) gives the same history as the
// same commits stored loose, read from its pack files by the workers.
func TestPackedSameAsLoose(t *testing.T) {
	b := newBuilder(t)
	for i := 1; i <= 30; i++ {
		id := fmt.Sprintf("D-%04d", i%7+1)
		b.write(fmt.Sprintf("demands/%s-a.md", id), demand(id, fmt.Sprintf("T%d", i), []string{"new", "triaged", "accepted"}[i%3], "", strings.Repeat(fmt.Sprintf("line %d\n", i), i)))
		b.commit(fmt.Sprintf("c%d", i), 1+i%28)
	}
	old := commitsPerWorker
	commitsPerWorker = 1
	defer func() { commitsPerWorker = old }()
	loose := b.walk(Options{})
	require.NoError(t, b.repo.RepackObjects(&git.RepackConfig{}))
	packs, err := filepath.Glob(filepath.Join(b.dir, ".git", "objects", "pack", "*.pack"))
	require.NoError(t, err)
	require.NotEmpty(t, packs)
	packed := b.walk(Options{})
	assert.Equal(t, asJSON(t, loose.Sorted()), asJSON(t, packed.Sorted()))
	assert.Len(t, packed.Histories, 7)
}

// TestPendingNewDemandTimeline: a demand in no commit yet is dated by its
// timeline, and without one its reached nodes are unknown, not breached
// since it was received.
func TestPendingNewDemandTimeline(t *testing.T) {
	b := newBuilder(t)
	b.write("README.md", "x")
	b.commit("readme", 1)
	tl := "timeline:\n  - {date: 2026-01-05, status: new}\n  - {date: 2026-01-06, status: triaged}\n  - {date: 2026-01-07, status: accepted}\n"
	b.write("demands/D-0001-a.md", "---\nid: D-0001\ntitle: A\nstatus: accepted\nreceived: 2026-01-05\n"+tl+"---\nBody.\n")
	b.write("demands/D-0002-b.md", "---\nid: D-0002\ntitle: B\nstatus: accepted\nreceived: 2025-01-05\n---\nBody.\n")
	res := b.walk(Options{})
	repo, err := gitrepo.OpenRepo(filepath.Join(b.dir, "demands"))
	require.NoError(t, err)
	src, err := registry.OpenDir(filepath.Join(b.dir, "demands"))
	require.NoError(t, err)
	defer src.Close()
	cfg := config.Default()
	require.NoError(t, res.AddPending(repo, src, cfg))
	res.ComputeSLA(cfg, map[string]int{"D-0001": 2, "D-0002": 2})
	a, bb := res.Histories["D-0001"], res.Histories["D-0002"]
	require.NotNil(t, a)
	require.NotNil(t, bb)
	require.Len(t, a.Statuses, 3)
	assert.True(t, a.Statuses[2].Recorded)
	assert.Equal(t, Met, a.SLA.Nodes[0].State, "evaluate dated by the timeline")
	assert.Equal(t, Unknown, bb.SLA.Nodes[0].State, "evaluate reached at an unknown time")
}
