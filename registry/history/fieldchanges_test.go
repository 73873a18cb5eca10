package history

import (
	"math/rand/v2"
	"strings"
	"testing"

	gitdiff "github.com/go-git/go-git/v5/utils/diff"
	"github.com/sergi/go-diff/diffmatchpatch"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bodyChange is the body's change fieldChanges reports.
func bodyChange(t *testing.T, a, b string) Change {
	t.Helper()
	cs := fieldChanges(&parsed{Body: a}, &parsed{Body: b})
	require.Len(t, cs, 1)
	return cs[0]
}

// Leaving out the lines both bodies begin and end with changes no count:
// the counts equal those of the line diff of the whole bodies.
func TestSharedLinesKeepCounts(t *testing.T) {
	whole := func(a, b string) (added, removed int) {
		for _, d := range gitdiff.Do(a, b) {
			n := strings.Count(d.Text, "\n")
			if !strings.HasSuffix(d.Text, "\n") {
				n++
			}
			switch d.Type {
			case diffmatchpatch.DiffInsert:
				added += n
			case diffmatchpatch.DiffDelete:
				removed += n
			}
		}
		return
	}
	r := rand.New(rand.NewPCG(1, 2))
	body := func() string {
		var sb strings.Builder
		for range r.IntN(12) {
			sb.WriteString([]string{"a", "b", "c", "ab", "", "a b"}[r.IntN(6)])
			sb.WriteByte('\n')
		}
		if r.IntN(3) == 0 {
			sb.WriteString([]string{"a", "b", "tail"}[r.IntN(3)]) // a last line without a newline
		}
		return sb.String()
	}
	cases := [][2]string{
		{"x", "xy\n"}, {"x\n", "x\ny"}, {"q\n", "r\nq\n"}, {"p\nq\n", "r\nq\n"}, {"foo\n", "xoo\n"},
		{"a\nb\nc\n", "a\nc\n"}, {"a\nb", "a\nb\n"}, {"", "a\n"}, {"a\n", ""},
	}
	for range 3000 {
		cases = append(cases, [2]string{body(), body()})
	}
	for _, c := range cases {
		if c[0] == c[1] {
			continue
		}
		got := bodyChange(t, c[0], c[1])
		added, removed := whole(c[0], c[1])
		assert.Equal(t, [2]int{added, removed}, [2]int{got.Added, got.Removed}, "%q → %q", c[0], c[1])
	}
}

// commonPrefix agrees with a byte-at-a-time count wherever the first
// difference falls: in the first byte, inside or at the edge of a
// 256-byte or 8-byte step, or nowhere.
func TestCommonPrefix(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		n := rng.IntN(1200)
		a := make([]byte, n)
		for i := range a {
			a[i] = byte(rng.IntN(3))
		}
		b := append([]byte(nil), a...)
		if n > 0 && rng.IntN(4) > 0 {
			b[rng.IntN(n)] ^= 1
		}
		b = b[:max(0, len(b)-rng.IntN(3))]
		want := 0
		for want < len(a) && want < len(b) && a[want] == b[want] {
			want++
		}
		if got := commonPrefix(a, b); got != want {
			t.Fatalf("commonPrefix of %d and %d bytes = %d, want %d", len(a), len(b), got, want)
		}
	}
}
