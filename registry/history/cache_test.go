package history

import (
	"path/filepath"
	"testing"

	"github.com/demand-registry/demand/internal/gitrepo"

	"github.com/demand-registry/demand/registry/config"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A cache record that does not match the commit it is keyed by (a forged
// author, here) is not trusted: the commit is walked again and credited
// to its real author.
func TestCacheVerifiedAgainstCommits(t *testing.T) {
	b := newBuilder(t)
	b.write("demands/D-0001-a.md", demand("D-0001", "A", "new", "", "one\n"))
	b.commit("add", 1)
	b.write("demands/D-0001-a.md", demand("D-0001", "A", "triaged", "", "one\n"))
	b.commit("triage", 2)
	dir := filepath.Join(t.TempDir(), "demand-cache")
	first := b.walk(Options{CacheDir: dir})
	require.Equal(t, 2, first.Walked)
	want := asJSON(t, first.Sorted())

	repo, err := gitrepo.OpenRepo(filepath.Join(b.dir, "demands"))
	require.NoError(t, err)
	key := cacheKey(repo, config.Default())
	c := loadCache(dir, key)
	require.Len(t, c.recs, 2)
	var forged []*commitRec
	for _, r := range c.recs {
		f := *r
		f.Author, f.Email = "Mallory", "mallory@example.com"
		forged = append(forged, &f)
	}
	require.NoError(t, saveCache(dir, key, forged))

	again := b.walk(Options{CacheDir: dir})
	assert.Equal(t, 2, again.Walked, "forged records are walked again")
	assert.Equal(t, want, asJSON(t, again.Sorted()))
	for _, cm := range again.Histories["D-0001"].Commits {
		assert.Equal(t, "Ada", cm.Author)
	}

	// A matching cache is used: nothing is walked.
	third := b.walk(Options{CacheDir: dir})
	assert.Equal(t, 0, third.Walked)
	assert.Equal(t, want, asJSON(t, third.Sorted()))
}

// The repository's cache folder is in the git folder, which git never
// tracks, not in the work tree.
func TestCacheDirUnderGit(t *testing.T) {
	b := newBuilder(t)
	repo, err := gitrepo.OpenRepo(filepath.Join(b.dir, "demands"))
	require.NoError(t, err)
	d, err := repo.CacheDir()
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(b.dir, ".git", "demand-cache"), d)
}
