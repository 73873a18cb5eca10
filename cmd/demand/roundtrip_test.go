package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSampleRoundTrip exports the bundled registry as CSV and as JSON,
// imports each export into an empty registry with the same config, and
// compares every file byte for byte.
func TestSampleRoundTrip(t *testing.T) {
	src := filepath.Join("..", "..", "demands")
	for _, format := range []string{"csv", "json"} {
		t.Run(format, func(t *testing.T) {
			var out, errb bytes.Buffer
			require.Equal(t, exitOK, run([]string{"export", "--dir", src, "--format", format}, &out, &errb), errb.String())
			dir := t.TempDir()
			reg := filepath.Join(dir, "demands")
			require.NoError(t, os.Mkdir(reg, 0o755))
			cfg, err := os.ReadFile(filepath.Join(src, "registry.yaml"))
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(reg, "registry.yaml"), cfg, 0o644))
			export := filepath.Join(dir, "export."+format)
			require.NoError(t, os.WriteFile(export, out.Bytes(), 0o644))
			errb.Reset()
			require.Equal(t, exitOK, run([]string{"import", "--dir", reg, "--from", format, export}, &bytes.Buffer{}, &errb), errb.String())

			want, err := filepath.Glob(filepath.Join(src, "*.md"))
			require.NoError(t, err)
			got, err := filepath.Glob(filepath.Join(reg, "*.md"))
			require.NoError(t, err)
			require.Len(t, got, len(want))
			for _, w := range want {
				a, err := os.ReadFile(w)
				require.NoError(t, err)
				b, err := os.ReadFile(filepath.Join(reg, filepath.Base(w)))
				require.NoError(t, err, "%s was not recreated", filepath.Base(w))
				assert.Equal(t, string(a), string(b), filepath.Base(w))
			}
		})
	}
}
