package pipeline

import (
	"time"

	"github.com/demand-registry/demand/registry/finding"

	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/registry/change"
	"github.com/demand-registry/demand/registry/dups"
	"github.com/demand-registry/demand/registry/rank"
)

// Check returns, sorted, every finding `demand validate` reports on head:
// the problems of its files, the rules across demands, the body links
// that climb out of the repository, the change from base by the workflow
// rules (base may be nil: no change to check), the policy rules on the
// ranking, and near-duplicates not linked yet.
// Timeline entries may be no later than head's commit or, in the work
// tree, than today: the commit that adds them comes after.
func Check(head, base *Registry) finding.Findings {
	snap := head.Snapshot
	fs := append(append(finding.Findings(nil), head.Findings...), registry.Validate(snap)...)
	notAfter := head.Date
	if notAfter.IsZero() {
		notAfter = time.Now()
	}
	fs = append(fs, registry.TimelineDates(snap, notAfter)...)
	fs = append(fs, registry.LinksOutside(snap, head.Dir)...)
	rk := rank.Rank(snap)
	if base != nil {
		fs = append(fs, change.Check(base.Snapshot, snap, rk)...)
	}
	fs = append(fs, rank.Policy(snap, rk)...)
	fs = append(fs, dups.Findings(snap, dups.Find(snap, snap.Config.Duplicates.Threshold))...)
	fs.Sort()
	return fs
}
