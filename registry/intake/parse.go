package intake

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// NoResponse is what GitHub renders for a question left empty.
const NoResponse = "_No response_"

// MaxBody is the largest issue body read; GitHub stores at most 65,536
// characters of one.
const MaxBody = 256 << 10

// Answer is one question's answer in a submitted form.
type Answer struct {
	Element *Element
	Value   string // "" when left empty
	Line    int    // the answer's first line in the body (its heading's when empty), 1-based
}

// Problem is something wrong with a submitted form, at a line of its body.
type Problem struct {
	Line    int
	Message string
}

func (p Problem) Error() string { return fmt.Sprintf("line %d: %s", p.Line, p.Message) }

// Parse reads the body GitHub renders for a submitted issue form: for
// every question, in the form's order, a "### Label" line, a blank line
// and the answer ("_No response_" when empty), then a blank line. The
// questions are looked for in order, so an answer cannot start a question
// that comes before it, and the last question (the text) keeps every line
// after its heading, "###" lines included. A question whose heading is not
// found is unanswered.
func (f *Form) Parse(body string) (map[string]Answer, []Problem) {
	var probs []Problem
	if len(body) > MaxBody {
		return nil, []Problem{{Line: 1, Message: fmt.Sprintf("the issue body is %d bytes, more than the %d read", len(body), MaxBody)}}
	}
	if !utf8.ValidString(body) {
		return nil, []Problem{{Line: 1, Message: "the issue body is not UTF-8"}}
	}
	body = strings.ReplaceAll(body, "\r\n", "\n")
	body = strings.ReplaceAll(body, "\r", "\n")
	lines := strings.Split(body, "\n")
	type hit struct{ elem, line int }
	var hits []hit
	next := 0
	for i := 0; i < len(lines) && next < len(f.Elements); i++ {
		h, ok := heading(lines[i])
		if !ok {
			continue
		}
		for j := next; j < len(f.Elements); j++ {
			if f.Elements[j].matches(h) {
				hits = append(hits, hit{j, i})
				next = j + 1
				break
			}
		}
	}
	out := map[string]Answer{}
	for k, h := range hits {
		end := len(lines)
		if k+1 < len(hits) {
			end = hits[k+1].line
		}
		e := &f.Elements[h.elem]
		v := strings.Trim(strings.Join(lines[h.line+1:end], "\n"), "\n")
		v = strings.TrimRight(v, " \t\n")
		if e.Kind != Textarea {
			v = strings.TrimSpace(v)
			if strings.Contains(v, "\n") {
				probs = append(probs, Problem{Line: h.line + 1, Message: fmt.Sprintf("%q: the answer has several lines; one is expected", e.Label)})
				v = strings.TrimSpace(v[:strings.IndexByte(v, '\n')])
			}
		}
		if strings.TrimSpace(v) == NoResponse {
			v = ""
		}
		line := h.line + 1
		for i := h.line + 1; i < end; i++ {
			if strings.TrimSpace(lines[i]) != "" {
				line = i + 1
				break
			}
		}
		out[e.ID] = Answer{Element: e, Value: v, Line: line}
	}
	if len(hits) == 0 {
		probs = append(probs, Problem{Line: 1, Message: "no question of the demand form was found (### headings); was the issue opened with the form?"})
	}
	return out, probs
}

// heading returns the text of a "### Label" line.
func heading(line string) (string, bool) {
	if !strings.HasPrefix(line, "### ") {
		return "", false
	}
	return strings.TrimSpace(line[4:]), true
}

func (e *Element) matches(h string) bool {
	if h == e.Label {
		return true
	}
	// A heading in one language, or both in the other order (a form
	// made before the registry's language changed).
	for _, part := range strings.Split(h, " / ") {
		for _, n := range e.Names {
			if strings.EqualFold(strings.TrimSpace(part), n) {
				return true
			}
		}
	}
	return false
}

// Value turns a dropdown's rendered choice into its field value: the
// option's text, a text ending in "(value)", or the value or a label of
// it alone. ok is false when it names none of the options.
func (e *Element) Value(text string) (string, bool) {
	if e.Kind != Dropdown {
		return text, true
	}
	for _, o := range e.Options {
		if o.Text == text {
			return o.Value, true
		}
	}
	if i := strings.LastIndex(text, "("); i >= 0 && strings.HasSuffix(text, ")") {
		inner := text[i+1 : len(text)-1]
		for _, o := range e.Options {
			if o.Value == inner {
				return o.Value, true
			}
		}
	}
	for _, o := range e.Options {
		if strings.EqualFold(text, o.Value) {
			return o.Value, true
		}
		label := strings.TrimSuffix(o.Text, " ("+o.Value+")")
		for _, part := range strings.Split(label, " / ") {
			if strings.EqualFold(text, part) {
				return o.Value, true
			}
		}
	}
	return "", false
}
