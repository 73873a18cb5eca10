package render

import (
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"maps"
	"net/url"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/demand-registry/demand/registry/config"

	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/registry/history"
	"github.com/demand-registry/demand/registry/rank"
)

type demandView struct {
	ID, Title, Status, StatusLabel, Kind, TierLabel, Score, Weighted string
	TitleLang, BodyLang                                              string // see textLang
	Description                                                      string // for the meta description
	EditURL                                                          string // the file's edit page on the host
	Tier                                                             int
	Internal, Override, HistoryIncomplete                            bool
	Body                                                             template.HTML
	Reasons                                                          []reasonView
	Factors                                                          []factorView
	Models                                                           []modelView
	Meta                                                             []metaRow
	SLA                                                              []slaView
	SLANodes                                                         string // the SLA table's header
	Links                                                            []linkGroup
	Customers                                                        []customerView
	Commits                                                          []commitView
	Pending                                                          []string
	Recorded                                                         []recordedView // before the registry, newest first
	uses                                                             []linkUse      // the demands the body's links looked up
}

// recordedView is one entry of a demand's timeline.
type recordedView struct{ Date, StatusLabel, By, Note string }

type reasonView struct {
	Kind, Detail string
	Tier         int
}

type factorView struct{ Label, Value, Level, Weight, Points string }

type modelView struct{ Name, Result string }

type metaRow struct {
	Label, Value, URL string
	Items             []linkItem // several linked values (tags)
}

type slaView struct{ Label, State, StateLabel, Elapsed, Target, Unit, Over string }

type linkItem struct{ ID, Title, URL, Similarity string }

type linkGroup struct {
	Label string
	Items []linkItem
}

type customerView struct{ Name, Segment, Via, URL string }

type commitView struct {
	Date, DateISO, Author, KindLabel, Subject, Short, CommitURL, PRURL string
	PR                                                                 int
	Changes                                                            []string
}

func (b *builder) fieldLabel(name string) string {
	if f := b.cfg.FieldByPath(name); f != nil {
		if l := f.Label.In(b.lang); l != "" {
			return l
		}
	}
	if head, rest, ok := strings.Cut(name, "."); ok && b.cfg.Key(head) != "" {
		return b.cfg.Key(head) + "." + rest
	}
	if k := b.cfg.Key(name); k != "" {
		return k // the registry's own key
	}
	return name
}

