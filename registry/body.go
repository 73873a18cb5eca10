package registry

import (
	"fmt"
	"strings"
)

// Limits on a demand's Markdown body, so that its page stays in proportion
// to it: a table row of empty cells costs the writer two bytes and the page
// one cell per column, and deeply nested brackets make the Markdown parser
// quadratic in the depth.
const (
	// MaxBodyNesting is the deepest nesting of unclosed brackets (or
	// parentheses, which "[a](" leaves open) within a paragraph, and of
	// block quotes and list items opened on one line.
	MaxBodyNesting = 32
	// MaxTableColumns is the most columns a table may have.
	MaxTableColumns = 64
	// MaxTableCells is the most cells (columns × rows) of all the tables
	// of a body together.
	MaxTableCells = 20000
	// MaxLinkDefinition is the longest address a link reference definition
	// ([name]: address) may give: the parser copies it for every use.
	MaxLinkDefinition = 4096
	// MaxFootnoteMarks is the most footnote marks ("[^", references and
	// definitions together) a body may hold: the parser's footnote
	// handling grows with the square of their number.
	MaxFootnoteMarks = 1000
)

// BodyProblem is a body that exceeds one of the limits above, at a line of
// the body (1-based) and a column (1-based, in bytes).
type BodyProblem struct {
	Line, Col     int
	Rule, Message string
	Hint          string
}

func (p BodyProblem) Error() string {
	return fmt.Sprintf("body line %d: %s", p.Line, p.Message)
}

// CheckBody reports the first time a body exceeds each limit, in one pass
// over it (linear in its length). Fenced code is not looked into: it is
// shown as written.
func CheckBody(body string) []BodyProblem {
	var out []BodyProblem
	var nestingDone, columnsDone, cellsDone, linkDone, notesDone bool
	notes := 0            // footnote marks so far
	depth, parens := 0, 0 // unclosed brackets and parentheses in the current paragraph
	fence := ""           // the fence of the open code block, if any
	tableCols := 0        // columns of the table being read, 0 outside one
	cells := 0            // cells of all tables so far
	line := 0
	for rest := body; rest != ""; {
		var l string
		l, rest, _ = strings.Cut(rest, "\n")
		line++
		inner, markers := stripContainers(l)
		trimmed := strings.TrimSpace(inner)
		if fence != "" {
			if strings.HasPrefix(trimmed, fence) && strings.Trim(trimmed, fence[:1]) == "" {
				fence = ""
			}
			continue
		}
		if f := fenceOf(trimmed); f != "" {
			fence, depth, parens, tableCols = f, 0, 0, 0
			continue
		}
		if trimmed == "" {
			depth, parens, tableCols = 0, 0, 0
			continue
		}
		if markers > MaxBodyNesting && !nestingDone {
			nestingDone = true
			out = append(out, BodyProblem{Line: line, Col: 1, Rule: "body-nesting",
				Message: fmt.Sprintf("%d block quotes or list items are nested on one line, more than %d", markers, MaxBodyNesting),
				Hint:    "flatten the quotes or lists"})
		}
		if n := definitionLength(trimmed); n > MaxLinkDefinition && !linkDone {
			linkDone = true
			out = append(out, BodyProblem{Line: line, Col: 1, Rule: "body-link",
				Message: fmt.Sprintf("a link reference definition is %d bytes long, more than %d", n, MaxLinkDefinition),
				Hint:    "shorten the address"})
		}
		if tableCols > 0 {
			cells += tableCols
		} else if n := delimiterCells(trimmed); n > 0 {
			tableCols = n
			cells += 2 * n // the header and this row
			if n > MaxTableColumns && !columnsDone {
				columnsDone = true
				out = append(out, BodyProblem{Line: line, Col: 1, Rule: "body-table",
					Message: fmt.Sprintf("a table has %d columns, more than %d", n, MaxTableColumns),
					Hint:    "split the table, or attach the data as a file"})
			}
		}
		if cells > MaxTableCells && !cellsDone {
			cellsDone = true
			out = append(out, BodyProblem{Line: line, Col: 1, Rule: "body-table",
				Message: fmt.Sprintf("the tables have more than %d cells", MaxTableCells),
				Hint:    "shorten the tables, or attach the data as a file"})
		}
		for i := 0; i < len(inner); i++ {
			switch inner[i] {
			case '\\':
				i++
			case '[', '(':
				if inner[i] == '[' {
					depth++
					if i+1 < len(inner) && inner[i+1] == '^' {
						notes++
						if notes > MaxFootnoteMarks && !notesDone {
							notesDone = true
							out = append(out, BodyProblem{Line: line, Col: len(l) - len(inner) + i + 1, Rule: "body-link",
								Message: fmt.Sprintf("the body has more than %d footnote references and definitions", MaxFootnoteMarks),
								Hint:    "use fewer footnotes, or split the text"})
						}
					}
				} else {
					parens++
				}
				if max(depth, parens) > MaxBodyNesting && !nestingDone {
					nestingDone = true
					out = append(out, BodyProblem{Line: line, Col: len(l) - len(inner) + i + 1, Rule: "body-nesting",
						Message: fmt.Sprintf("brackets or parentheses are nested more than %d deep", MaxBodyNesting),
						Hint:    `close the brackets, or write \[ for a literal one`})
				}
			case ']':
				depth = max(depth-1, 0)
			case ')':
				parens = max(parens-1, 0)
			}
		}
	}
	return out
}

