// Package render turns a ranked registry and its history into a static
// website: the tier board, the status board, a page per demand, customer
// and tag pages, exports and a 404 page. It never reads the registry or
// git itself: it is handed the data, and Build is a pure function of it.
package render

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"hash/maphash"
	"html/template"
	"io/fs"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/demand-registry/demand/registry/customer"

	"github.com/demand-registry/demand/registry/config"

	"gopkg.in/yaml.v3"

	"github.com/demand-registry/demand/internal/par"
	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/registry/dups"
	"github.com/demand-registry/demand/registry/history"
	"github.com/demand-registry/demand/registry/rank"
)

// Input is everything a site shows.
type Input struct {
	Snapshot *registry.Snapshot
	Ranking  *rank.Ranking
	History  map[string]*history.History // nil when the registry is not in git
	Commit   string                      // the commit built, for the footer
	Date     time.Time                   // that commit's date: ages are counted to it
	// Dir is the registry folder relative to the repository root,
	// slash-separated ("demands"; "" for the root), so that demands.json
	// names files as history and git do.
	Dir string
	// Duplicates are the likely duplicates not linked yet (dups.Find),
	// listed on both demands' pages.
	Duplicates []dups.Pair
}

// Audience is who a build is for.
type Audience string

// Audiences.
const (
	Internal Audience = "internal" // everything
	Public   Audience = "public"   // no internal demands; customer names hidden unless the config makes them public
)

// Options shape a build.
type Options struct {
	Audience  Audience // Internal (default) or Public
	BaseURL   string   // absolute address of the site, for feeds and exports
	Templates fs.FS    // the template set (templates.FS, or an override)
	Lang      string   // "" for the config's language
	// Pages, when set, keeps rendered pages between builds (demand serve):
	// a page whose data and templates are unchanged is not rendered again.
	Pages *PageCache
	// Sink, when set, is handed every file as soon as it is final (a
	// SiteWriter's Put), so that writing overlaps rendering. It is called
	// from several goroutines. A file is the concatenation of its parts
	// (the largest, demands.json, is never joined in memory). The files
	// are then not kept: Build returns their names, each with nil data.
	Sink func(name string, parts ...[]byte)
}

// PageCache holds rendered pages by path, with a hash of what made them,
// and the HTML and plain text of Markdown bodies. It lives in one process
// only, so its hashes are seeded per process and need not be
// cryptographic.
type PageCache struct {
	mu   sync.Mutex
	seed maphash.Seed
	m    map[string]cachedPage
	// Texts by kind and file, of this build and of the one before: a
	// text no build uses is dropped after one build.
	texts, prev map[textKey]madeText
	// Cards by their link (one per demand and folder depth), with the key
	// of the data and templates they were rendered from.
	cards map[string]madeText
}

type textKey struct{ kind, name string }

// madeText is a text made from a source: the source is kept to tell
// whether it changed (a file that did not keeps the very same string,
// which compares at once).
type madeText struct {
	src, out string
	// A body's HTML depends on its Links too (see bodyHTML).
	env  string
	uses []linkUse
}

type cachedPage struct {
	key  uint64    // the hash of the page's data
	from demandKey // a demand's page: what its data was made from
	uses []linkUse // and the demands its body's links looked up
	data []byte
}

// NewPageCache makes an empty page cache.
func NewPageCache() *PageCache {
	return &PageCache{seed: maphash.MakeSeed(), m: map[string]cachedPage{}, texts: map[textKey]madeText{}, cards: map[string]madeText{}}
}

// page returns the page at out if it was made as match says.
func (c *PageCache) page(out string, match func(cachedPage) bool) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	hit, ok := c.m[out]
	return hit.data, ok && match(hit)
}

// keep records the page at out and what it was made from.
func (c *PageCache) keep(out string, p cachedPage) {
	c.mu.Lock()
	c.m[out] = p
	c.mu.Unlock()
}

// startBuild begins a build's generation of texts.
func (c *PageCache) startBuild() {
	c.mu.Lock()
	c.prev, c.texts = c.texts, map[textKey]madeText{}
	c.mu.Unlock()
}

// text returns fn(src) for a file's text of a kind, from this build or the
// one before when either made it from the same source.
func (c *PageCache) text(kind, name, src string, fn func(string) (string, error)) (string, error) {
	if c == nil {
		return fn(src)
	}
	k := textKey{kind, name}
	c.mu.Lock()
	t, ok := c.texts[k]
	if !ok || t.src != src {
		t, ok = c.prev[k]
	}
	c.mu.Unlock()
	if !ok || t.src != src {
		out, err := fn(src)
		if err != nil {
			return "", err
		}
		t = madeText{src: src, out: out}
	}
	c.mu.Lock()
	c.texts[k] = t
	c.mu.Unlock()
	return t.out, nil
}

