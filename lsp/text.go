package lsp

import (
	"strings"
	"unicode/utf8"
)

// document is the text of an open buffer split into lines as the registry
// counts them: a byte-order mark removed, and CRLF, CR and LF each ending
// a line, so a finding's line N is lines[N-1].
type document struct {
	uri     string
	path    string // file path on disk
	version int
	text    string
	lines   []string
	bom     bool
}

func newDocument(uri, path string, version int, text string) *document {
	d := &document{uri: uri, path: path, version: version, text: text}
	t := text
	if strings.HasPrefix(t, "\uFEFF") {
		t, d.bom = t[len("\uFEFF"):], true
	}
	t = strings.ReplaceAll(t, "\r\n", "\n")
	t = strings.ReplaceAll(t, "\r", "\n")
	d.lines = strings.Split(t, "\n")
	return d
}

func (d *document) line(i int) string {
	if i < 0 || i >= len(d.lines) {
		return ""
	}
	return d.lines[i]
}

// position converts a registry position (1-based line, 1-based column in
// characters) to an LSP position (0-based line, UTF-16 code units).
// Line 0 (a finding about the whole file) is the file's start.
func (d *document) position(line, col int) Position {
	if line <= 0 {
		return Position{}
	}
	l := d.line(line - 1)
	p := Position{Line: line - 1, Character: utf16Len(runePrefix(l, col-1))}
	if line == 1 && d.bom {
		p.Character++ // the editor's buffer holds the mark the parser removed
	}
	return p
}

// runePrefix is the first n characters of s (all of s when shorter).
func runePrefix(s string, n int) string {
	if n <= 0 {
		return ""
	}
	i := 0
	for k := range s {
		if i == n {
			return s[:k]
		}
		i++
	}
	return s
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// offset converts an LSP position to a byte offset in its line, and the
// line's text; a character past the end is the end.
func (d *document) offset(p Position) (string, int) {
	l := d.line(p.Line)
	if p.Line == 0 && d.bom && p.Character > 0 {
		p.Character--
	}
	units := 0
	for k, r := range l {
		if units >= p.Character {
			return l, k
		}
		units++
		if r >= 0x10000 {
			units++
		}
	}
	return l, len(l)
}

// column is the 1-based character column of a byte offset in a line.
func column(line string, off int) int {
	return utf8.RuneCountInString(line[:off]) + 1
}

// rawOffset is the byte offset of an LSP position in a text as the editor
// holds it (CRLF, CR or LF ending lines; a byte-order mark counted as a
// character): a line past the end is the end, a character past its line's
// end is the line's end.
func rawOffset(text string, p Position) int {
	off := 0
	for line := 0; line < p.Line; line++ {
		i := strings.IndexAny(text[off:], "\r\n")
		if i < 0 {
			return len(text)
		}
		off += i + 1
		if text[off-1] == '\r' && off < len(text) && text[off] == '\n' {
			off++
		}
	}
	units := 0
	for k, r := range text[off:] {
		if r == '\r' || r == '\n' || units >= p.Character {
			return off + k
		}
		units++
		if r >= 0x10000 {
			units++
		}
	}
	return len(text)
}

// applyEdit replaces a range of a text.
func applyEdit(text string, r Range, with string) string {
	a, b := rawOffset(text, r.Start), rawOffset(text, r.End)
	if b < a {
		a, b = b, a
	}
	return text[:a] + with + text[b:]
}
