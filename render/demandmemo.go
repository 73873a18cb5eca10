package render

import (
	"hash/maphash"
	"reflect"

	"github.com/demand-registry/demand/registry/config"

	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/registry/history"
	"github.com/demand-registry/demand/registry/rank"
)

// demandKey is what a demand's page is made from, for demand serve to keep
// the page of a demand whose inputs did not change without making its view
// again (making and hashing the views of thousands of demands was most of
// a rebuild). demandView reads exactly these: the demand (the parse cache
// hands out the same one for an unchanged file, and demands are never
// changed once parsed), its ranking result, its history (whose commits are
// shared, never changed, between the walks of an unchanged head; its SLA
// and pending edits are made each build), the demands it links to and
// that link to it, the pages its customers and tags link to, and the
// build's settings (config, language, templates, audience, commit). A
// change to what demandView reads must change this key: TestDemandMemo
// edits each of them.
type demandKey struct {
	d       *registry.Demand
	commits *history.Commit // the first of the history's commits, or nil
	n       int             // how many commits
	sum     uint64          // everything else, hashed
}

// resultRank is the index of rank.Result's list position.
var resultRank = func() int {
	f, _ := reflect.TypeFor[rank.Result]().FieldByName("Rank")
	return f.Index[0]
}()

// demandKeyOf makes a demand's key; false when it cannot be made (no page
// cache, or data the hasher does not take).
func (b *builder) demandKeyOf(id string, customers map[string]*groupView) (demandKey, bool) {
	c := b.opt.Pages
	if c == nil || !b.settingsOK {
		return demandKey{}, false
	}
	d := b.in.Snapshot.Get(id)
	k := demandKey{d: d}
	var h maphash.Hash
	h.SetSeed(c.seed)
	h.WriteString(b.settings)
	r := b.in.Ranking.Get(id)
	type linked struct {
		Links     []linkGroup
		Customers []string // the customer pages linked, by name
		Tags      []string // the tag pages linked
		History   any
	}
	x := linked{Links: b.links(d)}
	customerURL := func(name string) {
		if g := customers[groupKey(name)]; g != nil {
			x.Customers = append(x.Customers, name+"\x00"+g.URL)
		} else {
			x.Customers = append(x.Customers, name+"\x00")
		}
	}
	customerURL(d.Customer.Name)
	for _, rc := range r.Customers {
		customerURL(rc.Name)
	}
	for _, tag := range d.Tags {
		x.Tags = append(x.Tags, b.tagFile[groupKey(tag)])
	}
	if hist := b.in.History[id]; hist != nil {
		k.n = len(hist.Commits)
		if k.n > 0 {
			k.commits = &hist.Commits[0]
		}
		x.History = struct {
			Incomplete bool
			SLA        *history.SLA
			Pending    *history.Pending
		}{hist.Incomplete, hist.SLA, hist.Pending}
	}
	if !hashValue(&h, reflect.ValueOf(x)) {
		return demandKey{}, false
	}
	// The ranking result, but for its list position, which the page does
	// not show: an edit that moves others down keeps their pages.
	rv := reflect.ValueOf(r).Elem()
	for _, i := range exportedFields(rv.Type()) {
		if i != resultRank && !hashValue(&h, rv.Field(i)) {
			return demandKey{}, false
		}
	}
	k.sum = h.Sum64()
	return k, true
}

// settingsKey hashes the build's settings every demand page depends on:
// the config, the language, the templates (with their strings), whether
// customer names show, what the page frame shows (site title, commit,
// date) and the registry folder's place (edit and body links). ok is false when the config cannot be hashed.
func (b *builder) settingsKey() (string, bool) {
	var h maphash.Hash
	h.SetSeed(b.opt.Pages.seed)
	h.WriteString(string(b.tmplKey))
	h.WriteString("\x00" + b.lang + "\x00" + string(b.opt.Audience) + "\x00" + b.opt.BaseURL + "\x00" + b.in.Commit + "\x00" + b.in.Date.String() + "\x00" + b.in.Dir)
	settings := struct {
		Names  bool
		Config *config.Config
	}{b.names, b.cfg}
	if !hashValue(&h, reflect.ValueOf(settings)) {
		return "", false
	}
	return string(h.Sum(nil)), true
}
