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

// NewFile is the ID and the file name (inside the registry) of a new
// demand with this title. Where IDs come from file names by a pattern
// (roles.id.pattern), the name follows an existing file's (erc-20.md
// gives erc-7580.md; 0003-use-x.md gives 0019-title.md), with the next
// number written as wide as the highest one's.
func NewFile(cfg *config.Config, s *Snapshot, files []File, title string) (id, name string, err error) {
	if !cfg.NamePattern() {
		id = NextID(cfg, s, files)
		return id, NewDemand{ID: id, Title: title}.FileName(), nil
	}
	high, width, sample := -1, 1, ""
	for _, f := range files {
		base := path.Base(f.Path)
		id, ok := cfg.NameID(base)
		if !ok {
			continue
		}
		digits := id[:len(id)-len(strings.TrimLeft(id, "0123456789"))]
		if n, err := strconv.Atoi(digits); err == nil && (n > high || sample == "") {
			high, width, sample = max(n, high), len(digits), base
		}
	}
	if sample == "" {
		return "", "", fmt.Errorf("no file name matches roles.id.pattern %s to take a new file's name from; name the first file yourself", cfg.Roles["id"].Pattern)
	}
	at := cfg.NameIDIndex(sample)
	num := fmt.Sprintf("%0*d", width, high+1)
	slug := strings.TrimSuffix(Slug(title), ".md")
	for _, cand := range []string{
		sample[:at] + num + "-" + slug + ".md",
		sample[:at] + num + ".md",
		sample[:at] + num + "_" + strings.ReplaceAll(slug, "-", "_") + ".md",
	} {
		if id, ok := cfg.NameID(cand); ok && strings.HasPrefix(id, num) {
			return id, cand, nil
		}
	}
	return "", "", fmt.Errorf("cannot make a file name for number %s that roles.id.pattern %s reads; create the file by hand", num, cfg.Roles["id"].Pattern)
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
