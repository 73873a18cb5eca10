package change

import "encoding/json"

// MarshalJSON gives the old side's score and tier only when there was an
// old side, and the new side's only when there is a new one: an added
// demand has no tier_from, rather than a tier 0 that is no tier.
func (d DemandDiff) MarshalJSON() ([]byte, error) {
	type plain DemandDiff // without this method
	v := struct {
		plain
		ScoreFrom *float64 `json:"score_from,omitempty"`
		ScoreTo   *float64 `json:"score_to,omitempty"`
		TierFrom  *int     `json:"tier_from,omitempty"`
		TierTo    *int     `json:"tier_to,omitempty"`
	}{plain: plain(d)}
	if d.Kind != "added" {
		v.ScoreFrom, v.TierFrom = &d.ScoreOld, &d.TierOld
	}
	if d.Kind != "removed" {
		v.ScoreTo, v.TierTo = &d.ScoreNew, &d.TierNew
	}
	return json.Marshal(v)
}
