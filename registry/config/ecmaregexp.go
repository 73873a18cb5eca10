package config

import (
	"fmt"
	"regexp/syntax"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// MaxECMAPattern bounds a translated pattern: a class such as \p{L} in a
// merged set expands to its ranges, and a schema must stay readable.
const MaxECMAPattern = 8 << 10

// ECMAScriptPattern translates a Go regular expression (RE2 syntax, as
// regexp.Compile reads it) into an ECMAScript one with the same matches,
// for the "pattern" keyword of a JSON Schema, which JavaScript validators
// (Ajv, the YAML language server) compile with the u flag. It works on
// Go's own parse, so every construct is translated by its meaning rather
// than its spelling: (?i) becomes case classes ([kKK]), \z and \A become $
// and ^, (?P<name>…) becomes (…), \p{Han} becomes \p{Script=Han},
// \Q…\E and POSIX classes become plain escapes and ranges, and . keeps
// Go's meaning (anything but \n).
func ECMAScriptPattern(pattern string) (string, error) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	ecma(&b, re)
	if b.Len() > MaxECMAPattern {
		return "", fmt.Errorf("it is %d bytes long written for JavaScript, more than %d", b.Len(), MaxECMAPattern)
	}
	return b.String(), nil
}

// fixedOps are the operators written the same whatever the expression.
var fixedOps = map[syntax.Op]string{
	syntax.OpNoMatch:        `[^\s\S]`,
	syntax.OpEmptyMatch:     `(?:)`,
	syntax.OpAnyCharNotNL:   `[^\n]`, // JavaScript's . also excludes \r, U+2028 and U+2029
	syntax.OpAnyChar:        `[\s\S]`,
	syntax.OpBeginLine:      `(?:^|(?<=\n))`,
	syntax.OpEndLine:        `(?:$|(?=\n))`,
	syntax.OpBeginText:      `^`,
	syntax.OpEndText:        `$`,
	syntax.OpWordBoundary:   `\b`,
	syntax.OpNoWordBoundary: `\B`,
}

// ecma writes one node of Go's parse in ECMAScript syntax.
func ecma(b *strings.Builder, re *syntax.Regexp) {
	if s, ok := fixedOps[re.Op]; ok {
		b.WriteString(s)
		return
	}
	switch re.Op {
	case syntax.OpLiteral:
		literal(b, re)
	case syntax.OpCharClass:
		class(b, re.Rune)
	case syntax.OpCapture:
		// Unnamed: names do not change what matches, and Go allows names
		// JavaScript does not (one starting with a digit).
		b.WriteByte('(')
		ecma(b, re.Sub[0])
		b.WriteByte(')')
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		repeat(b, re)
	case syntax.OpConcat:
		for _, s := range re.Sub {
			if s.Op == syntax.OpAlternate {
				b.WriteString("(?:")
				ecma(b, s)
				b.WriteByte(')')
				continue
			}
			ecma(b, s)
		}
	case syntax.OpAlternate:
		for i, s := range re.Sub {
			if i > 0 {
				b.WriteByte('|')
			}
			ecma(b, s)
		}
	}
}

// literal writes a literal string, each rune that case folding matches
// to others as the class of its orbit ((?i)k: [kKK]).
func literal(b *strings.Builder, re *syntax.Regexp) {
	for _, r := range re.Rune {
		if re.Flags&syntax.FoldCase != 0 && unicode.SimpleFold(r) != r {
			orbit := []rune{r}
			for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
				orbit = append(orbit, f)
			}
			slices.Sort(orbit)
			b.WriteByte('[')
			for _, o := range orbit {
				classRune(b, o)
			}
			b.WriteByte(']')
			continue
		}
		literalRune(b, r)
	}
}

// repeat writes a quantified expression: its operand as one atom, then
// the quantifier, lazy when Go's is.
func repeat(b *strings.Builder, re *syntax.Regexp) {
	atom(b, re.Sub[0])
	switch re.Op {
	case syntax.OpStar:
		b.WriteByte('*')
	case syntax.OpPlus:
		b.WriteByte('+')
	case syntax.OpQuest:
		b.WriteByte('?')
	default:
		switch {
		case re.Max == -1:
			fmt.Fprintf(b, "{%d,}", re.Min)
		case re.Min == re.Max:
			fmt.Fprintf(b, "{%d}", re.Min)
		default:
			fmt.Fprintf(b, "{%d,%d}", re.Min, re.Max)
		}
	}
	if re.Flags&syntax.NonGreedy != 0 {
		b.WriteByte('?')
	}
}

