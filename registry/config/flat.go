package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Columns lists the flat columns that carry every field of the schema in
// a table (the CSV export), in the order files are written: a scalar or a
// list of scalars is one column named after its field; a map is one
// column per sub-field, named with dots (rice.reach); a list of maps is
// one column of JSON (requesters, timeline), and so is a map of any
// keys.
func (c *Config) Columns() []string {
	var out []string
	var walk func(prefix string, f *Field)
	walk = func(prefix string, f *Field) {
		if f.Type == TMap && !f.Free() {
			for _, k := range f.SubFields() {
				walk(prefix+"."+k, f.Fields[k])
			}
			return
		}
		out = append(out, prefix)
	}
	for _, name := range fileOrder(c) {
		walk(name, c.Fields[name])
	}
	return out
}

// Cells gives each column of Columns its text for a demand's fields:
// values as they would be written, list items joined with ";" (or a JSON
// list when an item holds ";" or "," or starts with "["), lists of maps
// as JSON. An absent value is "".
func (c *Config) Cells(fields map[string]any) map[string]string {
	out := map[string]string{}
	var walk func(prefix string, f *Field, v any)
	walk = func(prefix string, f *Field, v any) {
		if v == nil {
			return
		}
		if f.Type == TMap && !f.Free() {
			m, _ := v.(map[string]any)
			for _, k := range f.SubFields() {
				walk(prefix+"."+k, f.Fields[k], m[k])
			}
			return
		}
		out[prefix] = CellText(f, v)
	}
	for _, name := range fileOrder(c) {
		walk(name, c.Fields[name], fields[name])
	}
	return out
}

// CellText is a value's text in one cell (see Cells).
func CellText(f *Field, v any) string {
	switch x := v.(type) {
	case []any:
		if f.Items != nil && f.Items.Type != TMap && f.Items.Type != TList {
			parts := make([]string, len(x))
			plain := true
			for i, it := range x {
				parts[i] = CellText(f.Items, it)
				plain = plain && !strings.ContainsAny(parts[i], ";,") && !strings.HasPrefix(parts[i], "[")
			}
			if plain {
				return strings.Join(parts, ";")
			}
		}
		return jsonText(x)
	case map[string]any:
		return jsonText(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

func jsonText(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return strings.TrimSuffix(b.String(), "\n")
}

// FromJSON turns a JSON value (decoded with UseNumber) into a value of a
// field's type, as the schema holds it: int64, float64, bool, string
// (dates too), []any and map[string]any.
func FromJSON(f *Field, v any) (any, error) {
	if f == nil {
		return nil, fmt.Errorf("not a field")
	}
	switch f.Type {
	case TInt, TNumber:
		return numberFromJSON(f, v)
	case TBool:
		b, ok := v.(bool)
		if !ok {
			return nil, fmt.Errorf("%s is not true or false", jsonText(v))
		}
		return b, nil
	case TList:
		return listFromJSON(f, v)
	case TMap:
		return mapFromJSON(f, v)
	case TDate, TDateTime:
		return dateFromJSON(f, v)
	}
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("%s is not text", jsonText(v))
	}
	return s, nil
}

// numberFromJSON reads a whole number or a number.
func numberFromJSON(f *Field, v any) (any, error) {
	what := "a number"
	if f.Type == TInt {
		what = "a whole number"
	}
	n, ok := v.(json.Number)
	if !ok {
		return nil, fmt.Errorf("%s is not %s", jsonText(v), what)
	}
	if f.Type == TInt {
		i, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s is not %s", jsonText(v), what)
		}
		return i, nil
	}
	x, err := strconv.ParseFloat(string(n), 64)
	if err != nil {
		return nil, fmt.Errorf("%s is not %s", jsonText(v), what)
	}
	return x, nil
}

// listFromJSON reads a list, each item by the list's item field.
func listFromJSON(f *Field, v any) (any, error) {
	l, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%s is not a list", jsonText(v))
	}
	out := make([]any, 0, len(l))
	for _, it := range l {
		x, err := FromJSON(f.Items, it)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

// mapFromJSON reads a mapping: each key by its field, or, for a map of
// any keys (Free), values as the file holds them (text, lists of text,
// maps of them).
func mapFromJSON(f *Field, v any) (any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s is not a mapping", jsonText(v))
	}
	out := make(map[string]any, len(m))
	for k, x := range m {
		if f.Free() {
			y, err := freeFromJSON(x)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			out[k] = y
			continue
		}
		sub := f.Fields[k]
		if sub == nil {
			return nil, fmt.Errorf("%q is not a key of this field", k)
		}
		y, err := FromJSON(sub, x)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		out[k] = y
	}
	return out, nil
}

// freeFromJSON reads a value of a map of any keys.
func freeFromJSON(v any) (any, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case json.Number, bool:
		return fmt.Sprint(x), nil // kept as written, as a file's are
	case []any:
		out := make([]any, 0, len(x))
		for _, it := range x {
			y, err := freeFromJSON(it)
			if err != nil {
				return nil, err
			}
			out = append(out, y)
		}
		return out, nil
	case map[string]any:
		return mapFromJSON(&Field{Type: TMap}, x)
	}
	return nil, fmt.Errorf("%s is not a value, a list or a mapping", jsonText(v))
}

// dateFromJSON reads a date, or a date-time for a datetime field.
func dateFromJSON(f *Field, v any) (any, error) {
	s, ok := v.(string)
	if f.Type == TDateTime {
		if _, valid := DateTimeOf(s); !ok || !valid {
			return nil, fmt.Errorf("%s is not a date-time (RFC 3339)", jsonText(v))
		}
		return s, nil
	}
	if !ok {
		return nil, fmt.Errorf("%s is not a date", jsonText(v))
	}
	if _, ok := ParseDate(s); !ok {
		return nil, fmt.Errorf("%q is not a date (YYYY-MM-DD)", s)
	}
	return s, nil
}
