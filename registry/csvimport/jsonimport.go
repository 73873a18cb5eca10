package csvimport

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/demand-registry/demand/registry/config"

	"github.com/demand-registry/demand/registry/finding"

	"github.com/demand-registry/demand/registry"
)

// exported is what import reads of one demand in this tool's JSON export
// (demands.json): its fields, body and file name; the ranking and history
// are computed and ignored.
type exported struct {
	Fields map[string]any `json:"fields"`
	Body   string         `json:"body"`
	Path   string         `json:"path"`
}

// PlanJSON is Plan for this tool's JSON export. A problem's Line is the
// demand's place in the list (1-based).
func PlanJSON(s *registry.Snapshot, files []registry.File, data []byte) ([]Row, []Problem) {
	cfg := s.Config
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	dec.UseNumber()
	var export struct {
		SchemaVersion int        `json:"schema_version"`
		Demands       []exported `json:"demands"`
	}
	if err := dec.Decode(&export); err != nil {
		return nil, []Problem{{Line: 1, Message: "not this tool's JSON export of demands (demand export --format json): " + err.Error()}}
	}
	if export.SchemaVersion != finding.JSONVersion {
		return nil, []Problem{{Line: 1, Message: fmt.Sprintf("schema_version %d is not %d, the version this tool reads; export the demands again with this version", export.SchemaVersion, finding.JSONVersion)}}
	}
	items := export.Demands
	existing, used := taken(s, files)
	var rows []Row
	var problems []Problem
	for i, it := range items {
		n := i + 1
		fields := map[string]any{}
		keys := make([]string, 0, len(it.Fields))
		for k := range it.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var bad []string
		for _, k := range keys {
			if it.Fields[k] == nil {
				continue
			}
			name := cfg.FieldPath(k) // the export names the registry's keys
			f := cfg.Fields[name]
			if f == nil {
				bad = append(bad, fmt.Sprintf("%s is not a field of this registry", k))
				continue
			}
			v, err := config.FromJSON(f, it.Fields[k])
			if err != nil {
				bad = append(bad, fmt.Sprintf("%s: %v", k, err))
				continue
			}
			fields[name] = v
		}
		if len(bad) > 0 {
			for _, b := range bad {
				problems = append(problems, Problem{Line: n, Message: b})
			}
			continue
		}
		if key, ok := fields["external_key"].(string); ok && existing[key] {
			rows = append(rows, Row{Line: n, Skipped: true})
			continue
		}
		named, _ := fields["id"].(string)
		if cfg.ID.FromFilename {
			named = cfg.IDFromName(lastPart(it.Path))
		}
		id := used.assign(cfg, fields, named)
		row, p := finishRow(cfg, fields, it.Body, lastPart(it.Path), id, n)
		if p != nil {
			problems = append(problems, *p)
			continue
		}
		rows = append(rows, row)
	}
	if len(problems) > 0 {
		return nil, problems
	}
	return rows, nil
}
