package rank

import (
	"fmt"
	"testing"

	"github.com/demand-registry/demand/registry/config"

	"github.com/stretchr/testify/require"

	"github.com/demand-registry/demand/internal/synth"
	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/registry/dups"
)

func synthSnapshot(b *testing.B, n int) *registry.Snapshot {
	cfg, fs := config.Parse("registry.yaml", []byte("id: {pattern: '^D-[0-9]{5,}$', prefix: D-, digits: 5}\n"))
	require.False(b, fs.HasErrors())
	var ds []*registry.Demand
	synth.Stream(1, n, func(name, content string) {
		d, fs := registry.ParseDemand(cfg, name, []byte(content))
		if fs.HasErrors() {
			b.Fatalf("%s: %v", name, fs)
		}
		ds = append(ds, d)
	})
	return registry.NewSnapshot(cfg, ds)
}

// BenchmarkRank100k ranks 100,000 generated demands with duplicate
// detection, as `demand rank` and `demand validate` do after loading.
// Target: under 2 s and 1 GB.
func BenchmarkRank100k(b *testing.B) {
	s := synthSnapshot(b, 100_000)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rk := Rank(s)
		pairs := dups.Find(s, s.Config.Duplicates.Threshold)
		_ = Policy(s, rk)
		if len(rk.Results) != 100_000 {
			b.Fatal("lost demands")
		}
		b.ReportMetric(float64(len(pairs)), "pairs")
	}
}

func BenchmarkRankOnly100k(b *testing.B) {
	s := synthSnapshot(b, 100_000)
	b.ResetTimer()
	for b.Loop() {
		Rank(s)
	}
}

func BenchmarkDups100k(b *testing.B) {
	s := synthSnapshot(b, 100_000)
	b.ResetTimer()
	for b.Loop() {
		dups.Find(s, s.Config.Duplicates.Threshold)
	}
	_ = fmt.Sprint()
}
