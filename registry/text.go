package registry

import (
	"bytes"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/demand-registry/demand/registry/finding"
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// checkUTF8 reports the position of the first byte that is not UTF-8.
func checkUTF8(path string, data []byte) (finding.Finding, bool) {
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

// normalizeNewlines turns CRLF and lone CR into LF; positions stay the same.
func normalizeNewlines(b []byte) []byte {
	if bytes.IndexByte(b, '\r') < 0 {
		return b
	}
	b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
	return bytes.ReplaceAll(b, []byte("\r"), []byte("\n"))
}

// Date is a calendar date written YYYY-MM-DD.
type Date string

// ParseDate checks a YYYY-MM-DD date, rejecting impossible ones (2026-02-30).
func ParseDate(s string) (Date, bool) {
	if len(s) != 10 {
		return "", false
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil || t.Format("2006-01-02") != s {
		return "", false
	}
	return Date(s), true
}

// Time is the date at midnight UTC; the zero time for an empty date.
func (d Date) Time() time.Time {
	t, _ := time.Parse("2006-01-02", string(d))
	return t
}

// IsZero reports whether the date is unset.
func (d Date) IsZero() bool { return d == "" }

var weekdays = []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

// WeekdayByName parses a weekday name (any case), or returns -1.
func WeekdayByName(s string) time.Weekday {
	for i, w := range weekdays {
		if strings.EqualFold(s, w) {
			return time.Weekday(i)
		}
	}
	return -1
}

// closest returns the candidate nearest to s by edit distance, when near
// enough to be a plausible typo.
func closest(s string, candidates []string) string {
	best, bestD := "", 1<<30
	for _, c := range candidates {
		if c == "*" {
			continue
		}
		d := editDistance(strings.ToLower(s), strings.ToLower(c))
		if d < bestD || (d == bestD && c < best) {
			best, bestD = c, d
		}
	}
	limit := max(2, utf8.RuneCountInString(s)/3)
	if bestD <= limit && bestD < utf8.RuneCountInString(s) {
		return best
	}
	return ""
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// Optimal string alignment distance: a swap of two neighbours
	// ("titel" for "title") costs one edit, like a typo does.
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
