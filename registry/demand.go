package registry

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/demand-registry/demand/internal/safeyaml"
	"github.com/demand-registry/demand/registry/config"

	"github.com/demand-registry/demand/registry/finding"

	"gopkg.in/yaml.v3"
)

// Pos is a position in a demand file (1-based).
type Pos struct {
	Line int `json:"line"`
	Col  int `json:"col"`
}

// FieldPos is where a field's key is in its file: 32-bit line and column,
// since 100,000 demands keep a position for each of their fields.
type FieldPos struct {
	Field     string
	Line, Col int32
}

// Customer is who raised a demand.
type Customer struct {
	Name    string `json:"name,omitempty"`
	Segment string `json:"segment,omitempty"`
}

// Requester is a further customer asking for the same demand.
type Requester struct {
	Name    string      `json:"name"`
	Segment string      `json:"segment,omitempty"`
	Channel string      `json:"channel,omitempty"`
	Date    config.Date `json:"date,omitempty"`
}

// Links relate demands to each other.
type Links struct {
	DependsOn   []string `json:"depends_on,omitempty"`
	DuplicateOf string   `json:"duplicate_of,omitempty"`
	Related     []string `json:"related,omitempty"`
	Parent      string   `json:"parent,omitempty"`
}

// RICE holds Intercom's RICE inputs.
type RICE struct {
	Reach      float64 `json:"reach"`
	Impact     float64 `json:"impact"`
	Confidence float64 `json:"confidence"`
	Effort     float64 `json:"effort"`
}

// WSJF holds SAFe's weighted-shortest-job-first inputs.
type WSJF struct {
	Value           float64 `json:"value"`
	TimeCriticality float64 `json:"time_criticality"`
	RiskReduction   float64 `json:"risk_reduction"`
	JobSize         float64 `json:"job_size"`
}

// TierOverride is a human decision that overrules the computed tier.
type TierOverride struct {
	Tier   int    `json:"tier"`
	Reason string `json:"reason"`
	By     string `json:"by,omitempty"`
}

// Demand is one customer demand, read from one file.
type Demand struct {
	ID       string      `json:"id"`
	Path     string      `json:"path"` // relative to the registry folder
	Title    string      `json:"title"`
	Status   string      `json:"status"`
	Received config.Date `json:"received"`

	Type         string        `json:"type,omitempty"`
	Urgency      string        `json:"urgency,omitempty"`
	Importance   string        `json:"importance,omitempty"`
	Value        string        `json:"value,omitempty"`
	Impact       string        `json:"impact,omitempty"`
	Difficulty   string        `json:"difficulty,omitempty"`
	Customer     Customer      `json:"customer"`
	Requesters   []Requester   `json:"requesters,omitempty"`
	Channel      string        `json:"channel,omitempty"`
	Owner        string        `json:"owner,omitempty"`
	Due          config.Date   `json:"due,omitempty"`
	Tags         []string      `json:"tags,omitempty"`
	Links        Links         `json:"links"`
	RICE         *RICE         `json:"rice,omitempty"`
	WSJF         *WSJF         `json:"wsjf,omitempty"`
	Kano         string        `json:"kano,omitempty"`
	Tier         int           `json:"tier,omitempty"` // declared; 0 when absent
	TierOverride *TierOverride `json:"tier_override,omitempty"`
	Satisfaction int           `json:"satisfaction,omitempty"`
	Visibility   string        `json:"visibility"`
	// Timeline is what happened before the file existed (the field the
	// config's history.timeline_field names), oldest first as written.
	Timeline []TimelineEntry `json:"timeline,omitempty"`

	// Fields holds every front-matter value as validated: string, int64,
	// float64, bool, Date, []any and map[string]any.
	Fields Values `json:"fields"`
	// Pos is where each top-level key (and each nested key, dotted) is, in
	// file order. A slice, not a map: registries of 100,000 demands are
	// held in memory at once.
	Pos []FieldPos `json:"-"`
	// Body is the Markdown after the front matter; BodyLine its first line.
	Body     string `json:"body"`
	BodyLine int    `json:"-"`
}

// At returns a field's position, or the file's first line.
func (d *Demand) At(field string) Pos {
	for _, p := range d.Pos {
		if p.Field == field {
			return Pos{Line: int(p.Line), Col: int(p.Col)}
		}
	}
	return Pos{Line: 1, Col: 1}
}