// valueText shows a field's value in the UI language.
func (b *builder) valueText(name string, v any) string {
	f := b.cfg.FieldByPath(name)
	switch x := v.(type) {
	case string:
		if f != nil && (f.Type == config.TEnum) {
			return f.ValueLabel(x, b.lang)
		}
		if f != nil && f.Type == config.TStatus {
			return b.statusLabel(x)
		}
		return x
	case []any:
		parts := make([]string, 0, len(x))
		for _, it := range x {
			parts = append(parts, b.valueText(name, it))
		}
		return strings.Join(parts, ", ")
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			parts = append(parts, b.fieldLabel(name+"."+k)+": "+b.valueText(name+"."+k, x[k]))
		}
		return strings.Join(parts, "; ")
	case float64:
		return num(x)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// skipMeta are fields shown elsewhere on the page.
var skipMeta = map[string]bool{"rice": true, "wsjf": true, "id": true, "title": true, "links": true, "requesters": true, "tier": true, "tier_override": true, "tags": true, "customer": true}

// demandView makes what a demand's page shows. demand serve keeps the page
// while demandKeyOf is unchanged: whatever this reads must be in that key.
func (b *builder) demandView(id string, customers map[string]*groupView) (*demandView, error) {
	d := b.in.Snapshot.Get(id)
	r := b.in.Ranking.Get(id)
	links := *b.demandLinks
	links.Path = d.Path
	body, uses, err := b.opt.Pages.bodyHTML(d.Path, withoutTitle(d.Body, d.Title), &links)
	if errors.Is(err, errBodyTooLarge) {
		// A body that validates yet renders beyond its bound: its page
		// says so, and the rest of the site is still built.
		body = `<p class="body-problem" role="alert">` + template.HTMLEscapeString(b.t("body_not_shown")+" "+err.Error()) + `</p>`
	} else if err != nil {
		return nil, fmt.Errorf("%s: %w", d.Path, err)
	}
	v := &demandView{ID: id, Title: d.Title, Status: d.Status, StatusLabel: b.statusLabel(d.Status), Kind: string(b.cfg.StatusKind(d.Status)), EditURL: b.editURL(d.Path),
		Tier: r.Tier, TierLabel: b.cfg.TierLabel(r.Tier, b.lang), Score: num(r.Score), Weighted: num(r.Models.Weighted.Score),
		Internal: d.Visibility == "internal", Override: r.Override != nil, Body: template.HTML(body),
		TitleLang: textLang(d.Title, b.lang), uses: uses}
	plain := b.plainText(d.Path, d.Body)
	v.BodyLang = textLang(plain, b.lang)
	v.Description = id + " " + d.Title + " · " + v.StatusLabel + " · " + v.TierLabel
	if summary := []rune(strings.Join(strings.Fields(plain), " ")); len(summary) > 0 {
		if len(summary) > 140 {
			summary = append(summary[:140], '…')
		}
		v.Description += ": " + string(summary)
	}
	b.scoreViews(v, d, r, customers)
	b.metaRows(v, d, r, customers)
	v.Links = b.links(d)
	b.customerViews(v, d, r, customers)
	b.historyViews(v, d, r, customers)
	return v, nil
}

// scoreViews fills in why the demand has its tier and how its score is made.
func (b *builder) scoreViews(v *demandView, d *registry.Demand, r *rank.Result, customers map[string]*groupView) {
	for _, x := range r.Reasons {
		v.Reasons = append(v.Reasons, reasonView{Kind: b.t("reason_" + x.Kind), Detail: b.reasonDetail(r.Primary, r.Score, x), Tier: x.Tier})
	}
	for _, f := range r.Models.Weighted.Factors {
		label, val := b.fieldLabel(f.Field), f.Value
		if f.Field == config.CustomersField {
			var w float64
			for _, c := range r.Customers {
				w += c.Weight
			}
			label, val = b.t("requesters"), fmt.Sprintf(b.t("customers_value"), len(r.Customers), num(w))
		} else if val != "" {
			val = b.valueText(f.Field, f.Value)
		}
		v.Factors = append(v.Factors, factorView{Label: label, Value: val, Level: num(f.Level), Weight: num(f.Weight), Points: num(f.Points)})
	}
	m := r.Models
	rice := b.t("no_inputs")
	if x := m.RICE; x != nil {
		rice = fmt.Sprintf("%s = %s × %s × %s / %s", num(x.Score), num(x.Reach), num(x.Impact), num(x.Confidence), num(x.Effort))
	}
	wsjf := b.t("no_inputs")
	if x := m.WSJF; x != nil {
		wsjf = fmt.Sprintf("%s = (%s + %s + %s) / %s", num(x.Score), num(x.Value), num(x.TimeCriticality), num(x.RiskReduction), num(x.JobSize))
	}
	v.Models = []modelView{{b.t("weighted"), num(m.Weighted.Score)}, {b.t("rice"), rice}, {b.t("wsjf"), wsjf}}
	if x := m.Kano; x != nil {
		effect := x.Effect
		if effect == "none" {
			effect = b.t("kano_none")
		} else {
			effect = b.kanoEffect.Replace(effect)
		}
		v.Models = append(v.Models, modelView{b.t("kano"), fmt.Sprintf("%s (%s): %s → %s", b.valueText("kano", x.Category), effect, num(x.Before), num(x.After))})
	}
	if b.cfg.HasMatrix() {
		v.Models = append(v.Models, modelView{b.t("matrix"), b.t("quadrant_" + m.Matrix.Quadrant)})
	}

}

// metaRows fills in the details: tier, override, customer and fields in the config's order, tags.
func (b *builder) metaRows(v *demandView, d *registry.Demand, r *rank.Result, customers map[string]*groupView) {
	// Metadata, in the config's field order.
	if b.cfg.Ranked() {
		v.Meta = append(v.Meta, metaRow{Label: b.fieldLabel("tier"), Value: fmt.Sprintf("%d · %s", r.Tier, v.TierLabel)})
	}
	if o := d.TierOverride; o != nil {
		val := fmt.Sprintf("%d: %s", o.Tier, o.Reason)
		if o.By != "" {
			val += " (" + o.By + ")"
		}
		v.Meta = append(v.Meta, metaRow{Label: b.fieldLabel("tier_override"), Value: val})
	}
	if d.Customer.Name != "" || d.Customer.Segment != "" {
		name := b.segmentLabel(d.Customer.Segment)
		url := ""
		if b.names && d.Customer.Name != "" {
			name = d.Customer.Name
			if seg := b.segmentLabel(d.Customer.Segment); seg != "" {
				name += " · " + seg
			}
			if g := customers[groupKey(d.Customer.Name)]; g != nil {
				url = "../customers/" + g.URL
			}
		}
		v.Meta = append(v.Meta, metaRow{Label: b.fieldLabel("customer"), Value: name, URL: url})
	}
	for _, name := range b.cfg.FieldOrder {
		if skipMeta[name] && b.cfg.HasRole(name) || name == b.cfg.History.TimelineField {
			continue // the timeline is part of the history below
		}
		val, ok := d.Fields.Lookup(name)
		if !ok {
			continue
		}
		v.Meta = append(v.Meta, b.fieldRow(name, val))
	}
	if len(d.Tags) > 0 {
		row := metaRow{Label: b.fieldLabel("tags")}
		for _, tag := range d.Tags {
			row.Items = append(row.Items, linkItem{ID: tag, URL: "../tags/" + b.tagFile[groupKey(tag)]})
		}
		v.Meta = append(v.Meta, row)
	}

}

// customerViews fills in the customers asking, named only for an audience that sees names.
func (b *builder) customerViews(v *demandView, d *registry.Demand, r *rank.Result, customers map[string]*groupView) {
	for _, c := range r.Customers {
		cv := customerView{Segment: b.segmentLabel(c.Segment), Via: c.Via}
		if c.Via == "customer" || c.Via == "requester" {
			cv.Via = b.t("via_" + c.Via)
		}
		if b.names {
			cv.Name = c.Name
			if g := customers[groupKey(c.Name)]; g != nil {
				cv.URL = "../customers/" + g.URL
			}
		} else {
			cv.Name = cv.Segment
		}
		if cv.Name == "" {
			cv.Name = "—"
		}
		v.Customers = append(v.Customers, cv)
	}

}

// historyViews fills in the timeline recorded before the registry, the SLA, the commits and pending edits.
func (b *builder) historyViews(v *demandView, d *registry.Demand, r *rank.Result, customers map[string]*groupView) {
	for i := len(d.Timeline) - 1; i >= 0; i-- {
		e := d.Timeline[i]
		v.Recorded = append(v.Recorded, recordedView{Date: string(e.Date), StatusLabel: b.statusLabel(e.Status), By: e.By, Note: e.Note})
	}
	if h := b.in.History[v.ID]; h != nil {
		v.HistoryIncomplete = h.Incomplete
		if h.SLA != nil {
			v.SLANodes = b.nodeLabels()
			for _, n := range h.SLA.Nodes {
				sv := slaView{Label: b.nodeLabel(n.Node), State: string(n.State), StateLabel: b.t("sla_" + string(n.State)),
					Elapsed: num(n.ElapsedDays), Target: num(n.TargetDays), Unit: b.t("calendar_days")}
				if n.WorkingDays {
					sv.Unit = b.t("working_days")
				}
				if n.OverDays > 0 {
					sv.Over = num(n.OverDays)
				}
				v.SLA = append(v.SLA, sv)
			}
		}
		for _, c := range h.Commits {
			cv := commitView{Date: c.Date.Format("2006-01-02"), DateISO: c.Date.Format("2006-01-02T15:04:05Z07:00"), Author: c.Author,
				KindLabel: b.t(c.Kind), Subject: c.Subject, Short: c.Hash[:min(10, len(c.Hash))], PR: c.PR}
			if repo := strings.TrimRight(b.cfg.Repository.URL, "/"); repo != "" {
				cv.CommitURL = repo + "/commit/" + c.Hash
				if c.PR > 0 {
					cv.PRURL = fmt.Sprintf("%s/pull/%d", repo, c.PR)
				}
			}
			cv.Changes = b.changes(c.Changes)
			v.Commits = append(v.Commits, cv)
		}
		if h.Pending != nil {
			v.Pending = b.changes(h.Pending.Changes)
			if len(v.Pending) == 0 {
				v.Pending = []string{b.t(h.Pending.Kind)}
			}
		}
	}
}

// changes describes field changes: "Status: Triaged → Accepted".
func (b *builder) changes(cs []history.Change) []string {
	var out []string
	for _, c := range cs {
		if c.Field == "body" {
			out = append(out, fmt.Sprintf("%s: +%d −%d", b.t("details"), c.Added, c.Removed))
			continue
		}
		if tf := b.cfg.History.TimelineField; tf != "" && c.Field == tf {
			// The entries are listed under "recorded before the registry";
			// here only how many the commit added.
			out = append(out, fmt.Sprintf("%s: %d → %d", b.fieldLabel(c.Field), jsonLen(c.From), jsonLen(c.To)))
			continue
		}
		if c.Field == "path" { // a rename: the old file name says where it came from
			out = append(out, b.t("renamed_from")+" "+path.Base(c.From))
			continue
		}
		if (!b.names && (c.Field == "customer" || c.Field == "requesters")) || (c.Field == "links" && c.From == "" && c.To == "") {
			// Values hidden from this audience (a public history's links
			// may name internal demands).
			out = append(out, b.fieldLabel(c.Field))
			continue
		}
		from, to := c.From, c.To
		if f := b.cfg.FieldByPath(c.Field); f != nil && (f.Type == config.TEnum || f.Type == config.TStatus) {
			from, to = b.valueText(c.Field, from), b.valueText(c.Field, to)
		}
		if from == "" {
			from = "—"
		}
		if to == "" {
			to = "—"
		}
		out = append(out, fmt.Sprintf("%s: %s → %s", b.fieldLabel(c.Field), from, to))
	}
	return out
}

// jsonLen is the number of items of a JSON list ("" or not a list: 0).
func jsonLen(text string) int {
	var l []any
	if json.Unmarshal([]byte(text), &l) != nil {
		return 0
	}
	return len(l)
}

// links gathers a demand's links in both directions, to shown demands only.
func (b *builder) links(d *registry.Demand) []linkGroup {
	item := func(id string) (linkItem, bool) {
		o := b.in.Snapshot.Get(id)
		if o == nil || !b.shown[id] {
			return linkItem{}, false
		}
		return linkItem{ID: id, Title: o.Title, URL: fileName(id)}, true
	}
	var groups []linkGroup
	add := func(label string, ids []string) {
		g := linkGroup{Label: b.t(label)}
		for _, id := range ids {
			if it, ok := item(id); ok {
				g.Items = append(g.Items, it)
			}
		}
		if len(g.Items) > 0 {
			groups = append(groups, g)
		}
	}
	var blocks, dupBy, children, relatedBy []string
	var likely []likelyDup
	if r := b.reverse[d.ID]; r != nil {
		likely = r.likely
		blocks, dupBy, children = r.blocks, r.dupBy, r.children
		for _, id := range r.relatedBy {
			if !contains(d.Links.Related, id) {
				relatedBy = append(relatedBy, id)
			}
		}
	}
	add("depends_on", d.Links.DependsOn)
	add("blocks", blocks)
	if d.Links.DuplicateOf != "" {
		add("duplicate_of", []string{d.Links.DuplicateOf})
	}
	add("duplicated_by", dupBy)
	add("related", append(append([]string(nil), d.Links.Related...), relatedBy...))
	if d.Links.Parent != "" {
		add("parent", []string{d.Links.Parent})
	}
	add("children", children)
	g := linkGroup{Label: b.t("likely_duplicates")}
	for _, l := range likely {
		if it, ok := item(l.id); ok {
			it.Similarity = strconv.FormatFloat(l.similarity, 'f', 2, 64)
			g.Items = append(g.Items, it)
		}
	}
	if len(g.Items) > 0 {
		groups = append(groups, g)
	}
	return groups
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// reasonDetail says how a tier step came about, in the UI language.
func (b *builder) reasonDetail(primary string, score float64, x rank.Reason) string {
	switch x.Kind {
	case "score":
		min := 0.0
		for _, l := range b.cfg.Tiers.Levels {
			if l.Tier == x.Tier {
				min = l.MinScore
			}
		}
		return fmt.Sprintf(b.t("reason_score_detail"), b.t(primary), num(score), x.Tier, num(min))
	case "floor":
		return fmt.Sprintf(b.t("reason_floor_detail"), x.Rule, x.Condition)
	case "inherit":
		return fmt.Sprintf(b.t("reason_inherit_detail"), x.From, x.Tier)
	case "override":
		if x.By != "" {
			return fmt.Sprintf(b.t("reason_override_by_detail"), x.By, x.Why)
		}
		return fmt.Sprintf(b.t("reason_override_detail"), x.Why)
	}
	return x.Detail
}

// editURL is the address of a demand file's edit page on the repository's
// host (GitHub's and Gitea's /edit/BRANCH/PATH), each path segment escaped.
func (b *builder) editURL(p string) string {
	repo := strings.TrimRight(b.cfg.Repository.URL, "/")
	if repo == "" || b.in.Dir == "" || b.cfg.Repository.Branch == "" {
		return ""
	}
	var segs []string
	for _, s := range strings.Split(path.Join(b.in.Dir, p), "/") {
		if s != "" && s != "." {
			segs = append(segs, url.PathEscape(s))
		}
	}
	return repo + "/edit/" + url.PathEscape(b.cfg.Repository.Branch) + "/" + strings.Join(segs, "/")
}

// fieldRow is a field's row of the details: its value as text, and a
// value that is an address (alone, in a list or in a map of any keys) a
// link.
func (b *builder) fieldRow(name string, val any) metaRow {
	row := metaRow{Label: b.fieldLabel(name), Value: b.valueText(name, val)}
	switch x := val.(type) {
	case string:
		if webURL(x) {
			row.URL = x
		}
	case map[string]any:
		if f := b.cfg.Fields[name]; f != nil && f.Free() {
			row.Items = valueItems("", x)
		}
	case []any:
		if slices.ContainsFunc(x, func(it any) bool { s, _ := it.(string); return webURL(s) }) {
			row.Items = valueItems("", x)
		}
	}
	return row
}

// valueItems shows a value as items: each leaf, after its key path in
// maps ("issues.stream: …"), an address among them a link.
func valueItems(prefix string, v any) []linkItem {
	switch x := v.(type) {
	case map[string]any:
		var out []linkItem
		for _, k := range slices.Sorted(maps.Keys(x)) {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			out = append(out, valueItems(p, x[k])...)
		}
		return out
	case []any:
		var out []linkItem
		for _, it := range x {
			out = append(out, valueItems(prefix, it)...)
		}
		return out
	}
	s := fmt.Sprint(v)
	it := linkItem{ID: s}
	if prefix != "" {
		it.ID = prefix + ": " + s
	}
	if webURL(s) {
		it.URL = s
	}
	return []linkItem{it}
}

// webURL reports whether s is one absolute http(s) address and nothing
// else: only such values become links (never javascript: or data:).
func webURL(s string) bool {
	if strings.ContainsAny(s, " \t\n<>\"") {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// withoutTitle is a body without its first heading when that heading is
// the title, which the page shows above it already.
func withoutTitle(body, title string) string {
	h, line := registry.FirstHeading(body)
	if line == 0 || h != title {
		return body
	}
	lines := strings.SplitAfter(body, "\n")
	end := line // drop the heading's line, and a setext heading's underline
	if !strings.HasPrefix(strings.TrimLeft(lines[line-1], " "), "#") && line < len(lines) {
		end = line + 1
	}
	return strings.Join(lines[:line-1], "") + strings.Join(lines[end:], "")
}

// nodeLabel is an SLA node's label in the UI language (the config's), or
// its name.
func (b *builder) nodeLabel(node string) string {
	if n := b.cfg.Node(node); n != nil {
		if l := n.Label.In(b.lang); l != "" {
			return l
		}
	}
	return node
}

// nodeLabels is every SLA node's label, in order: the SLA table's header.
func (b *builder) nodeLabels() string {
	var out []string
	for _, n := range b.cfg.SLA.Nodes {
		out = append(out, b.nodeLabel(n.Name))
	}
	return strings.Join(out, " / ")
}
