package registry

import (
	"fmt"
	"maps"
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
	ID, Title string
	// Fields are the other values by field name (not the registry's
	// key), as the schema holds them; Set and SetRole fill them.
	Fields map[string]any
}

// FileName is the new demand's path inside the registry.
func (n NewDemand) FileName() string { return n.ID + "-" + Slug(n.Title) + ".md" }

// Render writes the demand file: front matter under the registry's keys
// (the first status unless one is given) and a body template in the
// registry's language.
func (n NewDemand) Render(cfg *config.Config) ([]byte, error) {
	fields := maps.Clone(n.Fields)
	if fields == nil {
		fields = map[string]any{}
	}
	fields["title"] = n.Title
	if _, ok := fields["status"]; !ok && cfg.HasRole("status") && len(cfg.Statuses) > 0 {
		fields["status"] = cfg.Statuses[0].Name
	}
	if !cfg.ID.FromFilename {
		fields["id"] = n.ID
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
