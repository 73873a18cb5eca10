package render

import (
	"bytes"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// markdown renders demand bodies: GitHub-flavoured Markdown (tables, task
// lists, strikethrough, autolinks), footnotes and the CJK extension.
// Raw HTML is never rendered (goldmark's default, not WithUnsafe), and
// links or images whose address uses a scheme other than http, https or
// mailto (javascript:, data:, vbscript:, file:, …) lose the address.
var markdown = goldmark.New(
	goldmark.WithExtensions(extension.GFM, extension.Footnote, extension.CJK),
	goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(safeLinks{}, 100))),
)

type safeLinks struct{}

func (safeLinks) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	var unsafe []*ast.AutoLink
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch x := n.(type) {
		case *ast.Link:
			if !safeURL(x.Destination) {
				x.Destination = []byte("#")
			}
		case *ast.Image:
			if !safeURL(x.Destination) {
				x.Destination = []byte("#")
			}
		case *ast.AutoLink:
			if x.AutoLinkType == ast.AutoLinkURL && !safeURL(x.URL(reader.Source())) {
				unsafe = append(unsafe, x)
			}
		}
		return ast.WalkContinue, nil
	})
	// Unsafe autolinks become plain text (after the walk: replacing nodes
	// while walking them is not allowed).
	for _, x := range unsafe {
		if parent := x.Parent(); parent != nil {
			parent.ReplaceChild(parent, x, ast.NewString(x.Label(reader.Source())))
		}
	}
}

// safeURL allows relative addresses and http, https and mailto.
func safeURL(u []byte) bool {
	s := strings.ToLower(strings.TrimSpace(string(u)))
	// Characters browsers ignore inside a scheme (tabs, newlines) are removed first.
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
	colon := strings.IndexByte(s, ':')
	if colon < 0 {
		return true
	}
	if slash := strings.IndexAny(s, "/?#"); slash >= 0 && slash < colon {
		return true // a colon after the path starts: relative
	}
	switch s[:colon] {
	case "http", "https", "mailto":
		return true
	}
	return false
}

// Markdown renders a demand body to HTML.
func Markdown(src string) (string, error) {
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(src), &buf); err != nil {
		return "", err
	}
	return buf.String(), nil
}
