package render

import (
	"cmp"
	"encoding/xml"
	"fmt"
	"html/template"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/demand-registry/demand/registry/history"
	"github.com/demand-registry/demand/registry/kpi"
)

type kpiView struct {
	ComplianceChart, ThroughputChart, AgesChart, FlowChart template.HTML
	Compliance                                             []complianceRow
	Response                                               []responseRow
	Throughput                                             []kpi.Month
	Ages                                                   []kpi.AgeBucket
	FlowStatuses                                           []string
	Flow                                                   []flowRow
	SatisfactionCount                                      int
	SatisfactionAverage                                    string
	HasHistory                                             bool
	UnknownNodes, DeliveredUndated                         int
	NoSLA, NoThroughput, NoOpen                            bool // nothing to draw: a sentence says so
	UnknownNote, DeliveredUndatedNote                      string
}

type complianceRow struct {
	Tier, Node, Rate                string
	Met, Breached, Running, Unknown int
}

type responseRow struct {
	Node, Median, P90 string
	Count             int
}

type flowRow struct {
	Date   string
	Counts []int
}

func (b *builder) kpiView(order []string) *kpiView {
	k := kpi.Measure(b.in.Snapshot, b.in.Ranking, b.in.History, order, b.asOf)
	v := &kpiView{Throughput: k.Throughput, Ages: k.Ages, SatisfactionCount: k.Satisfaction.Count,
		SatisfactionAverage: num(k.Satisfaction.Average), HasHistory: b.in.History != nil}
	v.NoSLA, v.NoThroughput, v.NoOpen = true, len(k.Throughput) == 0, true
	for _, a := range k.Ages {
		if a.Count > 0 {
			v.NoOpen = false
		}
	}
	// Compliance: one group per tier, one bar per node.
	var tierLabels []string
	nodeSeries := map[string]*series{}
	var ss []series
	for _, node := range history.Nodes(b.cfg) {
		nodeSeries[node] = &series{Name: b.nodeLabel(node)}
	}
	for _, c := range k.Compliance {
		label := fmt.Sprintf("%d · %s", c.Tier, b.cfg.TierLabel(c.Tier, b.lang))
		if len(tierLabels) == 0 || tierLabels[len(tierLabels)-1] != label {
			tierLabels = append(tierLabels, label)
		}
		rate := "—"
		pct := 0.0
		if c.Rate >= 0 {
			pct = c.Rate * 100
			rate = num(pct) + "%"
		}
		nodeSeries[c.Node].Values = append(nodeSeries[c.Node].Values, pct)
		v.Compliance = append(v.Compliance, complianceRow{Tier: label, Node: b.nodeLabel(c.Node), Rate: rate, Met: c.Met, Breached: c.Breached, Running: c.Running, Unknown: c.Unknown})
		v.UnknownNodes += c.Unknown
		if c.Met+c.Breached+c.Running+c.Unknown > 0 {
			v.NoSLA = false
		}
	}
	for _, node := range history.Nodes(b.cfg) {
		ss = append(ss, *nodeSeries[node])
	}
	v.UnknownNote = fmt.Sprintf(b.t("kpi_unknown_note"), v.UnknownNodes)
	v.DeliveredUndated = k.DeliveredUndated
	v.DeliveredUndatedNote = fmt.Sprintf(b.t("kpi_delivered_undated"), k.DeliveredUndated)
	v.ComplianceChart = barChart(b.t("kpi_compliance"), tierLabels, ss, "%")
	for _, r := range k.Response {
		v.Response = append(v.Response, responseRow{Node: b.nodeLabel(r.Node), Count: r.Count, Median: num(r.Median), P90: num(r.P90)})
	}
	var months []string
	rec, del := series{Name: b.t("kpi_received")}, series{Name: b.t("kpi_delivered")}
	for _, m := range k.Throughput {
		months = append(months, m.Month)
		rec.Values = append(rec.Values, float64(m.Received))
		del.Values = append(del.Values, float64(m.Delivered))
	}
	v.ThroughputChart = barChart(b.t("kpi_throughput"), months, []series{rec, del}, "")
	var ageLabels []string
	ages := series{Name: b.t("kpi_open_by_age")}
	for _, a := range k.Ages {
		ageLabels = append(ageLabels, a.Label)
		ages.Values = append(ages.Values, float64(a.Count))
	}
	v.AgesChart = barChart(b.t("kpi_open_by_age"), ageLabels, []series{ages}, "")
	if len(k.Flow) > 0 {
		var dates []string
		for _, p := range k.Flow {
			dates = append(dates, p.Date)
		}
		var fs []series
		for _, st := range k.Statuses {
			s := series{Name: b.statusLabel(st)}
			any := false
			for _, p := range k.Flow {
				s.Values = append(s.Values, float64(p.Counts[st]))
				any = any || p.Counts[st] > 0
			}
			if any {
				fs = append(fs, s)
				v.FlowStatuses = append(v.FlowStatuses, s.Name)
			}
		}
		// Stack the last statuses of the workflow at the bottom, as a
		// cumulative flow diagram does.
		for i, j := 0, len(fs)-1; i < j; i, j = i+1, j-1 {
			fs[i], fs[j] = fs[j], fs[i]
		}
		v.FlowChart = areaChart(b.t("kpi_flow"), dates, fs)
		for i, p := range k.Flow {
			row := flowRow{Date: p.Date}
			for j := len(fs) - 1; j >= 0; j-- {
				row.Counts = append(row.Counts, int(fs[j].Values[i]))
			}
			v.Flow = append(v.Flow, row)
		}
	}
	return v
}

