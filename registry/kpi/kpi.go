// Package kpi measures the registry: SLA compliance per tier and node,
// response times, throughput, the age of open demands, the cumulative flow
// of statuses and customer satisfaction. Every figure is a pure function
// of the snapshot, the ranking and the history, so anyone can reproduce it.
package kpi

import (
	"cmp"
	"maps"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/demand-registry/demand/registry/config"

	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/registry/history"
	"github.com/demand-registry/demand/registry/rank"
)

// Compliance counts one tier's demands at one SLA node by state.
type Compliance struct {
	Tier     int     `json:"tier"`
	Node     string  `json:"node"`
	Met      int     `json:"met"`
	Breached int     `json:"breached"` // reached late, or still running past the target
	Running  int     `json:"running"`  // still within the target
	Unknown  int     `json:"unknown"`  // reached at a time no record gives: in no rate
	Rate     float64 `json:"rate"`     // met / (met + breached), 0–1; -1 when nothing is decided
}

// Response is the time to reach one SLA node, over the demands that did.
type Response struct {
	Node   string  `json:"node"`
	Count  int     `json:"count"`
	Median float64 `json:"median_days"`
	P90    float64 `json:"p90_days"`
}

// Month counts demands received and delivered in a calendar month.
type Month struct {
	Month     string `json:"month"` // 2026-11
	Received  int    `json:"received"`
	Delivered int    `json:"delivered"`
}

// AgeBucket counts open and active demands by days since received.
type AgeBucket struct {
	Label string `json:"label"`
	Count int    `json:"count"`
}

// FlowPoint is the number of demands in each status on one day.
type FlowPoint struct {
	Date   string         `json:"date"`
	Counts map[string]int `json:"counts"`
}

// KPIs are the registry's measures.
type KPIs struct {
	AsOf       string       `json:"as_of"`
	Compliance []Compliance `json:"sla_compliance"`
	Response   []Response   `json:"response_times"`
	Throughput []Month      `json:"throughput"`
	// DeliveredUndated counts demands delivered at a time no record gives
	// (committed already delivered, with no timeline entry): in no month.
	DeliveredUndated int         `json:"delivered_undated"`
	Ages             []AgeBucket `json:"open_by_age"`
	Flow             []FlowPoint `json:"cumulative_flow"`
	Statuses         []string    `json:"statuses"` // the flow's statuses, in workflow order
	Satisfaction     struct {
		Count   int     `json:"count"`
		Average float64 `json:"average"`
	} `json:"satisfaction"`
}

// Measure computes the KPIs of the demands in ids (those shown), as of a
// date (the head commit's).
func Measure(s *registry.Snapshot, rk *rank.Ranking, hist map[string]*history.History, ids []string, asOf time.Time) *KPIs {
	cfg := s.Config
	k := &KPIs{AsOf: asOf.Format("2006-01-02")}
	for _, st := range cfg.Statuses {
		k.Statuses = append(k.Statuses, st.Name)
	}
	k.Compliance, k.Response = compliance(cfg, hist, ids)
	k.Throughput, k.DeliveredUndated = throughput(s, hist, ids)
	k.Ages = ages(s, ids, asOf)
	k.Flow = flow(ids, hist, asOf)
	var sum int
	for _, id := range ids {
		if d := s.Get(id); d.Satisfaction > 0 {
			sum += d.Satisfaction
			k.Satisfaction.Count++
		}
	}
	if k.Satisfaction.Count > 0 {
		k.Satisfaction.Average = math.Round(float64(sum)/float64(k.Satisfaction.Count)*100) / 100
	}
	return k
}

// compliance counts SLA node states per tier and node, and the response
// times of nodes reached.
func compliance(cfg *config.Config, hist map[string]*history.History, ids []string) ([]Compliance, []Response) {
	comp := map[[2]any]*Compliance{}
	elapsed := map[string][]float64{}
	for _, id := range ids {
		h := hist[id]
		if h == nil || h.SLA == nil {
			continue
		}
		for _, n := range h.SLA.Nodes {
			key := [2]any{h.SLA.Tier, n.Node}
			c := comp[key]
			if c == nil {
				c = &Compliance{Tier: h.SLA.Tier, Node: n.Node}
				comp[key] = c
			}
			c.count(n.State)
			if n.Reached != nil && (n.State == history.Met || n.State == history.Breached) {
				elapsed[n.Node] = append(elapsed[n.Node], n.ElapsedDays)
			}
		}
	}
	var out []Compliance
	for _, l := range cfg.Tiers.Levels {
		for _, node := range history.Nodes(cfg) {
			c := comp[[2]any{l.Tier, node}]
			if c == nil {
				c = &Compliance{Tier: l.Tier, Node: node}
			}
			c.Rate = -1
			if c.Met+c.Breached > 0 {
				c.Rate = math.Round(float64(c.Met)/float64(c.Met+c.Breached)*1000) / 1000
			}
			out = append(out, *c)
		}
	}
	var resp []Response
	for _, node := range history.Nodes(cfg) {
		xs := elapsed[node]
		sort.Float64s(xs)
		resp = append(resp, Response{Node: node, Count: len(xs), Median: quantile(xs, 0.5), P90: quantile(xs, 0.9)})
	}
	return out, resp
}

