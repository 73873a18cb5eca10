package registry

import (
	"fmt"
	"html"
	"net/url"
	"path"
	"strings"

	"github.com/demand-registry/demand/registry/finding"
)

// LinkKind is what an address in a demand's body points to.
type LinkKind int

// Link kinds.
const (
	// LinkElsewhere is an address with a scheme (https:, mailto:, and the
	// unsafe ones the renderer blanks), another host (//host/x), a
	// fragment or query of the page itself, or nothing: kept as written.
	LinkElsewhere LinkKind = iota
	// LinkInRepo is a file or folder of the repository.
	LinkInRepo
	// LinkOutside climbs above the repository's root: it is not followed.
	LinkOutside
)

// ResolveLink resolves an address written in the file at file (its path
// from the repository root, slash-separated) as a browser resolves it:
// tabs and newlines dropped, backslashes taken as slashes, the path
// percent-decoded (a path that does not decode keeps its escapes, "%2e"
// still a dot) and a leading slash as the repository root (as GitHub
// shows Markdown). For LinkInRepo, target is the cleaned path from the
// root ("" for the root itself) and rest is the query and fragment as
// written ("?a#b", or "").
func ResolveLink(file, addr string) (target, rest string, kind LinkKind) {
	if strings.ContainsAny(addr, "\t\n\r") {
		addr = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(addr)
	}
	addr = strings.TrimFunc(addr, func(r rune) bool { return r <= ' ' })
	if addr == "" || addr[0] == '#' || addr[0] == '?' {
		return "", "", LinkElsewhere
	}
	if colon := strings.IndexByte(addr, ':'); colon >= 0 {
		if end := strings.IndexAny(addr, "/?#"); end < 0 || colon < end {
			return "", "", LinkElsewhere // a scheme
		}
	}
	p := addr
	if i := strings.IndexAny(addr, "?#"); i >= 0 {
		p, rest = addr[:i], addr[i:]
	}
	p = strings.ReplaceAll(p, `\`, "/")
	if strings.HasPrefix(p, "//") {
		return "", "", LinkElsewhere // another host
	}
	// Decoded before it is split: a host may take "%2F" as a slash, and
	// "..%2F.." must not climb unseen.
	if dec, err := url.PathUnescape(p); err == nil {
		p = strings.ReplaceAll(dec, `\`, "/")
	}
	var stack []string
	if !strings.HasPrefix(p, "/") {
		if d := path.Dir(file); d != "." && d != "/" {
			stack = strings.Split(strings.Trim(d, "/"), "/")
		}
	}
	for seg := range strings.SplitSeq(p, "/") {
		switch dotSegment(seg) {
		case 1:
			continue
		case 2:
			if len(stack) == 0 {
				return "", "", LinkOutside
			}
			stack = stack[:len(stack)-1]
			continue
		}
		if seg != "" {
			stack = append(stack, seg)
		}
	}
	return strings.Join(stack, "/"), rest, LinkInRepo
}

// dotSegment is 1 for a "." path segment, 2 for "..", 0 for any other, as
// URLs spell them (".%2E" is "..").
func dotSegment(s string) int {
	if len(s) > 6 {
		return 0
	}
	switch strings.ToLower(s) {
	case ".", "%2e":
		return 1
	case "..", ".%2e", "%2e.", "%2e%2e":
		return 2
	}
	return 0
}

// RepoFolder is a registry folder's path from the repository root as
// Input.Dir and RepoRelDir give it, cleaned ("" for the root). A folder
// whose place is unknown (absolute, or above the working directory: not
// in git) is taken as the root.
func RepoFolder(dir string) string {
	d := path.Clean(strings.ReplaceAll(dir, `\`, "/"))
	if d == "." || path.IsAbs(d) || d == ".." || strings.HasPrefix(d, "../") {
		return ""
	}
	return d
}

// BodyLinksOutside reports the links and images of a body whose relative
// address climbs above the repository's root, the body being that of the
// file at file (from the root). It reads each line once (linear in the
// body's length): inline links and images, and link reference
// definitions, outside fenced and indented code and code spans.
func BodyLinksOutside(body, file string) []BodyProblem {
	var out []BodyProblem
	var fence string
	line, blank := 0, true
	opens := 0 // unclosed '[' of the paragraph so far
	for rest := body; rest != ""; {
		var l string
		l, rest, _ = strings.Cut(rest, "\n")
		line++
		l = strings.TrimSuffix(l, "\r")
		inner, _ := stripContainers(l)
		trimmed := strings.TrimSpace(inner)
		if fence != "" {
			if strings.HasPrefix(trimmed, fence) && strings.Trim(trimmed, fence[:1]) == "" {
				fence = ""
			}
			continue
		}
		if f := fenceOf(trimmed); f != "" {
			fence = f
			continue
		}
		if trimmed == "" {
			blank, opens = true, 0
			continue
		}
		if blank && indentedCode(inner) {
			continue // indented code: blank stays set for the next line
		}
		blank = false
		off := len(l) - len(inner)
		for _, a := range lineAddresses(inner, &opens) {
			if _, _, kind := ResolveLink(file, linkAddress(a.addr)); kind == LinkOutside {
				shown := a.addr
				if r := []rune(shown); len(r) > 80 {
					shown = string(r[:80]) + "…"
				}
				out = append(out, BodyProblem{Line: line, Col: off + a.col, Rule: "link-outside",
					Message: fmt.Sprintf("the link %q climbs out of the repository, so the site does not link it", shown),
					Hint:    "link to a file inside the repository, or give an absolute https:// address"})
			}
		}
	}
	return out
}

// indentedCode reports whether a line starts with four columns of
// indentation (a tab counts as four).
func indentedCode(l string) bool {
	n := 0
	for _, c := range l {
		switch c {
		case ' ':
			n++
		case '\t':
			n += 4
		default:
			return n >= 4
		}
		if n >= 4 {
			return true
		}
	}
	return false
}

type lineAddress struct {
	addr string
	col  int // 1-based, in bytes
}

// lineAddresses finds the addresses of a line's inline links and images
// ("](addr" after an unclosed "[", which *opens counts across the
// paragraph's lines) and of a link reference definition ("[label]:
// addr"), outside code spans. Each byte is looked at a bounded number of
// times.
func lineAddresses(l string, opens *int) []lineAddress {
	var out []lineAddress
	if s := strings.TrimLeft(l, " "); len(l)-len(s) < 4 && strings.HasPrefix(s, "[") && !strings.HasPrefix(s, "[^") {
		if i := strings.Index(s, "]:"); i > 0 && !strings.Contains(s[:i], "](") {
			at := len(l) - len(s) + i + 2
			at += len(l[at:]) - len(strings.TrimLeft(l[at:], " \t"))
			if a, end := destination(l, at, strings.LastIndexByte(l, '>')); end > at {
				out = append(out, lineAddress{a, at + 1})
			}
		}
	}
	lastGT := strings.LastIndexByte(l, '>')
	spans := codeSpans(l)
	for i := 0; i < len(l); i++ {
		if len(spans) > 0 && i >= spans[0][0] {
			i, spans = spans[0][1]-1, spans[1:]
			continue
		}
		switch l[i] {
		case '\\':
			i++
		case '[':
			*opens++
		case ']':
			if *opens == 0 {
				continue
			}
			*opens--
			if i+1 < len(l) && l[i+1] == '(' {
				at := i + 2
				at += len(l[at:]) - len(strings.TrimLeft(l[at:], " \t"))
				a, end := destination(l, at, lastGT)
				if end > at {
					out = append(out, lineAddress{a, at + 1})
					for len(spans) > 0 && spans[0][0] < end {
						spans = spans[1:] // backticks inside the address
					}
					i = end - 1
				}
			}
		}
	}
	return out
}

// codeSpans are a line's code spans, [start, end) in order: a run of
// backticks opens one that the next run of as many closes. Each run is
// paired in one pass, each length's runs being taken in order.
func codeSpans(l string) [][2]int {
	type run struct{ at, n int }
	var runs []run
	for i := 0; i < len(l); i++ {
		if l[i] == '\\' {
			i++
			continue
		}
		if l[i] == '`' {
			j := i
			for j < len(l) && l[j] == '`' {
				j++
			}
			runs = append(runs, run{i, j - i})
			i = j - 1
		}
	}
	if len(runs) < 2 {
		return nil
	}
	byLen := map[int][]int{} // run indexes by length, in order
	for k, r := range runs {
		byLen[r.n] = append(byLen[r.n], k)
	}
	var spans [][2]int
	for k := 0; k < len(runs); k++ {
		same := byLen[runs[k].n]
		for len(same) > 0 && same[0] <= k {
			same = same[1:]
		}
		byLen[runs[k].n] = same
		if len(same) == 0 {
			continue // no closer: the backticks are text
		}
		closer := same[0]
		spans = append(spans, [2]int{runs[k].at, runs[closer].at + runs[closer].n})
		k = closer
	}
	return spans
}

