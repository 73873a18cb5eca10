package history

import "encoding/json"

// MarshalJSON leaves out the figures a node's state has none of: no
// elapsed time for a node whose reaching is unknown, no target or elapsed
// time for one that does not apply. Absent means absent; a zero would read
// as a real figure.
func (n SLANode) MarshalJSON() ([]byte, error) {
	type plain SLANode // without this method
	v := struct {
		plain
		TargetDays  *float64 `json:"target_days,omitempty"`
		ElapsedDays *float64 `json:"elapsed_days,omitempty"`
	}{plain: plain(n)}
	if n.State != NotApplicable {
		v.TargetDays = &n.TargetDays
		if n.State != Unknown {
			v.ElapsedDays = &n.ElapsedDays
		}
	}
	return json.Marshal(v)
}
