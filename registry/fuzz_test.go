package registry

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/demand-registry/demand/internal/safeyaml"
	"github.com/demand-registry/demand/registry/config"
	"github.com/demand-registry/demand/registry/finding"
)

// addSampleDemands seeds a fuzz target with the sample registry's demands.
func addSampleDemands(f *testing.F) {
	paths, _ := filepath.Glob("../demands/*.md")
	for _, p := range paths {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
}

// FuzzParseDemand feeds arbitrary bytes to the demand parser. It must
// never panic (the library-panic guard counts as a failure here, so a
// crash in the YAML library is found rather than hidden), and every
// finding must point inside the file.
func FuzzParseDemand(f *testing.F) {
	addSampleDemands(f)
	for _, s := range []string{
		"", "---", "---\n---\n", "---\nid: D-0001\n", "\ufeff---\r\nid: D-0001\r\n---\r\n",
		"---\na: &x [*x]\n---\n", "---\n" + strings.Repeat("- ", 50) + "x\n---\n",
		"---\nid: D-0001\ntitle: t\nstatus: new\nreceived: 2026-02-29\nrice: {reach: -1, impact: 9, confidence: 2, effort: 0}\n---\n",
		"---\n!!binary x: y\n---\n", "---\n? [a]\n: b\n---\n",
		"---\nid: D-0001\n--- # c\nvisibility: internal\n---\n", "---\nid: D-0001\n--- {}\n---\n", "---\nid: D-0001\n... # end\n---\n", "---\nid: a\x00b\n---\nx\x00\n",
	} {
		f.Add([]byte(s))
	}
	cfg := config.Default()
	f.Fuzz(func(t *testing.T, data []byte) {
		d, fs := ParseDemand(cfg, "D-0001-x.md", data)
		checkFindings(t, "D-0001-x.md", data, fs)
		if d != nil && !fs.HasErrors() && (d.ID == "" || d.Title == "" || d.Status == "" || d.Received == "") {
			t.Fatalf("a clean demand lacks a required field: %+v", d)
		}
	})
}

// FuzzParseDemandRoles is FuzzParseDemand for a registry adopted by roles:
// IDs from file names, titles from headings (with a fallback), a renamed
// status, a free map, a datetime and a list written as one value.
func FuzzParseDemandRoles(f *testing.F) {
	cfg, fs := config.Parse("registry.yaml", []byte(`roles:
  id: {from: filename, pattern: '^([0-9]{4})-'}
  title: {from: heading, ignore: [Summary], fallback: filename}
  status: stage
  received: start-date
statuses:
  - {name: proposed, kind: open, next: [accepted]}
  - {name: accepted, kind: done, next: []}
fields:
  meta: {type: map}
  at: {type: datetime}
  requires: {type: list, items: {type: string}, separator: ","}
`))
	if fs.HasErrors() {
		f.Fatal(fs)
	}
	for _, s := range []string{
		"---\nstage: proposed\nstart-date: 2014-08-14T00:00:00.000Z\nmeta: {a: {b: [c, d]}}\nat: 2026-01-02 03:04:05 +8\nrequires: 1, 2,, 3\n---\n# Title\n",
		"---\nstage: accepted\n---\n# Summary\n",
		"---\nstage:\n---\n```\n# not\n```\nSetext\n===\n",
		"---\nmeta: {a: {b: {c: {d: [[x]]}}}}\n---\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, fs := ParseDemand(cfg, "0001-some-name.md", data)
		checkFindings(t, "0001-some-name.md", data, fs)
		if d != nil && !fs.HasErrors() && (d.ID != "0001" || d.Title == "") {
			t.Fatalf("a clean demand lacks its ID or title: %+v", d)
		}
	})
}

// checkFindings fails on a parser panic (the library-panic guard's
// finding) and on a finding that does not point inside the file.
func checkFindings(t *testing.T, name string, data []byte, fs finding.Findings) {
	t.Helper()
	// Lines as the parser counts them: a lone CR ends one too.
	lines := strings.Count(string(safeyaml.NormalizeNewlines(data)), "\n") + 2
	for _, fd := range fs {
		if fd.Rule == "parse" {
			t.Fatalf("parser panicked: %s", fd.Message)
		}
		if fd.Line < 0 || fd.Line > lines || fd.Path != name || fd.Message == "" || fd.Rule == "" {
			t.Fatalf("bad finding %+v for %d lines", fd, lines)
		}
	}
}
