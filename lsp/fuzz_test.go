package lsp

import (
	"bufio"
	"bytes"
	"encoding/json"
	"testing"
	"unicode/utf8"
)

// FuzzReadObject feeds arbitrary bytes to the framing codec: it must
// neither panic nor read past its bounds, and every message it returns is
// JSON.
func FuzzReadObject(f *testing.F) {
	f.Add([]byte("Content-Length: 2\r\n\r\n{}"))
	f.Add([]byte("Content-Length: 5\n\n{not}Content-Length: 99999999999\r\n\r\n"))
	f.Add([]byte("\r\n\r\nContent-Type: x\r\nContent-Length: 0\r\n\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bufio.NewReader(bytes.NewReader(data))
		for range 100 {
			var v json.RawMessage
			if err := (boundedCodec{}).ReadObject(r, &v); err != nil {
				return
			}
			if !json.Valid(v) {
				t.Fatalf("not JSON: %q", v)
			}
		}
	})
}

// FuzzDocument runs the text-level parts of the server on arbitrary
// buffers: position conversions, the token index and the completion
// context of every line and column.
func FuzzDocument(f *testing.F) {
	f.Add("---\nid: D-0001\ntitle: 中文😀\ncustomer: {name: 北京, segment: v\nlinks:\n  depends_on: [D-0\n---\nbody\n")
	f.Add("\uFEFF---\r\nstatus: \"x\r- 'a''b'\n")
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 4096 {
			return
		}
		d := newDocument("file:///x/D-0001.md", "/x/D-0001.md", 1, text)
		ts := d.tokens(false)
		d.tokens(true)
		for _, tk := range ts {
			if tk.endCol < tk.col {
				t.Fatalf("token ends before it starts: %+v", tk)
			}
		}
		for i := range min(len(d.lines), 20) {
			n := utf16Len(d.line(i))
			for c := 0; c <= n+1; c++ {
				p := Position{Line: i, Character: c}
				line, off := d.offset(p)
				if off < 0 || off > len(line) {
					t.Fatalf("offset %d outside line %q", off, line)
				}
				col := column(line, off)
				back := d.position(i+1, col)
				want := utf16Len(line[:off])
				if i == 0 && d.bom {
					want++
				}
				// Past the end is the end; inside a surrogate pair, after it.
				if back.Line != i || back.Character != want || want < min(c, n) || want > min(c, n)+1 {
					t.Fatalf("position %v → col %d → %v (line %q)", p, col, back, line)
				}
				if d.inFrontMatter(i) {
					d.context(i, line[:off])
				}
				d.tokenAt(p, false)
			}
		}
	})
}

// FuzzApplyEdit checks ranged edits against a reference on runes: an
// edit between two positions replaces exactly the text between them.
func FuzzApplyEdit(f *testing.F) {
	f.Add("a\r\nb😀c\rd\n", 1, 1, 1, 3, "X")
	f.Add("\uFEFF中文\n", 0, 0, 0, 2, "")
	f.Fuzz(func(t *testing.T, text string, l1, c1, l2, c2 int, with string) {
		if len(text) > 1024 || l1 < 0 || c1 < 0 || l2 < 0 || c2 < 0 || l1 > 50 || l2 > 50 || c1 > 200 || c2 > 200 {
			return
		}
		r := Range{Start: Position{l1, c1}, End: Position{l2, c2}}
		got := applyEdit(text, r, with)
		a, b := rawOffset(text, r.Start), rawOffset(text, r.End)
		if a > b {
			a, b = b, a
		}
		if got != text[:a]+with+text[b:] || a < 0 || b > len(text) {
			t.Fatalf("bad edit")
		}
		// Offsets land on character boundaries.
		if !utf8.ValidString(text[:a]) && utf8.ValidString(text) {
			t.Fatalf("offset %d splits a character", a)
		}
	})
}

// FuzzParseContent: completion reads whatever line the cursor is on
// without panicking ("- [{]{" once sliced past its end).
func FuzzParseContent(f *testing.F) {
	for _, s := range []string{"[{]{", "customer: {name: x, segment: v", "tags: [a, b", "a: [{b: c}, {", "x: ]]{["} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, item bool) {
		parseContent([]string{"links"}, s, item)
	})
}
