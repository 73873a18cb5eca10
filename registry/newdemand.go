package registry

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/demand-registry/demand/registry/config"
)

// NextID returns the next free ID: one more than the highest number among
// the IDs in the registry and the IDs that file names start with (so a
// file that does not parse still reserves its ID).
func NextID(cfg *config.Config, s *Snapshot, files []File) string {
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
func (n NewDemand) Render(cfg *config.Config) ([]byte, error) {
	fields := map[string]any{"title": n.Title, "received": n.Received, "status": n.Status}
	if n.Status == "" {
		fields["status"] = cfg.Statuses[0].Name
	}
	if !cfg.ID.FromFilename {
		fields["id"] = n.ID
	}
	for k, v := range map[string]string{"type": n.Type, "urgency": n.Urgency, "importance": n.Importance, "channel": n.Channel, "owner": n.Owner} {
		if v != "" {
			fields[k] = v
		}
	}
	if n.Customer != "" || n.Segment != "" {
		c := map[string]any{}
		if n.Customer != "" {
			c["name"] = n.Customer
		}
		if n.Segment != "" {
			c["segment"] = n.Segment
		}
		fields["customer"] = c
	}
	if len(n.Tags) > 0 {
		var tags []any
		for _, t := range n.Tags {
			tags = append(tags, t)
		}
		fields["tags"] = tags
	}
	return config.RenderFile(cfg, fields, BodyTemplate(cfg.Language))
}

// BodyTemplate is the body a new demand starts with, in a language.
func BodyTemplate(lang string) string {
	if lang == "zh-CN" {
		return "## 背景\n\n客户遇到了什么问题？在什么场景下？\n\n## 验收标准\n\n- [ ] \n\n## 备注\n"
	}
	return "## Background\n\nWhat problem does the customer have, and in which situation?\n\n## Acceptance criteria\n\n- [ ] \n\n## Notes\n"
}
