package registry

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/demand-registry/demand/registry/finding"

	"golang.org/x/text/unicode/norm"
)

// CustomerKey is a customer name's identity: compatibility-normalised
// (NFKC: full-width and styled letters become plain ones), without
// invisible characters (zero-width, bidi controls, variation selectors),
// with runs of spaces made one and in lower case. Names with the same key
// are the same customer: otherwise "Acme" and "Acme" with a zero-width
// space would count twice.
func CustomerKey(name string) string {
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

// customerSkeleton is a key with look-alike letters made Latin: two names
// with the same skeleton look the same.
func customerSkeleton(key string) string {
	return strings.Map(func(r rune) rune {
		if l, ok := confusables[r]; ok {
			return l
		}
		return r
	}, key)
}

// mixedScript reports a name whose letters come from more than one of the
// Latin, Cyrillic and Greek scripts: real names rarely do, spoofs do.
func mixedScript(name string) bool {
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

// SameCustomer reports whether two customer names name the same customer:
// the same key, or the same skeleton where one of them mixes scripts (a
// look-alike spelling of the other).
func SameCustomer(a, b string) bool { return SameCustomerKey(CustomerKey(a), CustomerKey(b)) }

// SameCustomerKey is SameCustomer on keys made by CustomerKey.
func SameCustomerKey(ka, kb string) bool {
	return ka == kb || CustomerIdentity(ka) == CustomerIdentity(kb)
}

// CustomerIdentity is what one customer's names have in common: the key,
// with look-alike letters made Latin where the name mixes scripts. The
// site's customer pages and the ranking's count of customers both use it,
// so a look-alike spelling is one customer and one page.
func CustomerIdentity(name string) string {
	key := CustomerKey(name)
	if mixedScript(key) {
		return customerSkeleton(key)
	}
	return key
}

// customerLookalikes warns, at each customer or requester name that mixes
// scripts, about the existing customer (a name in one script) it looks
// like: such a name is counted as that customer, but it is likely a
// spoof or a typing accident worth fixing.
func customerLookalikes(s *Snapshot) finding.Findings {
	type use struct {
		d     *Demand
		field string
		name  string
		key   string
	}
	var uses []use
	for _, d := range s.Demands {
		if d.Customer.Name != "" {
			uses = append(uses, use{d, "customer.name", d.Customer.Name, CustomerKey(d.Customer.Name)})
		}
		for i, r := range d.Requesters {
			if r.Name != "" {
				uses = append(uses, use{d, fmt.Sprintf("requesters[%d].name", i), r.Name, CustomerKey(r.Name)})
			}
		}
	}
	plain := map[string]string{} // skeleton → the first single-script name (demands in ID order)
	for _, u := range uses {
		if !mixedScript(u.key) {
			if sk := customerSkeleton(u.key); plain[sk] == "" {
				plain[sk] = u.name
			}
		}
	}
	var fs finding.Findings
	for _, u := range uses {
		if !mixedScript(u.key) {
			continue
		}
		if other, ok := plain[customerSkeleton(u.key)]; ok {
			p := u.d.At(u.field)
			fs = append(fs, finding.Finding{Path: u.d.Path, Line: p.Line, Col: p.Col, Severity: finding.Warning, Rule: "customer-lookalike",
				Message: fmt.Sprintf("%s %q mixes scripts and looks like the customer %q; it counts as that customer", u.field, u.name, other),
				Hint:    fmt.Sprintf("write it as %q, with the same letters", other)})
		}
	}
	return fs
}
