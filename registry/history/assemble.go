package history

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/demand-registry/demand/registry/config"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/demand-registry/demand/registry"
)

// assemble builds each demand's history from the commits' events.
func (res *Result) assemble() {
	res.current = map[string]Current{}
	graph := graphTimes(res.recs)
	var per map[string][]item
	if res.fromFilename {
		per = lineagesByPath(res.recs, graph)
	} else {
		per = map[string][]item{}
		for seq, rec := range res.recs {
			for _, e := range rec.Events {
				per[e.ID] = append(per[e.ID], item{rec, e, seq})
			}
		}
	}
	var unfit []string // demands with timeline entries that fit no status
	for key, items := range per {
		// Oldest first: by graph time, then by the walk's order.
		oldestFirst(items, func(x item) (time.Time, int) { return graph[x.rec], x.seq })
		h, fits := res.history(items)
		if !fits {
			unfit = append(unfit, h.ID)
		}
		last := items[len(items)-1].ev
		res.current[key] = Current{Received: config.Date(last.Received), Status: last.Status, Tier: last.Tier, Deleted: last.Kind == "deleted"}
		res.Histories[key] = h
	}
	if len(unfit) > 0 {
		res.Warnings = append(res.Warnings, unfitWarning(unfit))
	}
}

// item is one event of a commit, with the commit's place in the walk.
type item struct {
	rec *commitRec
	ev  event
	seq int
}

// graphTimes gives each commit its graph time: the latest commit date of
// it and its ancestors. Ordering by it, then by the walk's order (parents
// before children), is an order of the commit graph, so a child dated
// before its parent (clock skew, or a forged date) still comes after it;
// commits on parallel branches keep their dates' order.
func graphTimes(recs []*commitRec) map[*commitRec]time.Time {
	graph := make(map[*commitRec]time.Time, len(recs))
	byHash := make(map[plumbing.Hash]*commitRec, len(recs))
	for _, rec := range recs {
		t := rec.CommitTime
		for _, p := range rec.Parents {
			if pr := byHash[p]; pr != nil && graph[pr].After(t) {
				t = graph[pr]
			}
		}
		graph[rec], byHash[rec.Hash] = t, rec
	}
	return graph
}

// lineagesByPath groups the events of a registry whose IDs come from file
// names: a demand is followed by its path, through renames, in walk order
// (parents first), and a file created where another was deleted is new.
// Each lineage is keyed by the ID it ends with (see keyLineages).
func lineagesByPath(recs []*commitRec, graph map[*commitRec]time.Time) map[string][]item {
	var lines []*[]item
	line := map[string]*[]item{} // the lineage at each path
	alive := map[string]bool{}   // whether it is still there
	for seq, rec := range recs {
		for _, e := range rec.Events {
			from := e.Path
			if e.Kind == "renamed" {
				from = e.OldPath
			}
			l := line[from]
			if l == nil || (e.Kind == "created" && !alive[from]) {
				l = &[]item{}
				lines = append(lines, l)
			}
			*l = append(*l, item{rec, e, seq})
			if e.Kind == "renamed" {
				alive[from] = false
			}
			line[e.Path], alive[e.Path] = l, e.Kind != "deleted"
		}
	}
	return keyLineages(lines, graph)
}

// keyLineages keys lineages by the ID they end with. Lineages that end
// with the same ID (drafts all numbered 0000): the one still there, else
// the last changed, has the ID as its key; the others have the ID and
// their last path.
func keyLineages(lines []*[]item, graph map[*commitRec]time.Time) map[string][]item {
	type end struct {
		l       []item
		gone    bool
		updated time.Time
		seq     int
		path    string
	}
	byID := map[string][]end{}
	var ids []string
	for _, l := range lines {
		items := *l
		oldestFirst(items, func(x item) (time.Time, int) { return graph[x.rec], x.seq })
		last := items[len(items)-1]
		id := last.ev.ID
		if byID[id] == nil {
			ids = append(ids, id)
		}
		byID[id] = append(byID[id], end{items, last.ev.Kind == "deleted", last.rec.CommitTime, last.seq, last.ev.Path})
	}
	per := map[string][]item{}
	for _, id := range ids {
		ends := byID[id]
		sort.SliceStable(ends, func(i, j int) bool {
			a, b := ends[i], ends[j]
			if a.gone != b.gone {
				return !a.gone
			}
			if !a.updated.Equal(b.updated) {
				return a.updated.After(b.updated)
			}
			return a.seq > b.seq
		})
		for k, e := range ends {
			key := id
			if k > 0 {
				key = id + "@" + e.path
				for n := 2; per[key] != nil; n++ {
					key = fmt.Sprintf("%s@%s#%d", id, e.path, n)
				}
			}
			per[key] = e.l
		}
	}
	return per
}

