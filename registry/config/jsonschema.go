package config

import "fmt"

// JSON Schema drafts JSONSchema writes. Both get the same keywords (those
// of draft-07, which 2020-12 keeps); only $schema differs.
const (
	Draft07   = "07"
	Draft2020 = "2020-12"
)

// DefaultDraft is what editors read best: the YAML language server (VS
// Code's YAML extension, Neovim's yamlls, JetBrains through it) validates
// with Ajv's draft-07 and does not support 2019-09 or 2020-12.
const DefaultDraft = Draft07

var draftURI = map[string]string{
	Draft07:   "http://json-schema.org/draft-07/schema#",
	Draft2020: "https://json-schema.org/draft/2020-12/schema",
}

// Patterns a string field gets beside its own: one line (as validate
// reads it, surrounding white space aside), and not blank when required.
const (
	oneLinePattern  = `^\s*[^\n]*\s*$`
	nonBlankPattern = `\S`
)

// JSONSchema describes the front matter of the effective config as a JSON
// Schema of the given draft (Draft07 or Draft2020), for editors and
// validators. Its patterns are in ECMAScript syntax (ECMAScriptPattern).
// It says every rule of validate that a schema can: types, enums,
// required and non-blank fields, one-line and bounded text, patterns,
// ranges, list lengths, and that status duplicate needs
// links.duplicate_of.
func (c *Config) JSONSchema(draft string) (map[string]any, error) {
	uri, ok := draftURI[draft]
	if !ok {
		return nil, fmt.Errorf("draft %q is not supported; use %s or %s", draft, Draft07, Draft2020)
	}
	props := map[string]any{}
	var required []string
	for _, name := range c.FieldOrder {
		f, key := c.Fields[name], c.Key(name)
		if key == "" {
			continue // kept in the file name or the body, not the front matter
		}
		fs, err := c.fieldSchema(f)
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", key, err)
		}
		props[key] = fs
		if f.Required && !(name == "id" && c.ID.FromFilename) {
			required = append(required, key)
		}
	}
	s := map[string]any{
		"$schema":              uri,
		"$id":                  "https://demand-registry.invalid/schema/demand.json",
		"title":                c.Title + " demand",
		"description":          "Front matter of one demand file.",
		"type":                 "object",
		"properties":           props,
		"additionalProperties": false,
	}
	if len(required) > 0 {
		s["required"] = required
	}
	if dup := c.duplicateRule(); dup != nil {
		s["if"], s["then"] = dup["if"], dup["then"]
	}
	return s, nil
}

// duplicateRule is validate's duplicate-of error as if/then: status
// duplicate needs links.duplicate_of. Nil when the config has no such
// status or link.
func (c *Config) duplicateRule() map[string]any {
	status := ""
	for _, name := range c.FieldOrder {
		if c.Fields[name].Type == TStatus && c.Key(name) != "" {
			status = c.Key(name)
			break
		}
	}
	links := c.Fields["links"]
	if status == "" || c.Status("duplicate") == nil || !c.HasRole("links") || links.Type != TMap || links.Fields["duplicate_of"] == nil {
		return nil
	}
	linksKey := c.Key("links")
	return map[string]any{
		"if": map[string]any{"properties": map[string]any{status: map[string]any{"const": "duplicate"}}, "required": []string{status}},
		"then": map[string]any{"required": []string{linksKey},
			"properties": map[string]any{linksKey: map[string]any{"required": []string{"duplicate_of"},
				"properties": map[string]any{"duplicate_of": map[string]any{}}}}},
	}
}

