package lsp

import (
	"reflect"
	"sort"
	"strings"

	"github.com/demand-registry/demand/registry/config"
	"github.com/demand-registry/demand/templates"
)

// configType follows a path of registry.yaml keys through the Config
// type, as the config's own key check does: struct fields by their yaml
// names, map keys of any name, list items. nil when the path leaves it.
func configType(path []string) reflect.Type {
	t := reflect.TypeFor[config.Config]()
	for _, p := range path {
		t = elem(t)
		switch t.Kind() {
		case reflect.Struct:
			f, ok := yamlField(t, p)
			if !ok {
				return nil
			}
			t = f.Type
		case reflect.Map:
			t = t.Elem()
		default:
			return nil
		}
	}
	return elem(t)
}

// elem looks through pointers and list items.
func elem(t reflect.Type) reflect.Type {
	for t != nil && (t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice) {
		t = t.Elem()
	}
	return t
}

func yamlName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	return name
}

func yamlField(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		if f := t.Field(i); f.IsExported() && yamlName(f) == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// kindName says what a config key holds.
func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Slice:
		return "list"
	case reflect.Map, reflect.Struct:
		return "mapping"
	case reflect.Pointer:
		return kindName(t.Elem())
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64, reflect.Float64:
		return "number"
	}
	return "text"
}

// configCompletion proposes registry.yaml's keys at the cursor, and the
// values of a status's kind and next statuses, a field's type and the
// site's language.
func (s *server) configCompletion(d *document, r *regState, p textDocumentPositionParams) completionList {
	out := completionList{Items: []CompletionItem{}}
	line, off := d.offset(p.Position)
	c, ok := d.contextFrom(p.Position.Line, line[:off], 0)
	if !ok {
		return out
	}
	edit := func(text string) *TextEdit {
		start := p.Position
		start.Character -= utf16Len(c.partial)
		return &TextEdit{Range: Range{Start: start, End: p.Position}, NewText: text}
	}
	if !c.value {
		t := configType(c.path)
		if t == nil || t.Kind() != reflect.Struct {
			return out
		}
		var names []string
		kinds := map[string]string{}
		for i := range t.NumField() {
			f := t.Field(i)
			if n := yamlName(f); f.IsExported() && n != "" && n != "-" {
				names = append(names, n)
				kinds[n] = kindName(f.Type)
			}
		}
		sort.Strings(names)
		for _, n := range names {
			out.Items = append(out.Items, CompletionItem{Label: n, Kind: kindField, Detail: kinds[n], TextEdit: edit(n + ": ")})
		}
		return out
	}
	parent, key := c.path, c.key
	if key == "" && len(parent) > 0 {
		parent, key = parent[:len(parent)-1], parent[len(parent)-1]
	}
	var values []string
	var detail func(string) string
	cfg := s.snapshot(r).Config
	switch t := configType(parent); {
	case t == reflect.TypeFor[config.Status]() && key == "kind":
		values = names(config.StatusKinds)
	case t == reflect.TypeFor[config.Status]() && key == "next":
		for _, st := range cfg.Statuses {
			values = append(values, st.Name)
		}
		detail = func(v string) string {
			if st := cfg.Status(v); st != nil {
				return labels(st.Label)
			}
			return ""
		}
	case t == reflect.TypeFor[config.Field]() && key == "type":
		values = names(config.FieldTypes)
	case t == reflect.TypeFor[config.Config]() && key == "language":
		values = templates.Languages()
	}
	for _, v := range values {
		item := CompletionItem{Label: v, Kind: kindEnumMember, TextEdit: edit(v)}
		if detail != nil {
			item.Detail = detail(v)
		}
		out.Items = append(out.Items, item)
	}
	return out
}

// names are typed names as plain strings.
func names[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}
