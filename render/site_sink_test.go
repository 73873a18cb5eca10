package render

import (
	"sync"
	"testing"

	"github.com/demand-registry/demand/registry/rank"
	"github.com/demand-registry/demand/templates"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A sink gets every file Build makes in memory, byte for byte, and Build
// then keeps only their names.
func TestSinkGetsTheFiles(t *testing.T) {
	snap := loadRegistry(t, "../demands")
	in := Input{Snapshot: snap, Ranking: rank.Rank(snap)}
	want, err := Build(in, Options{Templates: templates.FS})
	require.NoError(t, err)
	var mu sync.Mutex
	got := map[string][]byte{}
	names, err := Build(in, Options{Templates: templates.FS, Sink: func(name string, data []byte) {
		mu.Lock()
		defer mu.Unlock()
		got[name] = data
	}})
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.Len(t, names, len(want))
	for name, data := range names {
		assert.Contains(t, want, name)
		assert.Nil(t, data, name)
	}
}