// bodyHTML returns a demand body's HTML (MarkdownFor) and the demands
// its links looked up, from this build or the one before when either made
// it from the same text and settings, and those demands are where they
// were: a link to another demand's file follows that file.
func (c *PageCache) bodyHTML(name, src string, l *Links) (string, []linkUse, error) {
	if c == nil {
		return renderBody(src, l)
	}
	k, env := textKey{"html", name}, l.env()
	made := func(t madeText, ok bool) bool { return ok && t.src == src && t.env == env && l.holds(t.uses) }
	c.mu.Lock()
	t, ok := c.texts[k]
	if !made(t, ok) {
		t, ok = c.prev[k]
	}
	c.mu.Unlock()
	if !made(t, ok) {
		out, uses, err := renderBody(src, l)
		if err != nil {
			return "", nil, err
		}
		t = madeText{src: src, out: out, env: env, uses: uses}
	}
	c.mu.Lock()
	c.texts[k] = t
	c.mu.Unlock()
	return t.out, t.uses, nil
}

// Build renders the site into files by slash-separated path (with a Sink,
// only their names: see Options.Sink). The same input gives
// byte-identical files.
func Build(in Input, opt Options) (map[string][]byte, error) {
	b, err := newBuilder(in, opt)
	if err != nil {
		return nil, err
	}
	return b.build()
}

type builder struct {
	in      Input
	opt     Options
	cfg     *config.Config
	lang    string
	strings map[string]string
	en      map[string]string
	pages   map[string]*template.Template
	shown   map[string]bool // demands published to this audience
	names   bool            // customer names shown
	asOf    time.Time
	files   map[string][]byte
	tagFile map[string]string // tag (lower case) → its page's file name
	labels  *cardLabels
	cards   cardMemo
	// kanoEffect words a Kano effect ("floor", "ceiling") in the UI language.
	kanoEffect *strings.Replacer
	reverse    map[string]*reverseLinks
	tmplKey    []byte // a hash of the templates, for the page cache
	// settings hashes what every demand page depends on (see demandKeyOf);
	// settingsOK is false when it could not be hashed.
	settings   string
	settingsOK bool
	mu         sync.Mutex // guards files while pages render in parallel
	order      []string   // the demands shown, ranked
	// demandLinks resolves bodies' links (see Links): its Path is set per
	// demand on a copy.
	demandLinks *Links
	cardURLs    map[string]bool
}

// reverseLinks are the links other demands make to one demand.
type reverseLinks struct {
	blocks, dupBy, children, relatedBy []string
	likely                             []likelyDup
}

// likelyDup is a demand that looks like a duplicate of another one.
type likelyDup struct {
	id         string
	similarity float64
}

var pageTemplates = []string{"search.html", "index.html", "status.html", "demand.html", "groups.html", "group.html", "exports.html", "404.html", "kpis.html", "changes.html", "attention.html"}

