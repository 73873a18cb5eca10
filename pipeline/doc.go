// Package pipeline is the tool's flow of data as a library: open a
// registry from its folder or from a git revision, check it as `demand
// validate` does, walk its history to a finished result (pending edits
// and SLA included), and build its website. The demand command is flag
// parsing, one call here and output formatting; another Go program can
// reproduce any of its results with the same calls.
//
// Errors a user can cause come back as errors: a registry whose files
// have errors as a *FindingsError (its findings carry positions),
// anything else (a missing folder, an unknown revision, a folder outside
// git, an unreadable object) as a plain error that says what went wrong
// and what to do. Nothing here prints.
package pipeline
