package render

import (
	"testing"

	"github.com/demand-registry/demand/registry/config"

	"github.com/stretchr/testify/require"

	"github.com/demand-registry/demand/internal/synth"
	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/registry/rank"
	"github.com/demand-registry/demand/templates"
)

// BenchmarkBuild5000 renders the site of 5,000 generated demands in memory
// (ranking done, no history): every page, the exports and the search index.
func BenchmarkBuild5000(b *testing.B) {
	cfg, fs := config.Parse("registry.yaml", []byte("id: {pattern: '^D-[0-9]{5,}$', prefix: D-, digits: 5}\n"))
	require.False(b, fs.HasErrors())
	var ds []*registry.Demand
	for name, content := range synth.Registry(1, 5000) {
		d, _ := registry.ParseDemand(cfg, name, []byte(content))
		ds = append(ds, d)
	}
	s := registry.NewSnapshot(cfg, ds)
	in := Input{Snapshot: s, Ranking: rank.Rank(s)}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		files, err := Build(in, Options{Templates: templates.FS})
		if err != nil || len(files) < 5000 {
			b.Fatal(err)
		}
	}
}