// destination reads a link destination at l[at:] ("<a b>" or a run
// without spaces and with balanced parentheses) and returns it and where
// it ends; end == at when there is none. lastGT is the line's last '>'.
func destination(l string, at, lastGT int) (string, int) {
	if at >= len(l) {
		return "", at
	}
	if l[at] == '<' {
		if lastGT <= at {
			return "", at
		}
		for i := at + 1; i < len(l); i++ {
			switch l[i] {
			case '\\':
				i++
			case '>':
				return l[at+1 : i], i + 1
			case '<':
				return "", at
			}
		}
		return "", at
	}
	open := 0
	i := at
	for ; i < len(l); i++ {
		c := l[i]
		if c == '\\' && i+1 < len(l) {
			i++
			continue
		}
		if c == '(' {
			open++
		} else if c == ')' {
			if open--; open < 0 {
				break
			}
		} else if c <= ' ' {
			break
		}
	}
	return l[at:i], i
}

// linkAddress is a destination as Markdown means it: backslash escapes
// and character references resolved.
func linkAddress(dest string) string {
	if strings.IndexByte(dest, '\\') >= 0 {
		var sb strings.Builder
		for i := 0; i < len(dest); i++ {
			if dest[i] == '\\' && i+1 < len(dest) && isASCIIPunct(dest[i+1]) {
				i++
			}
			sb.WriteByte(dest[i])
		}
		dest = sb.String()
	}
	if strings.IndexByte(dest, '&') >= 0 {
		dest = html.UnescapeString(dest)
	}
	return dest
}

func isASCIIPunct(c byte) bool {
	return c >= '!' && c <= '/' || c >= ':' && c <= '@' || c >= '[' && c <= '`' || c >= '{' && c <= '~'
}

// LinksOutside reports, as warnings, the links of every demand's body
// that climb out of the repository (see BodyLinksOutside); dir is the
// registry folder's path from the repository root (see RepoFolder).
func LinksOutside(s *Snapshot, dir string) finding.Findings {
	dir = RepoFolder(dir)
	var fs finding.Findings
	for _, d := range s.Demands {
		for _, p := range BodyLinksOutside(d.Body, path.Join(dir, d.Path)) {
			fs = append(fs, finding.Finding{Path: d.Path, Line: d.BodyLine + p.Line - 1, Col: p.Col, Severity: finding.Warning,
				Rule: p.Rule, Message: p.Message, Hint: p.Hint})
		}
	}
	return fs
}
