package history

import (
	"encoding/json"
	"time"
)

// Published is the kind of the commit that made an internal demand public
// (or public again): what it changed is left out, since the values before
// it are internal.
const Published = "published"

// Public returns the result as a public audience may see it: the
// histories of the demands shown only, each redacted (see Redact). SLA
// states are left out; ComputeSLA sets them again with the public tiers.
// res is not changed.
func (res *Result) Public(shown func(id string) bool) *Result {
	c := *res
	c.Histories = make(map[string]*History, len(res.Histories))
	for id, h := range res.Histories {
		if !shown(id) {
			continue
		}
		end := res.AsOf
		if h.Deleted && h.Updated != nil {
			end = *h.Updated
		}
		r := Redact(h, end, shown)
		if r.Pending != nil && r.Pending.Kind == Published {
			// Made public in the work tree: its status then was entered
			// at an unknown time.
			r.Statuses = append(r.Statuses, Transition{Date: res.AsOf, To: res.current[id].Status, Published: true})
		}
		c.Histories[id] = r
	}
	c.current = make(map[string]Current, len(res.current))
	for id, cur := range res.current {
		if shown(id) {
			c.current[id] = cur
		}
	}
	return &c
}

// Redact returns a demand's history without what a public audience must
// not see: the commits that made versions in which the demand was
// internal, with their status transitions, paths and values; e-mail
// addresses; and the values of link changes that name a demand shown
// does not report as shown. The commit that made the demand public (again)
// stays as a publication without the values before it, and the status
// it was in then counts as entered at an unknown time: no time in
// status, and an SLA node it reaches is unknown. end is when time in
// the current status stops counting. h is not changed; the SLA is left
// out.
func Redact(h *History, end time.Time, shown func(id string) bool) *History {
	out := &History{ID: h.ID, Incomplete: h.Incomplete, Commits: []Commit{}, Statuses: []Transition{}, TimeInStatus: []StatusTime{}}
	var st stretches
	if n := len(h.Commits); n > 0 && !h.Commits[n-1].Internal {
		// Created public: what its timeline records is public too.
		for _, t := range h.Statuses {
			if !t.Recorded || t.Hash != "" { // before the registry: no commit
				break
			}
			out.Statuses = append(out.Statuses, t)
			st.enter(t.To, t.Date, true)
		}
	}
	kept, internal := redactCommits(h, out, &st, shown)
	if !internal {
		st.closeAt(end)
	}
	for i := len(kept) - 1; i >= 0; i-- {
		out.Commits = append(out.Commits, kept[i])
	}
	if len(kept) > 0 {
		first, last := kept[0], kept[len(kept)-1]
		if first.Kind == "created" && h.Created != nil {
			out.Created = h.Created
		}
		u := last.Committed
		out.Updated, out.Path, out.Deleted = &u, last.Path, last.Kind == "deleted"
	}
	if h.Pending != nil {
		p := *h.Pending
		if len(h.Commits) > 0 && h.Commits[0].Internal {
			p.Kind, p.Changes = Published, []Change{}
		} else {
			p.Changes = publicChanges(p.Changes, shown)
		}
		out.Pending = &p
		if out.Path == "" {
			out.Path = p.Path
		}
	}
	out.TimeInStatus = st.times()
	return out
}

// redactCommits keeps a history's public commits, oldest first, with the
// status transitions they made (into out), and follows the stretches of
// time in a status; internal says whether the newest commit is internal.
func redactCommits(h *History, out *History, st *stretches, shown func(id string) bool) (kept []Commit, internal bool) {
	byHash := make(map[string]Transition, len(h.Statuses))
	for _, t := range h.Statuses {
		byHash[t.Hash] = t
	}
	status := ""
	for i := len(h.Commits) - 1; i >= 0; i-- {
		c := h.Commits[i]
		t, moved := byHash[c.Hash]
		if moved {
			status = t.To
		}
		if c.Internal {
			if !internal {
				st.closeAt(c.Committed)
			}
			internal = true
			continue
		}
		c.Email = ""
		switch {
		case internal:
			c.Kind, c.Changes = Published, []Change{}
			out.Statuses = append(out.Statuses, Transition{Hash: c.Hash, Date: c.Committed, To: status, Published: true})
			st.enter(status, c.Committed, false)
		case moved:
			c.Changes = publicChanges(c.Changes, shown)
			out.Statuses = append(out.Statuses, t)
			st.enter(t.To, t.Date, true)
		default:
			c.Changes = publicChanges(c.Changes, shown)
		}
		internal = false
		kept = append(kept, c)
	}
	return kept, internal
}

// stretches are the stretches of time a demand spent in one status; a
// start is unknown when it began before the demand was made public.
type stretches struct {
	list []stretch
	open bool
}

type stretch struct {
	status     string
	start, end time.Time
	known      bool
}

// enter ends the open stretch and opens one in status.
func (s *stretches) enter(status string, start time.Time, known bool) {
	s.closeAt(start)
	s.list = append(s.list, stretch{status: status, start: start, known: known})
	s.open = true
}

func (s *stretches) closeAt(t time.Time) {
	if s.open {
		s.list[len(s.list)-1].end = t
		s.open = false
	}
}

// times sums the stretches of known start by status, in order of first
// entry.
func (s *stretches) times() []StatusTime {
	var sum statusDays
	for _, st := range s.list {
		if st.known {
			sum.add(st.status, st.start, st.end)
		}
	}
	return sum.times()
}

// publicChanges copies changes without the values of links that name a
// demand not shown (see Redact).
func publicChanges(cs []Change, shown func(id string) bool) []Change {
	out := make([]Change, len(cs))
	for i, c := range cs {
		if c.Field == "links" && !(linksShown(c.From, shown) && linksShown(c.To, shown)) {
			c.From, c.To = "", ""
		}
		out[i] = c
	}
	return out
}

// linksShown reports whether the canonical text of a links field names
// only demands shown. Text that does not read as links is not shown.
func linksShown(text string, shown func(id string) bool) bool {
	if text == "" {
		return true
	}
	var m map[string]any
	if json.Unmarshal([]byte(text), &m) != nil {
		return false
	}
	for _, v := range m {
		ids, ok := v.([]any)
		if !ok {
			ids = []any{v}
		}
		for _, x := range ids {
			if id, ok := x.(string); !ok || !shown(id) {
				return false
			}
		}
	}
	return true
}
