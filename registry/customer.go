package registry

import (
	"fmt"

	"github.com/demand-registry/demand/registry/customer"
	"github.com/demand-registry/demand/registry/finding"
)

// customerLookalikes warns, at each customer or requester name that mixes
// scripts, about the existing customer (a name in one script) it looks
// like: such a name is counted as that customer, but it is likely a
// spoof or a typing accident worth fixing.
func customerLookalikes(s *Snapshot) finding.Findings {
	type use struct {
		d     *Demand
		field string
		name  string
		key   string
	}
	var uses []use
	for _, d := range s.Demands {
		if d.Customer.Name != "" {
			uses = append(uses, use{d, "customer.name", d.Customer.Name, customer.Key(d.Customer.Name)})
		}
		for i, r := range d.Requesters {
			if r.Name != "" {
				uses = append(uses, use{d, fmt.Sprintf("requesters[%d].name", i), r.Name, customer.Key(r.Name)})
			}
		}
	}
	plain := map[string]string{} // skeleton → the first single-script name (demands in ID order)
	for _, u := range uses {
		if !customer.MixedScript(u.key) {
			if sk := customer.Skeleton(u.key); plain[sk] == "" {
				plain[sk] = u.name
			}
		}
	}
	var fs finding.Findings
	for _, u := range uses {
		if !customer.MixedScript(u.key) {
			continue
		}
		if other, ok := plain[customer.Skeleton(u.key)]; ok {
			p := u.d.At(u.field)
			fs = append(fs, finding.Finding{Path: u.d.Path, Line: p.Line, Col: p.Col, Severity: finding.Warning, Rule: "customer-lookalike",
				Message: fmt.Sprintf("%s %q mixes scripts and looks like the customer %q; it counts as that customer", u.field, u.name, other),
				Hint:    fmt.Sprintf("write it as %q, with the same letters", other)})
		}
	}
	return fs
}
