package render

import "unicode"

// textLang is the language a text is written in, by its script, when
// that differs from the page's: "zh-CN" for text mostly in Han characters
// on an English page, "en" for text mostly in Latin letters on a Chinese
// one, "" otherwise. Screen readers then read each part with the right
// voice, and browsers pick the right fonts.
func textLang(s, pageLang string) string {
	var han, latin int
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Han, r):
			han++
		case unicode.Is(unicode.Latin, r):
			latin++
		}
	}
	lang := ""
	switch {
	case han > 0 && han*3 > latin:
		// A Chinese sentence with a product name in it ("导出 Excel") is
		// Chinese: a Han character carries a word, a Latin letter a sound.
		lang = "zh-CN"
	case latin > 0:
		lang = "en"
	}
	if lang == pageLang || (lang == "zh-CN" && len(pageLang) >= 2 && pageLang[:2] == "zh") {
		return ""
	}
	return lang
}
