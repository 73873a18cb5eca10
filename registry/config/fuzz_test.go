package config

import (
	"os"
	"strings"
	"testing"

	"github.com/demand-registry/demand/internal/safeyaml"
)

// FuzzParseConfig feeds arbitrary bytes to the config parser: it must
// never panic, always return a usable config, and place every finding in
// the file.
func FuzzParseConfig(f *testing.F) {
	if data, err := os.ReadFile("../../demands/registry.yaml"); err == nil {
		f.Add(data)
	}
	f.Add(defaultsYAML)
	for _, s := range []string{"", "title: x\n", "fields: {a: {type: enum}}\n", "statuses: [{name: a, kind: open, next: [a]}]\n",
		"tiers: {levels: []}\n", "id: {pattern: '(', digits: 99}\n", "fields:\n  x: &a {type: list, items: *a}\n",
		"roles: {id: {from: filename, pattern: '^([0-9]+)-'}, title: {from: heading, ignore: [Summary], fallback: filename}, status: stage}\n",
		"roles: {status: type, type: status}\n", "roles: {id: {from: filename, pattern: '(a)(b)'}}\n", "roles: {x: y}\n",
		"sla: {nodes: [{name: a, kinds: [done]}], targets: [{tier: 1, a: 2, b: 3}]}\n", "site: {facets: [tier, nope]}\n",
		"scoring: {matrix: {urgency: tags, importance: x}}\n", "fields: {m: {type: map}, d: {type: datetime}}\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, fs := Parse("registry.yaml", data)
		if cfg == nil {
			t.Fatal("no config returned")
		}
		lines := strings.Count(string(safeyaml.NormalizeNewlines(data)), "\n") + 2 // a lone CR ends a line too
		for _, fd := range fs {
			if fd.Line < 0 || fd.Line > lines || fd.Message == "" {
				t.Fatalf("bad finding %+v", fd)
			}
		}
		if !fs.HasErrors() && len(cfg.Statuses) == 0 {
			t.Fatal("a clean config without statuses")
		}
	})
}
