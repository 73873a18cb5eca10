package render

import (
	"testing"

	"github.com/demand-registry/demand/registry/config"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/registry/dups"
	"github.com/demand-registry/demand/registry/rank"
	"github.com/demand-registry/demand/templates"
)

// A demand's page lists its likely duplicates with their similarity, in
// the UI language, and never a demand the audience does not see.
func TestLikelyDuplicates(t *testing.T) {
	cfg := config.Default()
	var ds []*registry.Demand
	for _, d := range [][2]string{{"D-0001", "移动端离线查看库存"}, {"D-0002", "移动端支持离线查看库存数据"}, {"D-0003", "移动端离线查看库存数据\nvisibility: internal"}, {"D-0004", "Dark mode"}} {
		dm, fs := registry.ParseDemand(cfg, d[0]+"-x.md", []byte("---\nid: "+d[0]+"\ntitle: "+d[1]+"\nstatus: new\nreceived: 2026-01-05\n---\n"))
		require.False(t, fs.HasErrors(), "%v", fs)
		ds = append(ds, dm)
	}
	snap := registry.NewSnapshot(cfg, ds)
	pairs := dups.Find(snap, cfg.Duplicates.Threshold)
	require.NotEmpty(t, pairs)
	for _, lang := range []string{"en", "zh-CN"} {
		files, err := Build(Input{Snapshot: snap, Ranking: rank.Rank(snap), Duplicates: pairs}, Options{Templates: templates.FS, Lang: lang})
		require.NoError(t, err)
		page := string(files["demands/D-0001.html"])
		label, sim := "Likely duplicates", "similarity "
		if lang == "zh-CN" {
			label, sim = "疑似重复", "相似度 "
		}
		assert.Contains(t, page, label)
		assert.Regexp(t, `<a href="D-0002.html">D-0002</a> 移动端支持离线查看库存数据 <span class="muted">`+sim+`0\.\d\d</span>`, page)
		assert.NotContains(t, string(files["demands/D-0004.html"]), label)
	}
	// Even handed pairs that name an internal demand, a public page leaves
	// it out.
	assert.Contains(t, fmtPairs(pairs), "D-0003")
	pub := publicInput(Input{Snapshot: snap, Ranking: rank.Rank(snap)})
	pub.Duplicates = pairs
	files, err := Build(pub, Options{Audience: Public, Templates: templates.FS})
	require.NoError(t, err)
	assert.Contains(t, string(files["demands/D-0001.html"]), "D-0002")
	assert.NotContains(t, string(files["demands/D-0001.html"]), "D-0003", "an internal demand is not named on a public page")
}

func fmtPairs(ps []dups.Pair) string {
	var s string
	for _, p := range ps {
		s += p.A + " " + p.B + "\n"
	}
	return s
}
