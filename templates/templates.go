// Package templates holds the site's HTML templates, stylesheet and UI
// strings (one catalog per language), embedded in the binary. A folder
// with the same layout can replace them (demand build --templates DIR).
package templates

import "embed"

// FS is the built-in template set.
//
//go:embed *.html *.css *.js *.svg i18n/*.yaml vendor
var FS embed.FS
