package rank

import (
	"fmt"
	"slices"
	"strings"

	"github.com/demand-registry/demand/registry/config"
	"github.com/demand-registry/demand/registry/finding"

	"github.com/demand-registry/demand/registry"
)

// Explain is a one-line account of how a demand's tier came about.
func (r *Result) Explain() string {
	var parts []string
	for _, x := range r.Reasons {
		parts = append(parts, x.Detail)
	}
	return strings.Join(parts, "; ")
}

// Breakdown lists the weighted factors' points, e.g.
// "value high 30, impact medium 10, …".
func (r *Result) Breakdown() string {
	var parts []string
	for _, f := range r.Models.Weighted.Factors {
		v := f.Value
		if v == "" {
			v = "not set"
		}
		parts = append(parts, fmt.Sprintf("%s %s %s", f.Factor, v, trim(f.Points)))
	}
	return strings.Join(parts, ", ")
}

// Check compares each file's declared tier with the ranking, one finding
// per file at its tier: line (or its status: line when tier: is missing).
func Check(s *registry.Snapshot, rk *Ranking) finding.Findings {
	var fs finding.Findings
	if !s.Config.HasRole("tier") {
		return nil // nothing is declared to check
	}
	tierKey := s.Config.Key("tier")
	for _, d := range s.Demands {
		r := rk.Get(d.ID)
		if r == nil || d.Tier == r.Tier {
			continue
		}
		f := finding.Finding{Path: d.Path, Severity: finding.Error, Rule: "tier"}
		if d.Tier == 0 {
			p := d.At("status")
			f.Line, f.Col = p.Line, p.Col
			f.Message = fmt.Sprintf("%s: is missing; the ranker computes tier %d (%s)", tierKey, r.Tier, r.Explain())
		} else {
			p := d.At("tier")
			f.Line, f.Col = p.Line, p.Col
			f.Message = fmt.Sprintf("declared tier %d, but the ranker computes tier %d (%s)", d.Tier, r.Tier, r.Explain())
		}
		f.Message += "; weighted: " + r.Breakdown()
		f.Hint = "run `demand rank --write`, or add tier_override: {tier, reason, by} to overrule the formula"
		fs = append(fs, f)
	}
	return fs
}

// Policy checks the config's WIP limits and required-field rules against
// the ranking.
func Policy(s *registry.Snapshot, rk *Ranking) finding.Findings {
	cfg := s.Config
	var fs finding.Findings
	for _, w := range cfg.Policy.WIP {
		var in []*Result
		for _, r := range rk.Results { // ranked order: the lowest-ranked are over the limit
			if r.Tier == w.Tier && slices.Contains(w.Kinds, cfg.StatusKind(r.Status)) {
				in = append(in, r)
			}
		}
		if len(in) <= w.Max {
			continue
		}
		for _, r := range in[w.Max:] {
			d := s.Get(r.ID)
			p := d.At("status")
			fs = append(fs, finding.Finding{Path: d.Path, Line: p.Line, Col: p.Col, Severity: finding.Error, Rule: "wip-limit",
				Message: fmt.Sprintf("tier %d has %d demands in %s statuses, more than the limit of %d; %s is ranked below the first %d",
					w.Tier, len(in), kindList(w.Kinds), w.Max, r.ID, w.Max),
				Hint: "finish or put on hold a tier-" + fmt.Sprint(w.Tier) + " demand before starting another"})
		}
	}
	for _, d := range s.Demands {
		r := rk.Get(d.ID)
		for _, rule := range cfg.Policy.Rules {
			if !Matches(cfg, d, r.Tier, rule.When) {
				continue
			}
			var missing []string
			for _, f := range rule.Require {
				if !d.Has(f) {
					missing = append(missing, cfg.KeyPath(f))
				}
			}
			if len(missing) == 0 {
				continue
			}
			p := d.At("status")
			fs = append(fs, finding.Finding{Path: d.Path, Line: p.Line, Col: p.Col, Severity: rule.Severity, Rule: rule.Name,
				Message: fmt.Sprintf("%s: missing %s", rule.Message, strings.Join(missing, ", ")),
				Hint:    fmt.Sprintf("policy %s applies when %s", rule.Name, describe(rule.When))})
		}
	}
	return fs
}

// kindList names status kinds for a message, joined with "/".
func kindList(kinds []config.Kind) string {
	s := make([]string, len(kinds))
	for i, k := range kinds {
		s[i] = string(k)
	}
	return strings.Join(s, "/")
}
