// Package safeyaml reads the YAML and text users commit with bounds: UTF-8
// checked with a position, newlines normalised, no aliases, tags or deep
// nesting, and parse errors as findings at the file's line and column.
package safeyaml

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/demand-registry/demand/registry/finding"

	"gopkg.in/yaml.v3"
)

// BOM is the UTF-8 byte order mark some editors write first.
var BOM = []byte{0xEF, 0xBB, 0xBF}

// CheckUTF8 reports the position of the first byte that is not UTF-8.
func CheckUTF8(path string, data []byte) (finding.Finding, bool) {
	if utf8.Valid(data) {
		return finding.Finding{}, true
	}
	line, col := 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += size
	}
	return finding.Finding{Path: path, Line: line, Col: col, Severity: finding.Error, Rule: "encoding",
		Message: "the file is not valid UTF-8", Hint: "save it as UTF-8 (GBK and other encodings are not read)"}, false
}

// NormalizeNewlines turns CRLF and lone CR into LF; positions stay the same.
func NormalizeNewlines(b []byte) []byte {
	if bytes.IndexByte(b, '\r') < 0 {
		return b
	}
	b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
	return bytes.ReplaceAll(b, []byte("\r"), []byte("\n"))
}

// maxYAMLDepth bounds nesting in front matter and config: demand data is
// shallow, and deep documents are a denial-of-service vector.
const maxYAMLDepth = 12

var yamlErrLine = regexp.MustCompile(`line (\d+): (.*)`)

// allowedTags are YAML's core-schema tags. Anything else (local tags such as
// !foo, or !!binary, !!set, !!omap) is rejected: front matter is plain data.
var allowedTags = map[string]bool{
	"!!str": true, "!!int": true, "!!float": true, "!!bool": true,
	"!!null": true, "!!timestamp": true, "!!seq": true, "!!map": true,
}

// Parse parses one YAML document into a node tree and checks it is
// plain data: no anchors, aliases, custom tags, duplicate keys or deep
// nesting. lineOffset is added to every reported line, so findings point
// into the enclosing file. The node tree's own positions stay relative to
// the YAML text; callers add lineOffset when they report them.
func Parse(path string, data []byte, lineOffset int) (root *yaml.Node, fs finding.Findings) {
	defer func() {
		if r := recover(); r != nil {
			root = nil
			fs = append(fs, finding.Finding{Path: path, Line: lineOffset + 1, Col: 1, Severity: finding.Error, Rule: "yaml-syntax",
				Message: fmt.Sprintf("the YAML parser failed on this document: %v", r),
				Hint:    "simplify the front matter to plain keys and values"})
		}
	}()
	var doc yaml.Node
	if fs, ok := unmarshalOne(path, data, lineOffset, &doc); ok {
		if fs != nil {
			return nil, fs
		}
	} else if fs := decodeOne(path, data, lineOffset, &doc); fs != nil {
		return nil, fs
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, nil // empty document
	}
	root = doc.Content[0]
	fs = CheckPlainData(path, root, lineOffset, 1)
	if fs.HasErrors() {
		return nil, fs
	}
	return root, fs
}

// unmarshalOne is decodeOne for the usual front matter, without the
// Decoder's reader and buffer copies: yaml.Unmarshal reads the bytes in
// place. Unmarshal stops after the first document, so its answer stands
// only where nothing can follow it: no document marker, and a root that
// is empty or a block mapping at the first column. Otherwise ok is false,
// and the caller decodes with the Decoder.
func unmarshalOne(path string, data []byte, lineOffset int, doc *yaml.Node) (fs finding.Findings, ok bool) {
	if documentMarker(data) {
		return nil, false
	}
	if err := yaml.Unmarshal(data, doc); err != nil {
		// The first error in the first document is the Decoder's too.
		return finding.Findings{yamlError(path, err, lineOffset, data)}, true
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, true
	}
	root := doc.Content[0]
	if root.Kind == yaml.MappingNode && root.Style&yaml.FlowStyle == 0 && root.Column == 1 {
		return nil, true
	}
	*doc = yaml.Node{}
	return nil, false
}

// documentMarker reports whether a line of data starts with "---" or
// "...", which may begin or end a YAML document.
func documentMarker(data []byte) bool {
	for rest := data; len(rest) > 0; {
		if bytes.HasPrefix(rest, []byte("---")) || bytes.HasPrefix(rest, []byte("...")) {
			return true
		}
		i := bytes.IndexAny(rest, "\n\r")
		if i < 0 {
			break
		}
		rest = rest[i+1:]
	}
	return false
}

