// Package customer decides when two customer names are one customer:
// Unicode-normalised keys and look-alike letters across scripts.
package customer

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Key is a customer name's identity: compatibility-normalised
// (NFKC: full-width and styled letters become plain ones), without
// invisible characters (zero-width, bidi controls, variation selectors),
// with runs of spaces made one and in lower case. Names with the same key
// are the same customer: otherwise "Acme" and "Acme" with a zero-width
// space would count twice.
func Key(name string) string {
	ascii := true
	for i := 0; i < len(name); i++ {
		if b := name[i]; b >= 0x80 || b < 0x20 || b == 0x7F {
			ascii = false
			break
		}
	}
	if !ascii {
		// Lower case may undo NFKC (and NFKC lower case), as in Unicode's
		// NFKC_Casefold: twice makes the key its own key.
		name = strings.ToValidUTF8(name, "\uFFFD")
		name = foldName(foldName(name))
	}
	return strings.ToLower(strings.Join(strings.Fields(name), " "))
}

func foldName(s string) string {
	return strings.ToLower(strings.Map(func(r rune) rune {
		if invisible(r) {
			return -1
		}
		return r
	}, norm.NFKC.String(s)))
}

// invisible reports characters that show nothing (or only reorder text)
// and so can make one name look like another.
func invisible(r rune) bool {
	switch {
	case unicode.Is(unicode.Cf, r), unicode.IsControl(r):
		return true // zero-width, bidi controls and marks, soft hyphen, tags
	case r >= 0xFE00 && r <= 0xFE0F, r >= 0xE0100 && r <= 0xE01EF, r >= 0x180B && r <= 0x180F:
		return true // variation selectors
	case r == 0x034F || r == 0x115F || r == 0x1160 || r == 0x3164 || r == 0xFFA0:
		return true // combining grapheme joiner, Hangul fillers
	}
	return false
}

// confusables maps Cyrillic and Greek letters to the Latin letters they
// look like (lower case, as keys are).
var confusables = map[rune]rune{
	// Cyrillic
	'а': 'a', 'в': 'b', 'е': 'e', 'ё': 'e', 'к': 'k', 'м': 'm', 'н': 'h', 'о': 'o', 'р': 'p', 'с': 'c', 'т': 't',
	'у': 'y', 'х': 'x', 'ѕ': 's', 'і': 'i', 'ї': 'i', 'ј': 'j', 'ԁ': 'd', 'ԛ': 'q', 'ԝ': 'w', 'һ': 'h', 'ү': 'y',
	'ӏ': 'l',
	// Greek
	'α': 'a', 'β': 'b', 'ε': 'e', 'η': 'n', 'ι': 'i', 'κ': 'k', 'ν': 'v', 'ο': 'o', 'ρ': 'p', 'τ': 't', 'υ': 'u',
	'χ': 'x', 'γ': 'y', 'ζ': 'z', 'μ': 'u', 'ϲ': 'c', 'ϳ': 'j',
}

// Skeleton is a key with look-alike letters made Latin: two names
// with the same skeleton look the same.
func Skeleton(key string) string {
	return strings.Map(func(r rune) rune {
		if l, ok := confusables[r]; ok {
			return l
		}
		return r
	}, key)
}

// MixedScript reports a name whose letters come from more than one of the
// Latin, Cyrillic and Greek scripts: real names rarely do, spoofs do.
func MixedScript(name string) bool {
	var latin, cyrillic, greek bool
	for _, r := range name {
		switch {
		case r < 0x80:
			latin = latin || unicode.IsLetter(r)
		case unicode.Is(unicode.Latin, r):
			latin = true
		case unicode.Is(unicode.Cyrillic, r):
			cyrillic = true
		case unicode.Is(unicode.Greek, r):
			greek = true
		}
	}
	n := 0
	for _, b := range []bool{latin, cyrillic, greek} {
		if b {
			n++
		}
	}
	return n > 1
}

// Same reports whether two customer names name the same customer:
// the same key, or the same skeleton where one of them mixes scripts (a
// look-alike spelling of the other).
func Same(a, b string) bool { return SameKey(Key(a), Key(b)) }

// SameKey is Same on keys made by Key.
func SameKey(ka, kb string) bool {
	return ka == kb || Identity(ka) == Identity(kb)
}

// Identity is what one customer's names have in common: the key,
// with look-alike letters made Latin where the name mixes scripts. The
// site's customer pages and the ranking's count of customers both use it,
// so a look-alike spelling is one customer and one page.
func Identity(name string) string {
	key := Key(name)
	if MixedScript(key) {
		return Skeleton(key)
	}
	return key
}
