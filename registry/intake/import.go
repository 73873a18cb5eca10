package intake

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/demand-registry/demand/registry/config"

	"github.com/demand-registry/demand/registry/finding"

	"github.com/demand-registry/demand/internal/escape"
	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/registry/rank"
)

// Issue is a submitted issue: its rendered body and what the workflow
// knows of it.
type Issue struct {
	Body     string
	URL      string // the issue's web address: the demand's external_key
	Title    string // the issue's title, used when the form's title is empty
	Received string // YYYY-MM-DD: when it was opened
}

// Planned is the demand file an issue becomes.
type Planned struct {
	ID   string
	Path string // relative to the registry folder
	Data []byte
	// Existing: a demand with the issue's URL as external_key is already
	// in the registry (Path names it); nothing is to be written.
	Existing bool
}

// MaxURL bounds the issue address kept as external_key.
const MaxURL = 2048

// CheckURL accepts an http(s) address of one line.
func CheckURL(u string) error {
	if u == "" {
		return fmt.Errorf("the issue's URL is required (it becomes external_key, so importing the issue again changes nothing)")
	}
	if len(u) > MaxURL || escape.HasControl(u) || strings.ContainsAny(u, " \t") {
		return fmt.Errorf("the issue URL %q is not one line of at most %d characters without spaces", u, MaxURL)
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
		return fmt.Errorf("the issue URL %q is not an http(s) address", u)
	}
	return nil
}

// Plan turns a submitted issue into a demand file with the next free ID
// (files are the registry's files, so a file that does not parse still
// reserves its ID). Every value goes into the file through the YAML
// encoder, and the file name is made from the ID and a slug of the title,
// so nothing in the issue chooses where the file goes. The file is
// checked with the parser validate uses; problems carry the body's lines.
func Plan(s *registry.Snapshot, files []registry.File, is Issue) (*Planned, []Problem) {
	cfg := s.Config
	if err := CheckURL(is.URL); err != nil {
		return nil, []Problem{{Line: 0, Message: err.Error()}}
	}
	if cfg.Fields["external_key"] == nil {
		return nil, []Problem{{Message: "the registry's config has no external_key field, which keeps the issue's address"}}
	}
	if p := imported(s, is.URL); p != nil {
		return p, nil
	}
	form := NewForm(cfg)
	answers, probs := form.Parse(is.Body)
	if answers == nil {
		return nil, probs
	}
	fields, body, bad := form.fields(answers)
	probs = append(probs, bad...)
	probs = append(probs, fillDefaults(cfg, fields, is.Title)...)
	if len(probs) > 0 {
		return nil, probs
	}
	if _, ok := config.ParseDate(is.Received); !ok {
		return nil, []Problem{{Message: fmt.Sprintf("received %q is not a date YYYY-MM-DD", is.Received)}}
	}
	fields["received"] = is.Received
	fields["status"] = cfg.Statuses[0].Name
	fields["external_key"] = is.URL
	title, _ := fields["title"].(string)
	id, name, err := registry.NewFile(cfg, s, files, title)
	if err != nil {
		return nil, []Problem{{Message: err.Error()}}
	}
	if !cfg.ID.FromFilename {
		fields["id"] = id
	}

	data, err := config.RenderFile(cfg, fields, body)
	if err != nil {
		return nil, []Problem{{Message: err.Error()}}
	}
	d, fs := registry.ParseDemand(cfg, name, data)
	if fs.HasErrors() {
		return nil, errorProblems(fs)
	}
	if data, err = withTier(s, d, id, data); err != nil {
		return nil, []Problem{{Message: err.Error()}}
	}
	return &Planned{ID: id, Path: name, Data: data}, nil
}

// imported is the demand already made from the issue at url (its
// external_key), nil when there is none.
func imported(s *registry.Snapshot, url string) *Planned {
	for _, d := range s.Demands {
		if registry.Canonical(d.Fields.Get("external_key")) == url {
			return &Planned{ID: d.ID, Path: d.Path, Existing: true}
		}
	}
	return nil
}

// fields turns a form's answers into the demand's fields ("a.b" fields
// into nested maps) and its body; a choice that is none of the options
// is a problem.
func (f *Form) fields(answers map[string]Answer) (fields map[string]any, body string, probs []Problem) {
	fields = map[string]any{}
	for _, e := range f.Elements {
		a, ok := answers[e.ID]
		if !ok || a.Value == "" {
			continue
		}
		if e.Field == "body" {
			body = a.Value
			continue
		}
		v, ok := e.Value(a.Value)
		if !ok {
			probs = append(probs, notAChoice(e, a))
			continue
		}
		if name, sub, nested := strings.Cut(e.Field, "."); nested {
			m, _ := fields[name].(map[string]any)
			if m == nil {
				m = map[string]any{}
				fields[name] = m
			}
			m[sub] = v
		} else {
			fields[e.Field] = v
		}
	}
	return fields, body, probs
}

// notAChoice is the problem of an answer that is none of a dropdown's
// options.
func notAChoice(e Element, a Answer) Problem {
	var vals []string
	for _, o := range e.Options {
		vals = append(vals, o.Value)
	}
	return Problem{Line: a.Line, Message: fmt.Sprintf("%s: %q is not one of the choices (%s)", e.Label, a.Value, strings.Join(vals, ", "))}
}

// fillDefaults gives the fields the form left out their defaults: the
// issue's title, and the intake channel when the config has one; no
// title at all is a problem.
func fillDefaults(cfg *config.Config, fields map[string]any, issueTitle string) []Problem {
	var probs []Problem
	if _, ok := fields["title"]; !ok {
		if t := strings.TrimSpace(issueTitle); t != "" {
			fields["title"] = t
		} else {
			probs = append(probs, Problem{Line: 1, Message: "the demand has no title: answer the form's title question"})
		}
	}
	if _, ok := fields["channel"]; !ok && cfg.Fields["channel"] != nil {
		fields["channel"] = Channel
	}
	return probs
}

// errorProblems are the errors among the parser's findings, each with
// its hint.
func errorProblems(fs finding.Findings) []Problem {
	var probs []Problem
	for _, f := range fs {
		if f.Severity != finding.Error {
			continue
		}
		msg := f.Message
		if f.Hint != "" {
			msg += " (" + f.Hint + ")"
		}
		probs = append(probs, Problem{Message: msg})
	}
	return probs
}

// withTier makes the file declare the tier the ranker gives the new
// demand d (its ID id) among the registry's demands, so that rank
// --check passes on the pull request.
func withTier(s *registry.Snapshot, d *registry.Demand, id string, data []byte) ([]byte, error) {
	cfg := s.Config
	if !cfg.HasRole("tier") || cfg.Key("tier") == "" {
		return data, nil
	}
	rk := rank.Rank(registry.NewSnapshot(cfg, append(append([]*registry.Demand(nil), s.Demands...), d)))
	if r := rk.Get(id); r != nil {
		status := ""
		if cfg.HasRole("status") {
			status = cfg.Key("status")
		}
		data, _, err := rank.SetTierAt(data, r.Tier, cfg.Key("tier"), status)
		return data, err
	}
	return data, nil
}