// values returns a field's values as strings for condition matching: one
// for a scalar, each item for a list, nothing when absent. Dotted paths
// reach into maps and across lists (requesters.segment).
func (d *Demand) values(p string) []string {
	var out []string
	d.AnyValue(p, func(v string) bool {
		out = append(out, v)
		return false // visit them all
	})
	return out
}

// builtin returns a built-in text field from the typed fields, which is
// much faster than the Fields map when ranking many demands. ok is false
// for other fields; an empty value means "look in Fields".
func (d *Demand) builtin(p string) (string, bool) {
	switch p {
	case "id":
		return d.ID, true
	case "title":
		return d.Title, true
	case "status":
		return d.Status, true
	case "type":
		return d.Type, true
	case "urgency":
		return d.Urgency, true
	case "importance":
		return d.Importance, true
	case "value":
		return d.Value, true
	case "impact":
		return d.Impact, true
	case "difficulty":
		return d.Difficulty, true
	case "channel":
		return d.Channel, true
	case "owner":
		return d.Owner, true
	case "kano":
		return d.Kano, true
	case "customer.segment":
		return d.Customer.Segment, true
	case "customer.name":
		return d.Customer.Name, true
	}
	return "", false
}

// Text returns a field's first value as Values would, quickly for
// built-in fields; "" when not set.
func (d *Demand) Text(p string) string {
	if v, ok := d.builtin(p); ok && v != "" {
		return v
	}
	if v, ok := d.Fields.Get(p).(string); ok {
		return v
	}
	if vals := d.values(p); len(vals) > 0 {
		return vals[0]
	}
	return ""
}

// AnyValue reports whether fn accepts one of a field's values (as Values
// lists them), without allocating for text values.
func (d *Demand) AnyValue(p string, fn func(string) bool) bool {
	if v, ok := d.builtin(p); ok && v != "" {
		return fn(v)
	}
	if p == "tags" && len(d.Tags) > 0 {
		return slices.ContainsFunc(d.Tags, fn)
	}
	first, rest, nested := strings.Cut(p, ".")
	var walk func(v any, rest string, nested bool) bool
	walk = func(v any, rest string, nested bool) bool {
		switch x := v.(type) {
		case nil:
			return false
		case string:
			return !nested && fn(x)
		case []any:
			for _, it := range x {
				if walk(it, rest, nested) {
					return true
				}
			}
			return false
		case map[string]any:
			if !nested {
				return false
			}
			k, r, n := strings.Cut(rest, ".")
			return walk(x[k], r, n)
		default:
			return !nested && fn(scalarString(x))
		}
	}
	return walk(d.Fields.Get(first), rest, nested)
}

func scalarString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case config.Date:
		return string(x)
	case float64:
		return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%f", x), "0"), ".")
	default:
		return fmt.Sprint(x)
	}
}

// Has reports whether a field is set.
func (d *Demand) Has(p string) bool { return len(d.values(p)) > 0 || d.hasMap(p) }

func (d *Demand) hasMap(p string) bool {
	m, ok := d.Fields.Get(p).(map[string]any)
	return ok && len(m) > 0
}

// AllLinks lists every linked ID with the link's name, in a stable order.
func (d *Demand) AllLinks() [][2]string {
	var out [][2]string
	for _, id := range d.Links.DependsOn {
		out = append(out, [2]string{"depends_on", id})
	}
	if d.Links.DuplicateOf != "" {
		out = append(out, [2]string{"duplicate_of", d.Links.DuplicateOf})
	}
	for _, id := range d.Links.Related {
		out = append(out, [2]string{"related", id})
	}
	if d.Links.Parent != "" {
		out = append(out, [2]string{"parent", d.Links.Parent})
	}
	return out
}

