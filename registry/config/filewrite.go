package config

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// RenderFile writes a demand file: front matter in the config's field order
// (small maps and lists in flow style) under the registry's keys, then the
// body. A title the registry keeps in the first heading starts the body.
func RenderFile(cfg *Config, fields map[string]any, body string) ([]byte, error) {
	doc := &yaml.Node{Kind: yaml.MappingNode}
	if t, ok := fields["title"].(string); ok && cfg.TitleFromHeading() && !strings.HasPrefix(strings.TrimLeft(body, "\n"), "# ") {
		body = "# " + t + "\n\n" + strings.TrimLeft(body, "\n")
	}
	for _, name := range fileOrder(cfg) {
		v, ok := fields[name]
		key := cfg.Key(name)
		if !ok || key == "" {
			continue
		}
		n := fieldNode(cfg.Fields[name], v)
		if s, ok := v.(string); ok && strings.Contains(s, "\n") && !strings.HasSuffix(s, "\n") {
			n.Style = yaml.LiteralStyle // a multi-line text as it is typed: |-
		}
		doc.Content = append(doc.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, n)
	}
	var buf bytes.Buffer
	buf.WriteString("---\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	buf.WriteString("---\n")
	if strings.Trim(body, "\n") != "" {
		buf.WriteString("\n")
		buf.WriteString(strings.Trim(body, "\n"))
		buf.WriteString("\n")
	}
	return buf.Bytes(), nil
}

// fileOrder is the config's field order with tier right after status,
// where demand rank --write puts it: a ranked file written again by
// import is the same, byte for byte.
func fileOrder(cfg *Config) []string {
	out := make([]string, 0, len(cfg.FieldOrder))
	for _, name := range cfg.FieldOrder {
		if name == "tier" && cfg.Fields["status"] != nil {
			continue
		}
		out = append(out, name)
		if name == "status" && cfg.Fields["tier"] != nil {
			out = append(out, "tier")
		}
	}
	return out
}

// fieldNode is node with the field's definition: a map's keys in the
// config's order, and a list of maps one item per line.
func fieldNode(f *Field, v any) *yaml.Node {
	if f == nil {
		return node(v)
	}
	switch x := v.(type) {
	case map[string]any:
		if f.Type != TMap {
			break
		}
		n := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
		keys := f.SubFields()
		for k := range x {
			if f.Fields[k] == nil {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys[len(f.SubFields()):])
		for _, k := range keys {
			if val, ok := x[k]; ok {
				n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k}, fieldNode(f.Fields[k], val))
			}
		}
		return n
	case []any:
		if f.Type != TList {
			break
		}
		n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		if f.Items != nil && f.Items.Type == TMap {
			n.Style = 0 // block: one item per line
		}
		for _, it := range x {
			n.Content = append(n.Content, fieldNode(f.Items, it))
		}
		return n
	}
	return node(v)
}

func node(v any) *yaml.Node {
	switch x := v.(type) {
	case map[string]any:
		n := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k}, node(x[k]))
		}
		return n
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, it := range x {
			n.Content = append(n.Content, node(it))
		}
		return n
	case int64:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(x, 10)}
	case float64:
		// Plain: a number field reads 1200 as the number it is; a tag
		// would only clutter the file.
		return &yaml.Node{Kind: yaml.ScalarNode, Value: strconv.FormatFloat(x, 'f', -1, 64)}
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(x)}
	}
	n := &yaml.Node{Kind: yaml.ScalarNode, Value: fmt.Sprint(v)}
	if _, isDate := ParseDate(n.Value); isDate {
		return n
	}
	// Quote text that YAML would read as something else (true, 1.0, null,
	// ": ", a leading "#" …); the encoder picks a safe style for the rest.
	var probe any
	if err := yaml.Unmarshal([]byte(n.Value), &probe); err != nil {
		n.Style = yaml.DoubleQuotedStyle
	} else if s, ok := probe.(string); !ok || s != n.Value {
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}
