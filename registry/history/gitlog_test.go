package history

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/demand-registry/demand/registry/config"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/stretchr/testify/require"
)

// gitCLI builds a test repository with the git command itself, so merges,
// conflicts and renames are what git makes of them.
type gitCLI struct {
	t   *testing.T
	dir string
	n   int // commits so far: each is an hour after the last
}

func newGitCLI(t *testing.T) *gitCLI {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	g := &gitCLI{t: t, dir: t.TempDir()}
	g.git("init", "-q", "-b", "main")
	require.NoError(t, os.MkdirAll(filepath.Join(g.dir, "demands"), 0o755))
	return g
}

// git runs git in the repository; failure fails the test unless ok allows it.
func (g *gitCLI) run(ok bool, args ...string) string {
	g.t.Helper()
	when := "2026-11-01T00:00:00Z"
	if g.n > 0 {
		when = fmt.Sprintf("2026-11-%02dT%02d:00:00Z", 1+g.n/24, g.n%24)
	}
	cmd := exec.Command("git", append([]string{"-c", "user.name=Ada", "-c", "user.email=ada@example.com",
		"-c", "commit.gpgsign=false", "-c", "core.autocrlf=false", "-c", "merge.conflictstyle=merge"}, args...)...)
	cmd.Dir = g.dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull, "HOME="+g.dir,
		"GIT_AUTHOR_DATE="+when, "GIT_COMMITTER_DATE="+when, "LC_ALL=C")
	out, err := cmd.CombinedOutput()
	if !ok {
		require.NoError(g.t, err, "git %s: %s", strings.Join(args, " "), out)
	}
	return string(out)
}

func (g *gitCLI) git(args ...string) string { g.t.Helper(); return g.run(false, args...) }

func (g *gitCLI) write(p, content string) {
	full := filepath.Join(g.dir, p)
	require.NoError(g.t, os.MkdirAll(filepath.Dir(full), 0o755))
	require.NoError(g.t, os.WriteFile(full, []byte(content), 0o644))
}

func (g *gitCLI) commit(msg string) {
	g.t.Helper()
	g.n++
	g.git("add", "-A")
	g.git("commit", "-q", "--allow-empty", "-m", msg)
}

// merge merges branches into the current one; resolve, when set, edits
// the work tree after the merge stopped (conflicts or --no-commit).
func (g *gitCLI) merge(msg string, resolve func(), args ...string) {
	g.t.Helper()
	g.n++
	g.run(true, append([]string{"merge", "-q", "--no-ff", "--no-commit", "-m", msg}, args...)...)
	if resolve != nil {
		resolve()
	}
	g.git("add", "-A")
	g.git("commit", "-q", "--allow-empty", "-m", msg)
}

// gitLogRule is the commit list the walk gives a demand, as git computes
// it for the paths the demand had: every commit that changed one of them
// on any branch (git log --full-history --no-merges -- PATHS), and the
// merges whose combined diff (-c) lists one of them, that is where the
// merge result differs from every parent.
func (g *gitCLI) gitLogRule(paths []string) []string {
	var out []string
	plain := g.git(append([]string{"log", "--full-history", "--no-merges", "--format=%H", "--"}, paths...)...)
	out = append(out, strings.Fields(plain)...)
	merges := g.git(append([]string{"log", "--full-history", "--merges", "-c", "--name-only", "--format=%x01%H", "--"}, paths...)...)
	for _, rec := range strings.Split(merges, "\x01")[1:] {
		f := strings.Fields(rec)
		if len(f) > 1 { // the hash, then the files it lists
			out = append(out, f[0])
		}
	}
	slices.Sort(out)
	return out
}

