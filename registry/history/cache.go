package history

import (
	"bufio"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"os"
	"path/filepath"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/demand-registry/demand/registry"
)

// cacheVersion changes whenever what the cache holds changes meaning.
const cacheVersion = "history-v6"

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

func cacheKey(repo *registry.Repo, cfg *registry.Config) string {
	y, _ := cfg.YAML()
	sum := sha256.New()
	sum.Write([]byte(cacheVersion + "\x00" + repo.Dir + "\x00"))
	sum.Write(y)
	return hex.EncodeToString(sum.Sum(nil))[:24]
}

func cachePath(dir, key string) string { return filepath.Join(dir, "history-"+key+".gob") }

// loadCache reads the cache; any problem means an empty cache, never an error:
// the cache only saves time.
func loadCache(dir, key string) *historyCache {
	c := &historyCache{recs: map[plumbing.Hash]*commitRec{}}
	if dir == "" {
		return c
	}
	f, err := os.Open(cachePath(dir, key))
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
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// The folder ignores itself, so the cache is never committed.
	_ = os.WriteFile(filepath.Join(dir, ".gitignore"), []byte("*\n"), 0o644)
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