// change is one commit to one demand, for the changes page and the feed.
type change struct {
	ID, Title, URL, Date, DateISO, Author, Subject, Hash string
	Changes                                              []string
	when                                                 time.Time
}

func (b *builder) recentChanges(order []string, limit int) []change {
	// Commits are chosen first, and only the chosen are made into views:
	// a registry's demands have tens of thousands of commits.
	type ref struct {
		id string
		c  *history.Commit
		n  int // the order it was listed in, last of the sort keys
	}
	var refs []ref
	for _, id := range order {
		if h := b.in.History[id]; h != nil {
			for i := range h.Commits {
				refs = append(refs, ref{id, &h.Commits[i], len(refs)})
			}
		}
	}
	slices.SortFunc(refs, func(x, y ref) int {
		if c := y.c.Committed.Compare(x.c.Committed); c != 0 {
			return c // newest first
		}
		return cmp.Or(strings.Compare(x.id, y.id), x.n-y.n)
	})
	refs = refs[:min(limit, len(refs))]
	out := make([]change, 0, len(refs))
	for _, r := range refs {
		c := r.c
		out = append(out, change{ID: r.id, Title: b.in.Snapshot.Get(r.id).Title, URL: "demands/" + fileName(r.id), Date: c.Committed.UTC().Format("2006-01-02"),
			DateISO: c.Committed.UTC().Format(time.RFC3339), Author: c.Author, Subject: c.Subject, Hash: c.Hash,
			Changes: b.changes(c.Changes), when: c.Committed})
	}
	return out
}

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Base    string      `xml:"http://www.w3.org/XML/1998/namespace base,attr,omitempty"` // xml:base, when the site's address is known
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
}

type atomEntry struct {
	Title   string   `xml:"title"`
	ID      string   `xml:"id"`
	Updated string   `xml:"updated"`
	Link    atomLink `xml:"link"`
	Author  struct {
		Name string `xml:"name"`
	} `xml:"author"`
	Summary string `xml:"summary"`
}

// feed writes feed.xml: the latest changes as Atom. Links are absolute
// when a base URL is given.
func (b *builder) feed(cs []change) error {
	base := strings.TrimRight(b.opt.BaseURL, "/")
	abs := func(p string) string {
		if base == "" {
			return p
		}
		return base + "/" + p
	}
	f := atomFeed{Title: b.cfg.Title, Updated: b.asOf.UTC().Format(time.RFC3339),
		Links: []atomLink{{Href: abs("feed.xml"), Rel: "self"}, {Href: abs("changes.html")}}}
	if base != "" {
		f.Base = base + "/"
	}
	// The id must not change for the same registry (feed readers key
	// subscriptions on it): feed.id or the repository's address. Without
	// either, the site's address or, last, the title stand in.
	switch f.ID = b.cfg.FeedID(); {
	case f.ID != "":
	case base != "":
		f.ID = base + "/"
	default:
		f.ID = "urn:demand-registry:feed:" + url.PathEscape(b.cfg.Title)
	}
	for _, c := range cs {
		// A commit's change to a demand: the same entry in every build.
		e := atomEntry{Title: c.ID + " " + c.Title + ": " + c.Subject, ID: "urn:demand-registry:change:" + url.PathEscape(c.Hash) + ":" + url.PathEscape(c.ID),
			Updated: c.DateISO, Link: atomLink{Href: abs(c.URL)}, Summary: strings.Join(c.Changes, "; ")}
		e.Author.Name = c.Author
		f.Entries = append(f.Entries, e)
	}
	out, err := xml.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	b.put("feed.xml", append([]byte(xml.Header), append(out, '\n')...))
	return nil
}