func newBuilder(in Input, opt Options) (*builder, error) {
	if opt.Audience == "" {
		opt.Audience = Internal
	}
	if opt.Audience == Public {
		if err := publicOnly(in); err != nil {
			return nil, err
		}
	}
	b := &builder{in: in, opt: opt, cfg: in.Snapshot.Config, files: map[string][]byte{}, shown: map[string]bool{}}
	b.lang = opt.Lang
	if b.lang == "" {
		b.lang = b.cfg.Language
	}
	var err error
	if b.en, err = catalog(opt.Templates, "en"); err != nil {
		return nil, err
	}
	if b.strings, err = catalog(opt.Templates, b.lang); err != nil {
		return nil, err
	}
	funcs := template.FuncMap{"t": b.t, "card": b.cards.html, "cards": b.cards.list}
	if b.cards.t, err = template.New("card.html").Funcs(funcs).ParseFS(opt.Templates, "card.html"); err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	b.pages = map[string]*template.Template{}
	for _, p := range pageTemplates {
		t, err := template.New("base.html").Funcs(funcs).ParseFS(opt.Templates, "base.html", "card.html", p)
		if err != nil {
			return nil, fmt.Errorf("templates: %w", err)
		}
		b.pages[p] = t
	}
	for _, d := range in.Snapshot.Demands {
		if shown(d, opt.Audience) {
			b.shown[d.ID] = true
		}
	}
	b.names = namesShown(b.cfg, opt.Audience)
	byPath := map[string]string{}
	for _, d := range in.Snapshot.Demands {
		if b.shown[d.ID] {
			byPath[d.Path] = d.ID
		}
	}
	b.demandLinks = &Links{Dir: in.Dir, RepoURL: b.cfg.Repository.URL, Branch: b.cfg.Repository.Branch,
		Demand: func(p string) string { return byPath[p] }}
	if opt.Pages != nil {
		b.tmplKey = TemplatesKey(opt.Templates)
		b.settings, b.settingsOK = b.settingsKey()
		opt.Pages.startBuild()
		b.cards.pages = opt.Pages
	}
	b.kanoEffect = strings.NewReplacer("floor", b.t("kano_floor"), "ceiling", b.t("kano_ceiling"))
	b.labels = &cardLabels{Score: b.t("score"), Segment: b.t("segment"), SLA: b.t("sla"), Age: b.t("age"), Days: b.t("days"), Internal: b.t("internal")}
	b.reverse = map[string]*reverseLinks{}
	rev := func(id string) *reverseLinks {
		if b.reverse[id] == nil {
			b.reverse[id] = &reverseLinks{}
		}
		return b.reverse[id]
	}
	for _, o := range in.Snapshot.Demands {
		for _, dep := range o.Links.DependsOn {
			rev(dep).blocks = append(rev(dep).blocks, o.ID)
		}
		if o.Links.DuplicateOf != "" {
			rev(o.Links.DuplicateOf).dupBy = append(rev(o.Links.DuplicateOf).dupBy, o.ID)
		}
		if o.Links.Parent != "" {
			rev(o.Links.Parent).children = append(rev(o.Links.Parent).children, o.ID)
		}
		for _, rel := range o.Links.Related {
			rev(rel).relatedBy = append(rev(rel).relatedBy, o.ID)
		}
	}
	for _, p := range in.Duplicates { // most similar first
		rev(p.A).likely = append(rev(p.A).likely, likelyDup{p.B, p.Similarity})
		rev(p.B).likely = append(rev(p.B).likely, likelyDup{p.A, p.Similarity})
	}
	b.asOf = in.Date
	if b.asOf.IsZero() {
		for _, d := range in.Snapshot.Demands {
			if t := d.Received.Time(); t.After(b.asOf) {
				b.asOf = t
			}
		}
	}
	return b, nil
}

// publicOnly refuses a public build from an input that holds anything
// internal. Hiding it here would not do: internal demands change the
// public ones' ranks, tiers and customers, and their old versions live in
// the history. The input must be the public view (registry/public).
func publicOnly(in Input) error {
	for _, d := range in.Snapshot.Demands {
		if d.Visibility == "internal" {
			return fmt.Errorf("a public build is made from the public view of the registry (public.Derive), but %s is internal", d.ID)
		}
	}
	for _, r := range in.Ranking.Results {
		if in.Snapshot.Get(r.ID) == nil {
			return fmt.Errorf("a public build is made from the public view of the registry (public.Derive), but %s is ranked and not in it", r.ID)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(in.History)) {
		for _, c := range in.History[id].Commits {
			if c.Internal || c.Email != "" {
				return fmt.Errorf("a public build is made from the public view of the registry (public.Derive), but the history of %s is not redacted", id)
			}
		}
	}
	return nil
}

// shown reports whether a demand is published to an audience.
func shown(d *registry.Demand, audience Audience) bool {
	return audience != Public || d.Visibility != "internal"
}

// namesShown reports whether an audience sees customer names.
func namesShown(cfg *config.Config, audience Audience) bool {
	return audience != Public || cfg.Site.PublicCustomerNames
}

// catalog reads the UI strings of a language.
func catalog(fsys fs.FS, lang string) (map[string]string, error) {
	data, err := fs.ReadFile(fsys, "i18n/"+lang+".yaml")
	if err != nil {
		return nil, fmt.Errorf("templates: no UI strings for language %q: %w", lang, err)
	}
	m := map[string]string{}
	if err := yaml.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("templates: i18n/%s.yaml: %w", lang, err)
	}
	return m, nil
}

// t translates a UI string, falling back to English, then to the key.
func (b *builder) t(key string) string {
	if s, ok := b.strings[key]; ok {
		return s
	}
	if s, ok := b.en[key]; ok {
		return s
	}
	return key
}

// page is what every template gets.
type page struct {
	Lang, Title, Root, Nav string
	Description            string // the meta description: the page and the registry, or a demand's summary
	Site                   siteInfo
	Tiers                  []tierView
	Kinds                  []kindView
	Demand                 *demandView
	Heading                string
	Groups                 []*groupView
	Group                  *groupView
	KPIs                   *kpiView
	Attention              *attentionView
	Changes                []change
	Facets                 []facet
	// from is what a demand's page was made from, kept with the page in
	// the page cache (templates do not see it, nor does the page's key).
	from demandKey
	uses []linkUse // the demands its body's links looked up (see bodyHTML)
}

