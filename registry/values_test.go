package registry

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/demand-registry/demand/registry/config"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Values are written to JSON as encoding/json writes the map they hold,
// with the caller's encoder settings (indentation, HTML escaping).
func TestValuesJSONAsMap(t *testing.T) {
	maps := []map[string]any{
		nil,
		{},
		{"title": "a <b> & c", "n": int64(3), "f": 0.5, "ok": true, "d": config.Date("2026-01-02")},
		{"z": []any{"x", int64(1), map[string]any{"k": "v\u2028"}}, "a": map[string]any{"b": nil}, "é": "\"q\"", "A": "x"},
	}
	for _, m := range maps {
		v := ValuesOf(m)
		if m == nil {
			m = map[string]any{} // an empty Values is an empty object
		}
		want, err := json.Marshal(m)
		require.NoError(t, err)
		got, err := json.Marshal(v)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got))
		wantIndent, _ := json.MarshalIndent(struct{ F any }{m}, "", "  ")
		gotIndent, _ := json.MarshalIndent(struct{ F Values }{v}, "", "  ")
		assert.Equal(t, string(wantIndent), string(gotIndent))
		var wb, gb bytes.Buffer
		for _, x := range []struct {
			b *bytes.Buffer
			v any
		}{{&wb, m}, {&gb, v}} {
			enc := json.NewEncoder(x.b)
			enc.SetEscapeHTML(false)
			require.NoError(t, enc.Encode(x.v))
		}
		assert.Equal(t, wb.String(), gb.String())
	}
}

func TestValues(t *testing.T) {
	v := valuesOfList([]fieldValue{{"b", 1}, {"a", 2}, {"b", 3}, {"c", nil}})
	assert.Equal(t, 3, v.Len())
	assert.Equal(t, 3, v.Get("b"), "the last of a name given twice counts")
	x, ok := v.Lookup("c")
	assert.True(t, ok)
	assert.Nil(t, x)
	_, ok = v.Lookup("d")
	assert.False(t, ok)
	w := v.With("d", 4).With("a", 5)
	assert.Equal(t, map[string]any{"a": 5, "b": 3, "c": nil, "d": 4}, w.Map())
	assert.Equal(t, map[string]any{"a": 2, "b": 3, "c": nil}, v.Map(), "With leaves v as it was")
	assert.Equal(t, map[string]any{"a": 2, "c": nil}, v.Without("b").Map())
	assert.Equal(t, 3, v.Without("x").Len())
	var names []string
	for k := range w.All() {
		names = append(names, k)
	}
	assert.Equal(t, []string{"a", "b", "c", "d"}, names)
	assert.Nil(t, Values{}.Get("a"))
}
