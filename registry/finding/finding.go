// Package finding is the one report type of every check: a problem at a
// file, line and column, its severity and rule, and how it is printed for a
// terminal, for JSON and for GitHub workflow annotations.
package finding

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"

	"github.com/demand-registry/demand/internal/escape"
)

// Severity says whether a finding fails the run (error) or only informs (warning).
type Severity string

const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// Finding is the one type for every problem the tool reports: schema,
// policy, rank checks, duplicates and pull-request change rules.
type Finding struct {
	Path     string   `json:"path"` // relative to the registry folder, slash-separated (printed relative to the repository root)
	Line     int      `json:"line,omitempty"`
	Col      int      `json:"col,omitempty"`
	Severity Severity `json:"severity"`
	Rule     string   `json:"rule"`
	Message  string   `json:"message"`
	Hint     string   `json:"hint,omitempty"`
}

// Findings is a list of findings with helpers.
type Findings []Finding

// Sort orders findings by path, line, column, then rule and message, so
// output never depends on the order checks ran in.
func (fs Findings) Sort() {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(a.Path, b.Path),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Col, b.Col),
			cmp.Compare(a.Rule, b.Rule),
			cmp.Compare(a.Message, b.Message),
		)
	})
}

// HasErrors reports whether any finding is an error.
func (fs Findings) HasErrors() bool {
	for _, f := range fs {
		if f.Severity == Error {
			return true
		}
	}
	return false
}

// Count returns the number of errors and warnings.
func (fs Findings) Count() (errs, warns int) {
	for _, f := range fs {
		if f.Severity == Error {
			errs++
		} else {
			warns++
		}
	}
	return
}

// Formats lists the output formats Write accepts.
var Formats = []string{"text", "json", "github"}

// JSONVersion is the schema_version of every JSON output (docs/json):
// raised when a key is removed or changes meaning, not when one is added.
const JSONVersion = 1

// Report is the JSON output of validate and rank --check.
type Report struct {
	SchemaVersion int       `json:"schema_version"`
	Findings      []Finding `json:"findings"`
}

// Write prints findings in one of Formats. prefix is joined
// before each registry-relative path: the folder as the user typed it for
// text, the folder relative to the repository root for JSON and github.
func Write(w io.Writer, format, prefix string, fs Findings) error {
	full := func(p string) string {
		if prefix == "" || prefix == "." {
			return p
		}
		return path.Join(prefix, p)
	}
	switch format {
	case "text", "":
		for _, f := range fs {
			// The file name is quoted when odd and the rest escaped, so a
			// name or message from the repository can neither forge a
			// PATH:LINE:COL nor act on the terminal.
			pos := escape.Path(full(f.Path))
			if f.Line > 0 {
				pos += fmt.Sprintf(":%d:%d", f.Line, max(f.Col, 1))
			}
			msg := f.Message
			if f.Hint != "" {
				msg += " (" + f.Hint + ")"
			}
			if _, err := fmt.Fprintf(w, "%s: %s: %s [%s]\n", pos, f.Severity, escape.Terminal(msg), escape.Terminal(f.Rule)); err != nil {
				return err
			}
		}
		return nil
	case "json":
		out := make([]Finding, len(fs))
		for i, f := range fs {
			f.Path = full(f.Path)
			out[i] = f
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(Report{SchemaVersion: JSONVersion, Findings: out})
	case "github":
		for _, f := range fs {
			props := []string{"file=" + ghProperty(full(f.Path))}
			if f.Line > 0 {
				props = append(props, fmt.Sprintf("line=%d", f.Line), fmt.Sprintf("col=%d", max(f.Col, 1)))
			}
			props = append(props, "title="+ghProperty(f.Rule))
			msg := f.Message
			if f.Hint != "" {
				msg += " (" + f.Hint + ")"
			}
			if _, err := fmt.Fprintf(w, "::%s %s::%s\n", f.Severity, strings.Join(props, ","), ghData(msg)); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("unknown format %q: use one of %s", format, strings.Join(Formats, ", "))
}

// ghData escapes a workflow command's message as the GitHub runner expects
// (escapeData in github.com/actions/toolkit's command.ts). Other control
// characters are shown escaped too: the runner's log viewer acts on ESC
// sequences.
func ghData(s string) string {
	r := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	return escape.Terminal(r.Replace(s))
}

// ghProperty escapes a workflow command's property value (escapeProperty
// in the toolkit): a file name with ":" or "," cannot end the property.
func ghProperty(s string) string {
	r := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
	return escape.Terminal(r.Replace(s))
}
