// Package escape makes untrusted text (titles, names, file names, commit
// subjects and authors from whoever opened a pull request) safe for the
// place it is printed to: a terminal, a Markdown summary, a CSV cell.
// Each kind of output has its one function here, so every printer of that
// kind escapes the same way. (GitHub workflow commands are escaped where
// findings are printed, finding.Write, their only printer.)
package escape

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// IsControl reports whether r is a C0 or C1 control character or DEL:
// what a terminal may act on instead of showing.
func IsControl(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f)
}

// HasControl reports whether s holds a control character or a byte that
// is not UTF-8.
func HasControl(s string) bool {
	for i, r := range s {
		if IsControl(r) || (r == utf8.RuneError && isBadByte(s, i)) {
			return true
		}
	}
	return false
}

func isBadByte(s string, i int) bool {
	_, size := utf8.DecodeRuneInString(s[i:])
	return size <= 1
}

// Terminal writes control characters (ESC, BEL, CR, newline, tab, C1
// controls, DEL) and bytes that are not UTF-8 as Go escapes (\x1b, \a,
// \r, \n, \u0085, \xff), so text from the repository cannot move the
// cursor, recolour, retitle or clear a terminal, nor forge lines of
// output. Printable text, Chinese included, is left as it is.
func Terminal(s string) string {
	if !HasControl(s) {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == utf8.RuneError && isBadByte(s, i):
			b.WriteString(`\x` + strconv.FormatUint(uint64(s[i])|0x100, 16)[1:])
		case IsControl(r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Path is a file name for text output of the form PATH:LINE:COL: a name
// with a colon, a quote, a control character or surrounding spaces is
// quoted (Go syntax), so where the name ends stays unambiguous.
func Path(p string) string {
	if strings.ContainsAny(p, `:"`) || HasControl(p) || strings.TrimSpace(p) != p {
		return strconv.Quote(p)
	}
	return p
}

// Markdown escapes text for the middle of a Markdown line (GitHub's step
// summary: a table cell, a list item): every character that starts a
// link, image, emphasis, code, math, mention, autolink, entity or HTML
// gets a backslash, and so does the dot of "www.", so nothing in the text
// renders but the text. Line breaks become spaces, so the text stays in
// its cell or line and never starts one (where - + = and digits would
// matter); control characters are escaped as for a terminal.
func Markdown(s string) string {
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
	s = Terminal(s)
	var b strings.Builder
	for i, r := range s {
		if r < utf8.RuneSelf && strings.ContainsRune(markdownSpecial, r) ||
			r == '.' && i >= 3 && strings.EqualFold(s[i-3:i], "www") {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

const markdownSpecial = "\\`*_[]<>!|~&#@:$"

// csvTrigger: a cell a spreadsheet reads as a formula starts with one of
// these (OWASP's CSV injection rule).
const csvTrigger = "=+-@\t\r"

// needsQuote reports whether a cell is, after any leading apostrophes, a
// formula trigger.
func needsQuote(s string) bool {
	t := strings.TrimLeft(s, "'")
	return t != "" && strings.IndexByte(csvTrigger, t[0]) >= 0
}

// CSVCell neutralises a cell a spreadsheet would run as a formula
// (starting with = + - @ tab or CR) by prefixing an apostrophe. A cell
// that already starts with apostrophes before such a character gets one
// more, so that CSVUncell restores every cell exactly.
func CSVCell(s string) string {
	if needsQuote(s) {
		return "'" + s
	}
	return s
}

// CSVUncell undoes CSVCell: it drops the apostrophe CSVCell added, and
// leaves every other cell (an apostrophe before other text) as it is.
func CSVUncell(s string) string {
	if strings.HasPrefix(s, "'") && needsQuote(s) {
		return s[1:]
	}
	return s
}

// CSVRow applies CSVCell to every cell of a row.
func CSVRow(row []string) []string {
	out := make([]string, len(row))
	for i, c := range row {
		out[i] = CSVCell(c)
	}
	return out
}