// atom writes re so that a quantifier after it applies to all of it.
func atom(b *strings.Builder, re *syntax.Regexp) {
	single := re.Op == syntax.OpCharClass || re.Op == syntax.OpAnyChar || re.Op == syntax.OpAnyCharNotNL ||
		re.Op == syntax.OpCapture || (re.Op == syntax.OpLiteral && len(re.Rune) == 1)
	if single {
		ecma(b, re)
		return
	}
	b.WriteString("(?:")
	ecma(b, re)
	b.WriteByte(')')
}

// literalRune writes r outside a class, escaped where it is syntax. Only
// syntax characters may be escaped under the u flag.
func literalRune(b *strings.Builder, r rune) {
	if strings.ContainsRune(`^$\.*+?()[]{}|/`, r) {
		b.WriteByte('\\')
		b.WriteRune(r)
		return
	}
	plainRune(b, r)
}

// classRune writes r inside a class.
func classRune(b *strings.Builder, r rune) {
	if strings.ContainsRune(`\]^-[`, r) {
		b.WriteByte('\\')
		b.WriteRune(r)
		return
	}
	plainRune(b, r)
}

func plainRune(b *strings.Builder, r rune) {
	switch {
	case r < 0x20 || r == 0x7f || (r >= 0x80 && !unicode.IsPrint(r)) || r == ' ':
		if r > 0xffff {
			fmt.Fprintf(b, `\u{%X}`, r)
		} else {
			fmt.Fprintf(b, `\u%04X`, r)
		}
	default:
		b.WriteRune(r)
	}
}

// class writes a character class from its ranges (pairs lo, hi), as a
// Unicode property where it is exactly one.
func class(b *strings.Builder, ranges []rune) {
	if name, neg := unicodeProperty(ranges); name != "" {
		if neg {
			b.WriteString(`\P{` + name + `}`)
		} else {
			b.WriteString(`\p{` + name + `}`)
		}
		return
	}
	if len(ranges) == 2 && ranges[0] == 0 && ranges[1] == unicode.MaxRune {
		b.WriteString(`[\s\S]`)
		return
	}
	// A class that is mostly everything is shorter written negated.
	if len(ranges) > 0 && ranges[0] == 0 && ranges[len(ranges)-1] == unicode.MaxRune {
		b.WriteString("[^")
		writeRanges(b, complement(ranges))
		b.WriteByte(']')
		return
	}
	b.WriteByte('[')
	writeRanges(b, ranges)
	b.WriteByte(']')
}

func writeRanges(b *strings.Builder, ranges []rune) {
	for i := 0; i+1 < len(ranges); i += 2 {
		lo, hi := ranges[i], ranges[i+1]
		classRune(b, lo)
		switch {
		case hi == lo:
		case hi == lo+1:
			classRune(b, hi)
		default:
			b.WriteByte('-')
			classRune(b, hi)
		}
	}
}

func complement(ranges []rune) []rune {
	var out []rune
	next := rune(0)
	for i := 0; i+1 < len(ranges); i += 2 {
		if ranges[i] > next {
			out = append(out, next, ranges[i]-1)
		}
		next = ranges[i+1] + 1
	}
	if next <= unicode.MaxRune {
		out = append(out, next, unicode.MaxRune)
	}
	return out
}

// properties maps the ranges of each Unicode category and script Go
// knows to its ECMAScript property name.
var properties = func() map[string]string {
	m := map[string]string{}
	add := func(name string, t *unicode.RangeTable) {
		var rs []rune
		strided := func(lo, hi, stride rune) {
			if stride == 1 {
				rs = appendRange(rs, lo, hi)
				return
			}
			for r := lo; r <= hi; r += stride {
				rs = appendRange(rs, r, r)
			}
		}
		for _, r := range t.R16 {
			strided(rune(r.Lo), rune(r.Hi), rune(r.Stride))
		}
		for _, r := range t.R32 {
			strided(rune(r.Lo), rune(r.Hi), rune(r.Stride))
		}
		m[rangesKey(rs)] = name
	}
	names := make([]string, 0, len(unicode.Categories))
	for n := range unicode.Categories {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		add(n, unicode.Categories[n])
	}
	names = names[:0]
	for n := range unicode.Scripts {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		add("Script="+n, unicode.Scripts[n])
	}
	return m
}()

func appendRange(rs []rune, lo, hi rune) []rune {
	if n := len(rs); n > 0 && rs[n-1]+1 >= lo {
		rs[n-1] = max(rs[n-1], hi)
		return rs
	}
	return append(rs, lo, hi)
}

func rangesKey(rs []rune) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(strconv.Itoa(int(r)))
		b.WriteByte(',')
	}
	return b.String()
}

func unicodeProperty(ranges []rune) (name string, negated bool) {
	if len(ranges) < 6 {
		return "", false // a few ranges read better as themselves
	}
	if n, ok := properties[rangesKey(ranges)]; ok {
		return n, false
	}
	if n, ok := properties[rangesKey(complement(ranges))]; ok {
		return n, true
	}
	return "", false
}