// splitFrontMatter returns the YAML between the opening and closing ---
// lines, the body, and the body's first line number.
func splitFrontMatter(p string, data []byte) (yml []byte, body []byte, bodyLine int, f *finding.Finding) {
	first, rest, _ := bytes.Cut(data, []byte("\n"))
	if string(bytes.TrimRight(first, " \t")) != "---" {
		return nil, nil, 0, &finding.Finding{Path: p, Line: 1, Col: 1, Severity: finding.Error, Rule: "front-matter",
			Message: "the file does not start with front matter", Hint: "begin the file with a line holding only ---, then the fields, then another ---"}
	}
	line := 2
	off := 0
	for off <= len(rest) {
		end := bytes.IndexByte(rest[off:], '\n')
		var l []byte
		if end < 0 {
			l = rest[off:]
		} else {
			l = rest[off : off+end]
		}
		t := string(bytes.TrimRight(l, " \t"))
		if t == "---" {
			yml = rest[:off]
			if end >= 0 {
				body = rest[off+end+1:]
			}
			return yml, body, line + 1, nil
		}
		if isDocumentMarker(l) {
			// "--- # x", "--- {}", "..." or "... # x" would end the YAML
			// document, and the lines after it, which a reviewer reads as
			// fields up to the closing ---, would not be fields.
			return nil, nil, 0, &finding.Finding{Path: p, Line: line, Col: 1, Severity: finding.Error, Rule: "front-matter",
				Message: fmt.Sprintf("a YAML document marker %q inside the front matter: front matter is exactly one mapping", string(l[:3])),
				Hint:    "end the front matter with a line holding only ---, and remove anything after the marker"}
		}
		if end < 0 {
			break
		}
		off += end + 1
		line++
	}
	return nil, nil, 0, &finding.Finding{Path: p, Line: 1, Col: 1, Severity: finding.Error, Rule: "front-matter",
		Message: "the front matter is not closed", Hint: "end the fields with a line holding only ---"}
}

// isDocumentMarker reports whether a line starts with a YAML document
// marker: --- or ... at column 0 followed by a blank or the line's end.
func isDocumentMarker(l []byte) bool {
	if len(l) < 3 || !(bytes.HasPrefix(l, []byte("---")) || bytes.HasPrefix(l, []byte("..."))) {
		return false
	}
	return len(l) == 3 || l[3] == ' ' || l[3] == '\t'
}

// checkControls reports the first character YAML does not allow in the
// front matter (NUL and other control characters), and a NUL in the body,
// at its own line and column; the YAML library reports them on no line.
func checkControls(p string, yml, body []byte, bodyLine int) *finding.Finding {
	if !mayHoldControl(yml) && bytes.IndexByte(body, 0) < 0 {
		return nil // the usual case, found without decoding a rune
	}
	if line, col, r, ok := findRune(yml, notYAMLPrintable); ok {
		return &finding.Finding{Path: p, Line: line + 1, Col: col, Severity: finding.Error, Rule: "encoding",
			Message: fmt.Sprintf("the front matter holds the control character %U", r), Hint: "remove it; write text only"}
	}
	if line, col, _, ok := findRune(body, func(r rune) bool { return r == 0 }); ok {
		return &finding.Finding{Path: p, Line: line + bodyLine - 1, Col: col, Severity: finding.Error, Rule: "encoding",
			Message: "the file holds a NUL byte", Hint: "remove it; a demand file is text"}
	}
	return nil
}

// notYAMLPrintable is YAML's complement of c-printable (tab and line
// breaks aside).
func notYAMLPrintable(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r' || r == 0x85:
		return false
	case r < 0x20 || r == 0x7F || (r >= 0x80 && r < 0xA0):
		return true
	case r == 0xFFFE || r == 0xFFFF:
		return true
	}
	return false
}

// mayHoldControl reports whether valid UTF-8 b may hold a rune
// notYAMLPrintable accepts: an ASCII control character or DEL, a C1
// control (encoded C2 80–C2 9F), U+FFFE or U+FFFF (EF BF BE, EF BF BF).
func mayHoldControl(b []byte) bool {
	for i, c := range b {
		switch {
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7F:
			return true
		case c == 0xC2 && i+1 < len(b) && b[i+1] >= 0x80 && b[i+1] < 0xA0 && b[i+1] != 0x85:
			return true
		case c == 0xEF && i+2 < len(b) && b[i+1] == 0xBF && (b[i+2] == 0xBE || b[i+2] == 0xBF):
			return true
		}
	}
	return false
}

