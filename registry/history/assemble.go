package history

import (
	"math"
	"sort"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/demand-registry/demand/registry"
)

// assemble builds each demand's history from the commits' events.
func (res *Result) assemble() {
	type item struct {
		rec *commitRec
		ev  event
		seq int
	}
	per := map[string][]item{}
	res.current = map[string]Current{}
	// A commit's graph time is the latest commit date of it and its
	// ancestors: ordering by it, then by the walk's order (parents before
	// children), is an order of the commit graph, so a child dated before
	// its parent (clock skew, or a forged date) still comes after it;
	// commits on parallel branches keep their dates' order.
	graph := make(map[*commitRec]time.Time, len(res.recs))
	byHash := make(map[plumbing.Hash]*commitRec, len(res.recs))
	for _, rec := range res.recs {
		t := rec.CommitTime
		for _, p := range rec.Parents {
			if pr := byHash[p]; pr != nil && graph[pr].After(t) {
				t = graph[pr]
			}
		}
		graph[rec], byHash[rec.Hash] = t, rec
	}
	for seq, rec := range res.recs {
		for _, e := range rec.Events {
			per[e.ID] = append(per[e.ID], item{rec, e, seq})
		}
	}
	for id, items := range per {
		sort.SliceStable(items, func(i, j int) bool {
			a, b := graph[items[i].rec], graph[items[j].rec]
			if !a.Equal(b) {
				return a.Before(b)
			}
			return items[i].seq < items[j].seq
		})
		h := &History{ID: id, Commits: []Commit{}, Statuses: []Transition{}, TimeInStatus: []StatusTime{}}
		for _, it := range items {
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
				Path: e.Path, Kind: e.Kind, Changes: changes})
			switch {
			case e.Kind == "created" || (e.Kind == "snapshot" && len(h.Statuses) == 0):
				h.Statuses = append(h.Statuses, Transition{Hash: rec.Hash.String(), Date: rec.CommitTime, To: e.Status})
			case e.Kind != "deleted" && e.StatusFrom != e.Status:
				h.Statuses = append(h.Statuses, Transition{Hash: rec.Hash.String(), Date: rec.CommitTime, From: e.StatusFrom, To: e.Status})
			}
			h.Path = e.Path
			h.Deleted = e.Kind == "deleted"
		}
		if !h.Incomplete && items[0].ev.Kind == "created" {
			t := items[0].rec.CommitTime
			h.Created = &t
		}
		last := items[len(items)-1].ev
		res.current[id] = Current{Received: registry.Date(last.Received), Status: last.Status, Tier: last.Tier, Deleted: last.Kind == "deleted"}
		u := items[len(items)-1].rec.CommitTime
		h.Updated = &u
		end := res.AsOf
		if h.Deleted {
			end = u
		}
		h.TimeInStatus = timeInStatus(h.Statuses, end)
		// Newest first for display.
		for i, j := 0, len(h.Commits)-1; i < j; i, j = i+1, j-1 {
			h.Commits[i], h.Commits[j] = h.Commits[j], h.Commits[i]
		}
		res.Histories[id] = h
	}
}

// timeInStatus sums the days spent in each status, in order of first entry.
func timeInStatus(ts []Transition, end time.Time) []StatusTime {
	out := []StatusTime{}
	idx := map[string]int{}
	for i, t := range ts {
		until := end
		if i+1 < len(ts) {
			until = ts[i+1].Date
		}
		days := float64(until.Unix()-t.Date.Unix()) / 86400 // a Duration saturates after 292 years
		if days < 0 {
			days = 0
		}
		k, ok := idx[t.To]
		if !ok {
			k = len(out)
			idx[t.To] = k
			out = append(out, StatusTime{Status: t.To})
		}
		out[k].Days += days
	}
	for i := range out {
		out[i].Days = math.Round(out[i].Days*100) / 100
	}
	return out
}

// Sorted returns the histories sorted by ID.
func (res *Result) Sorted() []*History {
	out := make([]*History, 0, len(res.Histories))
	for _, h := range res.Histories {
		out = append(out, h)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