func (c *Compliance) count(state history.State) {
	switch state {
	case history.Met:
		c.Met++
	case history.Breached:
		c.Breached++
	case history.Running:
		c.Running++
	case history.Unknown:
		c.Unknown++
	}
}

// throughput counts per month the demands received (the received date)
// and delivered (first entry into a done status, from the history), and
// the deliveries no record dates.
func throughput(s *registry.Snapshot, hist map[string]*history.History, ids []string) ([]Month, int) {
	cfg := s.Config
	months := map[string]*Month{}
	month := func(m string) *Month {
		if months[m] == nil {
			months[m] = &Month{Month: m}
		}
		return months[m]
	}
	undated := 0
	for _, id := range ids {
		if d := s.Get(id); d.Received != "" {
			month(string(d.Received)[:7]).Received++
		}
		h := hist[id]
		if h == nil {
			continue
		}
		for _, t := range h.Statuses {
			if cfg.StatusKind(t.To) != config.KindDone {
				continue
			}
			if t.Published || t.Undated { // when it was delivered is unknown
				undated++
			} else {
				month(t.Date.Format("2006-01")).Delivered++
			}
			break
		}
	}
	var out []Month
	for _, m := range slices.Sorted(maps.Keys(months)) {
		out = append(out, *months[m])
	}
	return out, undated
}

// ages counts open and active demands by age.
func ages(s *registry.Snapshot, ids []string, asOf time.Time) []AgeBucket {
	buckets := []struct {
		label string
		max   int
	}{{"0–7", 7}, {"8–30", 30}, {"31–90", 90}, {"91–180", 180}, {"181–365", 365}, {"> 365", math.MaxInt}}
	counts := make([]int, len(buckets))
	for _, id := range ids {
		d := s.Get(id)
		kind := s.Config.StatusKind(d.Status)
		if kind != config.KindOpen && kind != config.KindActive || d.Received == "" {
			continue
		}
		age := int(asOf.Sub(d.Received.Time()).Hours() / 24)
		for i, b := range buckets {
			if age <= b.max {
				counts[i]++
				break
			}
		}
	}
	out := make([]AgeBucket, len(buckets))
	for i, b := range buckets {
		out[i] = AgeBucket{Label: b.label, Count: counts[i]}
	}
	return out
}

// maxFlowPoints bounds the cumulative flow's samples.
const maxFlowPoints = 1000

// flow samples, from the first status change to asOf, how many demands
// were in each status: daily over up to 120 days, weekly beyond, and at
// most maxFlowPoints times.
func flow(ids []string, hist map[string]*history.History, asOf time.Time) []FlowPoint {
	var first time.Time
	for _, id := range ids {
		if h := hist[id]; h != nil && len(h.Statuses) > 0 {
			if t := h.Statuses[0].Date; first.IsZero() || t.Before(first) {
				first = t
			}
		}
	}
	if first.IsZero() {
		return nil
	}
	day := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }
	start, end := day(first), day(asOf)
	// In days from the seconds: a Duration saturates after 292 years, and
	// dates come from commits, which may say any year.
	span := (end.Unix() - start.Unix()) / 86400
	step := int64(1)
	if span > 120 {
		step = 7
	}
	if span/step > maxFlowPoints {
		// The number of points is bounded, not the length of the history.
		step = (span + maxFlowPoints - 1) / maxFlowPoints
	}
	// One sweep over every status transition in date order: a demand's
	// status at a day's end is that of its latest transition (in its own
	// order) dated before it.
	type move struct {
		date     time.Time
		demand   int
		index    int
		toStatus string
	}
	var moves []move
	for i, id := range ids {
		if h := hist[id]; h != nil {
			for j, t := range h.Statuses {
				moves = append(moves, move{t.Date, i, j, t.To})
			}
		}
	}
	slices.SortFunc(moves, func(a, b move) int {
		return cmp.Or(a.date.Compare(b.date), a.demand-b.demand, a.index-b.index)
	})
	type state struct {
		index  int
		status string
	}
	cur := make([]state, len(ids))
	for i := range cur {
		cur[i].index = -1
	}
	counts := map[string]int{}
	k := 0
	var out []FlowPoint
	for d := start; !d.After(end); d = d.AddDate(0, 0, int(step)) {
		cut := d.AddDate(0, 0, 1) // the end of that day
		for ; k < len(moves) && moves[k].date.Before(cut); k++ {
			m := moves[k]
			c := &cur[m.demand]
			if m.index < c.index {
				continue
			}
			if c.status != "" {
				counts[c.status]--
			}
			c.index, c.status = m.index, m.toStatus
			if c.status != "" {
				counts[c.status]++
			}
		}
		p := FlowPoint{Date: d.Format("2006-01-02"), Counts: map[string]int{}}
		for st, n := range counts {
			if n > 0 {
				p.Counts[st] = n
			}
		}
		out = append(out, p)
	}
	return out
}

// quantile is the nearest-rank quantile of sorted values (0 when none).
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(xs)))) - 1
	return xs[max(0, min(i, len(xs)-1))]
}