// compareWithGit checks every demand's commits against gitLogRule on the
// paths the demand had, and returns the histories by ID.
func compareWithGit(t *testing.T, g *gitCLI, cfg *config.Config) map[string]*History {
	res := (&builder{t: t, dir: g.dir}).walk(Options{Config: cfg})
	require.NotEmpty(t, res.Histories)
	for id, h := range res.Histories {
		var got, paths []string
		for _, c := range h.Commits {
			got = append(got, c.Hash)
			paths = append(paths, c.Path)
			for _, ch := range c.Changes {
				if ch.Field == "path" {
					paths = append(paths, ch.From)
				}
			}
		}
		slices.Sort(got)
		slices.Sort(paths)
		paths = slices.Compact(paths)
		want := g.gitLogRule(paths)
		require.Equal(t, want, got, "demand %s (%s): the walk's commits against git log on %v\n%s", id, h.Path, paths,
			g.git(append([]string{"log", "--full-history", "--graph", "--format=%h %s", "--name-status", "--"}, paths...)...))
	}
	return res.Histories
}

func subjectsOf(h *History) []string {
	var out []string
	for _, c := range h.Commits {
		out = append(out, c.Subject)
	}
	return out
}

// TestCommitsEqualGit builds repositories with side branches, clean and
// conflicting merges, merges that keep one side (-s ours), evil merges,
// octopus merges, renames, copies and deletions, and checks that each
// demand's commits are what git lists for its paths.
func TestCommitsEqualGit(t *testing.T) {
	g := newGitCLI(t)
	d := func(id, status, body string) string { return demand(id, "T "+id, status, "", body) }
	g.write("demands/D-0001-a.md", d("D-0001", "new", "One.\n"))
	g.write("demands/D-0002-b.md", d("D-0002", "new", "Two.\nLines.\nMore.\n"))
	g.write("demands/D-0003-c.md", d("D-0003", "new", "Three.\n"))
	g.write("README.md", "outside\n")
	g.commit("add")

	// A side branch that changes D-0001 and D-0002 and adds D-0004.
	g.git("checkout", "-q", "-b", "side")
	g.write("demands/D-0001-a.md", d("D-0001", "triaged", "One.\n"))
	g.commit("side: triage 1")
	g.write("demands/D-0002-b.md", d("D-0002", "new", "Two, the side's.\nLines.\nMore.\n"))
	g.write("demands/D-0004-d.md", d("D-0004", "new", "Four.\n"))
	g.commit("side: edit 2, add 4")
	// Main changes D-0002 the other way (a conflict) and D-0003.
	g.git("checkout", "-q", "main")
	g.write("demands/D-0002-b.md", d("D-0002", "new", "Two, main's.\nLines.\nMore.\n"))
	g.write("demands/D-0003-c.md", d("D-0003", "triaged", "Three.\n"))
	g.commit("main: edit 2 and 3")
	// The conflict resolved with text of both: D-0002 differs from both
	// parents; D-0001 and D-0004 are the side's.
	g.merge("merge side", func() {
		g.write("demands/D-0002-b.md", d("D-0002", "new", "Two, both.\nLines.\nMore.\n"))
	}, "side")

	// A branch whose change to D-0001 is reverted on it: default git log
	// hides both commits (the merge is the same as main for the file).
	g.git("checkout", "-q", "-b", "revert")
	g.write("demands/D-0001-a.md", d("D-0001", "accepted", "One.\n"))
	g.commit("revert: accept 1")
	g.write("demands/D-0001-a.md", d("D-0001", "triaged", "One.\n"))
	g.commit("revert: undo")
	g.git("checkout", "-q", "main")
	g.write("demands/D-0003-c.md", d("D-0003", "accepted", "Three.\n"))
	g.commit("main: accept 3")
	g.merge("merge revert", nil, "revert")

	// A branch merged with -s ours: its changes never reach main, but they
	// were made on a branch that main now contains.
	g.git("checkout", "-q", "-b", "ours")
	g.write("demands/D-0004-d.md", d("D-0004", "rejected", "Four.\n"))
	g.commit("ours: reject 4")
	g.git("checkout", "-q", "main")
	g.write("demands/D-0002-b.md", d("D-0002", "triaged", "Two, both.\nLines.\nMore.\n"))
	g.commit("main: triage 2")
	g.merge("merge ours", nil, "-s", "ours", "ours")

	// Renames (by ID, with and without edits), a copy under a new ID, a
	// deletion, and an evil merge that edits a demand neither side touched.
	g.git("checkout", "-q", "-b", "moves")
	g.git("mv", "demands/D-0003-c.md", "demands/D-0003-renamed.md")
	g.commit("moves: rename 3")
	g.write("demands/D-0005-copy.md", d("D-0005", "new", "Four.\n"))
	g.commit("moves: copy 4 as 5")
	g.git("checkout", "-q", "main")
	g.git("rm", "-q", "demands/D-0004-d.md")
	g.commit("main: delete 4")
	g.merge("merge moves, edit 1", func() {
		g.write("demands/D-0001-a.md", d("D-0001", "planned", "One.\n"))
	}, "moves")
	g.git("mv", "demands/D-0002-b.md", "demands/D-0002-moved.md")
	g.write("demands/D-0002-moved.md", d("D-0002", "planned", "Two, both.\nLines.\nMore.\n"))
	g.commit("rename and plan 2")

	// An octopus merge of three branches, each changing a different demand,
	// and a merge that deletes a demand changed on the side.
	for i, id := range []string{"D-0001", "D-0005", "D-0006"} {
		g.git("checkout", "-q", "-b", fmt.Sprintf("o%d", i), "main")
		p := map[string]string{"D-0001": "demands/D-0001-a.md", "D-0005": "demands/D-0005-copy.md", "D-0006": "demands/D-0006-f.md"}[id]
		g.write(p, d(id, "delivered", "Octopus.\n"))
		g.commit("octopus " + id)
	}
	g.git("checkout", "-q", "main")
	g.merge("octopus", nil, "o0", "o1", "o2")
	g.git("checkout", "-q", "-b", "late", "main")
	g.write("demands/D-0003-renamed.md", d("D-0003", "planned", "Three.\n"))
	g.commit("late: plan 3")
	g.git("checkout", "-q", "main")
	g.write("demands/D-0006-f.md", d("D-0006", "delivered", "Octopus, main.\n"))
	g.commit("main: edit 6")
	g.merge("merge late, delete 3", func() { g.git("rm", "-q", "-f", "demands/D-0003-renamed.md") }, "late")

	// A rename on a branch while main edits the file at its old path: git's
	// merge carries the edit to the new path.
	g.git("checkout", "-q", "-b", "rn")
	g.git("mv", "demands/D-0005-copy.md", "demands/D-0005-moved.md")
	g.commit("rn: rename 5")
	g.git("checkout", "-q", "main")
	g.write("demands/D-0005-copy.md", d("D-0005", "delivered", "Octopus.\nMain's line.\n"))
	g.commit("main: edit 5")
	g.merge("merge rn", nil, "rn")
	require.FileExists(t, filepath.Join(g.dir, "demands/D-0005-moved.md"))

	hs := compareWithGit(t, g, nil)
	require.Len(t, hs, 6)
	require.Contains(t, subjectsOf(hs["D-0005"]), "merge rn")
	// The shapes are there: side commits default git log would hide, and a
	// merge that differs from every parent.
	subjects := func(id string) []string {
		var out []string
		for _, c := range hs[id].Commits {
			out = append(out, c.Subject)
		}
		return out
	}
	require.Contains(t, subjects("D-0001"), "revert: undo")
	require.Contains(t, subjects("D-0001"), "merge moves, edit 1")
	require.Contains(t, subjects("D-0002"), "merge side")
	require.Contains(t, subjects("D-0004"), "ours: reject 4")
	require.Contains(t, subjects("D-0003"), "merge late, delete 3")
	require.True(t, hs["D-0003"].Deleted)
	require.NotContains(t, subjects("D-0001"), "merge side", "the merge took the side's D-0001")
	def := strings.Fields(g.git("log", "--format=%s", "--", "demands/D-0001-a.md"))
	require.NotContains(t, strings.Join(def, " "), "undo", "default git log hides the reverted side branch")
}