type siteInfo struct {
	Title, Commit, Date string
	Customers           bool
	// What the registry has (see config roles): a part of the site whose
	// data the registry does not keep is left out, not shown empty.
	Ranked, Status, Tags bool
	// SLA: targets and what to measure them from; Received: dates to
	// count throughput and ages from.
	SLA, Received, Satisfaction bool
	SubmitURL                   string // the demand issue form, when repository.url is set
	// ImageSources are the repository host's origins, each after a space,
	// that the page's Content-Security-Policy lets images load from: a
	// body's images of repository files link there (see Links).
	ImageSources string
}

// cardLabels are a card's UI strings, looked up once per build: a site of
// thousands of demands renders tens of thousands of cards.
type cardLabels struct{ Score, Segment, SLA, Age, Days, Internal string }

type card struct {
	L                                   *cardLabels
	ID, Title, URL, Status, StatusLabel string
	Kind                                config.Kind
	SegmentLabel, Score, SLA, SLALabel  string
	TitleLang                           string // see textLang
	Tier, Age                           int
	Internal, Received                  bool // Received: the registry dates demands, so Age means something
	// key hashes the fields above and the templates, once per build, when
	// pages are kept between builds (0 otherwise): the boards' keys hash
	// thousands of cards through it, and the card's HTML is kept under it.
	key uint64
}

// keyed sets a card's key (see card.key). The old key goes first: a card
// with a key hashes as its key, and a copy with a new link must not.
func (b *builder) keyed(c card) card {
	c.key = 0
	if p := b.opt.Pages; p != nil {
		if k, ok := pageKey(p.seed, string(b.tmplKey), c); ok {
			c.key = k
		}
	}
	return c
}

// cardMemo keeps each card rendered once: a demand's card shows on the
// tier board, the status board and each of its tag and customer pages,
// most of them alike. Page templates call {{card .}}: the "card" template
// of card.html. With a page cache (demand serve), cards are kept from one
// build to the next, so that a board of thousands of cards where one
// changed renders one.
type cardMemo struct {
	t     *template.Template
	pages *PageCache
	mu    sync.Mutex
	m     map[card]template.HTML
}

func (m *cardMemo) html(c card) (template.HTML, error) {
	if p := m.pages; p != nil && c.key != 0 {
		src := strconv.FormatUint(c.key, 16)
		p.mu.Lock()
		kept, ok := p.cards[c.URL]
		p.mu.Unlock()
		if ok && kept.src == src {
			return template.HTML(kept.out), nil // escaped by the card template itself
		}
		s, err := m.render(c)
		if err != nil {
			return "", err
		}
		p.mu.Lock()
		p.cards[c.URL] = madeText{src: src, out: s}
		p.mu.Unlock()
		return template.HTML(s), nil
	}
	m.mu.Lock()
	h, ok := m.m[c]
	m.mu.Unlock()
	if ok {
		return h, nil
	}
	s, err := m.render(c)
	if err != nil {
		return "", err
	}
	h = template.HTML(s)
	m.mu.Lock()
	if m.m == nil {
		m.m = map[card]template.HTML{}
	}
	m.m[c] = h
	m.mu.Unlock()
	return h, nil
}

// list is the cards one after another, as {{range .}}{{card .}}{{end}}
// makes them: a board of thousands of cards is one call.
func (m *cardMemo) list(cs []card) (template.HTML, error) {
	hs := make([]string, len(cs))
	for i, c := range cs {
		h, err := m.html(c)
		if err != nil {
			return "", err
		}
		hs[i] = string(h)
	}
	return template.HTML(strings.Join(hs, "")), nil // each card escaped by its template
}

func (m *cardMemo) render(c card) (string, error) {
	var buf strings.Builder
	err := m.t.ExecuteTemplate(&buf, "card", c)
	return buf.String(), err
}

type tierView struct {
	Tier  int
	Label string
	Cards []card // open and active, in ranked order: what to do next
	Ended []card // done and closed, after them
}

type columnView struct {
	Status, Label string
	Cards         []card
}

type kindView struct {
	Kind, Label string
	Count       int
	Columns     []columnView
}

type groupView struct {
	Name, Note, URL, slug string
	Cards                 []card
}

