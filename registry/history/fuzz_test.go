package history

import (
	"io"
	"testing"
)

// FuzzNextEntry feeds arbitrary bytes to the raw tree parser: it must
// never panic, and always make progress or stop.
func FuzzNextEntry(f *testing.F) {
	f.Add([]byte("100644 a.md\x00aaaaaaaaaaaaaaaaaaaa40000 dir\x00bbbbbbbbbbbbbbbbbbbb"))
	f.Add([]byte("160000 sub\x00cccccccccccccccccccc"))
	f.Add([]byte("100644 broken"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for i := 0; i <= len(data); i++ {
			_, rest, err := nextEntry(data)
			if err == io.EOF || err != nil {
				return
			}
			if len(rest) >= len(data) {
				t.Fatal("no progress")
			}
			data = rest
		}
	})
}

// FuzzPRNumber: a subject gives a PR number in 1..maxPR, or none.
func FuzzPRNumber(f *testing.F) {
	for _, s := range []string{"Merge pull request #42 from a/b", "Add (#7)", "Merge pull request #9999999999999999999 from x", "(#0)", "(#-1)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, subject string) {
		if n := PRNumber(subject); n < 0 || n > maxPR {
			t.Fatalf("%q: PR %d", subject, n)
		}
	})
}