// decodeOne decodes the first document of data into doc and reports a
// second one as an error: its keys would be silently ignored.
func decodeOne(path string, data []byte, lineOffset int, doc *yaml.Node) finding.Findings {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(doc); err != nil && !errors.Is(err, io.EOF) {
		return finding.Findings{yamlError(path, err, lineOffset, data)}
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
		return nil
	case err != nil:
		return finding.Findings{yamlError(path, err, lineOffset, data)}
	default:
		return finding.Findings{{Path: path, Line: next.Line + lineOffset, Col: 1, Severity: finding.Error, Rule: "yaml-syntax",
			Message: "a second YAML document: front matter and config are exactly one mapping",
			Hint:    "remove the document marker (--- or ...) and what follows it"}}
	}
}

func yamlError(path string, err error, lineOffset int, data []byte) finding.Finding {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 1
	if m := yamlErrLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
		// The library reports parser errors (unlike scanner errors) on the
		// line before the one where the problem is.
		if strings.HasPrefix(msg, "did not find expected") {
			line++
		}
		// Never past the last line (the parser counts a lone CR as a
		// line break, as NormalizeNewlines does).
		line = min(line, bytes.Count(NormalizeNewlines(data), []byte("\n"))+1)
	}
	return finding.Finding{Path: path, Line: line + lineOffset, Col: 1, Severity: finding.Error, Rule: "yaml-syntax",
		Message: "YAML syntax error: " + msg,
		Hint:    "check indentation and quote values that contain ': ' or start with a special character"}
}

func CheckPlainData(path string, n *yaml.Node, off, depth int) finding.Findings {
	var fs finding.Findings
	at := func(rule, msg, hint string) {
		fs = append(fs, finding.Finding{Path: path, Line: n.Line + off, Col: n.Column, Severity: finding.Error, Rule: rule, Message: msg, Hint: hint})
	}
	if depth > maxYAMLDepth {
		at("yaml-depth", fmt.Sprintf("YAML nested deeper than %d levels", maxYAMLDepth), "flatten the structure")
		return fs
	}
	if n.Kind == yaml.AliasNode {
		at("yaml-anchor", "YAML alias *"+n.Value+" is not allowed", "write the value out in full")
		return fs
	}
	if n.Anchor != "" {
		at("yaml-anchor", "YAML anchor &"+n.Anchor+" is not allowed", "remove the anchor; front matter is plain data")
	}
	if n.Style&yaml.TaggedStyle != 0 && !allowedTags[n.ShortTag()] {
		at("yaml-tag", "YAML tag "+n.Tag+" is not allowed", "remove the tag; quote the value if it must be a string")
	}
	if n.Kind == yaml.MappingNode {
		seen := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				fs = append(fs, finding.Finding{Path: path, Line: k.Line + off, Col: k.Column, Severity: finding.Error, Rule: "yaml-syntax",
					Message: "mapping keys must be plain names"})
				continue
			}
			if k.Value == "<<" {
				fs = append(fs, finding.Finding{Path: path, Line: k.Line + off, Col: k.Column, Severity: finding.Error, Rule: "yaml-anchor",
					Message: "YAML merge keys (<<) are not allowed", Hint: "write the keys out in full"})
			}
			if prev, ok := seen[k.Value]; ok {
				fs = append(fs, finding.Finding{Path: path, Line: k.Line + off, Col: k.Column, Severity: finding.Error, Rule: "duplicate-key",
					Message: fmt.Sprintf("key %q appears twice (first on line %d)", k.Value, prev+off), Hint: "keep one of them"})
			}
			seen[k.Value] = k.Line
		}
	}
	for _, c := range n.Content {
		fs = append(fs, CheckPlainData(path, c, off, depth+1)...)
	}
	return fs
}

// NodeAt finds the last node starting on a line (relative to the YAML
// text): the value of a "key: value" line. It gives a column to errors the
// YAML library reports by line only.
func NodeAt(n *yaml.Node, line int) *yaml.Node {
	if n == nil {
		return nil
	}
	var found *yaml.Node
	if n.Line == line {
		found = n
	}
	for _, c := range n.Content {
		if m := NodeAt(c, line); m != nil {
			found = m
		}
	}
	return found
}