// history builds one demand's history from its events, oldest first;
// fits is false when timeline entries fit no status.
func (res *Result) history(items []item) (h *History, fits bool) {
	id := items[len(items)-1].ev.ID
	h = &History{ID: id, Commits: []Commit{}, Statuses: []Transition{}, TimeInStatus: []StatusTime{}}
	for _, it := range items {
		h.add(it)
	}
	fits = true
	last := items[len(items)-1].ev
	if !h.Incomplete && items[0].ev.Kind == "created" {
		t := items[0].rec.CommitTime
		h.Created = &t
		if len(h.Statuses) > 0 && h.Statuses[0].Hash == items[0].rec.Hash.String() {
			var used int
			h.Statuses, used = withTimeline(h.Statuses, last.Timeline)
			fits = used == len(last.Timeline)
		}
	}
	u := items[len(items)-1].rec.CommitTime
	h.Updated = &u
	end := res.AsOf
	if h.Deleted {
		end = u
	}
	h.TimeInStatus = timeInStatus(h.Statuses, end)
	// Newest first for display.
	slices.Reverse(h.Commits)
	return h, fits
}

// add records one event: its commit, and the status it entered.
func (h *History) add(it item) {
	rec, e := it.rec, it.ev
	if e.Kind == "snapshot" {
		h.Incomplete = true
	}
	changes := e.Changes
	if changes == nil {
		changes = []Change{}
	}
	h.Commits = append(h.Commits, Commit{Hash: rec.Hash.String(), Author: rec.Author, Email: rec.Email,
		Date: rec.AuthorTime, Committed: rec.CommitTime, Subject: rec.Subject, PR: PRNumber(rec.Subject),
		Path: e.Path, Kind: e.Kind, Changes: changes, Internal: e.Internal})
	// Status times are committer dates (when a change landed), here and
	// in the SLA: an author date can be set to anything.
	// A version without a status (no front matter yet, or the keys of
	// an older schema) says nothing: a status is left for the next one
	// known, not for "".
	last := ""
	if n := len(h.Statuses); n > 0 {
		last = h.Statuses[n-1].To
	}
	switch {
	case e.Status == "" || e.Kind == "deleted":
	case e.Kind == "created" || len(h.Statuses) == 0:
		h.Statuses = append(h.Statuses, Transition{Hash: rec.Hash.String(), Date: rec.CommitTime, To: e.Status})
	case e.Status != last:
		h.Statuses = append(h.Statuses, Transition{Hash: rec.Hash.String(), Date: rec.CommitTime, From: last, To: e.Status})
	}
	h.Path = e.Path
	h.Deleted = e.Kind == "deleted"
}

