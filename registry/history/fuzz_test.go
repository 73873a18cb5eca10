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
