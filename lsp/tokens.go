package lsp

import (
	"strings"
	"unicode/utf8"

	"github.com/demand-registry/demand/registry"
	"gopkg.in/yaml.v3"
)

// token is a key or a scalar value of a demand's front matter (or of
// registry.yaml) with where it is, in the registry's coordinates (1-based
// line and character column), for hovers, links and quick fixes.
type token struct {
	path   string // dotted field path: "links.depends_on", "customer.segment"
	key    bool
	value  string
	line   int
	col    int
	endCol int // exclusive
}

// maxIndexDepth bounds the walk of a document's node tree; the registry
// reports deeper front matter as an error anyway.
const maxIndexDepth = 32

// maxIndexed bounds the text indexed: beyond files.max_size's default a
// file is only a file-size finding.
const maxIndexed = 4 << 20

// tokens lists a document's keys and scalar values. A document that does
// not parse yields what the parser returned before failing, often nothing.
func (d *document) tokens(config bool) (out []token) {
	if len(d.text) > maxIndexed {
		return nil
	}
	defer func() {
		if recover() != nil {
			out = nil
		}
	}()
	var yml []byte
	off := 0
	if config {
		yml = []byte(strings.Join(d.lines, "\n"))
	} else {
		var ok bool
		yml, _, ok = registry.FrontMatter([]byte(d.text))
		if !ok {
			return nil
		}
		off = 1 // the opening --- line
	}
	var root yaml.Node
	if err := yaml.Unmarshal(yml, &root); err != nil || len(root.Content) == 0 {
		return nil
	}
	var walk func(n *yaml.Node, path string, depth int)
	walk = func(n *yaml.Node, path string, depth int) {
		if depth > maxIndexDepth {
			return
		}
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				p := k.Value
				if path != "" {
					p = path + "." + k.Value
				}
				out = append(out, d.token(k, p, true, off))
				walk(v, p, depth+1)
			}
		case yaml.SequenceNode:
			for _, c := range n.Content {
				walk(c, path, depth+1)
			}
		case yaml.ScalarNode:
			out = append(out, d.token(n, path, false, off))
		}
	}
	walk(root.Content[0], "", 0)
	return out
}

// token measures a scalar's extent in the line it starts on: its quotes
// included, and for a plain scalar its value (the first line of it).
func (d *document) token(n *yaml.Node, path string, key bool, off int) token {
	t := token{path: path, key: key, value: n.Value, line: n.Line + off, col: n.Column}
	t.endCol = t.col + tokenWidth(d.line(t.line-1), t.col, n.Value)
	return t
}

// tokenWidth is the width in characters of the YAML scalar that starts at
// character column col of line; value is what it parsed to.
func tokenWidth(line string, col int, value string) int {
	rest := line[len(runePrefix(line, col-1)):]
	if rest == "" {
		return 0
	}
	if value != "" && strings.HasPrefix(rest, value) {
		return utf8.RuneCountInString(value) // a plain scalar on one line
	}
	if q := rest[0]; q == '"' || q == '\'' {
		return quotedWidth(rest)
	}
	return plainWidth(rest)
}

// quotedWidth is the width of the quoted scalar rest starts with, its
// quotes included: up to the closing quote, past backslash escapes in
// double quotes and doubled quotes in single ones; the whole line when it
// does not close.
func quotedWidth(rest string) int {
	q := rest[0]
	for i := 1; i < len(rest); i++ {
		if q == '"' && rest[i] == '\\' {
			i++
			continue
		}
		if rest[i] == q {
			if q == '\'' && i+1 < len(rest) && rest[i+1] == '\'' {
				i++
				continue
			}
			return utf8.RuneCountInString(rest[:i+1])
		}
	}
	return utf8.RuneCountInString(rest)
}

// plainWidth is the width of the plain scalar rest starts with: up to
// what ends one in a block or flow context (": ", a flow indicator, a
// comment), trailing blanks left out.
func plainWidth(rest string) int {
	end := len(rest)
	for i := 0; i < len(rest); i++ {
		if plainEnds(rest, i) {
			end = i
			break
		}
	}
	return utf8.RuneCountInString(strings.TrimRight(rest[:end], " \t"))
}

// plainEnds reports whether a plain scalar in rest ends before byte i.
func plainEnds(rest string, i int) bool {
	c := rest[i]
	next := byte(' ')
	if i+1 < len(rest) {
		next = rest[i+1]
	}
	return (c == ':' && (next == ' ' || next == '\t')) || (c == ':' && i+1 == len(rest)) ||
		c == ',' || c == ']' || c == '}' || (c == '#' && i > 0 && (rest[i-1] == ' ' || rest[i-1] == '\t'))
}

// at returns the token under a registry position, if any.
func at(ts []token, line, col int) (token, bool) {
	for _, t := range ts {
		if t.line == line && col >= t.col && col <= t.endCol {
			return t, true
		}
	}
	return token{}, false
}