// withTimeline dates a demand's statuses from its timeline (as the file has
// it now: the record is append-only). statuses[0] is the status the file
// was first committed with. The entry for that status (dated no later than
// the commit's day) dates it; the entries before it become transitions
// before the registry. Each entry after it dates the next committed move
// into its status, when that move was committed on or after the entry's
// day: the status changed then and was committed late. Entries that fit
// nowhere are left out (the walk warns of them). Without an entry for it,
// the first status is undated: the commit is only the latest it can have
// been entered.
func withTimeline(statuses []Transition, tl []registry.TimelineEntry) ([]Transition, int) {
	day := func(t time.Time) string { return t.Format("2006-01-02") }
	// match dates statuses[1:] from entries, in order; it reports how many
	// entries it used.
	match := func(out []Transition, entries []registry.TimelineEntry) int {
		used, j := 0, 1
		for _, e := range entries {
			for j < len(out) && !(out[j].To == e.Status && string(e.Date) <= day(out[j].Date) && string(e.Date) >= day(out[j-1].Date)) {
				j++
			}
			if j == len(out) {
				break
			}
			out[j].Date, out[j].Recorded, out[j].By, out[j].Note = e.Date.Time(), true, e.By, e.Note
			used++
			j++
		}
		return used
	}
	first := statuses[0]
	// The entry for the first status: the last that leaves every later
	// entry a committed move to date, else the last there is.
	k := -1
	for i, e := range tl {
		if e.Status != first.To || string(e.Date) > day(first.Date) {
			continue
		}
		probe := append([]Transition(nil), statuses...)
		probe[0].Date = e.Date.Time()
		if k < 0 || match(probe, tl[i+1:]) == len(tl)-i-1 {
			k = i
		}
	}
	var out []Transition
	from := ""
	before := tl
	if k >= 0 {
		before = tl[:k]
	}
	for _, e := range before {
		if string(e.Date) > day(first.Date) {
			break
		}
		out = append(out, Transition{Date: e.Date.Time(), From: from, To: e.Status, Recorded: true, By: e.By, Note: e.Note})
		from = e.Status
	}
	first.From = from
	if k >= 0 {
		e := tl[k]
		first.Date, first.Recorded, first.By, first.Note = e.Date.Time(), true, e.By, e.Note
	} else {
		first.Undated = true
	}
	used := len(out)
	n := len(out)
	out = append(out, first)
	out = append(out, statuses[1:]...)
	if k >= 0 {
		used += 1 + match(out[n:], tl[k+1:])
	}
	return out, used
}

// unfitWarning says which demands have timeline entries the history left
// out, a few by name.
func unfitWarning(ids []string) string {
	sort.Strings(ids)
	ids = slices.Compact(ids)
	shown := ids[:min(len(ids), 5)]
	more := ""
	if len(ids) > len(shown) {
		more = fmt.Sprintf(" and %d more", len(ids)-len(shown))
	}
	return fmt.Sprintf("timeline entries of %s%s fit no status change (after the first commit's day, or not the next status committed) and are left out",
		strings.Join(shown, ", "), more)
}

// oldestFirst sorts by commit date, then by the walk's order.
func oldestFirst[T any](items []T, key func(T) (time.Time, int)) {
	sort.SliceStable(items, func(i, j int) bool {
		ta, sa := key(items[i])
		tb, sb := key(items[j])
		if !ta.Equal(tb) {
			return ta.Before(tb)
		}
		return sa < sb
	})
}

// timeInStatus sums the days spent in each status, in order of first entry.
func timeInStatus(ts []Transition, end time.Time) []StatusTime {
	var sum statusDays
	for i, t := range ts {
		until := end
		if i+1 < len(ts) {
			until = ts[i+1].Date
		}
		sum.add(t.To, t.Date, until)
	}
	return sum.times()
}

// statusDays sums days by status, in order of first entry.
type statusDays struct {
	out []StatusTime
	idx map[string]int
}

// add counts the days from start to end (none when end is earlier) in
// status. A Duration saturates after 292 years, and dates span more.
func (s *statusDays) add(status string, start, end time.Time) {
	days := max(0, float64(end.Unix()-start.Unix())/86400)
	if s.idx == nil {
		s.idx = map[string]int{}
	}
	k, ok := s.idx[status]
	if !ok {
		k = len(s.out)
		s.idx[status] = k
		s.out = append(s.out, StatusTime{Status: status})
	}
	s.out[k].Days += days
}

// times are the sums, to hundredths of a day.
func (s *statusDays) times() []StatusTime {
	out := append([]StatusTime{}, s.out...)
	for i := range out {
		out[i].Days = math.Round(out[i].Days*100) / 100
	}
	return out
}

// Sorted returns the histories sorted by ID.
func (res *Result) Sorted() []*History {
	// By ID, then by the key of the history: drafts that share a number
	// (and even a path, on two branches) are apart in a fixed order.
	keys := make([]string, 0, len(res.Histories))
	for k := range res.Histories {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := res.Histories[keys[i]], res.Histories[keys[j]]
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		return keys[i] < keys[j]
	})
	out := make([]*History, len(keys))
	for i, k := range keys {
		out[i] = res.Histories[k]
	}
	return out
}
