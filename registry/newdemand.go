package registry

import (
	"bytes"
	"fmt"
	"path"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// NextID returns the next free ID: one more than the highest number among
// the IDs in the registry and the IDs that file names start with (so a
// file that does not parse still reserves its ID).
func NextID(cfg *Config, s *Snapshot, files []File) string {
	high := 0
	see := func(id string) {
		if !strings.HasPrefix(id, cfg.ID.Prefix) {
			return
		}
		if n, err := strconv.Atoi(id[len(cfg.ID.Prefix):]); err == nil && n > high {
			high = n
		}
	}
	if s != nil {
		for _, d := range s.Demands {
			see(d.ID)
		}
	}
	for _, f := range files {
		see(cfg.IDFromName(path.Base(f.Path)))
	}
	return fmt.Sprintf("%s%0*d", cfg.ID.Prefix, cfg.ID.Digits, high+1)
}

// NewDemand is what `demand new` writes.
type NewDemand struct {
	ID, Title, Received                string
	Customer, Segment, Type, Channel   string
	Urgency, Importance, Owner, Status string
	Tags                               []string
}

// FileName is the new demand's path inside the registry.
func (n NewDemand) FileName() string { return n.ID + "-" + Slug(n.Title) + ".md" }

// Render writes the demand file: front matter and a body template in the
// registry's language.
func (n NewDemand) Render(cfg *Config) ([]byte, error) {
	doc := &yaml.Node{Kind: yaml.MappingNode}
	add := func(parent *yaml.Node, k string, v *yaml.Node) {
		parent.Content = append(parent.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k}, v)
	}
	str := func(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: s} }
	if !cfg.ID.FromFilename {
		add(doc, "id", str(n.ID))
	}
	add(doc, "title", str(n.Title))
	status := n.Status
	if status == "" {
		status = cfg.Statuses[0].Name
	}
	add(doc, "status", str(status))
	add(doc, "received", str(n.Received))
	for _, kv := range [][2]string{{"type", n.Type}, {"urgency", n.Urgency}, {"importance", n.Importance}} {
		if kv[1] != "" {
			add(doc, kv[0], str(kv[1]))
		}
	}
	if n.Customer != "" || n.Segment != "" {
		c := &yaml.Node{Kind: yaml.MappingNode}
		if n.Customer != "" {
			add(c, "name", str(n.Customer))
		}
		if n.Segment != "" {
			add(c, "segment", str(n.Segment))
		}
		add(doc, "customer", c)
	}
	if n.Channel != "" {
		add(doc, "channel", str(n.Channel))
	}
	if n.Owner != "" {
		add(doc, "owner", str(n.Owner))
	}
	if len(n.Tags) > 0 {
		l := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, t := range n.Tags {
			l.Content = append(l.Content, str(t))
		}
		add(doc, "tags", l)
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
	buf.WriteString("---\n\n")
	if cfg.Language == "zh-CN" {
		buf.WriteString("## 背景\n\n客户遇到了什么问题？在什么场景下？\n\n## 验收标准\n\n- [ ] \n\n## 备注\n\n")
	} else {
		buf.WriteString("## Background\n\nWhat problem does the customer have, and in which situation?\n\n## Acceptance criteria\n\n- [ ] \n\n## Notes\n\n")
	}
	return buf.Bytes(), nil
}
