package dups

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/demand-registry/demand/registry"
)

// tokens lists the tokens of a text.
func tokens(s string) []string {
	var out []string
	new(tokenizer).run(s, func(t []byte) { out = append(out, string(t)) })
	return out
}

func TestTokens(t *testing.T) {
	cases := map[string][]string{
		"Exporting reports to Excel":  {"export", "report", "excel"},
		"导出报表":                        {"导出", "出报", "报表"},
		"支持导出 Excel 格式":               {"支持", "持导", "导出", "excel", "格式"},
		"The API, the docs and a fix": {"api", "docs", "fix"},
		"单":                           {"单"},
		"tests exported":              {"test", "export"},
	}
	for in, want := range cases {
		assert.Equal(t, want, tokens(in), in)
	}
}

func snap(t *testing.T, demands ...[3]string) *registry.Snapshot {
	cfg := registry.DefaultConfig()
	var ds []*registry.Demand
	for i, d := range demands {
		id := fmt.Sprintf("D-%04d", i+1)
		text := fmt.Sprintf("---\nid: %s\ntitle: %q\nstatus: new\nreceived: 2026-01-01\n%s---\n%s\n", id, d[0], d[2], d[1])
		dm, fs := registry.ParseDemand(cfg, id+"-x.md", []byte(text))
		require.False(t, fs.HasErrors(), "%v", fs)
		ds = append(ds, dm)
	}
	return registry.NewSnapshot(cfg, ds)
}

func TestFind(t *testing.T) {
	s := snap(t,
		[3]string{"Dark mode for the mobile app", "Users read reports at night in the warehouse.", ""},
		[3]string{"Dark theme for the mobile app", "Staff read reports at night; they want a dark mode.", ""},
		[3]string{"移动端离线查看库存", "仓库地下室没有网络信号，拣货员无法查看库存。", ""},
		[3]string{"移动端支持离线查看库存数据", "仓库地下室没有网络，拣货员无法查看库存数据。", ""},
		[3]string{"Invoice PDF shows the VAT number", "EU customers need it.", ""},
		[3]string{"Export invoices as PDF", "Finance wants PDF invoices.", "links: {related: [D-0007]}\n"},
		[3]string{"Export invoices as PDF files", "Finance wants PDF invoices.", ""},
	)
	pairs := Find(s, 0.5)
	var got []string
	for _, p := range pairs {
		got = append(got, p.A+" "+p.B)
	}
	assert.ElementsMatch(t, []string{"D-0001 D-0002", "D-0003 D-0004"}, got, "linked D-0006/D-0007 are left out")
	for _, p := range pairs {
		assert.GreaterOrEqual(t, p.Similarity, 0.5)
	}
	// Deterministic: the same input gives the same output.
	assert.Equal(t, pairs, Find(s, 0.5))
	fs := Findings(s, pairs)
	require.Len(t, fs, 2)
	assert.Equal(t, "near-duplicate", fs[0].Rule)
	assert.Equal(t, registry.Warning, fs[0].Severity)
}

func TestJaccard(t *testing.T) {
	a := hashSet("aa bb cc dd")
	b := hashSet("cc dd ee ff")
	assert.InDelta(t, 2.0/6, jaccard(a, b), 1e-9)
	assert.Equal(t, 1.0, jaccard(a, a))
	assert.Equal(t, 0.0, jaccard(nil, a))
}

// TestLSHRecall: pairs well above the threshold are found although only
// LSH candidates are compared.
func TestLSHRecall(t *testing.T) {
	var ds [][3]string
	words := []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango"}
	for i := 0; i < 50; i++ {
		body := ""
		for k := 0; k < 12; k++ {
			body += fmt.Sprintf("%s%d ", words[(i*7+k)%len(words)], i)
		}
		ds = append(ds, [3]string{fmt.Sprintf("Topic %d %s", i, words[i%20]), body, ""})
		ds = append(ds, [3]string{fmt.Sprintf("Topic %d %s", i, words[i%20]), body + "extra", ""})
	}
	pairs := Find(snap(t, ds...), 0.7)
	assert.Len(t, pairs, 50)
}
