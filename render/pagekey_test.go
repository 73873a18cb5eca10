package render

import (
	"hash/maphash"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

// A card's key stands for its fields in page keys: every field it shows
// changes it, a copy with another link gets its own key, and a page of
// cards changes with any of them.
func TestCardKey(t *testing.T) {
	b := &builder{opt: Options{Pages: NewPageCache()}, tmplKey: []byte("templates")}
	labels := &cardLabels{Score: "Score"}
	c := b.keyed(card{L: labels, ID: "D-1", Title: "T", URL: "demands/D-1.html", Tier: 1})
	require.NotZero(t, c.key)
	nested := c
	nested.URL = "../" + nested.URL
	nested = b.keyed(nested)
	assert.NotEqual(t, c.key, nested.key, "another link")
	retitled := c
	retitled.Title = "U"
	assert.NotEqual(t, c.key, b.keyed(retitled).key)
	relabeled := c
	relabeled.L = &cardLabels{Score: "分数"}
	assert.NotEqual(t, c.key, b.keyed(relabeled).key)
	other := &builder{opt: b.opt, tmplKey: []byte("other templates")}
	assert.NotEqual(t, c.key, other.keyed(c).key, "other templates")

	seed := b.opt.Pages.seed
	board := func(cs ...card) uint64 {
		k, ok := pageKey(seed, "", page{Tiers: []tierView{{Tier: 1, Cards: cs}}})
		require.True(t, ok)
		return k
	}
	assert.Equal(t, board(c), board(b.keyed(c)))
	assert.NotEqual(t, board(c), board(b.keyed(retitled)))
}
