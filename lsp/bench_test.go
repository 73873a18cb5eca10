package lsp

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/demand-registry/demand/registry/config"

	"github.com/demand-registry/demand/internal/lsptest"
	"github.com/demand-registry/demand/internal/synth"
	"github.com/demand-registry/demand/registry"
	"github.com/stretchr/testify/require"
)

// BenchmarkKeystroke times one edit of one demand, through the protocol,
// from didChange to its diagnostics received, in a generated registry of
// the bundled sample and generated registries of 1,000 and 5,000 demands
// (the debounce delay set to nothing): what a user waits for after the
// debounce delay.
func BenchmarkKeystroke(b *testing.B) {
	for _, n := range []int{0, 1000, 5000} {
		name := strconv.Itoa(n)
		if n == 0 {
			name = "sample"
		}
		b.Run(name, func(b *testing.B) {
			dir := b.TempDir()
			require.NoError(b, os.Mkdir(filepath.Join(dir, ".git"), 0o755))
			files := synth.Registry(1, n)
			files[config.File] = "id: {pattern: '^D-[0-9]{5,}$', prefix: D-, digits: 5}\n"
			if n == 0 {
				entries, err := os.ReadDir("../demands")
				require.NoError(b, err)
				for _, e := range entries {
					data, err := os.ReadFile(filepath.Join("../demands", e.Name()))
					require.NoError(b, err)
					files[e.Name()] = string(data)
				}
			}
			var first string
			for name, content := range files {
				require.NoError(b, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
				if registry.IsDemandFile(name) && (first == "" || name < first) {
					first = name
				}
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			c, _ := lsptest.Pipe(ctx, func(rwc io.ReadWriteCloser) error {
				return Serve(ctx, rwc, Options{Debounce: time.Nanosecond})
			})
			_, err := c.Initialize(dir)
			require.NoError(b, err)
			path := filepath.Join(dir, first)
			data, _ := os.ReadFile(path)
			uri := lsptest.URI(path)
			require.NoError(b, c.Open(uri, string(data), 0))
			_, err = c.Wait(uri, lsptest.Version(0))
			require.NoError(b, err)
			v := 0
			b.ResetTimer()
			for b.Loop() {
				v++
				require.NoError(b, c.Change(uri, string(data)+strings.Repeat("x", v%7), v))
				_, err := c.Wait(uri, lsptest.Version(v))
				require.NoError(b, err)
			}
		})
	}
}
