package history

import (
	"bufio"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/demand-registry/demand/internal/gitrepo"

	"github.com/demand-registry/demand/registry/config"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/demand-registry/demand/internal/safefs"
)

// cacheVersion changes whenever what the cache holds changes meaning.
const cacheVersion = "history-v10"

// historyCache holds the events of commits already walked, so the next run
// reads only new commits. It is keyed by the config the files were parsed
// with and the registry folder: a different config starts afresh.
type historyCache struct {
	recs map[plumbing.Hash]*commitRec
}

func (c *historyCache) get(h plumbing.Hash) *commitRec {
	if c == nil {
		return nil
	}
	return c.recs[h]
}

func (c *historyCache) has(h plumbing.Hash) bool { return c != nil && c.get(h) != nil }

// drop forgets a record that does not match its commit.
func (c *historyCache) drop(h plumbing.Hash) {
	if c != nil {
		delete(c.recs, h)
	}
}

// matches reports whether a cached record summarises commit c: the same
// tree, parents, author, dates and subject. Its events are a function of
// the trees (and the config, in the cache's key), so a record that
// matches is the one a walk would compute.
func (r *commitRec) matches(c *object.Commit, boundary bool) bool {
	// A record keeps clamped dates (see clampDates): compare those.
	if r.Hash != c.Hash || r.Tree != c.TreeHash || r.Author != c.Author.Name || r.Email != c.Author.Email ||
		!r.AuthorTime.Equal(ClampDate(c.Author.When)) || !r.CommitTime.Equal(ClampDate(c.Committer.When)) || r.Subject != subject(c) {
		return false
	}
	if boundary || r.Boundary {
		return len(r.Parents) == 0 || slices.Equal(r.Parents, c.ParentHashes)
	}
	return slices.Equal(r.Parents, c.ParentHashes)
}

func cacheKey(repo *gitrepo.Repo, cfg *config.Config) string {
	y, _ := cfg.YAML()
	sum := sha256.New()
	sum.Write([]byte(cacheVersion + "\x00" + repo.Dir + "\x00"))
	sum.Write(y)
	return hex.EncodeToString(sum.Sum(nil))[:24]
}

func cacheName(key string) string { return "history-" + key + ".gob" }

func cachePath(dir, key string) string { return filepath.Join(dir, cacheName(key)) }

// loadCache reads the cache; any problem means an empty cache, never an error:
// the cache only saves time.
func loadCache(dir, key string) *historyCache {
	c := &historyCache{recs: map[plumbing.Hash]*commitRec{}}
	if dir == "" {
		return c
	}
	f, err := safefs.Open(dir, cacheName(key))
	if err != nil {
		return c
	}
	defer f.Close()
	var recs []*commitRec
	if err := gob.NewDecoder(bufio.NewReader(f)).Decode(&recs); err != nil {
		return c
	}
	for _, r := range recs {
		if r.Events == nil {
			r.Events = []event{}
		}
		c.recs[r.Hash] = r
	}
	return c
}

// saveCache writes the cache atomically and drops caches of other keys.
func saveCache(dir, key string, recs []*commitRec) error {
	// The folder is under the git folder (see Repo.CacheDir), never in
	// tracked content; it and the file are real, not links.
	if err := safefs.MkdirAll(filepath.Dir(dir), filepath.Base(dir), 0o755); err != nil {
		return err
	}
	if st, err := os.Lstat(cachePath(dir, key)); err == nil && !st.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", cachePath(dir, key))
	}
	tmp, err := os.CreateTemp(dir, "history-*.tmp")
	if err != nil {
		return err
	}
	w := bufio.NewWriter(tmp)
	if err := gob.NewEncoder(w).Encode(recs); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := w.Flush(); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), cachePath(dir, key)); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	old, _ := filepath.Glob(filepath.Join(dir, "history-*.gob"))
	for _, p := range old {
		if p != cachePath(dir, key) {
			os.Remove(p)
		}
	}
	return nil
}