// fieldSchema is the JSON Schema of one field: its labels as title and
// description, then the keywords of its type.
func (c *Config) fieldSchema(f *Field) (map[string]any, error) {
	s := map[string]any{}
	describe(s, f)
	var err error
	switch f.Type {
	case TString:
		err = stringSchema(s, f)
	case TID:
		err = c.idSchema(s)
	case TInt, TNumber:
		numberSchema(s, f)
	case TBool:
		s["type"] = "boolean"
	case TDate:
		s["type"] = "string"
		s["format"] = "date"
		s["pattern"] = `^[0-9]{4}-[0-9]{2}-[0-9]{2}$`
	case TDateTime:
		s["type"] = "string"
		s["pattern"] = `^[0-9]{4}-[0-9]{2}-[0-9]{2}$|` + TimestampPattern[1:]
	case TEnum, TStatus:
		s["enum"] = f.Values
	case TList:
		err = c.listSchema(s, f)
	case TMap:
		err = c.mapSchema(s, f)
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

// describe sets a field schema's title (the English label) and
// description (the field's, then the Chinese label in parentheses).
func describe(s map[string]any, f *Field) {
	if t := f.Label.In("en"); t != "" {
		s["title"] = t
	}
	desc := f.Description
	if zh := f.Label["zh-CN"]; zh != "" {
		if desc != "" {
			desc += " "
		}
		desc += "(" + zh + ")"
	}
	if desc != "" {
		s["description"] = desc
	}
}

// stringSchema sets a string field's keywords: its length, its own
// pattern, one line unless multiline, not blank when required.
func stringSchema(s map[string]any, f *Field) error {
	s["type"] = "string"
	if f.MaxLength > 0 {
		s["maxLength"] = f.MaxLength
	}
	var patterns []string
	if f.Pattern != "" {
		p, err := ECMAScriptPattern(f.Pattern)
		if err != nil {
			return fmt.Errorf("pattern %s: %w", f.Pattern, err)
		}
		patterns = append(patterns, p)
	}
	if !f.Multiline {
		patterns = append(patterns, oneLinePattern)
	}
	if f.Required {
		s["minLength"] = 1
		patterns = append(patterns, nonBlankPattern)
	}
	setPatterns(s, patterns)
	return nil
}

// setPatterns sets the patterns a string must all match: one pattern
// keyword per schema, so the others join through allOf.
func setPatterns(s map[string]any, patterns []string) {
	if len(patterns) == 0 {
		return
	}
	s["pattern"] = patterns[0]
	var more []any
	for _, p := range patterns[1:] {
		more = append(more, map[string]any{"pattern": p})
	}
	if len(more) > 0 {
		s["allOf"] = more
	}
}

// idSchema sets a demand ID field's keywords: the registry's ID pattern.
func (c *Config) idSchema(s map[string]any) error {
	s["type"] = "string"
	p, err := ECMAScriptPattern(c.ID.Pattern)
	if err != nil {
		return fmt.Errorf("id.pattern %s: %w", c.ID.Pattern, err)
	}
	s["pattern"] = p
	return nil
}

// numberSchema sets an int or number field's keywords: its bounds and
// its allowed values.
func numberSchema(s map[string]any, f *Field) {
	s["type"] = "number"
	if f.Type == TInt {
		s["type"] = "integer"
	}
	if f.Min != nil {
		s["minimum"] = *f.Min
	}
	if f.Max != nil {
		s["maximum"] = *f.Max
	}
	if len(f.OneOf) > 0 {
		s["enum"] = f.OneOf
	}
}

// listSchema sets a list field's keywords: a bounded array of its items,
// or one item alone.
func (c *Config) listSchema(s map[string]any, f *Field) error {
	item, err := c.fieldSchema(f.Items)
	if err != nil {
		return err
	}
	s["anyOf"] = []any{map[string]any{"type": "array", "items": item, "maxItems": f.ItemLimit()}, item}
	return nil
}

// mapSchema sets a map field's keywords: an object of exactly its
// fields, the required ones required.
func (c *Config) mapSchema(s map[string]any, f *Field) error {
	if f.Free() {
		scalar := map[string]any{"type": []string{"string", "number", "boolean"}}
		s["type"] = "object"
		s["additionalProperties"] = map[string]any{"anyOf": []any{scalar, map[string]any{"type": "array", "items": scalar}, map[string]any{"type": "object"}}}
		return nil
	}
	props := map[string]any{}
	var req []string
	for _, k := range sortedKeys(f.Fields) {
		sub, err := c.fieldSchema(f.Fields[k])
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		props[k] = sub
		if f.Fields[k].Required {
			req = append(req, k)
		}
	}
	s["type"] = "object"
	s["properties"] = props
	s["additionalProperties"] = false
	if len(req) > 0 {
		s["required"] = req
	}
	return nil
}

// SchemaDrafts lists the drafts JSONSchema writes.
var SchemaDrafts = []string{Draft07, Draft2020}