func (b *builder) render(name, out, title, nav string, p page) error {
	p.Lang, p.Title, p.Nav = b.lang, title, nav
	if p.Description == "" {
		p.Description = title + " · " + b.cfg.Title
	}
	p.Root = strings.Repeat("../", strings.Count(out, "/"))
	if out == "404.html" && b.opt.BaseURL != "" {
		// Hosts serve the 404 page at any missing address, at any depth:
		// relative links would break there, so it links absolutely.
		p.Root = strings.TrimRight(b.opt.BaseURL, "/") + "/"
	}
	p.Site = siteInfo{Title: b.cfg.Title, Customers: b.names && (b.cfg.HasRole("customer") || b.cfg.HasRole("requesters")), Ranked: b.cfg.Ranked(), Status: b.cfg.HasRole("status"), Tags: b.cfg.HasRole("tags"),
		SLA: len(b.cfg.SLA.Targets) > 0 && b.cfg.HasRole("received") && b.cfg.HasRole("status"), Received: b.cfg.HasRole("received"), Satisfaction: b.cfg.HasRole("satisfaction")}
	if repo := strings.TrimRight(b.cfg.Repository.URL, "/"); repo != "" {
		p.Site.SubmitURL = repo + "/issues/new?template=demand.yml"
	}
	p.Site.ImageSources = imageSources(b.cfg.Repository.URL)
	if b.in.Commit != "" {
		p.Site.Commit = b.in.Commit[:min(12, len(b.in.Commit))]
	}
	if !b.in.Date.IsZero() {
		p.Site.Date = b.in.Date.UTC().Format("2006-01-02")
	}
	// The page is a pure function of its data and the templates.
	c := b.opt.Pages
	var key uint64
	cacheable := false
	if c != nil {
		key, cacheable = pageKey(c.seed, string(b.tmplKey)+"\x00"+name+"\x00"+out, p)
		if data, ok := c.page(out, func(h cachedPage) bool { return h.key == key }); cacheable && ok {
			b.put(out, data)
			c.keep(out, cachedPage{key: key, from: p.from, uses: p.uses, data: data})
			return nil
		}
	}
	var buf bytes.Buffer
	if c != nil {
		if last, ok := c.page(out, func(cachedPage) bool { return true }); ok {
			buf.Grow(len(last) + len(last)/8) // most pages change little between builds
		}
	}
	if err := b.pages[name].Execute(&buf, p); err != nil {
		return fmt.Errorf("rendering %s: %w", out, err)
	}
	b.put(out, buf.Bytes())
	if cacheable {
		c.keep(out, cachedPage{key: key, from: p.from, uses: p.uses, data: buf.Bytes()})
	}
	return nil
}

// TemplatesKey hashes every file of a template set.
func TemplatesKey(fsys fs.FS) []byte {
	h := sha256.New()
	_ = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		data, err := fs.ReadFile(fsys, p)
		if err == nil {
			h.Write([]byte(p + "\x00"))
			h.Write(data)
		}
		return nil
	})
	return h.Sum(nil)
}

// job makes files of the site: paths names them all, for a lazy site,
// which makes a rare job only when asked for (never to warm up).
type job struct {
	paths []string
	run   func() error
	rare  bool
}

// safeRun runs the job, a panic in it (a template or library failing on
// some demand's content) becoming its error: the page shows it, and demand
// serve, which makes pages while idle, keeps running.
func (j *job) safeRun() (err error) {
	defer func() {
		if r := recover(); r != nil {
			name := "a page"
			if len(j.paths) > 0 {
				name = j.paths[0]
			}
			err = fmt.Errorf("making %s failed: %v", name, r)
		}
	}()
	return j.run()
}

func (b *builder) build() (map[string][]byte, error) {
	jobs, err := b.plan()
	if err != nil {
		return nil, err
	}
	// The jobs are independent of one another: they run on as many CPUs
	// as there are, the largest first (templates are safe for concurrent
	// use, and files are added under a lock).
	if err := par.For(len(jobs), 0, func(i int) error { return jobs[i].safeRun() }); err != nil {
		return nil, err
	}
	b.forget(func(p string) bool { _, ok := b.files[p]; return ok })
	return b.files, nil
}

