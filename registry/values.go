package registry

import (
	"bytes"
	"encoding/json"
	"iter"
	"maps"
	"slices"
	"strings"
)

// Values is a demand's top-level front-matter values by field name,
// sorted by name. A sorted slice, not a map: it takes less than half a
// map's memory, and registries of 100,000 demands are held in memory at
// once. The zero value is empty.
type Values struct {
	list []fieldValue
}

// fieldValue is one field's value.
type fieldValue struct {
	Name  string
	Value any
}

// ValuesOf makes Values of a map (for importers and tests).
func ValuesOf(m map[string]any) Values {
	if len(m) == 0 {
		return Values{}
	}
	list := make([]fieldValue, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		list = append(list, fieldValue{k, m[k]})
	}
	return Values{list}
}

// valuesOfList makes Values of fields in any order; of a name given twice
// the last value counts, as in a map.
func valuesOfList(list []fieldValue) Values {
	if len(list) == 0 {
		return Values{}
	}
	slices.SortStableFunc(list, func(a, b fieldValue) int { return strings.Compare(a.Name, b.Name) })
	out := list[:0]
	for _, f := range list {
		if n := len(out); n > 0 && out[n-1].Name == f.Name {
			out[n-1] = f
			continue
		}
		out = append(out, f)
	}
	return Values{slices.Clip(out)}
}

func (v Values) find(name string) (int, bool) {
	return slices.BinarySearchFunc(v.list, name, func(f fieldValue, name string) int { return strings.Compare(f.Name, name) })
}

// Get returns a field's value, nil when it is not set.
func (v Values) Get(name string) any {
	x, _ := v.Lookup(name)
	return x
}

// Lookup returns a field's value and whether it is set.
func (v Values) Lookup(name string) (any, bool) {
	if i, ok := v.find(name); ok {
		return v.list[i].Value, true
	}
	return nil, false
}

// Len is the number of fields set.
func (v Values) Len() int { return len(v.list) }

// All yields each field and its value in name order.
func (v Values) All() iter.Seq2[string, any] {
	return func(yield func(string, any) bool) {
		for _, f := range v.list {
			if !yield(f.Name, f.Value) {
				return
			}
		}
	}
}

// Map returns the values as a new map.
func (v Values) Map() map[string]any {
	m := make(map[string]any, len(v.list))
	for _, f := range v.list {
		m[f.Name] = f.Value
	}
	return m
}

// With returns the values with name set to x; v is not changed (demands
// are shared between snapshots and never modified after parsing).
func (v Values) With(name string, x any) Values {
	i, ok := v.find(name)
	list := slices.Clone(v.list)
	if ok {
		list[i].Value = x
	} else {
		list = slices.Insert(list, i, fieldValue{name, x})
	}
	return Values{list}
}

// Without returns the values without name; v is not changed.
func (v Values) Without(name string) Values {
	i, ok := v.find(name)
	if !ok {
		return v
	}
	return Values{slices.Delete(slices.Clone(v.list), i, i+1)}
}

// MarshalJSON writes the values as a JSON object, byte for byte as
// encoding/json writes the map: keys in order, HTML characters escaped
// where the caller's encoder escapes them (it applies its own setting to
// what this returns).
func (v Values) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	b.WriteByte('{')
	for i, f := range v.list {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := enc.Encode(f.Name); err != nil {
			return nil, err
		}
		b.Truncate(b.Len() - 1) // Encode's newline
		b.WriteByte(':')
		if err := enc.Encode(f.Value); err != nil {
			return nil, err
		}
		b.Truncate(b.Len() - 1)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
