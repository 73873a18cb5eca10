package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
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
	names, err := Build(in, Options{Templates: templates.FS, Sink: func(name string, parts ...[]byte) {
		mu.Lock()
		defer mu.Unlock()
		got[name] = bytes.Join(parts, nil)
	}})
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.Len(t, names, len(want))
	for name, data := range names {
		assert.Contains(t, want, name)
		assert.Nil(t, data, name)
	}
}

// demands.json, written a demand at a time, is what MarshalIndent writes
// of the whole document: with no demands, one, and many across parts.
func TestJSONPartsAsMarshalIndent(t *testing.T) {
	long := strings.Repeat("<b>&\u2028 text ", jsonPart/10)
	for _, n := range []int{0, 1, 2, 7} {
		var ds []exportDemand
		var j jsonParts
		for i := range n {
			d := exportDemand{ID: fmt.Sprintf("D-%d", i), Fields: map[string]any{"tags": []any{}, "m": map[string]any{}, "s": "x"}, Body: "short"}
			if i%3 == 1 {
				d.Body = long
			}
			ds = append(ds, d)
			require.NoError(t, j.add(d))
		}
		parts, err := j.finish(3)
		require.NoError(t, err)
		want, err := json.MarshalIndent(exportJSON{SchemaVersion: 3, Demands: append([]exportDemand{}, ds...)}, "", "  ")
		require.NoError(t, err)
		assert.Equal(t, string(want)+"\n", string(bytes.Join(parts, nil)), "%d demands", n)
		if n == 7 {
			assert.Greater(t, len(parts), 5, "a demand that does not fit starts a part of its own")
		}
	}
}

// A file put in parts is written as their concatenation; no parts is an
// empty file.
func TestSiteWriterParts(t *testing.T) {
	out := filepath.Join(t.TempDir(), "site")
	w, err := NewSiteWriter(out)
	require.NoError(t, err)
	w.Put("demands.json", []byte("{\n"), nil, []byte(`"a": 1`), []byte("\n}\n"))
	w.Put("empty.txt")
	require.NoError(t, w.Commit())
	got, err := os.ReadFile(filepath.Join(out, "demands.json"))
	require.NoError(t, err)
	assert.Equal(t, "{\n\"a\": 1\n}\n", string(got))
	got, err = os.ReadFile(filepath.Join(out, "empty.txt"))
	require.NoError(t, err)
	assert.Empty(t, got)
}