// plan makes what the pages share (cards, boards, groups), puts the
// files that need no rendering, and returns the jobs that make the rest.
func (b *builder) plan() ([]job, error) {
	list, nested := b.makeCards()
	order := b.order
	tiers, kinds := b.tierBoard(list), b.statusBoard(list)
	customers, tags := b.groups(order, nested)
	customerGroups, tagGroups := nameGroups(customers), nameGroups(tags)
	b.tagFile = map[string]string{}
	for k, g := range tags {
		b.tagFile[k] = g.URL
	}
	if err := b.putAssets(); err != nil {
		return nil, err
	}
	jobs := b.boardJobs(order, tiers, kinds)
	// A registry without customers or tags has no pages for them.
	if b.names && (b.cfg.HasRole("customer") || b.cfg.HasRole("requesters")) {
		jobs = append(jobs, b.groupPages(customerGroups, "customers", b.t("customers_title"))...)
	}
	if b.cfg.HasRole("tags") {
		jobs = append(jobs, b.groupPages(tagGroups, "tags", b.t("tags_title"))...)
	}
	jobs = append(jobs,
		fileJob("exports.html", func() error { return b.render("exports.html", "exports.html", b.t("exports_title"), "exports", page{}) }),
		fileJob("404.html", func() error { return b.render("404.html", "404.html", b.t("not_found"), "", page{}) }),
	)
	return append(jobs, b.demandJobs(order, customers)...), nil
}

// makeCards makes the card of every shown demand in rank order, and its copy
// for pages one folder down by ID; it sets b.order and b.cardURLs.
func (b *builder) makeCards() (list []card, nested map[string]card) {
	// Every card is made and hashed at once, on as many CPUs as there
	// are, with its copy for pages one folder down: on 5,000 demands,
	// making them one by one was a quarter of a rebuild in demand serve,
	// with no page rendering meanwhile.
	var results []*rank.Result
	for _, r := range b.in.Ranking.Results {
		if b.shown[r.ID] {
			results = append(results, r)
		}
	}
	order := make([]string, len(results))
	list = make([]card, len(results))
	nestedList := make([]card, len(results))
	_ = par.For(len(results), 0, func(i int) error {
		c := b.keyed(b.card(results[i], ""))
		order[i], list[i] = c.ID, c
		c.URL = "../" + c.URL
		nestedList[i] = b.keyed(c)
		return nil
	})
	nested = make(map[string]card, len(order))
	b.order, b.cardURLs = order, make(map[string]bool, len(order))
	for i, c := range list {
		nested[c.ID] = nestedList[i]
		b.cardURLs[c.URL] = true
	}
	return list, nested
}

// tierBoard is the tier board: a column per tier level, its ended
// (done or closed) demands apart.
func (b *builder) tierBoard(list []card) []tierView {
	byTier := map[int][]card{}
	for _, c := range list {
		byTier[c.Tier] = append(byTier[c.Tier], c)
	}
	levels := b.cfg.Tiers.Levels
	if !b.cfg.Ranked() {
		// Nothing to rank by: one list, every card in "tier" 0.
		levels = []config.TierLevel{{Tier: 0, Label: config.Label{b.lang: b.t("all_demands")}}}
	}
	var tiers []tierView
	for _, l := range levels {
		tv := tierView{Tier: l.Tier, Label: l.Label.In(b.lang)}
		for _, c := range byTier[l.Tier] {
			if c.Kind == config.KindDone || c.Kind == config.KindClosed {
				tv.Ended = append(tv.Ended, c)
			} else {
				tv.Cards = append(tv.Cards, c)
			}
		}
		tiers = append(tiers, tv)
	}
	return tiers
}

// statusBoard is the status board: a column per status, grouped by
// status kind; kinds without statuses are left out.
func (b *builder) statusBoard(list []card) []kindView {
	byStatus := map[string][]card{}
	for _, c := range list {
		byStatus[c.Status] = append(byStatus[c.Status], c)
	}
	var kinds []kindView
	for _, kind := range []config.Kind{config.KindOpen, config.KindActive, config.KindDone, config.KindClosed} {
		kv := kindView{Kind: string(kind), Label: b.t("kind_" + string(kind))}
		for _, s := range b.cfg.Statuses {
			if s.Kind != kind {
				continue
			}
			col := columnView{Status: s.Name, Label: s.Label.In(b.lang), Cards: byStatus[s.Name]}
			if col.Label == "" {
				col.Label = s.Name
			}
			kv.Count += len(col.Cards)
			kv.Columns = append(kv.Columns, col)
		}
		if len(kv.Columns) > 0 {
			kinds = append(kinds, kv)
		}
	}
	return kinds
}

// groups gathers the demands of the customer pages (when names are
// shown) and the tag pages, by group key, with their nested cards.
func (b *builder) groups(order []string, nested map[string]card) (customers, tags map[string]*groupView) {
	customers = map[string]*groupView{}
	tags = map[string]*groupView{}
	for _, id := range order {
		d := b.in.Snapshot.Get(id)
		if b.names && d.Customer.Name != "" {
			g := group(customers, d.Customer.Name)
			g.Note = b.segmentLabel(d.Customer.Segment)
			g.Cards = append(g.Cards, nested[id])
		}
		for _, tag := range d.Tags {
			g := group(tags, tag)
			g.Cards = append(g.Cards, nested[id])
		}
	}
	return customers, tags
}

