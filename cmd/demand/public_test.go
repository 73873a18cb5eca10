package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/stretchr/testify/require"
)

// publicRepo is a registry in git whose public demands are linked from
// internal ones (depends_on, duplicate_of with customers, related), and
// whose D-0005 was internal, under another title and file name, before
// it was made public. Every commit has an e-mail address.
func publicRepo(t *testing.T, extraConfig string) string {
	dir := t.TempDir()
	repo, err := git.PlainInit(dir, false)
	require.NoError(t, err)
	wt, err := repo.Worktree()
	require.NoError(t, err)
	reg := filepath.Join(dir, "demands")
	require.NoError(t, os.MkdirAll(reg, 0o755))
	write := func(name, s string) { require.NoError(t, os.WriteFile(filepath.Join(reg, name), []byte(s), 0o644)) }
	day := 1
	commit := func(msg string) {
		require.NoError(t, wt.AddWithOptions(&git.AddOptions{All: true}))
		sig := &object.Signature{Name: "Ada", Email: "ada.private@mail.example", When: time.Date(2026, 11, day, 9, 0, 0, 0, time.UTC)}
		_, err := wt.Commit(msg, &git.CommitOptions{Author: sig, Committer: sig})
		require.NoError(t, err)
		day++
	}
	demand := func(id, title, status, extra string) string {
		return "---\nid: " + id + "\ntitle: " + title + "\nstatus: " + status + "\nreceived: 2026-10-02\n" + extra + "---\nSome text.\n"
	}
	write("registry.yaml", "title: Registry\n"+extraConfig)
	write("D-0001-open-search.md", demand("D-0001", "Open search", "new", "type: product\nurgency: long-term\ncustomer: {name: Public Buyer, segment: regular}\n"))
	commit("first demand")
	write("D-0002-hush-platform.md", demand("D-0002", "Hush platform", "triaged",
		"visibility: internal\ntype: technical\nurgency: urgent\nimportance: critical\nvalue: high\ncustomer: {name: Hushcorp, segment: vip}\nlinks: {depends_on: [D-0001]}\n"))
	write("D-0003-hush-copy.md", demand("D-0003", "Hush copy", "new",
		"visibility: internal\ncustomer: {name: Hushbuyer, segment: vip}\nlinks: {duplicate_of: D-0001, related: [D-0001]}\n"))
	write("D-0004-hush-sibling.md", demand("D-0004", "Hush sibling", "new", "visibility: internal\nlinks: {related: [D-0001]}\n"))
	commit("internal work")
	write("D-0001-open-search.md", demand("D-0001", "Open search", "triaged",
		"type: product\nurgency: long-term\ncustomer: {name: Public Buyer, segment: regular}\nlinks: {related: [D-0004]}\n"))
	commit("relate the search")
	write("D-0005-hush-codename.md", demand("D-0005", "Hush codename", "new", "visibility: internal\ncustomer: {name: Hushclient, segment: vip}\n"))
	commit("a new idea")
	write("D-0005-hush-codename.md", demand("D-0005", "Hush codename", "triaged", "visibility: internal\ncustomer: {name: Hushclient, segment: vip}\n"))
	commit("triage the idea")
	require.NoError(t, os.Remove(filepath.Join(reg, "D-0005-hush-codename.md")))
	write("D-0005-open-portal.md", demand("D-0005", "Open portal", "accepted", "customer: {name: Portal Buyer, segment: regular}\n"))
	commit("publish the portal")
	write("D-0005-open-portal.md", demand("D-0005", "Open portal", "planned", "customer: {name: Portal Buyer, segment: regular}\n"))
	commit("plan the portal")
	return reg
}

// hushed is what must not reach a public build of publicRepo: internal
// IDs, titles, customers and file names (all "hush"), and e-mail.
var hushed = []string{"D-0002", "D-0003", "D-0004", "hush", "mail.example", "ada.private"}

func noneHushed(t *testing.T, name string, data []byte) {
	t.Helper()
	low := bytes.ToLower(data)
	for _, s := range hushed {
		if i := bytes.Index(low, []byte(strings.ToLower(s))); i >= 0 {
			t.Errorf("%s shows %q: …%s…", name, s, data[max(0, i-80):min(len(data), i+80)])
		}
	}
}

// TestPublicBuildShowsNothingInternal builds and exports the public site
// of a registry with internal demands and a demand made public later, and
// looks for anything internal in every file.
func TestPublicBuildShowsNothingInternal(t *testing.T) {
	for _, cfg := range []string{"", "site: {public_customer_names: true}\n"} {
		reg := publicRepo(t, cfg)
		out := filepath.Join(t.TempDir(), "site")
		var stdout, stderr bytes.Buffer
		require.Equal(t, exitOK, run([]string{"build", "--dir", reg, "--audience", "public", "--out", out, "--no-cache"}, &stdout, &stderr), stderr.String())
		n := 0
		require.NoError(t, filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(p)
			require.NoError(t, err)
			noneHushed(t, p, data)
			n++
			return nil
		}))
		require.Greater(t, n, 10)
		page, err := os.ReadFile(filepath.Join(out, "demands", "D-0005.html"))
		require.NoError(t, err)
		require.Contains(t, string(page), "Open portal")
		for _, format := range []string{"json", "csv"} {
			stdout.Reset()
			require.Equal(t, exitOK, run([]string{"export", "--dir", reg, "--audience", "public", "--format", format}, &stdout, &stderr), stderr.String())
			require.Contains(t, stdout.String(), "D-0005")
			noneHushed(t, "export "+format, stdout.Bytes())
		}
	}
}
