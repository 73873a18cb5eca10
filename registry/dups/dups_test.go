package dups

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/demand-registry/demand/registry/config"

	"github.com/demand-registry/demand/registry/finding"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/demand-registry/demand/registry"
)

// tokens lists the tokens of a text.
func tokens(s string) []string {
	var out []string
	new(tokenizer).run(s, func(t []byte, _ int) { out = append(out, string(t)) })
	return out
}

func TestTokens(t *testing.T) {
	cases := map[string][]string{
		"Exporting reports to Excel": {"export", "report", "to", "excel"},
		"导出报表":                       {"导", "导出", "出", "出报", "报", "报表", "表"},
		"支持 Excel":                   {"支", "支持", "持", "excel"},
		"It doesn't work":            {"it", "doe", "not", "work"},
		"单":                          {"单"},
		"tests exported, 3 s":        {"test", "export", "3"},
		"如何导出吗":                      {"怎", "怎么", "么", "么导", "导", "导出", "出"},
	}
	for in, want := range cases {
		assert.Equal(t, want, tokens(in), in)
	}
}

func TestNegated(t *testing.T) {
	for s, want := range map[string]bool{
		"There is a rule": false, "There is no rule": true, "It doesn't work": true, "It does not work": true,
		"花呗不能用": true, "没有额度": true, "非常好用": false, "无论如何": false, "无法登录": true, "Nothing else": true, "Know the answer": false,
		"Non-Fungible Key Bound Token": true, "Nonce handling": false,
	} {
		assert.Equal(t, want, negated(s), s)
	}
}

func snap(t *testing.T, demands ...[3]string) *registry.Snapshot {
	cfg := config.Default()
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
	pairs := Find(s, 0.45)
	var got []string
	for _, p := range pairs {
		got = append(got, p.A+" "+p.B)
	}
	assert.ElementsMatch(t, []string{"D-0001 D-0002", "D-0003 D-0004"}, got, "linked D-0006/D-0007 are left out")
	for _, p := range pairs {
		assert.Greater(t, p.Similarity, 0.45)
	}
	// Deterministic: the same input gives the same output.
	assert.Equal(t, pairs, Find(s, 0.45))
	fs := Findings(s, pairs)
	require.Len(t, fs, 2)
	assert.Equal(t, "near-duplicate", fs[0].Rule)
	assert.Equal(t, finding.Warning, fs[0].Severity)
}

// TestSimilarity: weighting, negation and the title above the body.
func TestSimilarity(t *testing.T) {
	// One product name in most demands: pairs that differ around it still
	// score, and it counts for less than a rare word.
	var ds [][3]string
	for _, w := range []string{"额度", "冻结", "分期", "逾期", "开通", "关闭", "账单", "利息"} {
		ds = append(ds, [3]string{"花呗" + w, "", ""})
	}
	ds = append(ds,
		[3]string{"花呗 还款 提醒", "", ""},
		[3]string{"花呗 提醒 还款", "", ""},
		[3]string{"There is a rule", "", ""},
		[3]string{"There is no rule", "", ""},
		[3]string{"订单批量导出为 Excel 表格", "## 背景\n\n财务每月需要导出全部订单，核对发票号。\n\n## 验收标准\n\n- [ ] 导出包含发票号\n", ""},
		[3]string{"批量导出订单到Excel表格（含发票号）", "## 背景\n\n财务每月要导出全部订单核对发票号。\n\n## 验收标准\n\n- [ ] 导出包含发票号\n", ""},
	)
	ix, err := NewIndex(context.Background(), snap(t, ds...))
	require.NoError(t, err)
	assert.InDelta(t, 1.0, ix.Similarity("D-0009", "D-0010"), 1e-6, "same words in another order")
	assert.Less(t, ix.Similarity("D-0001", "D-0002"), 0.5, "sharing only the common product name")
	assert.Less(t, ix.Similarity("D-0011", "D-0012"), 0.65, "a rule and no rule")
	assert.Greater(t, ix.Similarity("D-0013", "D-0014"), 0.65, "the clear pair of the issue")
	assert.Equal(t, 0.0, ix.Similarity("D-0013", "D-9999"))
}

func TestExplain(t *testing.T) {
	s := snap(t,
		[3]string{"Export invoices as PDF", "", ""},
		[3]string{"Export the invoices to PDF", "", ""},
		[3]string{"Dark mode", "", ""},
	)
	ix, err := NewIndex(context.Background(), s)
	require.NoError(t, err)
	pairs, err := ix.Pairs(context.Background(), 0.5)
	require.NoError(t, err)
	require.Len(t, pairs, 1)
	ix.Explain(pairs, 2)
	require.Len(t, pairs[0].Terms, 2)
	var sum float64
	for _, tm := range pairs[0].Terms {
		sum += tm.Weight
		assert.Contains(t, []string{"export", "invoic", "pdf", "as", "the", "to"}, tm.Text)
	}
	assert.Greater(t, pairs[0].Terms[0].Weight, 0.0)
	assert.GreaterOrEqual(t, pairs[0].Terms[0].Weight, pairs[0].Terms[1].Weight)
	assert.LessOrEqual(t, sum, pairs[0].Similarity+0.01)
}

// TestThresholdStrict: a pair at exactly the threshold is not reported;
// threshold 0 reports every pair with anything in common.
func TestThresholdStrict(t *testing.T) {
	s := snap(t, [3]string{"Export invoices as PDF", "", ""}, [3]string{"Export invoices as PDF", "", ""}, [3]string{"Dark mode", "", ""})
	assert.Empty(t, Find(s, 1), "similarity 1 is not above 1")
	assert.Len(t, Find(s, 0.99), 1)
	assert.Len(t, Find(s, 0), 1, "Dark mode shares nothing")
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

// TestSample: on the sample sets in testdata, duplicates score above
// non-duplicates far more often than not, and at the default threshold
// most reported pairs are duplicates.
func TestSample(t *testing.T) {
	for _, name := range []string{"sample-en.tsv", "sample-zh.tsv"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		require.NoError(t, err)
		var ds [][3]string
		var dup []bool
		for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			c := strings.Split(l, "\t")
			require.Len(t, c, 3, l)
			ds = append(ds, [3]string{c[1], "", ""}, [3]string{c[2], "", ""})
			dup = append(dup, c[0] == "1")
		}
		s := snap(t, ds...)
		ix, err := NewIndex(context.Background(), s)
		require.NoError(t, err)
		sims := make([]float64, len(dup))
		for i := range dup {
			sims[i] = ix.Similarity(s.Demands[2*i].ID, s.Demands[2*i+1].ID)
		}
		won, all := 0.0, 0
		tp, fp := 0, 0
		for i := range dup {
			if sims[i] > s.Config.Duplicates.Threshold {
				if dup[i] {
					tp++
				} else {
					fp++
				}
			}
			for j := range dup {
				if dup[i] && !dup[j] {
					all++
					switch {
					case sims[i] > sims[j]:
						won++
					case sims[i] == sims[j]:
						won += 0.5
					}
				}
			}
		}
		assert.Greater(t, won/float64(all), 0.7, "%s: ROC AUC", name)
		assert.Greater(t, tp, fp, "%s: reported pairs", name)
	}
}
