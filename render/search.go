package render

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/demand-registry/demand/registry"

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
	tierFacet := facet{Name: "tier", Field: "tier", Label: b.t("tier")}
	for _, l := range b.cfg.Tiers.Levels {
		tierFacet.Options = append(tierFacet.Options, facetOption{strconv.Itoa(l.Tier), fmt.Sprintf("%d · %s", l.Tier, l.Label.In(b.lang))})
	}
	facets = append(facets, tierFacet)
	statusFacet := facet{Name: "status", Field: "status", Label: b.t("status")}
	for _, s := range b.cfg.Statuses {
		statusFacet.Options = append(statusFacet.Options, facetOption{s.Name, b.statusLabel(s.Name)})
	}
	facets = append(facets, statusFacet)
	for _, f := range [][3]string{{"segment", "customer.segment", "segment"}, {"type", "type", "type"}, {"urgency", "urgency", "urgency"}} {
		field := b.cfg.FieldByPath(f[1])
		if field == nil {
			continue
		}
		fc := facet{Name: f[0], Field: f[0], Label: b.fieldLabel(f[1])}
		for _, v := range field.Values {
			fc.Options = append(fc.Options, facetOption{v, field.ValueLabel(v, b.lang)})
		}
		facets = append(facets, fc)
	}
	tagFacet := facet{Name: "tag", Field: "tags", Label: b.fieldLabel("tags")}
	var names []string
	for t := range tags {
		names = append(names, t)
	}
	sort.Strings(names)
	for _, t := range names {
		tagFacet.Options = append(tagFacet.Options, facetOption{t, t})
	}
	facets = append(facets, tagFacet)
	return b.render("search.html", "search.html", b.t("search_title"), "search", page{Facets: facets})
}
