package render

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/registry/config"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

type facetOption struct{ Value, Label string }

type facet struct {
	Name, Field, Label string
	Options            []facetOption
}

// searchDoc is one demand in the client-side index. The index holds the
// text to search and the facets; everything else is on the demand's page.
type searchDoc struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Text        string   `json:"text"`
	Customer    string   `json:"customer,omitempty"`
	Tags        []string `json:"tags,omitempty"`
	Tier        string   `json:"tier"`
	Status      string   `json:"status"`
	StatusLabel string   `json:"statusLabel"`
	Segment     string   `json:"segment,omitempty"`
	Type        string   `json:"type,omitempty"`
	Urgency     string   `json:"urgency,omitempty"`
	Score       float64  `json:"score"`
	Received    string   `json:"received"`
	URL         string   `json:"url"`
	Rank        int      `json:"rank"`
	// F holds the values of the filters on fields of the registry's own
	// (site.facets), by the filter's name.
	F map[string][]string `json:"f,omitempty"`
}

// plainText is the text of a body for the search index, kept between
// builds with the pages.
func (b *builder) plainText(name, md string) string {
	s, _ := b.opt.Pages.text("plain", name, md, func(md string) (string, error) { return plainText(md, searchTextLimit), nil })
	return s
}

// searchTextLimit is the most text of a body the index holds.
const searchTextLimit = 2000

// plainText is the text of a Markdown body without its markup (read with
// the same goldmark parser that renders it), limited in length to keep the
// index compact.
func plainText(md string, limit int) string {
	if len(registry.CheckBody(md)) > 0 {
		// Too complex to parse (see Markdown): the words as written.
		return truncateRunes(strings.Join(strings.Fields(strings.ToValidUTF8(md[:min(len(md), 4*limit)], "")), " "), limit)
	}
	src := []byte(md)
	var words []string
	doc := markdown.Parser().Parse(text.NewReader(src))
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch x := n.(type) {
		case *ast.Text:
			words = append(words, string(x.Segment.Value(src)))
		case *ast.String:
			words = append(words, string(x.Value))
		case *ast.CodeBlock, *ast.FencedCodeBlock:
			for i := 0; i < x.Lines().Len(); i++ {
				seg := x.Lines().At(i)
				words = append(words, string(seg.Value(src)))
			}
		}
		return ast.WalkContinue, nil
	})
	return truncateRunes(strings.Join(strings.Fields(strings.Join(words, " ")), " "), limit)
}

// truncateRunes keeps the first limit characters of s.
func truncateRunes(s string, limit int) string {
	if utf8.RuneCountInString(s) > limit {
		s = string([]rune(s)[:limit])
	}
	return s
}

// searchFiles are the files search makes.
var searchFiles = []string{"search.html", "assets/search-index.js", "assets/search.js", "assets/minisearch.js", "assets/minisearch.LICENSE.txt"}

