// Package synth generates realistic synthetic demand files for benchmarks
// and scale tests. The output depends only on the seed.
package synth

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
)

var (
	statuses   = []string{"new", "triaged", "accepted", "planned", "in-progress", "delivered", "closed", "on-hold", "rejected", "withdrawn"}
	types      = []string{"product", "service", "technical"}
	urgencies  = []string{"urgent", "routine", "long-term"}
	importance = []string{"critical", "secondary", "general"}
	levels     = []string{"high", "medium", "low"}
	segments   = []string{"vip", "regular", "potential"}
	channels   = []string{"interview", "survey", "support", "sales", "market-research", "social", "feedback-form", "internal"}
	kanos      = []string{"must-be", "performance", "attractive", "indifferent", "reverse"}
	fib        = []int{1, 2, 3, 5, 8, 13, 20}
	riceImpact = []string{"0.25", "0.5", "1", "2", "3"}
	baseWords  = strings.Fields("export import report dashboard invoice ticket search filter mobile portal api webhook permission role audit login password sso billing payment refund inventory warehouse order shipment customer contact schedule reminder notification email sms chart excel pdf upload attachment preview offline sync backup restore latency performance security compliance")
	baseZh     = []string{"导出", "报表", "工单", "库存", "订单", "发票", "权限", "审计", "登录", "单点登录", "支付", "退款", "仓库", "物流", "客户", "联系人", "提醒", "通知", "短信", "邮件", "图表", "附件", "预览", "离线", "同步", "备份", "性能", "安全", "合规", "看板", "移动端", "小程序", "电子签章", "满意度", "回访"}
	enWords    = vocabulary()
	zhWords    = hanVocabulary()
	customers  = []string{"Northwind Bank", "Contoso Retail", "Fabrikam Foods", "Woodgrove Software", "Tailspin Toys", "上海华信物流", "北京远航制造", "深圳前海电商", "杭州云栖科技", "成都蜀道仓储"}
)

