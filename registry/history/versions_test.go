package history

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/demand-registry/demand/internal/gitrepo"
	"github.com/demand-registry/demand/registry/config"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// walkInOrder walks every commit of b's repository on one walker, parents
// first, as a worker walks its span, with caches of recent parses far
// smaller than the registry; it returns the walker and the commits.
func walkInOrder(t *testing.T, b *builder) (*walker, map[plumbing.Hash]*commitRec) {
	t.Helper()
	repo, err := gitrepo.OpenRepo(filepath.Join(b.dir, "demands"))
	require.NoError(t, err)
	st, err := repo.ObjectStore(nil)
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	w := newWalker(repo, st, config.Default())
	w.blobs = newRecent[blobName, *parsed](2)
	w.fronts = newRecent[string, *parsed](2)
	head, err := repo.Git.Head()
	require.NoError(t, err)
	order, recs, err := w.commits(context.Background(), head.Hash(), nil, nil)
	require.NoError(t, err)
	for _, h := range order {
		require.NoError(t, w.events(recs[h]))
	}
	return w, recs
}

// A walk in commit order reads each version of a file once, however many
// other files changed since it was the new version.
func TestWalkReadsEachVersionOnce(t *testing.T) {
	b := newBuilder(t)
	const files, commits = 12, 60
	for i := range commits {
		id := fmt.Sprintf("D-%04d", i%files+1)
		b.write("demands/"+id+"-a.md", demand(id, fmt.Sprintf("T%d", i), "new", "", fmt.Sprintf("version %d\n", i)))
		b.commit(fmt.Sprintf("c%d", i), 1+i%28)
	}
	w, recs := walkInOrder(t, b)
	require.Len(t, recs, commits)
	assert.Equal(t, commits, w.reads)
	assert.Equal(t, commits, w.parses)
}

// A version that changes only the body takes its fields from the version
// before, however many other files changed in between.
func TestWalkParsesEachFrontMatterOnce(t *testing.T) {
	b := newBuilder(t)
	const files, commits = 12, 60
	for i := range commits {
		id := fmt.Sprintf("D-%04d", i%files+1)
		b.write("demands/"+id+"-a.md", demand(id, "T"+id, "new", "", fmt.Sprintf("version %d\n", i)))
		b.commit(fmt.Sprintf("c%d", i), 1+i%28)
	}
	for i := 1; i <= 3; i++ {
		b.remove(fmt.Sprintf("demands/D-%04d-a.md", i))
	}
	b.commit("remove three", 28)
	w, recs := walkInOrder(t, b)
	assert.Equal(t, commits, w.reads)
	assert.Equal(t, files, w.parses, "one parse per front matter")
	assert.Len(t, w.current, files-3, "a deleted file's last version is let go")
	for _, rec := range recs {
		for _, e := range rec.Events {
			if e.Kind == "changed" {
				require.Len(t, e.Changes, 1)
				assert.Equal(t, "body", e.Changes[0].Field)
			}
		}
	}
}