// putAssets puts the files copied from the templates as they are.
func (b *builder) putAssets() error {
	for _, f := range [][2]string{{"style.css", "assets/style.css"}, {"favicon.svg", "assets/favicon.svg"}} {
		data, err := fs.ReadFile(b.opt.Templates, f[0])
		if err != nil {
			return fmt.Errorf("templates: %w", err)
		}
		b.put(f[1], data)
	}
	return nil
}

// fileJob is a job that makes one file.
func fileJob(out string, run func() error) job { return job{paths: []string{out}, run: run} }

// boardJobs are the jobs of the exports, boards, search index, KPIs,
// attention list and changes: the largest first, then the boards, which
// a lazy site warms first.
func (b *builder) boardJobs(order []string, tiers []tierView, kinds []kindView) []job {
	return []job{
		{paths: []string{"demands.json", "demands.csv"}, run: func() error { return b.exports(order) }, rare: true},
		fileJob("index.html", func() error {
			return b.render("index.html", "index.html", b.t("tier_board"), "tiers", page{Tiers: tiers})
		}),
		fileJob("status.html", func() error {
			return b.render("status.html", "status.html", b.t("status_board"), "status", page{Kinds: kinds})
		}),
		{paths: searchFiles, run: func() error { return b.search(order) }},
		fileJob("kpis.html", func() error {
			return b.render("kpis.html", "kpis.html", b.t("kpi_title"), "kpis", page{KPIs: b.kpiView(order)})
		}),
		fileJob("attention.html", func() error {
			return b.render("attention.html", "attention.html", b.t("attention_title"), "attention", page{Attention: b.attentionView()})
		}),
		{paths: []string{"changes.html", "feed.xml"}, run: func() error {
			changes := b.recentChanges(order, 100)
			if err := b.render("changes.html", "changes.html", b.t("changes_title"), "changes", page{Changes: changes}); err != nil {
				return err
			}
			return b.feed(changes[:min(50, len(changes))])
		}},
	}
}

// demandJobs are the jobs of the demand pages, in rank order; a page
// whose inputs are unchanged comes from the page cache.
func (b *builder) demandJobs(order []string, customers map[string]*groupView) []job {
	var jobs []job
	for _, id := range order {
		out := "demands/" + fileName(id)
		jobs = append(jobs, fileJob(out, func() error {
			from, keep := b.demandKeyOf(id, customers)
			if keep {
				if data, ok := b.opt.Pages.page(out, func(h cachedPage) bool { return h.from == from && b.demandLinks.holds(h.uses) }); ok {
					b.put(out, data)
					return nil
				}
			}
			dv, err := b.demandView(id, customers)
			if err != nil {
				return err
			}
			return b.render("demand.html", out, id+" "+dv.Title, "", page{Demand: dv, from: from, uses: dv.uses, Description: dv.Description})
		}))
	}
	return jobs
}

// forget drops from the page cache the pages this build has not (a
// demand gone, hidden or renamed) and the cards of demands it does not
// show.
func (b *builder) forget(has func(path string) bool) {
	c := b.opt.Pages
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for p := range c.m {
		if !has(p) {
			delete(c.m, p)
		}
	}
	for url := range c.cards {
		if !b.cardURLs[strings.TrimPrefix(url, "../")] {
			delete(c.cards, url)
		}
	}
}

// put adds a file to the site; pages render on several goroutines.
func (b *builder) put(name string, data []byte) { b.putParts(name, data) }

// putParts adds a file made of parts, joined only when it is kept.
func (b *builder) putParts(name string, parts ...[]byte) {
	if b.opt.Sink != nil {
		// The sink has it: a site is kept in memory only when its files
		// are served from there.
		b.mu.Lock()
		b.files[name] = nil
		b.mu.Unlock()
		b.opt.Sink(name, parts...)
		return
	}
	data := bytes.Join(parts, nil)
	if len(parts) == 1 {
		data = parts[0] // Join would copy it
	}
	b.mu.Lock()
	b.files[name] = data
	b.mu.Unlock()
}

// groupKey is the identity of a customer or tag page: names that differ
// only in case, spacing, compatibility forms, invisible characters or
// look-alike letters of another script are one page (see
// customer.Identity).
func groupKey(name string) string { return customer.Identity(name) }

func group(m map[string]*groupView, name string) *groupView {
	key := groupKey(name)
	if g, ok := m[key]; ok {
		return g
	}
	g := &groupView{Name: name}
	m[key] = g
	return g
}

