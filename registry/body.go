package registry

import (
	"fmt"
	"strings"

	"github.com/demand-registry/demand/registry/finding"
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
	var c bodyChecker
	for rest := body; rest != ""; {
		var l string
		l, rest, _ = strings.Cut(rest, "\n")
		c.line++
		c.checkLine(l)
	}
	return c.out
}

// bodyChecker is CheckBody's state between lines.
type bodyChecker struct {
	out                                                  []BodyProblem
	line                                                 int
	nestingDone, columnsDone, cellsDone, linkDone, notes bool
	footnotes                                            int    // footnote marks so far
	depth, parens                                        int    // unclosed brackets and parentheses in the current paragraph
	fence                                                string // the fence of the open code block, if any
	tableCols                                            int    // columns of the table being read, 0 outside one
	cells                                                int    // cells of all tables so far
}

// report adds a problem unless its limit was reported already.
func (c *bodyChecker) report(done *bool, col int, rule, msg, hint string) {
	if *done {
		return
	}
	*done = true
	c.out = append(c.out, BodyProblem{Line: c.line, Col: col, Rule: rule, Message: msg, Hint: hint})
}

func (c *bodyChecker) checkLine(l string) {
	inner, markers := stripContainers(l)
	trimmed := strings.TrimSpace(inner)
	if c.fence != "" {
		if strings.HasPrefix(trimmed, c.fence) && strings.Trim(trimmed, c.fence[:1]) == "" {
			c.fence = ""
		}
		return
	}
	if f := fenceOf(trimmed); f != "" {
		c.fence, c.depth, c.parens, c.tableCols = f, 0, 0, 0
		return
	}
	if trimmed == "" {
		c.depth, c.parens, c.tableCols = 0, 0, 0
		return
	}
	if markers > MaxBodyNesting {
		c.report(&c.nestingDone, 1, "body-nesting",
			fmt.Sprintf("%d block quotes or list items are nested on one line, more than %d", markers, MaxBodyNesting),
			"flatten the quotes or lists")
	}
	if n := definitionLength(trimmed); n > MaxLinkDefinition {
		c.report(&c.linkDone, 1, "body-link",
			fmt.Sprintf("a link reference definition is %d bytes long, more than %d", n, MaxLinkDefinition), "shorten the address")
	}
	c.checkTable(trimmed)
	c.checkBrackets(inner, len(l)-len(inner))
}

// checkTable counts the columns and cells of the tables.
func (c *bodyChecker) checkTable(trimmed string) {
	if c.tableCols > 0 {
		c.cells += c.tableCols
	} else if n := delimiterCells(trimmed); n > 0 {
		c.tableCols = n
		c.cells += 2 * n // the header and this row
		if n > MaxTableColumns {
			c.report(&c.columnsDone, 1, "body-table", fmt.Sprintf("a table has %d columns, more than %d", n, MaxTableColumns),
				"split the table, or attach the data as a file")
		}
	}
	if c.cells > MaxTableCells {
		c.report(&c.cellsDone, 1, "body-table", fmt.Sprintf("the tables have more than %d cells", MaxTableCells),
			"shorten the tables, or attach the data as a file")
	}
}

// checkBrackets follows the nesting of brackets and parentheses, and
// counts footnote marks; off is where inner starts in its line.
func (c *bodyChecker) checkBrackets(inner string, off int) {
	for i := 0; i < len(inner); i++ {
		switch inner[i] {
		case '\\':
			i++
			continue
		case ']':
			c.depth = max(c.depth-1, 0)
			continue
		case ')':
			c.parens = max(c.parens-1, 0)
			continue
		case '[':
			c.depth++
			if i+1 < len(inner) && inner[i+1] == '^' {
				c.footnotes++
				if c.footnotes > MaxFootnoteMarks {
					c.report(&c.notes, off+i+1, "body-link",
						fmt.Sprintf("the body has more than %d footnote references and definitions", MaxFootnoteMarks),
						"use fewer footnotes, or split the text")
				}
			}
		case '(':
			c.parens++
		default:
			continue
		}
		if max(c.depth, c.parens) > MaxBodyNesting {
			c.report(&c.nestingDone, off+i+1, "body-nesting",
				fmt.Sprintf("brackets or parentheses are nested more than %d deep", MaxBodyNesting),
				`close the brackets, or write \[ for a literal one`)
		}
	}
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
func (d *Demand) checkBody() finding.Findings {
	var fs finding.Findings
	for _, p := range CheckBody(d.Body) {
		fs = append(fs, finding.Finding{Path: d.Path, Line: d.BodyLine + p.Line - 1, Col: p.Col, Severity: finding.Error,
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

// FirstHeading is the text of a body's first first-level heading ("# Title"
// or a line underlined with "="), outside fenced code, and the 1-based
// line it is on; "" and 0 when there is none.
func FirstHeading(body string) (string, int) {
	var fence, prev string
	line := 0
	for rest := body; rest != ""; {
		var l string
		l, rest, _ = strings.Cut(rest, "\n")
		line++
		l = strings.TrimRight(l, "\r")
		t := strings.TrimLeft(l, " ")
		if len(l)-len(t) > 3 {
			prev = ""
			continue // indented code
		}
		if fence != "" {
			if strings.HasPrefix(t, fence) && strings.Trim(t, fence[:1]+" ") == "" {
				fence = ""
			}
			continue
		}
		if f := fenceOf(t); f != "" {
			fence, prev = f, ""
			continue
		}
		if h, ok := strings.CutPrefix(t, "#"); ok && (h == "" || h[0] == ' ' || h[0] == '\t') {
			h = strings.TrimSpace(h)
			// A closing run of #s (after a space) is not part of the text.
			if i := strings.LastIndexAny(h, " \t"); i >= 0 && strings.Trim(h[i+1:], "#") == "" {
				h = strings.TrimSpace(h[:i])
			} else if strings.Trim(h, "#") == "" {
				h = ""
			}
			if h != "" {
				return h, line
			}
		}
		if prev != "" && t != "" && strings.Trim(t, "= ") == "" && strings.Contains(t, "=") {
			return prev, line - 1
		}
		prev = strings.TrimSpace(t)
	}
	return "", 0
}