// stripContainers removes the block-quote and list-item markers a line
// starts with, and counts them.
func stripContainers(l string) (string, int) {
	n := 0
	for {
		s := strings.TrimLeft(l, " \t")
		switch {
		case strings.HasPrefix(s, ">"):
			l = s[1:]
		case len(s) >= 2 && strings.IndexByte("-*+", s[0]) >= 0 && (s[1] == ' ' || s[1] == '\t'):
			l = s[2:]
		default:
			d := 0
			for d < len(s) && d < 10 && s[d] >= '0' && s[d] <= '9' {
				d++
			}
			if d == 0 || d+1 >= len(s) || (s[d] != '.' && s[d] != ')') || (s[d+1] != ' ' && s[d+1] != '\t') {
				return l, n
			}
			l = s[d+2:]
		}
		n++
	}
}

// fenceOf returns the fence (``` or ~~~, as long as written) a line opens.
func fenceOf(s string) string {
	for _, c := range []string{"`", "~"} {
		n := len(s) - len(strings.TrimLeft(s, c))
		if n >= 3 && (c == "~" || !strings.Contains(s[n:], "`")) {
			return s[:n]
		}
	}
	return ""
}

// delimiterCells returns the number of cells of a table's delimiter row
// (| --- | :-: |), or 0 for any other line.
func delimiterCells(s string) int {
	if !strings.Contains(s, "|") || !strings.Contains(s, "-") || strings.Trim(s, "|-: \t") != "" {
		return 0
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "|"), "|")
	n := 0
	for c := range strings.SplitSeq(s, "|") {
		c = strings.Trim(strings.TrimSpace(c), ":")
		if c == "" || strings.Trim(c, "-") != "" {
			return 0
		}
		n++
	}
	return n
}

// checkBody turns the body's problems into findings at their place in the
// file.
func (d *Demand) checkBody() Findings {
	var fs Findings
	for _, p := range CheckBody(d.Body) {
		fs = append(fs, Finding{Path: d.Path, Line: d.BodyLine + p.Line - 1, Col: p.Col, Severity: Error,
			Rule: p.Rule, Message: p.Message, Hint: p.Hint})
	}
	return fs
}

// definitionLength is the length of the address a link reference
// definition line ([name]: address) gives, or 0 for any other line.
func definitionLength(s string) int {
	if !strings.HasPrefix(s, "[") {
		return 0
	}
	_, after, ok := strings.Cut(s, "]:")
	if !ok {
		return 0
	}
	addr, _, _ := strings.Cut(strings.TrimSpace(after), " ")
	return len(addr)
}
