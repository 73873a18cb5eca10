package dups

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
)

// Kinds of term. Han text gives both single characters and bigrams:
// bigrams carry most words (导出, 报表), single characters keep what a
// bigram splits or a one-character word says (单, 不). English words are
// stemmed (Porter2), so "exports", "exported" and "exporting" meet.
const (
	kindWord = iota
	kindHan1
	kindHan2
	kindStop // a function word: weighed low, not dropped
)

// tokenizer holds buffers reused between texts, and a cache of stems:
// stemming allocates, and a registry repeats few distinct words.
type tokenizer struct {
	word, tok []byte
	han       []rune
	stems     map[string]string
	raw       []uint64
}

var notReplacer = strings.NewReplacer("n't", " not", "n’t", " not")

var tokenizers = sync.Pool{New: func() any { return &tokenizer{stems: map[string]string{}} }}

// maxStems bounds the stem cache of one tokenizer.
const maxStems = 1 << 16

// run calls emit with each term of s, in a buffer reused between calls.
func (tz *tokenizer) run(s string, emit func(tok []byte, kind int)) {
	s = normalize(s)
	word, tok, han := tz.word[:0], tz.tok[:0], tz.han[:0]
	flushWord := func() {
		if isTerm(word) {
			if stop[string(word)] {
				emit(word, kindStop)
			} else {
				emit(tz.stem(word), kindWord)
			}
		}
		word = word[:0]
	}
	flushHan := func() {
		for i := range han {
			tok = utf8.AppendRune(tok[:0], han[i])
			emit(tok, kindHan1)
			if i+1 < len(han) {
				tok = utf8.AppendRune(tok, han[i+1])
				emit(tok, kindHan2)
			}
		}
		han = han[:0]
	}
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9'):
			flushHan()
			word = append(word, byte(r))
		case r < utf8.RuneSelf && r >= 'A' && r <= 'Z':
			flushHan()
			word = append(word, byte(r+'a'-'A'))
		case r >= 0x2E80 && unicode.Is(unicode.Han, r):
			flushWord()
			han = append(han, r)
		case r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			flushHan()
			word = utf8.AppendRune(word, unicode.ToLower(r))
		default:
			flushWord()
			flushHan()
		}
	}
	flushWord()
	flushHan()
	tz.word, tz.tok, tz.han = word, tok, han
}

// normalize spells English negations and Chinese questions one way (see
// zhSynonyms) before a text is cut into terms.
func normalize(s string) string {
	if strings.Contains(s, "n't") || strings.Contains(s, "n’t") {
		// "don't" and "doesn’t" say "not": keep it as a word of its own.
		s = notReplacer.Replace(s)
	}
	if strings.ContainsAny(s, "怎如咋啥为吗呢啊呀") {
		s = zhSynonyms.Replace(s)
	}
	return s
}

// isTerm reports whether a word is kept as a term: one letter alone is
// not, one digit is.
func isTerm(word []byte) bool {
	return len(word) > 1 || len(word) == 1 && word[0] >= '0' && word[0] <= '9'
}

// stem returns the Porter2 stem of an ASCII word (other words whole).
func (tz *tokenizer) stem(w []byte) []byte {
	for _, c := range w {
		if c >= utf8.RuneSelf || c >= '0' && c <= '9' {
			return w
		}
	}
	if tz.stems == nil {
		tz.stems = map[string]string{}
	}
	if st, ok := tz.stems[string(w)]; ok {
		return append(w[:0], st...)
	}
	st := english.Stem(string(w), true)
	if len(tz.stems) >= maxStems {
		clear(tz.stems)
	}
	tz.stems[string(w)] = st
	return append(w[:0], st...)
}

// stop lists English function words. They are weighed low rather than
// dropped (dropping them lowered the figures), so that a small registry,
// whose IDF cannot tell them apart yet, does not match on "the" and "for".
// Negations are not in it: "a rule" and "no rule" differ.
var stop = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields("a an the and or of to in on at for by with from as is are was were be been it its this that") {
		m[w] = true
	}
	return m
}()

// negated tells whether a text says "not" in either language. 非常
// ("very") and 无论 ("whatever") are not negations.
func negated(s string) bool {
	for i, r := range s {
		switch r {
		case '不', '没', '无', '未', '别', '勿':
			if r == '无' && strings.HasPrefix(s[i+len("无"):], "论") {
				continue
			}
			return true
		case '非':
			if !strings.HasPrefix(s[i+len("非"):], "常") {
				return true
			}
		}
	}
	if !strings.ContainsAny(s, "nNwW") {
		return false
	}
	for _, f := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' && r != '’' }) {
		switch f {
		case "not", "no", "non", "never", "without", "cannot", "nothing", "none":
			return true
		}
		if strings.HasSuffix(f, "n't") || strings.HasSuffix(f, "n’t") {
			return true
		}
	}
	return false
}

// hanShare is the share of Han characters among the letters of s.
func hanShare(s string) float64 {
	han, all := 0, 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			all++
			if r >= 0x2E80 && unicode.Is(unicode.Han, r) {
				han++
			}
		}
	}
	if all == 0 {
		return 0
	}
	return float64(han) / float64(all)
}

// zhSynonyms writes the many ways of asking how, why and what one way, and
// drops sentence-final particles (not 吧, a part of 酒吧 and 网吧): questions that mean the same often ask
// in different words (怎么 / 如何 / 怎样).
var zhSynonyms = strings.NewReplacer(
	"怎么样", "怎么", "怎样", "怎么", "如何", "怎么", "咋样", "怎么", "咋", "怎么",
	"为什么", "为何", "为啥", "为何", "啥", "什么",
	"吗", " ", "呢", " ", "啊", " ", "呀", " ",
)
