package registry

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/demand-registry/demand/registry/config"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBoundedFindings: lists, tags and bodies beyond their limits are
// reported once each, at their place, and lists are cut to the limit.
func TestBoundedFindings(t *testing.T) {
	var tags, related []string
	for i := range 100000 {
		tags = append(tags, fmt.Sprintf("t%d", i))
	}
	for i := range 110000 {
		related = append(related, fmt.Sprintf("D-%04d", i%9000+2))
	}
	cases := []struct {
		name, extra, body string
		want              []string
	}{
		{"tags", "tags: [" + strings.Join(tags, ", ") + "]\n", "", []string{"D-0001-a.md:6:98 error list-length"}},
		{"related", "links:\n  related: [" + strings.Join(related, ", ") + "]\n", "", []string{"D-0001-a.md:7:813 error list-length"}},
		{"wide table", "", "|" + strings.Repeat(" a |", 1000) + "\n|" + strings.Repeat("-|", 1000) + "\n", []string{"D-0001-a.md:9:1 error body-table"}},
		{"many cells", "", "| a | b |\n|-|-|\n" + strings.Repeat("|\n", 20000), []string{"D-0001-a.md:10008:1 error body-table"}},
		{"nested brackets", "", "Text\n" + strings.Repeat("[", 100000), []string{"D-0001-a.md:9:33 error body-nesting"}},
		{"nested quotes", "", strings.Repeat("> ", 40) + "x\n", []string{"D-0001-a.md:8:1 error body-nesting"}},
		{"long reference", "", "[r]: https://example.com/" + strings.Repeat("a", 5000) + "\n", []string{"D-0001-a.md:8:1 error body-link"}},
		{"footnotes", "", strings.Repeat("[^1]", 1001) + "\n\n[^1]: x\n", []string{"D-0001-a.md:8:4001 error body-link"}},
		{"code is not looked into", "", "```\n" + strings.Repeat("[", 100) + "\n```\n", []string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			file := strings.Replace(demandFile("D-0001", tc.extra), "Body.\n", "Intro.\n"+tc.body, 1)
			d, fs := ParseDemand(mustDefaults(t), "D-0001-a.md", []byte(file))
			require.NotNil(t, d)
			var got []string
			for _, f := range fs {
				if f.Rule != "unknown-link" {
					got = append(got, fmt.Sprintf("%s:%d:%d %s %s", f.Path, f.Line, f.Col, f.Severity, f.Rule))
				}
			}
			if got == nil {
				got = []string{}
			}
			assert.Equal(t, tc.want, got)
			assert.LessOrEqual(t, len(d.Tags), 20)
			assert.LessOrEqual(t, len(d.Links.Related), 100)
		})
	}
}

func mustDefaults(t *testing.T) *config.Config {
	t.Helper()
	snap, _, err := Load(mapSource{})
	require.NoError(t, err)
	return snap.Config
}

// TestStringsOfLinear: de-duplicating 16 times the links grows about like
// filling a map with them, not with the square (it was quadratic: 256×).
// The bound leaves room for a loaded machine and cache effects, which
// move a linear ratio between 16× and 40×, and still fails the square.
func TestStringsOfLinear(t *testing.T) {
	list := func(n int) []any {
		l := make([]any, n)
		for i := range l {
			l[i] = fmt.Sprintf("D-%06d", i)
		}
		return l
	}
	small, large := list(5000), list(80000)
	ratio := growth(func() { stringsOf(small) }, func() { stringsOf(large) }, 100)
	assert.Less(t, ratio, 100.0, "16× the items: %.1f× the time (quadratic would be 256×)", ratio)
	assert.Len(t, stringsOf(append(large, large...)), 80000)
}

// growth is how many times longer large takes than small, each the best
// of five runs. Other tests share the machine: the measure is taken up
// to five times until it is under bound, so only a function that grows
// faster fails every attempt.
func growth(small, large func(), bound float64) float64 {
	best := func(f func()) time.Duration {
		b := time.Duration(1 << 62)
		for range 5 {
			st := time.Now()
			f()
			b = min(b, time.Since(st))
		}
		return b
	}
	var ratio float64
	for range 5 {
		if ratio = float64(best(large)) / float64(best(small)); ratio < bound {
			break
		}
	}
	return ratio
}
