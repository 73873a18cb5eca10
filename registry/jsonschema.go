package registry

// JSONSchema describes the front matter of the effective config as a JSON
// Schema (draft 2020-12), for editors running the YAML language server.
func (c *Config) JSONSchema() map[string]any {
	props := map[string]any{}
	var required []string
	for _, name := range c.FieldOrder {
		f := c.Fields[name]
		props[name] = c.fieldSchema(f)
		if f.Required && !(name == "id" && c.ID.FromFilename) {
			required = append(required, name)
		}
	}
	s := map[string]any{
		"$schema":              "https://json-schema.org/draft/2020-12/schema",
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
	return s
}

func (c *Config) fieldSchema(f *Field) map[string]any {
	s := map[string]any{}
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
	switch f.Type {
	case TString:
		s["type"] = "string"
		if f.MaxLength > 0 {
			s["maxLength"] = f.MaxLength
		}
		if f.Pattern != "" {
			s["pattern"] = f.Pattern
		}
	case TID:
		s["type"] = "string"
		s["pattern"] = c.ID.Pattern
	case TInt, TNumber:
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
	case TBool:
		s["type"] = "boolean"
	case TDate:
		s["type"] = "string"
		s["format"] = "date"
		s["pattern"] = `^[0-9]{4}-[0-9]{2}-[0-9]{2}$`
	case TEnum, TStatus:
		s["enum"] = f.Values
	case TList:
		item := c.fieldSchema(f.Items)
		s["anyOf"] = []any{map[string]any{"type": "array", "items": item, "maxItems": f.ItemLimit()}, item}
	case TMap:
		props := map[string]any{}
		var req []string
		for _, k := range sortedKeys(f.Fields) {
			props[k] = c.fieldSchema(f.Fields[k])
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
	}
	return s
}
