package render

import (
	"net/url"
	"path"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/demand-registry/demand/registry"
)

// Links says where the relative links and images of a demand's body
// point (see MarkdownFor). Registries link between their files as the
// repository holds them ([ERC-165](./eip-165.md), ../assets/x.png);
// the site has the demands' pages instead, and no other file.
type Links struct {
	Path    string // the demand's file, from the registry folder (Demand.Path)
	Dir     string // the registry folder, from the repository root (Input.Dir)
	RepoURL string // repository.url: other files of the repository link to the host
	Branch  string // repository.branch ("" for the host's default, HEAD)
	// Demand is the ID of the demand whose file is at a path from the
	// registry folder, "" for none (or one the site does not show).
	Demand func(path string) string
}

// linkUse is a look-up a body's links made: the demand at a path.
type linkUse struct{ path, id string }

// bodyLinks is a body's Links while it renders, and the look-ups made.
type bodyLinks struct {
	*Links
	file, dir    string // from the repository root
	blob, raw    string // the host's addresses of files, "" without one
	uses         []linkUse
	lookedUpPath map[string]bool // the paths in uses
}

var linksKey = parser.NewContextKey()

func newBodyLinks(l *Links) *bodyLinks {
	dir := registry.RepoFolder(l.Dir)
	bl := &bodyLinks{Links: l, dir: dir, file: path.Join(dir, l.Path)}
	if repo := repoBase(l.RepoURL); repo != "" {
		branch := l.Branch
		if branch == "" {
			branch = "HEAD"
		}
		bl.blob = repo + "/blob/" + url.PathEscape(branch) + "/"
		bl.raw = repo + "/raw/" + url.PathEscape(branch) + "/"
	}
	return bl
}

// repoBase is repository.url without a trailing slash or .git, when it
// is a web address ("" otherwise: a link to it would be relative).
func repoBase(u string) string {
	u = strings.TrimSuffix(strings.TrimRight(u, "/"), ".git")
	if !webURL(u) {
		return ""
	}
	return u
}

// env is what a body's HTML depends on besides its text, its path and
// the demands it looked up.
func (l *Links) env() string {
	return registry.RepoFolder(l.Dir) + "\x00" + repoBase(l.RepoURL) + "\x00" + l.Branch
}

// holds reports whether the look-ups give what they gave.
func (l *Links) holds(uses []linkUse) bool {
	for _, u := range uses {
		if l.Demand(u.path) != u.id {
			return false
		}
	}
	return true
}

func (bl *bodyLinks) demand(p string) string {
	id := bl.Demand(p)
	if !bl.lookedUpPath[p] {
		if bl.lookedUpPath == nil {
			bl.lookedUpPath = map[string]bool{}
		}
		bl.lookedUpPath[p] = true
		bl.uses = append(bl.uses, linkUse{p, id})
	}
	return id
}

// rewrite is where a relative address goes on the site: a demand's page,
// the file on the repository's host, or nowhere (false: the link is shown
// as its text).
func (bl *bodyLinks) rewrite(dest []byte, image bool) ([]byte, bool) {
	// The address as the renderer would write it (see util.URLEscape).
	addr := string(util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(dest))))
	target, rest, kind := registry.ResolveLink(bl.file, addr)
	switch kind {
	case registry.LinkElsewhere:
		return dest, true
	case registry.LinkOutside:
		return nil, false
	}
	if !image {
		p, ok := target, true
		if bl.dir != "" {
			p, ok = strings.CutPrefix(target, bl.dir+"/")
		}
		if ok {
			if id := bl.demand(p); id != "" {
				return destination(fileName(id) + rest), true
			}
		}
	}
	base := bl.blob
	if image {
		base = bl.raw
	}
	if base == "" {
		return nil, false
	}
	var segs []string
	for _, s := range strings.Split(target, "/") {
		if s != "" {
			segs = append(segs, url.PathEscape(s))
		}
	}
	if len(segs) == 0 {
		base = strings.TrimSuffix(strings.Replace(base, "/blob/", "/tree/", 1), "/") // the root is a folder
	}
	return destination(base + strings.Join(segs, "/") + rest), true
}

// destination writes an address so that the renderer, which resolves
// backslash escapes and character references in addresses, writes it as
// it is.
func destination(s string) []byte {
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, "&", "&amp;")
	return []byte(s)
}

// relativeLinks rewrites a body's relative links and images (see Links)
// when the parser context holds its Links; before safeLinks, which then
// sees and bounds the addresses the page will have.
type relativeLinks struct{}

func (relativeLinks) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	bl, _ := pc.Get(linksKey).(*bodyLinks)
	if bl == nil {
		return
	}
	var unlink []ast.Node
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch x := n.(type) {
		case *ast.Link:
			if d, ok := bl.rewrite(x.Destination, false); ok {
				x.Destination = d
			} else {
				unlink = append(unlink, x)
			}
		case *ast.Image:
			if d, ok := bl.rewrite(x.Destination, true); ok {
				x.Destination = d
			} else {
				unlink = append(unlink, x)
			}
		}
		return ast.WalkContinue, nil
	})
	// A link that leads nowhere is its text, an image its alt text (after
	// the walk: nodes are not moved while walked). A link first: an image
	// inside it moves out with its text.
	for _, n := range unlink {
		parent := n.Parent()
		if parent == nil {
			continue
		}
		for c := n.FirstChild(); c != nil; {
			next := c.NextSibling()
			parent.InsertBefore(parent, n, c)
			c = next
		}
		parent.RemoveChild(parent, n)
	}
}

// imageSources are the origins a page's images of repository files load
// from, each after a space, for the Content-Security-Policy: the host of
// repository.url, and for GitHub the host its /raw/ addresses redirect
// to. A host of other characters than a host name has (which could end the
// policy's directive) gives none.
func imageSources(repoURL string) string {
	u, err := url.Parse(repoBase(repoURL))
	if err != nil || u.Host == "" || u.User != nil {
		return ""
	}
	for _, c := range u.Host {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == ':') {
			return ""
		}
	}
	out := " " + u.Scheme + "://" + strings.ToLower(u.Host)
	if strings.EqualFold(u.Host, "github.com") {
		out += " https://raw.githubusercontent.com"
	}
	return out
}
