package registry

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/demand-registry/demand/registry/config"

	"github.com/demand-registry/demand/internal/synth"
	"github.com/stretchr/testify/require"
)

func writeSynthetic(tb testing.TB, n int) string {
	dir := tb.TempDir()
	for name, content := range synth.Registry(1, n) {
		require.NoError(tb, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	require.NoError(tb, os.WriteFile(filepath.Join(dir, config.File), []byte("id: {pattern: '^D-[0-9]{5,}$', prefix: D-, digits: 5}\n"), 0o644))
	return dir
}

// BenchmarkValidate5000 loads and validates 5,000 generated demands from
// disk. Target: under 1 s and 300 MB.
func BenchmarkValidate5000(b *testing.B) {
	dir := writeSynthetic(b, 5000)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		src, err := OpenDir(dir)
		require.NoError(b, err)
		snap, fs, err := Load(src)
		require.NoError(b, err)
		fs = append(fs, Validate(snap)...)
		if fs.HasErrors() {
			b.Fatalf("synthetic registry has errors: %v", fs[0])
		}
		src.Close()
	}
}

func TestSyntheticRegistryIsValid(t *testing.T) {
	dir := writeSynthetic(t, 300)
	src, err := OpenDir(dir)
	require.NoError(t, err)
	defer src.Close()
	fs := check(t, src)
	require.False(t, fs.HasErrors(), "%v", fs)
}
