package safeyaml

import (
	"reflect"
	"testing"

	"github.com/demand-registry/demand/registry/finding"

	"gopkg.in/yaml.v3"
)

// FuzzUnmarshalPath holds the fast path (unmarshalOne) to the Decoder's
// wherever it answers: the same tree and the same finding.
func FuzzUnmarshalPath(f *testing.F) {
	for _, s := range []string{
		"id: D-0001\ntitle: x\n", "", "# only a comment\n", "a: [1, 2\n", "a: 1\na: 2\n",
		"a:\n  - b: 1\n    c: 'x'\n", "a: |\n  text\n  ...\n", "a: \"\n---\"\n", "\ta: 1\n", "a: b: c\n",
		"k: {x: 1, y: [a, b]}\nz: 2026-01-02\n", "%YAML 1.2\n---\na: 1\n", "a: 1\r...\rb: 2\r",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		data := []byte(s)
		var fast, slow yaml.Node
		var fastFs, slowFs finding.Findings
		ok := true
		fastPanic := panics(func() { fastFs, ok = unmarshalOne("f.md", data, 0, &fast) })
		if !ok {
			return
		}
		slowPanic := panics(func() { slowFs = decodeOne("f.md", data, 0, &slow) })
		if fastPanic || slowPanic {
			if fastPanic != slowPanic {
				t.Fatalf("%q: only one path panics", s)
			}
			return
		}
		if !reflect.DeepEqual(fastFs, slowFs) {
			t.Fatalf("%q: Unmarshal gives %v, the Decoder %v", s, fastFs, slowFs)
		}
		if fastFs == nil && !reflect.DeepEqual(fast, slow) {
			t.Fatalf("%q: the trees differ", s)
		}
	})
}

func panics(f func()) (p bool) {
	defer func() { p = recover() != nil }()
	f()
	return false
}
