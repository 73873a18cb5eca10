// Package suggest finds the "did you mean" candidate for a misspelt name.
package suggest

import (
	"strings"
	"unicode/utf8"
)

// Closest returns the candidate nearest to s by edit distance, when near
// enough to be a plausible typo.
func Closest(s string, candidates []string) string {
	best, bestD := "", 1<<30
	for _, c := range candidates {
		if c == "*" {
			continue
		}
		d := Distance(strings.ToLower(s), strings.ToLower(c))
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

// Distance is the optimal string alignment distance of a and b in runes.
func Distance(a, b string) int {
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