// vocabulary is the base words plus 3,000 pronounceable made-up words, so
// that texts are as varied as a real registry's.
func vocabulary() []string {
	r := rand.New(rand.NewPCG(3, 3))
	cons := strings.Split("b c d f g h k l m n p r s t v w z br ch cl dr fl gr pl pr sh st tr", " ")
	vows := strings.Split("a e i o u ai ea io ou", " ")
	out := append([]string(nil), baseWords...)
	seen := map[string]bool{}
	for len(out) < 3000+len(baseWords) {
		var b strings.Builder
		for k := 0; k < 2+r.IntN(2); k++ {
			b.WriteString(cons[r.IntN(len(cons))])
			b.WriteString(vows[r.IntN(len(vows))])
		}
		if w := b.String(); !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// hanVocabulary is the base words plus 2,000 two-character words made of
// common Han characters.
func hanVocabulary() []string {
	r := rand.New(rand.NewPCG(5, 5))
	chars := []rune("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研质")
	out := append([]string(nil), baseZh...)
	seen := map[string]bool{}
	for len(out) < 2000+len(baseZh) {
		w := string([]rune{chars[r.IntN(len(chars))], chars[r.IntN(len(chars))]})
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// Demand returns the file name and content of synthetic demand number i
// (1-based) in a registry of n demands.
func Demand(r *rand.Rand, i, n int) (name, content string) {
	id := fmt.Sprintf("D-%05d", i)
	pick := func(l []string) string { return l[r.IntN(len(l))] }
	var title string
	if r.IntN(3) == 0 {
		title = pick(zhWords) + pick(zhWords) + "支持" + pick(zhWords) + pick(zhWords)
	} else {
		w := pick(enWords)
		title = strings.ToUpper(w[:1]) + w[1:] + " " + pick(enWords) + " " + pick(enWords) + " for " + pick(enWords)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "---\nid: %s\ntitle: %q\nstatus: %s\nreceived: 2026-%02d-%02d\n", id, title, pick(statuses), 1+r.IntN(11), 1+r.IntN(28))
	fmt.Fprintf(&b, "type: %s\nurgency: %s\nimportance: %s\nvalue: %s\nimpact: %s\ndifficulty: %s\n",
		pick(types), pick(urgencies), pick(importance), pick(levels), pick(levels), pick(levels))
	fmt.Fprintf(&b, "customer: {name: %s, segment: %s}\nchannel: %s\nowner: owner%d\ndue: 2027-%02d-%02d\n",
		pick(customers), pick(segments), pick(channels), r.IntN(20), 1+r.IntN(12), 1+r.IntN(28))
	if r.IntN(3) == 0 {
		b.WriteString("requesters:\n")
		for k := 0; k < 1+r.IntN(3); k++ {
			fmt.Fprintf(&b, "  - {name: %s, segment: %s, channel: %s}\n", pick(customers), pick(segments), pick(channels))
		}
	}
	fmt.Fprintf(&b, "tags: [%s, %s]\n", pick(enWords), pick(enWords))
	if i > 10 && r.IntN(4) == 0 {
		fmt.Fprintf(&b, "links: {depends_on: [D-%05d], related: [D-%05d]}\n", 1+r.IntN(i-1), 1+r.IntN(n))
	}
	if r.IntN(2) == 0 {
		fmt.Fprintf(&b, "rice: {reach: %d, impact: %s, confidence: 0.%d, effort: %d}\n", r.IntN(5000), pick(riceImpact), 1+r.IntN(9), 1+r.IntN(12))
	}
	if r.IntN(2) == 0 {
		fmt.Fprintf(&b, "wsjf: {value: %d, time_criticality: %d, risk_reduction: %d, job_size: %d}\n", fib[r.IntN(7)], fib[r.IntN(7)], fib[r.IntN(7)], fib[r.IntN(7)])
	}
	fmt.Fprintf(&b, "kano: %s\n---\n\n## Background\n\n", pick(kanos))
	for k := 0; k < 3+r.IntN(5); k++ {
		if r.IntN(3) == 0 {
			b.WriteString(pick(zhWords) + pick(zhWords) + "需要" + pick(zhWords) + "，" + pick(zhWords) + "。")
		} else {
			fmt.Fprintf(&b, "The %s %s should %s the %s. ", pick(enWords), pick(enWords), pick(enWords), pick(enWords))
		}
	}
	b.WriteString("\n\n## Acceptance criteria\n\n- [ ] " + pick(enWords) + " works\n- [ ] " + pick(zhWords) + "可用\n")
	return id + "-demand.md", b.String()
}

// Registry returns n demand files by name (see Stream).
func Registry(seed uint64, n int) map[string]string {
	out := make(map[string]string, n)
	Stream(seed, n, func(name, content string) { out[name] = content })
	return out
}

// Stream calls fn with n demand files in ID order, without holding them
// all. One demand in fifty is a reworded copy of one of the 1,000 before it
// (same body, one title word changed): the near-duplicates a real registry
// collects.
func Stream(seed uint64, n int, fn func(name, content string)) {
	r := rand.New(rand.NewPCG(seed, 42))
	const window = 1000
	recent := make([]string, 0, window)
	for i := 1; i <= n; i++ {
		name, content := Demand(r, i, n)
		if i > 10 && r.IntN(50) == 0 {
			name, content = NearCopy(r, recent[r.IntN(len(recent))], i)
		}
		fn(name, content)
		if len(recent) < window {
			recent = append(recent, content)
		} else {
			recent[r.IntN(window)] = content
		}
	}
}

// NearCopy rewrites a demand file as demand number i: a new ID, one word
// of the title replaced, the body kept.
func NearCopy(r *rand.Rand, orig string, i int) (name, content string) {
	id := fmt.Sprintf("D-%05d", i)
	lines := strings.Split(orig, "\n")
	for k, l := range lines {
		switch {
		case strings.HasPrefix(l, "id: "):
			lines[k] = "id: " + id
		case strings.HasPrefix(l, "title: "):
			lines[k] = strings.TrimSuffix(l, "\"") + " " + enWords[r.IntN(len(enWords))] + "\""
		case strings.HasPrefix(l, "links: "):
			lines[k] = ""
		}
	}
	return id + "-demand.md", strings.Join(lines, "\n")
}

// FastImport makes a git repository at out and starts `git fast-import`
// in it: the caller writes the stream to w, then calls finish, which ends
// the import and checks out main.
func FastImport(out string) (w *bufio.Writer, finish func() error, err error) {
	if err := exec.Command("git", "init", "--quiet", "--initial-branch=main", out).Run(); err != nil {
		return nil, nil, fmt.Errorf("git init: %w", err)
	}
	cmd := exec.Command("git", "fast-import", "--quiet")
	cmd.Dir = out
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, err
	}
	w = bufio.NewWriterSize(in, 1<<20)
	finish = func() error {
		if err := w.Flush(); err != nil {
			return err
		}
		in.Close()
		if err := cmd.Wait(); err != nil {
			return fmt.Errorf("git fast-import: %w", err)
		}
		if err := exec.Command("git", "-C", out, "checkout", "--quiet", "main").Run(); err != nil {
			return fmt.Errorf("git checkout: %w", err)
		}
		return nil
	}
	return w, finish, nil
}
