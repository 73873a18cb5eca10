package customer

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCustomerKey(t *testing.T) {
	for _, name := range []string{"Acme", " acme ", "Ac\u200bme", "\u202eAcme\u202c", "\u2066Acme\u2069", "Ａｃｍｅ", "Acme\ufe0f", "A\u00adcme", "\ufeffACME"} {
		assert.Equal(t, "acme", Key(name), "%q", name)
		assert.Equal(t, Key(name), Key(Key(name)), "idempotent: %q", name)
	}
	assert.Equal(t, "acme inc", Key("Acme\u00a0 Inc"))
	assert.Equal(t, "华为", Key("华为"))
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"Acme", "\u0410cme", true},           // Cyrillic А among Latin letters
		{"Acme", "Acm\u0435", true},           // Cyrillic е
		{"ABC", "\u0391\u0392C", true},        // Greek Α, Β
		{"Paypal", "\u0440aypal", true},       // Cyrillic р
		{"Acme", "\u0410\u0441\u0435", false}, // "Асе": wholly Cyrillic, another name
		{"Acme", "Acne", false},
		{"Москва", "Москва", true},
	} {
		assert.Equal(t, tc.same, Same(tc.a, tc.b), "%q %q", tc.a, tc.b)
	}
}

// FuzzCustomerKey: a key is its own key, and a name is the same customer
// as itself and as its key.
func FuzzCustomerKey(f *testing.F) {
	for _, s := range []string{"Acme", "Ac\u200bme", "\u0410cme", "Ａｃｍｅ", "华为", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		k := Key(name)
		if Key(k) != k {
			t.Fatalf("%q: key %q is not its own key %q", name, k, Key(k))
		}
		if !Same(name, name) || !Same(name, k) {
			t.Fatalf("%q is not the same customer as itself or its key", name)
		}
	})
}