// findRune returns the 1-based line and column (in characters) of the
// first rune bad accepts.
func findRune(b []byte, bad func(rune) bool) (line, col int, r rune, ok bool) {
	line, col = 1, 1
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		i += size
		if bad(r) {
			return line, col, r, true
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return 0, 0, 0, false
}

// cleanDemand removes a byte-order mark, checks the encoding, makes line
// endings \n and splits the front matter from the body.
func cleanDemand(p string, data []byte) (yml []byte, body []byte, bodyLine int, f *finding.Finding) {
	data = bytes.TrimPrefix(data, safeyaml.BOM)
	if f, ok := safeyaml.CheckUTF8(p, data); !ok {
		return nil, nil, 0, &f
	}
	yml, body, bodyLine, f = splitFrontMatter(p, safeyaml.NormalizeNewlines(data))
	if f == nil {
		f = checkControls(p, yml, body, bodyLine)
	}
	if f != nil {
		return nil, nil, 0, f
	}
	return yml, body, bodyLine, nil
}

// FrontMatter returns a demand file's front matter and body as ParseDemand
// reads them (byte-order mark removed, line endings made \n). ok is false
// where ParseDemand reads no front matter at all. Two files with the same
// front matter and name parse to the same fields.
func FrontMatter(data []byte) (yml []byte, body string, ok bool) {
	yml, b, _, f := cleanDemand("", data)
	return yml, string(b), f == nil
}

// ParseDemand reads one demand file. It never panics: every problem,
// including a failure inside the YAML library, becomes a finding. The
// demand is nil when the file cannot be read as a demand at all.
func ParseDemand(cfg *config.Config, p string, data []byte) (d *Demand, fs finding.Findings) {
	return parseDemand(cfg, p, data, nil, true)
}

// parseDemand is ParseDemand; fc, when set, may hand over the root
// mapping of the front matter already parsed and checked as plain data,
// with its entries in order (nil: parse it here). The body is checked
// when bodyChecks is set; without it, and with fc, the demand is read
// for its values only and keeps no positions (see FrontCache.ParseDemand).
func parseDemand(cfg *config.Config, p string, data []byte, fc *FrontCache, bodyChecks bool) (d *Demand, fs finding.Findings) {
	defer func() {
		if r := recover(); r != nil {
			d = nil
			fs = append(fs, finding.Finding{Path: p, Line: 1, Col: 1, Severity: finding.Error, Rule: "parse",
				Message: fmt.Sprintf("the file could not be parsed: %v", r)})
		}
	}()
	yml, body, bodyLine, f := cleanDemand(p, data)
	if f != nil {
		return nil, finding.Findings{*f}
	}
	var root *yaml.Node
	var entries []frontItem
	if fc != nil {
		root, entries = fc.front(yml)
	}
	if root == nil {
		root, fs = safeyaml.Parse(p, yml, 1)
	}
	if fs.HasErrors() {
		return nil, fs
	}
	d = &Demand{Path: p, Body: string(body), BodyLine: bodyLine, Visibility: "public"}
	if root == nil {
		root = &yamlEmptyMap
	}
	v := &checker{cfg: cfg, path: p, off: 1, d: d, entries: entries}
	if fc != nil {
		d.Pos = fc.pos[:0]
	}
	v.checkFields(root, cfg.Fields, "", true)
	// exact size, or shared: registries of 100,000 demands are held in
	// memory
	if fc != nil {
		fc.pos = d.Pos
		d.Pos = nil
		if bodyChecks {
			d.Pos = fc.shared(fc.pos)
		}
	} else if d.Pos = slices.Clone(d.Pos); len(d.Pos) == 0 {
		d.Pos = nil
	}
	fs = append(fs, v.fs...)
	d.fill(cfg)
	if cfg.TitleFromHeading() {
		fs = append(fs, d.headingTitle(cfg)...)
	}
	fs = append(fs, d.checkIdentity(cfg)...)
	if bodyChecks {
		fs = append(fs, d.checkBody()...)
	}
	return d, fs
}

// checkIdentity sets the ID (from the field or the file name) and checks
// it against the pattern and the file name.
func (d *Demand) checkIdentity(cfg *config.Config) finding.Findings {
	var fs finding.Findings
	base := path.Base(d.Path)
	fromName := cfg.IDFromName(base)
	if cfg.ID.FromFilename {
		if d.ID == "" {
			d.ID = fromName
		}
		if d.ID == "" && cfg.Roles["id"].Pattern != "" {
			fs = append(fs, finding.Finding{Path: d.Path, Line: 1, Col: 1, Severity: finding.Error, Rule: "filename",
				Message: fmt.Sprintf("the file name %q does not match roles.id.pattern %s", base, cfg.Roles["id"].Pattern),
				Hint:    "rename the file, or change the pattern in registry.yaml"})
		} else if d.ID == "" {
			fs = append(fs, finding.Finding{Path: d.Path, Line: 1, Col: 1, Severity: finding.Error, Rule: "filename",
				Message: fmt.Sprintf("the file name %q does not start with an ID matching %s", base, cfg.ID.Pattern),
				Hint:    fmt.Sprintf("rename it to %s%0*d-%s", cfg.ID.Prefix, cfg.ID.Digits, 1, slugOr(base))})
		}
		return fs
	}
	if d.ID == "" {
		return fs // the required-field finding is already there
	}
	if !strings.HasPrefix(base, d.ID) || cfg.IDFromName(base) != d.ID {
		pos := d.At("id")
		fs = append(fs, finding.Finding{Path: d.Path, Line: pos.Line, Col: pos.Col, Severity: finding.Error, Rule: "filename",
			Message: fmt.Sprintf("the file name %q does not start with the ID %s", base, d.ID),
			Hint:    fmt.Sprintf("rename the file to %s-%s.md", d.ID, Slug(d.Title))})
	}
	return fs
}

// headingTitle takes the title from the body's first heading, where the
// registry keeps it (roles: {title: {from: heading}}).
func (d *Demand) headingTitle(cfg *config.Config) finding.Findings {
	role := cfg.Roles["title"]
	t, _ := FirstHeading(d.Body)
	if slices.ContainsFunc(role.Ignore, func(s string) bool { return strings.EqualFold(s, t) }) {
		t = "" // a section's heading, not the demand's
	}
	if t == "" && role.Fallback == config.RoleFilename {
		t = nameTitle(cfg, path.Base(d.Path))
	}
	if t == "" {
		return finding.Findings{{Path: d.Path, Line: d.BodyLine, Col: 1, Severity: finding.Error, Rule: "required",
			Message: "the demand has no title: its body has no first-level heading", Hint: "start the body with \"# Title\", or set roles.title.fallback: filename"}}
	}
	d.Title = t
	d.Fields = d.Fields.With("title", t)
	return nil
}

// nameTitle is a title made of a file name: without the extension and the
// ID the name starts with, dashes and underscores as spaces
// ("0003-block-params.md" is "block params").
func nameTitle(cfg *config.Config, base string) string {
	s := strings.TrimSuffix(base, ".md")
	if id := cfg.IDFromName(base); id != "" && strings.HasPrefix(s, id) && len(id) < len(s) {
		s = s[len(id):]
	} else if i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }); i > 0 {
		s = s[i:] // a leading number
	}
	s = strings.Trim(strings.NewReplacer("-", " ", "_", " ").Replace(s), " ")
	if s == "" {
		return strings.TrimSuffix(base, ".md")
	}
	return s
}

