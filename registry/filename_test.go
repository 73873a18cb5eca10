package registry

import (
	"testing"

	"github.com/demand-registry/demand/registry/finding"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestControlCharacterFileName: such a name is a filename error (git
// will not check it out), reported without reading the file.
func TestControlCharacterFileName(t *testing.T) {
	for _, name := range []string{"D-0001-a\nb.md", "D-0001-\x1b[31m.md", "D-0001-x\r.md", "D-0001-\x7f.md", "D-0001-\u0085.md"} {
		snap, fs, err := Load(mapSource{name: demandFile("D-0001", "")})
		require.NoError(t, err)
		require.Len(t, fs, 1, "%q", name)
		assert.Equal(t, "filename", fs[0].Rule)
		assert.Equal(t, finding.Error, fs[0].Severity)
		assert.Empty(t, snap.Demands, "%q is not loaded", name)
	}
	_, fs, err := Load(mapSource{"D-0001-报表:v2.md": demandFile("D-0001", "")})
	require.NoError(t, err)
	assert.Empty(t, fs, "printable names, Chinese and ':' included, are fine")
}