// search writes the search page, the index (as a script, so the site also
// works opened from disk) and the scripts.
func (b *builder) search(order []string) error {
	var docs []searchDoc
	tags := map[string]bool{}
	seen := map[string]bool{} // facet\x00value of the registry's own filters
	for _, id := range order {
		d := b.in.Snapshot.Get(id)
		r := b.in.Ranking.Get(id)
		doc := searchDoc{ID: id, Title: d.Title, Text: b.plainText(d.Path, d.Body), Tags: d.Tags, Tier: strconv.Itoa(r.Tier),
			Status: d.Status, StatusLabel: b.statusLabel(d.Status), Segment: d.Customer.Segment, Type: d.Type, Urgency: d.Urgency,
			Score: r.Score, Received: string(d.Received), URL: "demands/" + fileName(id), Rank: r.Rank}
		if b.names {
			doc.Customer = d.Customer.Name
		}
		for _, t := range d.Tags {
			tags[t] = true
		}
		for _, f := range b.cfg.Site.Facets {
			if _, builtin := builtinFacets[f]; builtin && b.cfg.HasRole(strings.Split(f, ".")[0]) || f == "tier" {
				continue
			}
			var vals []string
			d.AnyValue(f, func(v string) bool { vals = append(vals, v); return false })
			if len(vals) > 0 {
				if doc.F == nil {
					doc.F = map[string][]string{}
				}
				doc.F[b.cfg.KeyPath(f)] = vals
				for _, v := range vals {
					seen[f+"\x00"+v] = true
				}
			}
		}
		docs = append(docs, doc)
	}
	index, err := json.Marshal(map[string]any{"docs": docs})
	if err != nil {
		return err
	}
	b.put("assets/search-index.js", []byte("window.DEMAND_INDEX = "+string(index)+";\n"))
	for _, f := range [][2]string{{"search.js", "assets/search.js"}, {"vendor/minisearch.js", "assets/minisearch.js"}, {"vendor/minisearch.LICENSE.txt", "assets/minisearch.LICENSE.txt"}} {
		data, err := fs.ReadFile(b.opt.Templates, f[0])
		if err != nil {
			return fmt.Errorf("templates: %w", err)
		}
		b.put(f[1], data)
	}

	var facets []facet
	for _, f := range b.cfg.Site.Facets {
		if fc, ok := b.facet(f, tags, seen); ok {
			facets = append(facets, fc)
		}
	}
	return b.render("search.html", "search.html", b.t("search_title"), "search", page{Facets: facets})
}

// builtinFacets are the filters the index has a field for: name and the
// index's field.
var builtinFacets = map[string][2]string{
	"status":           {"status", "status"},
	"customer.segment": {"segment", "segment"},
	"type":             {"type", "type"},
	"urgency":          {"urgency", "urgency"},
	"tags":             {"tag", "tags"},
}

// facet is the search filter on f (tier, or a field's path): its options
// the field's values (or those the demands have), labelled.
func (b *builder) facet(f string, tags, seen map[string]bool) (facet, bool) {
	if f == "tier" {
		fc := facet{Name: "tier", Field: "tier", Label: b.t("tier")}
		for _, l := range b.cfg.Tiers.Levels {
			fc.Options = append(fc.Options, facetOption{strconv.Itoa(l.Tier), fmt.Sprintf("%d · %s", l.Tier, l.Label.In(b.lang))})
		}
		return fc, true
	}
	field := b.cfg.FieldByPath(f)
	if field == nil {
		return facet{}, false
	}
	if bi, ok := builtinFacets[f]; ok && b.cfg.HasRole(strings.Split(f, ".")[0]) {
		fc := facet{Name: bi[0], Field: bi[1], Label: b.fieldLabel(f)}
		switch f {
		case "status":
			fc.Label = b.t("status")
			for _, s := range b.cfg.Statuses {
				fc.Options = append(fc.Options, facetOption{s.Name, b.statusLabel(s.Name)})
			}
		case "tags":
			for _, t := range slices.Sorted(maps.Keys(tags)) {
				fc.Options = append(fc.Options, facetOption{t, t})
			}
		default:
			for _, v := range field.Values {
				fc.Options = append(fc.Options, facetOption{v, field.ValueLabel(v, b.lang)})
			}
		}
		return fc, true
	}
	key := b.cfg.KeyPath(f)
	fc := facet{Name: key, Field: "f." + key, Label: b.fieldLabel(f)}
	if field.Type == config.TList && field.Items != nil {
		field = field.Items
	}
	values := field.Values
	if len(values) == 0 {
		for k := range seen {
			if name, v, _ := strings.Cut(k, "\x00"); name == f {
				values = append(values, v)
			}
		}
		sort.Strings(values)
	}
	for _, v := range values {
		fc.Options = append(fc.Options, facetOption{v, field.ValueLabel(v, b.lang)})
	}
	return fc, true
}