// renamesByGit lists the renames git finds in each non-merge commit among
// demand files (git diff-tree -M, the default 50% similarity), as
// "commit old new".
func (g *gitCLI) renamesByGit() []string {
	var out []string
	for _, h := range strings.Fields(g.git("rev-list", "--no-merges", "HEAD")) {
		for _, line := range strings.Split(g.git("diff-tree", "-r", "-M", "--root", "--no-commit-id", "--name-status", h), "\n") {
			f := strings.Split(line, "\t")
			if len(f) == 3 && strings.HasPrefix(f[0], "R") && strings.HasPrefix(f[1], "demands/") {
				out = append(out, h+" "+f[1]+" "+f[2])
			}
		}
	}
	slices.Sort(out)
	return out
}

// lines makes n numbered lines of text.
func lines(prefix string, n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "%s line %d of the proposal.\n", prefix, i)
	}
	return b.String()
}

// TestFromFilenameEqualsGit: with IDs from file names, drafts numbered by
// a rename keep their history as git log --follow does (renames as git
// detects them), drafts that share the number 0000 stay apart, and every
// demand's commits are what git lists for its paths.
func TestFromFilenameEqualsGit(t *testing.T) {
	g := newGitCLI(t)
	cfg := fromNameConfig(t)
	g.write("demands/0001-first.md", noID("First", "accepted", "Old.\n"))
	g.write("demands/0000-sso.md", noID("SSO", "new", lines("SSO", 10)))
	g.commit("draft sso")
	g.write("demands/0000-sso.md", noID("SSO", "new", lines("SSO", 12)))
	g.write("demands/0000-export.md", noID("Export", "new", lines("Export", 10)))
	g.write("demands/0000-notes.md", noID("Notes", "new", "Some notes.\n"))
	g.commit("edit sso, draft export and notes")
	// A side branch edits the sso draft while main numbers it.
	g.git("checkout", "-q", "-b", "side")
	g.write("demands/0000-sso.md", noID("SSO", "new", lines("SSO", 12)+"From the side.\n"))
	g.commit("side: edit sso draft")
	g.git("checkout", "-q", "main")
	g.git("mv", "demands/0000-sso.md", "demands/0012-sso.md") // a pure rename
	g.commit("number sso")
	g.merge("merge side", nil, "side") // git applies the side's edit to 0012-sso.md
	// Numbered with edits (still more than 50% the same), abandoned, and
	// numbered with a rewrite (less than 50%: a new demand, as for git).
	g.git("rm", "-q", "demands/0000-export.md")
	g.write("demands/0013-export.md", noID("Export to Excel", "triaged", lines("Export", 8)+"Rewritten end.\n"))
	g.git("rm", "-q", "demands/0000-notes.md")
	g.write("demands/0000-tiny.md", noID("Tiny", "new", lines("Tiny", 3)))
	g.commit("number export, drop notes, draft tiny")
	g.git("rm", "-q", "demands/0000-tiny.md")
	g.write("demands/0014-tiny.md", noID("Tiny", "new", "Nothing like before.\nAt all.\n"+lines("Other", 6)))
	g.commit("rewrite tiny")
	// A copy is a new demand; a rename that keeps the number changes the path.
	g.write("demands/0020-sso-copy.md", noID("SSO", "new", lines("SSO", 12)+"From the side.\n"))
	g.git("mv", "demands/0001-first.md", "demands/0001-renamed.md")
	g.commit("copy sso, rename first")

	hs := compareWithGit(t, g, cfg)
	// The walk's renames are git's.
	var walked []string
	for _, h := range hs {
		for _, c := range h.Commits {
			if c.Kind == "renamed" && len(c.Changes) > 0 && c.Changes[0].Field == "path" {
				walked = append(walked, c.Hash+" "+c.Changes[0].From+" "+c.Changes[0].To)
			}
		}
	}
	slices.Sort(walked)
	require.Equal(t, g.renamesByGit(), walked)

	keys := make([]string, 0, len(hs))
	for k := range hs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	require.Equal(t, []string{"0000", "0000@demands/0000-notes.md", "0001", "0012", "0013", "0014", "0020"}, keys)
	subjects := func(id string) []string {
		var out []string
		for _, c := range hs[id].Commits {
			out = append(out, c.Kind+": "+c.Subject)
		}
		return out
	}
	require.Equal(t, []string{"changed: merge side", "renamed: number sso", "changed: side: edit sso draft",
		"changed: edit sso, draft export and notes", "created: draft sso"}, subjects("0012"))
	require.Equal(t, []string{"renamed: number export, drop notes, draft tiny", "created: edit sso, draft export and notes"}, subjects("0013"))
	require.Equal(t, []string{"created: rewrite tiny"}, subjects("0014"))
	require.Equal(t, []string{"deleted: number export, drop notes, draft tiny", "created: edit sso, draft export and notes"}, subjects("0000@demands/0000-notes.md"))
	require.Equal(t, []string{"deleted: rewrite tiny", "created: number export, drop notes, draft tiny"}, subjects("0000"), "the last draft numbered 0000 has the number")
	require.False(t, hs["0012"].Deleted)
	require.Equal(t, "demands/0012-sso.md", hs["0012"].Path)
}