// nameGroups gives groups stable file names, the slug of the name made
// unique in name order, and lists them in that order.
func nameGroups(m map[string]*groupView) []*groupView {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	used := map[string]int{}
	var groups []*groupView
	for _, k := range keys {
		g := m[k]
		slug := registry.Slug(g.Name)
		if n := used[slug]; n > 0 {
			used[slug]++
			slug = fmt.Sprintf("%s-%d", slug, n+1)
		} else {
			used[slug] = 1
		}
		g.slug = slug
		g.URL = slug + ".html"
		groups = append(groups, g)
	}
	return groups
}

// groupPages writes an index and one page per group (see nameGroups).
func (b *builder) groupPages(groups []*groupView, dir, heading string) []job {
	var jobs []job
	for _, g := range groups {
		out := dir + "/" + g.URL
		jobs = append(jobs, job{paths: []string{out}, run: func() error {
			return b.render("group.html", out, g.Name, dir, page{Group: g})
		}})
	}
	return append(jobs, job{paths: []string{dir + "/index.html"}, run: func() error {
		return b.render("groups.html", dir+"/index.html", heading, dir, page{Heading: heading, Groups: groups})
	}})
}

// fileName is a demand page's file name: its ID, with anything a file
// name cannot safely hold replaced.
func fileName(id string) string {
	var sb strings.Builder
	for _, r := range id {
		if r == '-' || r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 0x7f && r != 0xfffd {
			sb.WriteRune(r)
		} else {
			sb.WriteByte('_')
		}
	}
	return strings.TrimLeft(sb.String(), ".") + ".html"
}

func (b *builder) statusLabel(name string) string {
	if s := b.cfg.Status(name); s != nil {
		if l := s.Label.In(b.lang); l != "" {
			return l
		}
	}
	return name
}

func (b *builder) segmentLabel(seg string) string {
	if seg == "" {
		return ""
	}
	if f := b.cfg.FieldByPath("customer.segment"); f != nil {
		return f.ValueLabel(seg, b.lang)
	}
	return seg
}

func num(x float64) string { return rank.Number(x) }

// slaRank ranks SLA states, the worst highest.
var slaRank = map[history.State]int{history.Breached: 4, history.Running: 3, history.Met: 2, history.Unknown: 1}

// slaState is the state a card shows: the worst of the demand's nodes.
func slaState(h *history.History) history.State {
	if h == nil || h.SLA == nil {
		return ""
	}
	var best history.State
	for _, n := range h.SLA.Nodes {
		if slaRank[n.State] > slaRank[best] {
			best = n.State
		}
	}
	return best
}

// card is a demand's summary; root prefixes its link from a nested page.
func (b *builder) card(r *rank.Result, root string) card {
	d := b.in.Snapshot.Get(r.ID)
	c := card{L: b.labels, ID: r.ID, Title: r.Title, URL: root + "demands/" + fileName(r.ID), Status: r.Status,
		StatusLabel: b.statusLabel(r.Status), Kind: b.cfg.StatusKind(r.Status), Tier: r.Tier, Score: num(r.Score),
		SegmentLabel: b.segmentLabel(d.Customer.Segment), Internal: d.Visibility == "internal", TitleLang: textLang(r.Title, b.lang)}
	if !b.cfg.Ranked() {
		c.Tier, c.Score = 0, ""
	}
	c.Received = b.cfg.HasRole("received")
	if h := b.in.History[r.ID]; h != nil {
		c.SLA = string(slaState(h))
		if c.SLA != "" {
			c.SLALabel = b.t("sla_" + c.SLA)
		}
	}
	end := b.asOf
	if c.Kind == config.KindDone || c.Kind == config.KindClosed {
		if t, ok := endedAt(b.cfg, b.in.History[r.ID]); ok {
			end = t // a delivered demand ages no more
		}
	}
	if rec := d.Received.Time(); !rec.IsZero() && end.After(rec) {
		c.Age = int(end.Sub(rec).Hours() / 24)
	}
	return c
}

// endedAt is when a demand last came to a done or closed status from an
// open or active one (or was first committed in one), when the history
// says so.
func endedAt(cfg *config.Config, h *history.History) (time.Time, bool) {
	if h == nil {
		return time.Time{}, false
	}
	ended := func(s string) bool {
		k := cfg.StatusKind(s)
		return k == config.KindDone || k == config.KindClosed
	}
	var at time.Time
	ok := false
	for _, t := range h.Statuses {
		if ended(t.To) && (t.From == "" || !ended(t.From)) {
			at, ok = t.Date, !t.Published && !t.Undated
		}
	}
	return at, ok
}