func slugOr(base string) string {
	s := strings.TrimSuffix(base, ".md")
	if s == "" {
		return "title.md"
	}
	return s + ".md"
}

// fill copies validated values into the typed fields.
func (d *Demand) fill(cfg *config.Config) {
	// Only roles: a field of the registry's own that has a role's name
	// (a roles section that does not list the role) means nothing here.
	get := func(k string) any {
		if !cfg.HasRole(k) {
			return nil
		}
		return d.Fields.Get(k)
	}
	str := func(k string) string { s, _ := get(k).(string); return s }
	date := func(k string) config.Date { s, _ := get(k).(config.Date); return s }
	d.ID = str("id")
	d.Title = str("title")
	d.Status = str("status")
	d.Received = date("received")
	d.Type, d.Urgency, d.Importance = str("type"), str("urgency"), str("importance")
	d.Value, d.Impact, d.Difficulty = str("value"), str("impact"), str("difficulty")
	d.Channel, d.Owner, d.Kano = str("channel"), str("owner"), str("kano")
	d.Due = date("due")
	if v := str("visibility"); v != "" {
		d.Visibility = v
	}
	if n, ok := get("tier").(int64); ok {
		d.Tier = int(n)
	}
	if n, ok := get("satisfaction").(int64); ok {
		d.Satisfaction = int(n)
	}
	if m, ok := get("customer").(map[string]any); ok {
		d.Customer.Name, _ = m["name"].(string)
		d.Customer.Segment, _ = m["segment"].(string)
	}
	if l, ok := get("requesters").([]any); ok {
		for _, it := range l {
			m, _ := it.(map[string]any)
			if m == nil {
				continue
			}
			var r Requester
			r.Name, _ = m["name"].(string)
			r.Segment, _ = m["segment"].(string)
			r.Channel, _ = m["channel"].(string)
			r.Date, _ = m["date"].(config.Date)
			d.Requesters = append(d.Requesters, r)
		}
	}
	if cfg.HasRole("tags") {
		d.Tags = d.values("tags")
	}
	if m, ok := get("links").(map[string]any); ok {
		d.Links.DependsOn = stringsOf(m["depends_on"])
		d.Links.DuplicateOf, _ = m["duplicate_of"].(string)
		d.Links.Related = stringsOf(m["related"])
		d.Links.Parent, _ = m["parent"].(string)
	}
	if m, ok := get("rice").(map[string]any); ok && hasAll(m, "reach", "impact", "confidence", "effort") {
		d.RICE = &RICE{Reach: num(m["reach"]), Impact: num(m["impact"]), Confidence: num(m["confidence"]), Effort: num(m["effort"])}
	}
	if m, ok := get("wsjf").(map[string]any); ok && hasAll(m, "value", "time_criticality", "risk_reduction", "job_size") {
		d.WSJF = &WSJF{Value: num(m["value"]), TimeCriticality: num(m["time_criticality"]), RiskReduction: num(m["risk_reduction"]), JobSize: num(m["job_size"])}
	}
	if tf := cfg.History.TimelineField; tf != "" {
		d.Timeline = timelineOf(d.Fields.Get(tf))
	}
	if m, ok := get("tier_override").(map[string]any); ok {
		o := &TierOverride{}
		if n, ok := m["tier"].(int64); ok {
			o.Tier = int(n)
		}
		o.Reason, _ = m["reason"].(string)
		o.By, _ = m["by"].(string)
		if o.Tier > 0 {
			d.TierOverride = o
		}
	}
}

