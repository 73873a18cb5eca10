package render

import (
	"hash/maphash"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

type keyData struct {
	S      string
	N      int
	F      float64
	B      bool
	L      []string
	M      map[string]int
	P      *keyData
	T      time.Time
	hidden string // templates cannot show it: not part of the key
}

func keyOf(seed maphash.Seed, v any) uint64 {
	k, ok := pageKey(seed, "page.html\x00index.html", v)
	if !ok {
		return 0
	}
	return k
}

// Every change a template could show changes a page's key; what it could
// not show, or the order a map is walked in, does not.
func TestPageKey(t *testing.T) {
	seed := maphash.MakeSeed()
	base := func() keyData {
		return keyData{S: "a", N: 1, F: 1.5, B: true, L: []string{"x", "y"}, M: map[string]int{"k": 1, "l": 2},
			P: &keyData{S: "inner"}, T: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)}
	}
	want := keyOf(seed, base())
	for name, change := range map[string]func(*keyData){
		"string":         func(d *keyData) { d.S = "b" },
		"int":            func(d *keyData) { d.N = 2 },
		"float":          func(d *keyData) { d.F = 2.5 },
		"bool":           func(d *keyData) { d.B = false },
		"list item":      func(d *keyData) { d.L[1] = "z" },
		"list split":     func(d *keyData) { d.L = []string{"xy"} },
		"strings joined": func(d *keyData) { d.S, d.L[0] = "ax", "" },
		"map value":      func(d *keyData) { d.M["k"] = 3 },
		"map key":        func(d *keyData) { delete(d.M, "l"); d.M["m"] = 2 },
		"pointer target": func(d *keyData) { d.P.S = "other" },
		"nil pointer":    func(d *keyData) { d.P = nil },
		"time":           func(d *keyData) { d.T = d.T.Add(time.Second) },
	} {
		d := base()
		change(&d)
		assert.NotEqual(t, want, keyOf(seed, d), name)
	}
	same := base()
	same.hidden = "not shown"
	same.M = map[string]int{"l": 2, "k": 1}
	assert.Equal(t, want, keyOf(seed, same))
	// What cannot be hashed is not cached.
	assert.Zero(t, keyOf(seed, struct{ F func() }{func() {}}))
	assert.Zero(t, keyOf(seed, struct{ C chan int }{make(chan int)}))
	assert.Zero(t, keyOf(seed, map[any]int{1.5: 1}))
}
