package registry

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// RenderFile writes a demand file: front matter in the config's field order
// (small maps and lists in flow style), then the body.
func RenderFile(cfg *Config, fields map[string]any, body string) ([]byte, error) {
	doc := &yaml.Node{Kind: yaml.MappingNode}
	for _, name := range cfg.FieldOrder {
		v, ok := fields[name]
		if !ok {
			continue
		}
		doc.Content = append(doc.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: name}, node(v))
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
	if body != "" {
		buf.WriteString("\n")
		buf.WriteString(strings.TrimRight(body, "\n"))
		buf.WriteString("\n")
	}
	return buf.Bytes(), nil
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
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: strconv.FormatFloat(x, 'f', -1, 64)}
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
