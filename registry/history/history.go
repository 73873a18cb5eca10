// Package history reads each demand's change history from git in one pass
// over the commit graph: commits, field-level changes, status transitions,
// time in each status and SLA timing.
package history

import (
	"time"
)

// Change is one field's change in a commit. Body changes carry line counts.
type Change struct {
	Field   string `json:"field"`
	From    string `json:"from,omitempty"` // "" (left out) when the field was not set
	To      string `json:"to,omitempty"`
	Added   int    `json:"added,omitempty"`   // body lines added
	Removed int    `json:"removed,omitempty"` // body lines removed
}

// Commit is one commit that changed a demand.
type Commit struct {
	Hash      string    `json:"hash"`
	Author    string    `json:"author"`
	Email     string    `json:"email,omitempty"` // never in a public build
	Date      time.Time `json:"date"`            // author date
	Committed time.Time `json:"committed"`       // committer date: when it landed
	Subject   string    `json:"subject"`
	PR        int       `json:"pr,omitempty"`
	Path      string    `json:"path"`
	Kind      string    `json:"kind"` // created, changed, renamed, deleted, snapshot, published
	Changes   []Change  `json:"changes,omitempty"`
	// Internal: the demand was internal in the version this commit made
	// (the one it deleted, for a deletion). Not exported: Redact drops
	// such commits from what a public audience sees.
	Internal bool `json:"-"`
}

// Transition is a status change.
type Transition struct {
	Hash string    `json:"hash,omitempty"` // "" (left out) for a move before the registry
	Date time.Time `json:"date"`           // committer date
	From string    `json:"from,omitempty"` // "" (left out) for the first status
	To   string    `json:"to"`
	// Published: the demand was in To when it was made public; when it
	// entered To is unknown (see Redact), so an SLA node it reaches is.
	Published bool `json:"-"`
	// Recorded: dated by an entry of the demand's timeline (midnight UTC
	// of its day): a move before the file existed (Hash empty), or one a
	// commit recorded late.
	Recorded bool   `json:"recorded,omitempty"`
	By       string `json:"by,omitempty"`
	Note     string `json:"note,omitempty"`
	// Undated: the status a file was first committed with, when no
	// timeline entry says when the demand entered it. Date is the commit's,
	// which is only the latest it can have been: an SLA node it reaches
	// is unknown, and it counts in no month's deliveries.
	Undated bool `json:"undated,omitempty"`
}

// StatusTime is the time a demand spent in one status, in days.
type StatusTime struct {
	Status string  `json:"status"`
	Days   float64 `json:"days"`
}

// History is one demand's audit trail.
type History struct {
	ID           string       `json:"id"`
	Path         string       `json:"path"`
	Created      *time.Time   `json:"created,omitempty"` // nil when not known (shallow clone)
	Updated      *time.Time   `json:"updated,omitempty"`
	Deleted      bool         `json:"deleted"`
	Incomplete   bool         `json:"incomplete,omitempty"` // history cut by a shallow clone
	Commits      []Commit     `json:"commits,omitempty"`    // newest first
	Statuses     []Transition `json:"statuses,omitempty"`   // oldest first
	TimeInStatus []StatusTime `json:"time_in_status,omitempty"`
	SLA          *SLA         `json:"sla,omitempty"`
	Pending      *Pending     `json:"pending,omitempty"` // uncommitted edits in the work tree
}

// Pending is an uncommitted change to a demand in the work tree.
type Pending struct {
	Path    string   `json:"path"`
	Kind    string   `json:"kind"` // created, changed, renamed, deleted
	Changes []Change `json:"changes,omitempty"`
}
