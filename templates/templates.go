// Package templates holds the site's HTML templates, stylesheet and UI
// strings (one catalog per language), embedded in the binary. A folder
// with the same layout can replace them (demand build --templates DIR).
package templates

import (
	"embed"
	"strings"
)

// FS is the built-in template set.
//
//go:embed *.html *.css *.js *.svg i18n/*.yaml vendor
var FS embed.FS

// Languages lists the languages the built-in UI strings are in: one
// catalog i18n/<language>.yaml each, sorted.
func Languages() []string {
	entries, _ := FS.ReadDir("i18n")
	var out []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".yaml"); ok && !e.IsDir() {
			out = append(out, name)
		}
	}
	return out
}
