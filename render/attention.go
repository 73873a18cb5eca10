package render

import (
	"fmt"

	"github.com/demand-registry/demand/registry/config"
	"github.com/demand-registry/demand/registry/review"
)

// attentionView is the "Needs attention" page: the periodic review
// (registry/review) of the site's demands, grouped by owner.
type attentionView struct {
	Total  int
	AsOf   string
	Groups []attentionGroup
}

type attentionGroup struct {
	Owner string
	Items []attentionItem
}

type attentionItem struct {
	ID, Title, URL, StatusLabel string
	Kind                        config.Kind
	Tier                        int
	Reasons                     []string
}

func (b *builder) attentionView() *attentionView {
	rep := review.Build(b.in.Snapshot, b.in.Ranking, b.in.History, b.in.Commit, b.in.Date)
	v := &attentionView{Total: rep.Total}
	if !rep.AsOf.IsZero() {
		v.AsOf = rep.AsOf.UTC().Format("2006-01-02")
	}
	for _, g := range rep.Groups {
		ag := attentionGroup{Owner: g.Owner}
		if ag.Owner == "" {
			ag.Owner = b.t("attention_no_owner")
		}
		for _, it := range g.Items {
			ai := attentionItem{ID: it.ID, Title: it.Title, URL: "demands/" + fileName(it.ID), StatusLabel: b.statusLabel(it.Status),
				Kind: b.cfg.StatusKind(it.Status), Tier: it.Tier}
			for _, r := range it.Reasons {
				ai.Reasons = append(ai.Reasons, b.attentionReason(r))
			}
			ag.Items = append(ag.Items, ai)
		}
		v.Groups = append(v.Groups, ag)
	}
	return v
}

func (b *builder) attentionReason(r review.Reason) string {
	unit := b.t("days")
	if r.WorkingDays {
		unit = b.t("working_days")
	}
	switch r.Kind {
	case review.Stale:
		return fmt.Sprintf(b.t("attention_stale"), num(r.Days), num(r.Limit), r.Since.UTC().Format("2006-01-02"))
	case review.Overdue:
		return fmt.Sprintf(b.t("attention_overdue"), r.Due, num(r.Days))
	case review.SLABreached:
		return fmt.Sprintf(b.t("attention_sla_breached"), b.nodeLabel(r.Node), num(-r.Days), unit, num(r.Limit))
	case review.SLADueSoon:
		return fmt.Sprintf(b.t("attention_sla_due_soon"), b.nodeLabel(r.Node), num(r.Days), unit, num(r.Limit))
	}
	return r.Kind
}
