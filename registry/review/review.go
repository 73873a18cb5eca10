// Package review makes the periodic review (定期回顾) of a registry: the
// open and active demands that need attention, grouped by owner. A demand
// needs attention when it had no commit for longer than its tier allows,
// when its due date has passed, or when an SLA node is breached or about
// to be. Every age is measured to the head commit's date, never to the
// wall clock, so a review of a commit is the same whenever it is made.
package review

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/demand-registry/demand/registry/config"

	"github.com/demand-registry/demand/internal/escape"
	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/registry/history"
	"github.com/demand-registry/demand/registry/rank"
)

// Reason kinds.
const (
	Stale       = "stale"        // no commit for longer than the tier's limit
	Overdue     = "overdue"      // the due date has passed
	SLABreached = "sla-breached" // a node's clock runs past its target
	SLADueSoon  = "sla-due-soon" // a node's target is due_soon_days away or nearer
)

// Reason is one reason a demand needs attention.
type Reason struct {
	Kind string `json:"kind"`
	// Days: stale, days since the last commit; overdue, days past due;
	// SLA, days left to the target (negative when over it).
	Days        float64    `json:"days"`
	Limit       float64    `json:"limit,omitempty"` // stale: the tier's limit; SLA: the target
	Node        string     `json:"node,omitempty"`  // SLA: evaluate, solution or feedback
	WorkingDays bool       `json:"working_days,omitempty"`
	Since       *time.Time `json:"since,omitempty"` // stale: the last commit's date
	Due         string     `json:"due,omitempty"`   // overdue: the due date
}

// Item is a demand that needs attention.
type Item struct {
	ID      string   `json:"id"`
	Title   string   `json:"title"`
	Path    string   `json:"path"`
	Status  string   `json:"status"`
	Tier    int      `json:"tier"`
	Owner   string   `json:"owner"`
	Reasons []Reason `json:"reasons"`
}

// Group is one owner's demands; Owner is "" for demands without one.
type Group struct {
	Owner string `json:"owner"`
	Items []Item `json:"items"`
}

// Report is a review of the registry at one commit.
type Report struct {
	AsOf   time.Time `json:"as_of"` // the head commit's date; zero without commits
	Head   string    `json:"head"`
	Total  int       `json:"total"`
	Groups []Group   `json:"groups"`
}

// Build reviews the snapshot with its ranking and histories (from the
// walk of the head commit, whose date is asOf). Without a head commit
// nothing has an age, so nothing is listed.
func Build(s *registry.Snapshot, rk *rank.Ranking, hist map[string]*history.History, head string, asOf time.Time) *Report {
	cfg := s.Config
	rep := &Report{AsOf: asOf, Head: head, Groups: []Group{}}
	if asOf.IsZero() {
		return rep
	}
	today := day(asOf)
	groups := map[string][]Item{}
	for _, d := range s.Demands {
		kind := cfg.StatusKind(d.Status)
		if kind != config.KindOpen && kind != config.KindActive {
			continue
		}
		tier := d.Tier
		if r := rk.Get(d.ID); r != nil {
			tier = r.Tier
		}
		reasons := demandReasons(cfg.Review, d, tier, hist[d.ID], today)
		if len(reasons) == 0 {
			continue
		}
		owner := strings.TrimSpace(d.Owner)
		groups[owner] = append(groups[owner], Item{ID: d.ID, Title: d.Title, Path: d.Path, Status: d.Status, Tier: tier, Owner: owner, Reasons: reasons})
		rep.Total++
	}
	rep.Groups = append(rep.Groups, byOwner(groups)...)
	return rep
}

// demandReasons are why a demand of the given tier, with its history h
// (nil when unknown), needs attention today: stale, overdue, and its
// next SLA node's clock.
func demandReasons(rc config.Review, d *registry.Demand, tier int, h *history.History, today time.Time) []Reason {
	var reasons []Reason
	if h != nil && h.Updated != nil {
		if r, ok := staleReason(rc.StaleDays[tier], *h.Updated, today); ok {
			reasons = append(reasons, r)
		}
	}
	if !d.Due.IsZero() {
		if days := daysBetween(day(d.Due.Time()), today); days > 0 {
			reasons = append(reasons, Reason{Kind: Overdue, Days: float64(days), Due: string(d.Due)})
		}
	}
	if h != nil && h.SLA != nil {
		if r, ok := slaReason(h.SLA.Nodes, rc.DueSoonDays); ok {
			reasons = append(reasons, r)
		}
	}
	return reasons
}

// staleReason reports a demand whose last commit, since, is more than
// limit days before today; a limit of 0 is none.
func staleReason(limit int, since, today time.Time) (Reason, bool) {
	if limit <= 0 {
		return Reason{}, false
	}
	days := daysBetween(day(since), today)
	if days <= limit {
		return Reason{}, false
	}
	return Reason{Kind: Stale, Days: float64(days), Limit: float64(limit), Since: &since}, true
}