// TestSimilarityAsGit: the rename score is git's, as git diff-tree -M1%
// prints it, for lines longer than git's 64-byte chunks, CRLF against LF,
// a last line without newline, binary content and cases near 50%.
func TestSimilarityAsGit(t *testing.T) {
	long := strings.Repeat("A long line that is longer than sixty-four bytes, cut into chunks. ", 3) + "\n"
	cases := [][2]string{
		{lines("Same", 10), lines("Same", 10) + "One more.\n"},
		{lines("Half", 10), lines("Half", 5) + lines("Other", 5)},
		{lines("Half", 10), lines("Half", 5) + lines("Other", 6)},
		{lines("Half", 10), lines("Half", 4) + lines("Other", 5)},
		{lines("Half", 10), lines("Half", 5) + lines("Hal2", 5)}, // close to 50%
		{lines("Half", 10), lines("Half", 6) + lines("Other", 4)},
		{long + lines("Tail", 3), long[:100] + "changed\n" + lines("Tail", 3)},
		{strings.ReplaceAll(lines("Crlf", 8), "\n", "\r\n"), lines("Crlf", 8)},
		{lines("Last", 4) + "no newline", lines("Last", 4) + "no newline at all"},
		{"bin\x00ary\r\n" + lines("Bin", 6), "bin\x00ary\n" + lines("Bin", 6)},
		{"x\n", "y\n"},
	}
	g := newGitCLI(t)
	for i, c := range cases {
		src, dst := fmt.Sprintf("demands/p%d-src.md", i), fmt.Sprintf("demands/p%d-dst.md", i)
		g.write(src, c[0])
		g.commit("src")
		g.git("rm", "-q", src)
		g.write(dst, c[1])
		g.commit("dst")
		// The score is exact from 50% on (below, the walk stops early).
		out := g.git("diff-tree", "-r", "-M1%", "--no-commit-id", "--name-status", "HEAD")
		want := "under 50%"
		if f := strings.Split(strings.TrimSpace(out), "\t"); len(f) == 3 && f[0] >= "R050" {
			want = f[0]
		}
		got := "under 50%"
		if s := similarity([]byte(c[0]), []byte(c[1])); s >= minSimilarity {
			got = fmt.Sprintf("R%03d", s*100/maxScore)
		}
		require.Equal(t, want, got, "case %d: %q → %q (git: %s)", i, c[0], c[1], out)
		t.Logf("case %d: %s", i, got)
	}
}

// TestRenameLimit: past git's rename limit, only identical content pairs.
func TestRenameLimit(t *testing.T) {
	data := map[plumbing.Hash][]byte{}
	side := func(p, text string) fileSide {
		h := plumbing.ComputeHash(plumbing.BlobObject, []byte(text))
		data[h] = []byte(text)
		return fileSide{p, h}
	}
	gone := []fileSide{side("a", lines("A", 10)), side("b", lines("B", 10)), side("c", "same\n")}
	added := []fileSide{side("a2", lines("A", 10)+"x\n"), side("b2", lines("B", 10)+"y\n"), side("c2", "same\n")}
	read := func(h plumbing.Hash) []byte { return data[h] }
	require.Equal(t, [][2]int{{2, 2}, {0, 0}, {1, 1}}, pairRenames(gone, added, read))
	old := renameLimit
	defer func() { renameLimit = old }()
	renameLimit = 1
	require.Equal(t, [][2]int{{2, 2}}, pairRenames(gone, added, read))
}