func hasAll(m map[string]any, keys ...string) bool {
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			return false
		}
	}
	return true
}

func num(v any) float64 {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case float64:
		return x
	}
	return 0
}

// stringsOf lists the strings of a list once each, in order. A map keeps
// it linear: a pairwise check was quadratic in a list's length, in every
// version of every demand.
func stringsOf(v any) []string {
	l, _ := v.([]any)
	var out []string
	seen := make(map[string]bool, len(l))
	for _, it := range l {
		if s, ok := it.(string); ok && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// Slug turns a title into a file-name part: lower-case ASCII words and Han
// characters joined by hyphens, at most 60 bytes.
func Slug(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(title) {
		ok := (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || isHan(r)
		if !ok {
			dash = b.Len() > 0
			continue
		}
		if dash {
			b.WriteByte('-')
			dash = false
		}
		if b.Len()+len(string(r)) > 60 {
			break
		}
		b.WriteRune(r)
	}
	if b.Len() == 0 {
		return "demand"
	}
	return b.String()
}

func isHan(r rune) bool {
	return (r >= 0x4E00 && r <= 0x9FFF) || (r >= 0x3400 && r <= 0x4DBF) || (r >= 0xF900 && r <= 0xFAFF) || (r >= 0x20000 && r <= 0x2FFFF)
}

// Canonical writes a field value as text: scalars as written, lists and
// maps as compact JSON with sorted keys. Field changes compare these.
func Canonical(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case config.Date:
		return string(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case nil:
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// FieldChange is a field whose value differs between two versions of a
// demand, as Canonical text.
type FieldChange struct {
	Field string `json:"field"`
	From  string `json:"from,omitempty"` // "" (left out) when not set
	To    string `json:"to,omitempty"`
}

// CanonicalFields writes every field's value as Canonical text.
func CanonicalFields(fields Values) map[string]string {
	out := make(map[string]string, fields.Len())
	for k, v := range fields.All() {
		out[k] = Canonical(v)
	}
	return out
}

// DiffFields lists the fields whose text differs between a and b, in name
// order; a field set on one side only changes from or to "".
func DiffFields(a, b map[string]string) []FieldChange {
	var out []FieldChange
	for _, k := range slices.Sorted(maps.Keys(a)) {
		if a[k] != b[k] {
			out = append(out, FieldChange{Field: k, From: a[k], To: b[k]})
		}
	}
	for _, k := range slices.Sorted(maps.Keys(b)) {
		if _, ok := a[k]; !ok && b[k] != "" {
			out = append(out, FieldChange{Field: k, To: b[k]})
		}
	}
	slices.SortStableFunc(out, func(x, y FieldChange) int { return strings.Compare(x.Field, y.Field) })
	return out
}
