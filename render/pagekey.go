package render

import (
	"cmp"
	"encoding/binary"
	"hash/maphash"
	"math"
	"reflect"
	"slices"
	"sync"
	"time"
)

var (
	timeType = reflect.TypeFor[time.Time]()
	cardType = reflect.TypeFor[card]()
)

// exported holds the indexes of each struct type's exported fields.
var exported sync.Map // reflect.Type → []int

func exportedFields(t reflect.Type) []int {
	if f, ok := exported.Load(t); ok {
		return f.([]int)
	}
	var f []int
	for i := 0; i < t.NumField(); i++ {
		if t.Field(i).IsExported() {
			f = append(f, i)
		}
	}
	exported.Store(t, f)
	return f
}

// pageKey hashes what a page is made from, for the page cache: its
// template's and path's prefix and what of its data a template can show
// (see hashValue). It reports false for data it cannot hash, which is then
// not cached.
func pageKey(seed maphash.Seed, prefix string, data any) (uint64, bool) {
	var h maphash.Hash
	h.SetSeed(seed)
	h.WriteString(prefix)
	h.WriteByte(0)
	if !hashValue(&h, reflect.ValueOf(data)) {
		return 0, false
	}
	return h.Sum64(), true
}

// hashValue writes everything of a page's data that a template can show
// into h, for the page cache's key: strings with their lengths, numbers,
// booleans, slices with their lengths, the exported fields of structs in
// order (templates see no others), the entries of maps in key order, and
// what pointers point to. demand serve hashes the data of every page of
// the site on every rebuild, so it writes values straight into the hash:
// encoding the data as JSON first, or gohugoio/hashstructure (which hashes
// every field name and every string on its own), made rebuilds measurably
// slower (see the README's performance section). It reports false for data it cannot hash
// (functions, channels, keys of other kinds), which is then not cached.
func hashValue(h *maphash.Hash, v reflect.Value) bool {
	var b [8]byte
	num := func(x uint64) {
		binary.LittleEndian.PutUint64(b[:], x)
		h.Write(b[:])
	}
	switch v.Kind() {
	case reflect.String:
		num(uint64(v.Len()))
		h.WriteString(v.String())
	case reflect.Bool:
		if v.Bool() {
			h.WriteByte(1)
		} else {
			h.WriteByte(0)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		num(uint64(v.Int()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		num(v.Uint())
	case reflect.Float32, reflect.Float64:
		num(math.Float64bits(v.Float()))
	case reflect.Slice, reflect.Array:
		num(uint64(v.Len()))
		for i := 0; i < v.Len(); i++ {
			if !hashValue(h, v.Index(i)) {
				return false
			}
		}
	case reflect.Struct:
		if v.Type() == cardType {
			if c := v.Interface().(card); c.key != 0 {
				num(c.key) // the card's fields, hashed once per build
				return true
			}
		}
		if v.Type() == timeType {
			t := v.Interface().(time.Time)
			num(uint64(t.UnixNano()))
			h.WriteString(t.Location().String())
			return true
		}
		for _, i := range exportedFields(v.Type()) {
			if !hashValue(h, v.Field(i)) {
				return false
			}
		}
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			h.WriteByte(0)
			return true
		}
		h.WriteByte(1)
		return hashValue(h, v.Elem())
	case reflect.Map:
		keys := v.MapKeys()
		for _, k := range keys {
			if !orderedKey(k.Kind()) {
				return false
			}
		}
		slices.SortFunc(keys, compareKeys)
		num(uint64(len(keys)))
		for _, k := range keys {
			if !hashValue(h, k) || !hashValue(h, v.MapIndex(k)) {
				return false
			}
		}
	default:
		return false
	}
	return true
}

func orderedKey(k reflect.Kind) bool {
	switch k {
	case reflect.String, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return false
}

// compareKeys orders map keys of the kinds orderedKey accepts.
func compareKeys(a, b reflect.Value) int {
	switch a.Kind() {
	case reflect.String:
		return cmp.Compare(a.String(), b.String())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return cmp.Compare(a.Int(), b.Int())
	}
	return cmp.Compare(a.Uint(), b.Uint())
}