// slaReason looks at the next SLA node to reach only: once it is late,
// the later ones' clocks say nothing new. It reports the node breached,
// or due within dueSoon days.
func slaReason(nodes []history.SLANode, dueSoon int) (Reason, bool) {
	for _, n := range nodes {
		if n.Reached != nil || (n.State != history.Running && n.State != history.Breached) {
			continue
		}
		left := n.TargetDays - n.ElapsedDays
		switch {
		case n.State == history.Breached && n.Reached == nil:
			return Reason{Kind: SLABreached, Node: n.Node, Days: left, Limit: n.TargetDays, WorkingDays: n.WorkingDays}, true
		case n.State == history.Running && left <= float64(dueSoon):
			return Reason{Kind: SLADueSoon, Node: n.Node, Days: left, Limit: n.TargetDays, WorkingDays: n.WorkingDays}, true
		}
		return Reason{}, false
	}
	return Reason{}, false
}

// byOwner orders the groups: owners by name, demands nobody owns last,
// where they stand out; in each, demands by tier, then ID.
func byOwner(groups map[string][]Item) []Group {
	owners := make([]string, 0, len(groups))
	for o := range groups {
		owners = append(owners, o)
	}
	sort.Slice(owners, func(i, j int) bool {
		if (owners[i] == "") != (owners[j] == "") {
			return owners[j] == ""
		}
		return owners[i] < owners[j]
	})
	var out []Group
	for _, o := range owners {
		items := groups[o]
		sort.Slice(items, func(i, j int) bool {
			if items[i].Tier != items[j].Tier {
				return items[i].Tier < items[j].Tier
			}
			return items[i].ID < items[j].ID
		})
		out = append(out, Group{Owner: o, Items: items})
	}
	return out
}

func day(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }

// daysBetween counts midnights from a to b (negative when b is before a).
func daysBetween(a, b time.Time) int { return int((b.Unix() - a.Unix()) / 86400) }

// Describe says a reason in one line of English.
func (r Reason) Describe() string {
	unit := "days"
	if r.WorkingDays {
		unit = "working days"
	}
	switch r.Kind {
	case Stale:
		return fmt.Sprintf("no commit for %s days (tier limit %s), last %s", num(r.Days), num(r.Limit), r.Since.Format("2006-01-02"))
	case Overdue:
		return fmt.Sprintf("due %s, %s days ago", r.Due, num(r.Days))
	case SLABreached:
		return fmt.Sprintf("SLA %s breached: %s %s over the target of %s", r.Node, num(-r.Days), unit, num(r.Limit))
	case SLADueSoon:
		return fmt.Sprintf("SLA %s due in %s %s (target %s)", r.Node, num(r.Days), unit, num(r.Limit))
	}
	return r.Kind
}

func num(f float64) string {
	if f == math.Trunc(f) {
		return fmt.Sprintf("%d", int64(f))
	}
	return fmt.Sprintf("%.1f", f)
}

func ownerName(o string) string {
	if o == "" {
		return "no owner"
	}
	return o
}

// MaxMarkdown bounds the Markdown review: a GitHub issue holds at most
// 65,536 characters.
const MaxMarkdown = 60000

// Write prints the report as text, markdown or json.
func (rep *Report) Write(w io.Writer, format string) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	case "markdown":
		_, err := io.WriteString(w, rep.markdown())
		return err
	default:
		_, err := io.WriteString(w, rep.text())
		return err
	}
}

func (rep *Report) summary() string {
	if rep.AsOf.IsZero() {
		return "No commits yet: ages are measured to the head commit, so nothing is reviewed."
	}
	return fmt.Sprintf("%d demands need attention, as of commit %s of %s.", rep.Total, short(rep.Head), rep.AsOf.Format("2006-01-02"))
}

func short(h string) string {
	if len(h) > 7 {
		return h[:7]
	}
	return h
}

func (rep *Report) text() string {
	var b strings.Builder
	b.WriteString(rep.summary() + "\n")
	for _, g := range rep.Groups {
		fmt.Fprintf(&b, "\n%s\n", escape.Terminal(ownerName(g.Owner)))
		for _, it := range g.Items {
			fmt.Fprintf(&b, "  %s  tier %d  %s  %s\n", escape.Terminal(it.ID), it.Tier, escape.Terminal(it.Status), escape.Terminal(it.Title))
			for _, r := range it.Reasons {
				fmt.Fprintf(&b, "      %s\n", r.Describe())
			}
		}
	}
	return b.String()
}

func (rep *Report) markdown() string {
	var b strings.Builder
	b.WriteString("## Demand review\n\n" + rep.summary() + "\n")
	left := rep.Total
	for _, g := range rep.Groups {
		if b.Len() > MaxMarkdown {
			break
		}
		fmt.Fprintf(&b, "\n### %s\n\n| Demand | Tier | Status | Why |\n|---|---|---|---|\n", escape.Markdown(ownerName(g.Owner)))
		for _, it := range g.Items {
			if b.Len() > MaxMarkdown {
				break
			}
			var why []string
			for _, r := range it.Reasons {
				why = append(why, escape.Markdown(r.Describe()))
			}
			fmt.Fprintf(&b, "| %s %s | %d | %s | %s |\n", escape.Markdown(it.ID), escape.Markdown(it.Title), it.Tier, escape.Markdown(it.Status), strings.Join(why, "<br>"))
			left--
		}
	}
	if left > 0 {
		fmt.Fprintf(&b, "\n… and %d more: run `demand review` for the whole list.\n", left)
	}
	return b.String()
}
