package render

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/demand-registry/demand/registry"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// markdown renders demand bodies: GitHub-flavoured Markdown (tables, task
// lists, strikethrough, autolinks), footnotes and the CJK extension.
// Raw HTML is never rendered (goldmark's default, not WithUnsafe), and
// links or images whose address uses a scheme other than http, https or
// mailto (javascript:, data:, vbscript:, file:, …) lose the address.
// Relative links are rewritten first when a body's Links are given.
var markdown = goldmark.New(
	goldmark.WithExtensions(extension.GFM, extension.Footnote, extension.CJK),
	goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(relativeLinks{}, 90), util.Prioritized(safeLinks{}, 100))),
	// Before the task-list extension's own renderer (500): see taskBoxes.
	goldmark.WithRendererOptions(renderer.WithNodeRenderers(util.Prioritized(taskBoxes{}, 100))),
)

// taskBoxes renders a task list's checkbox labelled by its item's text,
// so a screen reader says what is done or not ("Export to xlsx, checkbox,
// checked") rather than announcing an unlabelled control.
type taskBoxes struct{}

func (taskBoxes) RegisterFuncs(r renderer.NodeRendererFuncRegisterer) {
	r.Register(extast.KindTaskCheckBox, func(w util.BufWriter, source []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		var label strings.Builder
		for s := n.NextSibling(); s != nil && label.Len() < 400; s = s.NextSibling() {
			_ = ast.Walk(s, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
				if entering {
					switch x := c.(type) {
					case *ast.Text:
						label.Write(x.Value(source))
						if x.SoftLineBreak() || x.HardLineBreak() {
							label.WriteByte(' ')
						}
					case *ast.String:
						label.Write(x.Value)
					case *ast.CodeSpan:
						// its text children are walked
					}
				}
				return ast.WalkContinue, nil
			})
		}
		text := strings.Join(strings.Fields(label.String()), " ")
		_, _ = w.WriteString(`<input type="checkbox" disabled=""`)
		if n.(*extast.TaskCheckBox).IsChecked {
			_, _ = w.WriteString(` checked=""`)
			if text == "" {
				text = "[x]" // an item with no text: its mark as the file has it
			}
		} else if text == "" {
			text = "[ ]"
		}
		_, _ = w.WriteString(` aria-label="`)
		_, _ = w.Write(util.EscapeHTML([]byte(text)))
		_, _ = w.WriteString(`"> `)
		return ast.WalkContinue, nil
	})
}

type safeLinks struct{}

// overBudget is set in the parser context when a body's links, written
// out, would exceed its output limit (a long reference used many times):
// the addresses are dropped then, so the doomed rendering is cheap.
var overBudget = parser.NewContextKey()

func (safeLinks) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	var unsafe []*ast.AutoLink
	var links []ast.Node
	budget := maxOutput(len(reader.Source()))
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch x := n.(type) {
		case *ast.Link:
			if !safeURL(x.Destination) {
				x.Destination = []byte("#")
			}
			budget -= len(x.Destination) + len(x.Title)
			links = append(links, x)
		case *ast.Image:
			if !safeURL(x.Destination) {
				x.Destination = []byte("#")
			}
			budget -= len(x.Destination) + len(x.Title)
			links = append(links, x)
		case *ast.AutoLink:
			if x.AutoLinkType == ast.AutoLinkURL && !safeURL(x.URL(reader.Source())) {
				unsafe = append(unsafe, x)
			}
		}
		return ast.WalkContinue, nil
	})
	if budget < 0 {
		pc.Set(overBudget, true)
		for _, n := range links {
			switch x := n.(type) {
			case *ast.Link:
				x.Destination, x.Title = []byte("#"), nil
			case *ast.Image:
				x.Destination, x.Title = []byte("#"), nil
			}
		}
	}
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

// Markdown renders a demand body to HTML, its relative links as
// written. A body beyond the limits of registry.CheckBody is not handed to
// goldmark (whose parser is quadratic on nested brackets), and no body
// makes more than maxOutput of its length: validation reports both, and
// this holds for a body never validated too.
func Markdown(src string) (string, error) { return MarkdownFor(src, nil) }

// MarkdownFor renders the body of the demand file l says, as Markdown
// does, with its relative links resolved against the file's place in the
// repository: a link to another demand's file goes to that demand's page,
// one to any other file of the repository to the file on the host
// (l.RepoURL; without it the link is its text), and one that climbs out of
// the repository is its text. With l nil, links are left as written.
func MarkdownFor(src string, l *Links) (string, error) {
	out, _, err := renderBody(src, l)
	return out, err
}

// renderBody is MarkdownFor, and the demands its links looked up.
func renderBody(src string, l *Links) (string, []linkUse, error) {
	if ps := registry.CheckBody(src); len(ps) > 0 {
		return "", nil, fmt.Errorf("the body is too complex to show: %w", ps[0])
	}
	w := &limitWriter{max: maxOutput(len(src))}
	pc := parser.NewContext()
	var bl *bodyLinks
	if l != nil {
		bl = newBodyLinks(l)
		pc.Set(linksKey, bl)
	}
	if err := markdown.Convert([]byte(src), w, parser.WithContext(pc)); err != nil && !w.over {
		return "", nil, err
	}
	if w.over || pc.Get(overBudget) != nil {
		return "", nil, fmt.Errorf("%w: more than %d bytes (%d× its %d bytes)", errBodyTooLarge, w.max, outputRatio, len(src))
	}
	var uses []linkUse
	if bl != nil {
		uses = bl.uses
	}
	return w.buf.String(), uses, nil
}

// outputRatio bounds a body's HTML relative to its Markdown: escaping,
// tags and lists stay well within it (even a list of empty items), while
// a reference link used many times or a table of many empty cells
// exceeds it.
const outputRatio = 16

// maxOutput is the most HTML a body of n bytes may render to; the
// constant lets a short body hold a long link used a few times.
func maxOutput(n int) int { return outputRatio*n + 64<<10 }

// limitWriter keeps what is written up to max bytes and refuses the rest,
// so a body over the limit costs no more memory than one at it.
type limitWriter struct {
	buf  bytes.Buffer
	max  int
	over bool
}

var errOutputLimit = errors.New("output limit reached")

// errBodyTooLarge is a body that passes validation but would render beyond
// maxOutput (a long reference used very often).
var errBodyTooLarge = errors.New("the body would make a page too large to show")

func (w *limitWriter) Write(p []byte) (int, error) {
	if w.over || w.buf.Len()+len(p) > w.max {
		w.over = true
		return 0, errOutputLimit
	}
	return w.buf.Write(p)
}
