// Package csvimport turns CSV rows (this tool's export, or other tools'
// exports through a column map) into demand files. Every row is checked
// with the same parser as validate before anything is written.
package csvimport

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/demand-registry/demand/registry/config"

	"github.com/demand-registry/demand/registry/finding"

	"gopkg.in/yaml.v3"

	"github.com/demand-registry/demand/internal/escape"
	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/registry/rank"
)

// Map turns another tool's CSV into demand fields.
type Map struct {
	// Columns maps a CSV header to a field (dotted for nested fields,
	// "body" for the Markdown body, "-" to ignore the column).
	Columns map[string]string `yaml:"columns"`
	// Values translates values per field: Jira's "Highest" → urgent.
	Values map[string]map[string]string `yaml:"values"`
	// Dates lists Go time layouts tried for date fields, after YYYY-MM-DD.
	Dates []string `yaml:"dates"`
	// Defaults are field values for rows that leave them empty.
	Defaults map[string]string `yaml:"defaults"`
	// ListSeparators split list cells (default ";" and ",").
	ListSeparators string `yaml:"list_separators"`
	// Timeline turns date columns into the timeline field's entries:
	// the demand entered Status on the column's date. Status "current"
	// is the row's own (mapped) status. Empty cells give no entry.
	Timeline []TimelineColumn `yaml:"timeline"`
}

// TimelineColumn is a date column that says when a demand entered a status.
type TimelineColumn struct {
	Column string `yaml:"column"`
	Status string `yaml:"status"`
}

// CurrentStatus in a TimelineColumn stands for the row's status.
const CurrentStatus = "current"

// ParseMap reads a map file. Each problem is reported as PATH:LINE.
func ParseMap(path string, data []byte) (*Map, error) {
	var m Map
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	err := dec.Decode(&m)
	if err == nil || errors.Is(err, io.EOF) {
		return &m, nil
	}
	msgs := []string{strings.TrimPrefix(err.Error(), "yaml: ")}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	var lines []string
	for _, msg := range msgs {
		line := "1"
		if m := mapErrLine.FindStringSubmatch(msg); m != nil {
			line, msg = m[1], m[2]
		}
		if m := unknownKey.FindStringSubmatch(msg); m != nil {
			msg = fmt.Sprintf("unknown key %q (keys: columns, values, dates, defaults, list_separators, timeline)", m[1])
		}
		lines = append(lines, fmt.Sprintf("%s:%s: %s", path, line, msg))
	}
	return nil, errors.New(strings.Join(lines, "\n"))
}

var (
	mapErrLine = regexp.MustCompile(`^line (\d+): (.*)$`)
	unknownKey = regexp.MustCompile(`^field (\S+) not found in type`)
)

// Row is one CSV row turned into a demand file.
type Row struct {
	Line    int    // the row's first line in the CSV file
	ID      string // the demand's ID
	Path    string // the file to write, relative to the registry
	Data    []byte
	Skipped bool // a demand with the same external_key exists
}

// Problem is a row that cannot be imported.
type Problem struct {
	Line    int
	Message string
}

func (p Problem) Error() string { return fmt.Sprintf("line %d: %s", p.Line, p.Message) }

// Plan reads a CSV file and returns the files to write, or every problem
// found. IDs come from an id column when it is free and valid, otherwise
// the next free ones; files lists the registry's files, so IDs of files
// that do not parse are not reused.
func Plan(s *registry.Snapshot, files []registry.File, data []byte, m *Map) ([]Row, []Problem) {
	cfg := s.Config
	if m == nil {
		m = &Map{}
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, []Problem{{Line: 1, Message: "cannot read the header row: " + err.Error()}}
	}
	cols, problems := headerColumns(cfg, m, header)
	tlCols, tlProblems := timelineColumns(cfg, m, header)
	if problems = append(problems, tlProblems...); len(problems) > 0 {
		return nil, problems
	}
	existing, used := taken(s, files)
	var rows []Row
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			line := 0
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			problems = append(problems, Problem{Line: line, Message: err.Error()})
			break
		}
		line, _ := r.FieldPos(0)
		for i := range rec {
			rec[i] = escape.CSVUncell(rec[i]) // the apostrophe the export put before a formula
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		row, perr := buildRow(cfg, m, cols, tlCols, rec, line, used, existing)
		if perr != nil {
			problems = append(problems, *perr)
			continue
		}
		rows = append(rows, row)
	}
	if len(problems) > 0 {
		return nil, problems
	}
	return rows, nil
}

// headerColumns maps each column of the header to the field it gives
// ("-" for none), and reports columns that are no field and fields given
// twice.
func headerColumns(cfg *config.Config, m *Map, header []string) ([]string, []Problem) {
	var problems []Problem
	cols := make([]string, len(header))
	for i, h := range header {
		h = strings.TrimSpace(h)
		f := h
		if mapped, ok := m.Columns[h]; ok {
			f = mapped
		} else if len(m.Columns) > 0 {
			f = "-"
		}
		f = cfg.FieldPath(f) // a column may name the registry's key
		switch f {
		case "customer":
			f = "customer.name"
		case "segment":
			f = "customer.segment"
		}
		if f != "-" && f != "body" && f != "path" && cfg.FieldByPath(f) == nil && !ignoredExportColumn(f) {
			problems = append(problems, Problem{Line: 1, Message: fmt.Sprintf("column %q is not a field; map it with --map (columns: {%q: field}) or name it after a field", h, h)})
		}
		cols[i] = f
	}
	// Two columns giving one field would silently keep one of them.
	first := map[string]int{}
	for i, f := range cols {
		if f == "-" || ignoredExportColumn(f) {
			continue
		}
		j, ok := first[f]
		if !ok {
			first[f] = i
			continue
		}
		h, hj := strings.TrimSpace(header[i]), strings.TrimSpace(header[j])
		msg := fmt.Sprintf("column %q appears twice (columns %d and %d)", h, j+1, i+1)
		if h != hj {
			msg = fmt.Sprintf("columns %q and %q both give field %q (columns %d and %d)", hj, h, f, j+1, i+1)
		}
		problems = append(problems, Problem{Line: 1, Message: msg + "; remove one, or map one to \"-\" with --map"})
	}
	return cols, problems
}

// timelineColumns finds the columns of the map's timeline entries.
func timelineColumns(cfg *config.Config, m *Map, header []string) ([]int, []Problem) {
	var problems []Problem
	tlCols := make([]int, len(m.Timeline))
	for k, tc := range m.Timeline {
		tlCols[k] = -1
		for i, h := range header {
			if strings.TrimSpace(h) == tc.Column {
				tlCols[k] = i
			}
		}
		switch {
		case cfg.History.TimelineField == "":
			problems = append(problems, Problem{Line: 1, Message: "the map has a timeline, but the registry has no timeline field (history.timeline_field)"})
		case tlCols[k] < 0:
			problems = append(problems, Problem{Line: 1, Message: fmt.Sprintf("timeline column %q is not in the header", tc.Column)})
		case tc.Status != CurrentStatus && cfg.Status(tc.Status) == nil:
			problems = append(problems, Problem{Line: 1, Message: fmt.Sprintf("timeline column %q: %q is not a status (or \"current\")", tc.Column, tc.Status)})
		}
	}
	return tlCols, problems
}

// ignoredExportColumn: columns of this tool's CSV export that are computed,
// not fields: importing the export back ignores them.
func ignoredExportColumn(c string) bool {
	switch c {
	case "score", "url", "tier_label", "status_label", "ranked_tier":
		return true
	}
	return false
}

func lastPart(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

func buildRow(cfg *config.Config, m *Map, cols []string, tlCols []int, rec []string, line int, used *ids, existing map[string]bool) (Row, *Problem) {
	fields := map[string]any{}
	bad := func(format string, args ...any) (Row, *Problem) {
		return Row{}, &Problem{Line: line, Message: fmt.Sprintf(format, args...)}
	}
	values, body, name := rowValues(m, cols, rec)
	for k, v := range m.Defaults {
		if values[k] == "" {
			values[k] = v
		}
	}
	if values["status"] == "" && len(cfg.Statuses) > 0 {
		values["status"] = cfg.Statuses[0].Name
	}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := values[k]
		if v == "" {
			continue
		}
		f := cfg.FieldByPath(k)
		val, err := convert(f, v, m)
		if err != nil {
			return bad("%s: %v", k, err)
		}
		set(fields, k, val)
	}
	if len(m.Timeline) > 0 {
		status, _ := fields["status"].(string)
		tl, err := timelineFrom(m, tlCols, rec, status)
		if err != nil {
			return bad("%v", err)
		}
		if len(tl) > 0 {
			fields[cfg.History.TimelineField] = tl
		}
	}
	if key, ok := fields["external_key"].(string); ok && existing[key] {
		return Row{Line: line, Skipped: true}, nil
	}
	named, _ := fields["id"].(string)
	id := used.assign(cfg, fields, named)
	return finishRow(cfg, fields, body, name, id, line)
}

// taken is what a registry already uses: the external keys of its
// demands (a row with one is imported already), and the IDs of its
// demands and of its files, parsed or not.
func taken(s *registry.Snapshot, files []registry.File) (map[string]bool, *ids) {
	existing := map[string]bool{}
	for _, d := range s.Demands {
		if d.Fields.Get("external_key") != nil {
			existing[registry.Canonical(d.Fields.Get("external_key"))] = true
		}
	}
	used := newIDs(s.Config)
	for _, d := range s.Demands {
		used.take(d.ID)
	}
	for _, f := range files {
		if id := s.Config.IDFromName(lastPart(f.Path)); id != "" {
			used.take(id)
		}
	}
	return existing, used
}

// assign gives a row the ID it names when that is valid and free, else
// the next free one, and sets the id field (or drops it where the ID
// comes from the file name).
func (u *ids) assign(cfg *config.Config, fields map[string]any, named string) string {
	id := named
	if id != "" && (!cfg.ValidID(id) || u.used[id]) {
		id = "" // taken or malformed: give it the next free ID
	}
	if id == "" {
		id = u.next()
	}
	u.take(id)
	if !cfg.ID.FromFilename {
		fields["id"] = id
	} else {
		delete(fields, "id")
	}
	return id
}

// rowValues are a row's values by field (translated by the map), its
// body and the file name its path column gives.
func rowValues(m *Map, cols []string, rec []string) (values map[string]string, body, name string) {
	values = map[string]string{}
	for i, c := range cols {
		if c == "-" || ignoredExportColumn(c) || i >= len(rec) {
			continue
		}
		v := strings.TrimSpace(rec[i])
		if tr, ok := m.Values[c][v]; ok {
			v = tr
		}
		switch c {
		case "body":
			body = strings.ReplaceAll(rec[i], "\r\n", "\n")
		case "path":
			name = v
		default:
			values[c] = v
		}
	}
	return values, body, name
}

// finishRow writes a row's file: under the name the export gave (the
// path column) when it is a plain file name of this ID, else under the
// ID and the title's slug.
func finishRow(cfg *config.Config, fields map[string]any, body, name, id string, line int) (Row, *Problem) {
	bad := func(format string, args ...any) (Row, *Problem) {
		return Row{}, &Problem{Line: line, Message: fmt.Sprintf(format, args...)}
	}
	title, _ := fields["title"].(string)
	data, err := config.RenderFile(cfg, fields, body)
	if err != nil {
		return bad("%v", err)
	}
	path := id + "-" + registry.Slug(title) + ".md"
	if plainName(cfg, name, id) {
		path = name
	}
	if _, fs := registry.ParseDemand(cfg, path, data); fs.HasErrors() {
		var msgs []string
		for _, f := range fs {
			if f.Severity == finding.Error {
				msgs = append(msgs, f.Message)
			}
		}
		return bad("%s", strings.Join(msgs, "; "))
	}
	return Row{Line: line, ID: id, Path: path, Data: data}, nil
}

// timelineFrom makes a row's timeline entries from its date columns:
// oldest first (in the map's order on one day), a status repeated by the
// next entry kept at its first date. An entry for the row's own status is
// what the file is first committed with, so nothing follows it.
func timelineFrom(m *Map, tlCols []int, rec []string, status string) ([]any, error) {
	type entry struct {
		date, status string
		k            int
	}
	var es []entry
	dateField := &config.Field{Type: config.TDate}
	for k, tc := range m.Timeline {
		i := tlCols[k]
		if i < 0 || i >= len(rec) || strings.TrimSpace(rec[i]) == "" {
			continue
		}
		d, err := convert(dateField, strings.TrimSpace(rec[i]), m)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", tc.Column, err)
		}
		st := tc.Status
		if st == CurrentStatus {
			st = status
		}
		es = append(es, entry{d.(string), st, k})
	}
	sort.SliceStable(es, func(i, j int) bool { return es[i].date < es[j].date })
	var out []any
	last := ""
	for _, e := range es {
		if e.status == last {
			continue
		}
		out = append(out, map[string]any{"date": e.date, "status": e.status})
		last = e.status
		if e.status == status {
			break
		}
	}
	return out, nil
}

// plainName reports whether an exported file name can name an imported
// file: a Markdown file at the top of the registry whose name starts with
// the demand's ID, and nothing a file system or the site treats specially.
func plainName(cfg *config.Config, name, id string) bool {
	if name == "" || len(name) > 200 || strings.ContainsAny(name, "/\\\x00:") || strings.HasPrefix(name, ".") ||
		!strings.HasSuffix(name, ".md") || !registry.IsDemandFile(name) || !utf8.ValidString(name) {
		return false
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return cfg.IDFromName(name) == id
}

// ids are the IDs in use and the highest number among them, kept as IDs
// are taken, so that each next ID costs O(1) (scanning every used ID per
// row made importing 100k rows quadratic).
type ids struct {
	cfg  *config.Config
	used map[string]bool
	high int
}

func newIDs(cfg *config.Config) *ids { return &ids{cfg: cfg, used: map[string]bool{}} }

func (a *ids) take(id string) {
	a.used[id] = true
	if strings.HasPrefix(id, a.cfg.ID.Prefix) {
		if n, err := strconv.Atoi(id[len(a.cfg.ID.Prefix):]); err == nil && n > a.high {
			a.high = n
		}
	}
}

// next is the ID after the highest one in use.
func (a *ids) next() string {
	return fmt.Sprintf("%s%0*d", a.cfg.ID.Prefix, a.cfg.ID.Digits, a.high+1)
}

// convert turns a cell into a field value of the field's type.
func convert(f *config.Field, v string, m *Map) (any, error) {
	if f == nil {
		return v, nil
	}
	switch f.Type {
	case config.TInt:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a whole number", v)
		}
		return n, nil
	case config.TNumber:
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", v)
		}
		return x, nil
	case config.TBool:
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("%q is not true or false", v)
		}
		return b, nil
	case config.TDate:
		return convertDate(v, m)
	case config.TMap:
		// A map of any keys is one column of JSON, as the export writes it.
		dec := json.NewDecoder(strings.NewReader(v))
		dec.UseNumber()
		var m map[string]any
		if err := dec.Decode(&m); err != nil || dec.More() {
			return nil, fmt.Errorf("%q is not a JSON mapping: {\"key\": \"value\"}", v)
		}
		return config.FromJSON(f, m)
	case config.TList:
		return convertList(f, v, m)
	}
	return v, nil
}

// convertDate reads a date as YYYY-MM-DD or in a layout the map lists.
func convertDate(v string, m *Map) (any, error) {
	if d, ok := config.ParseDate(v); ok {
		return string(d), nil
	}
	for _, layout := range m.Dates {
		if t, err := time.Parse(layout, v); err == nil {
			return t.Format("2006-01-02"), nil
		}
	}
	return nil, fmt.Errorf("%q is not a date (YYYY-MM-DD, or a layout listed under dates: in the map)", v)
}

// convertList reads a list: JSON, or items between the map's separators.
func convertList(f *config.Field, v string, m *Map) (any, error) {
	if strings.HasPrefix(v, "[") {
		// A JSON list: how the export writes lists of maps, and
		// lists whose items hold a separator.
		dec := json.NewDecoder(strings.NewReader(v))
		dec.UseNumber()
		var l []any
		if err := dec.Decode(&l); err == nil && !dec.More() {
			return config.FromJSON(f, l)
		} else if f.Items != nil && f.Items.Type == config.TMap {
			return nil, fmt.Errorf("%q is not a JSON list of mappings: %v", v, err)
		}
	}
	if f.Items != nil && f.Items.Type == config.TMap {
		return nil, fmt.Errorf("a list of mappings is written as JSON: [{\"key\": \"value\"}]")
	}
	seps := m.ListSeparators
	if seps == "" {
		seps = ";,"
	}
	var out []any
	for _, part := range strings.FieldsFunc(v, func(r rune) bool { return strings.ContainsRune(seps, r) }) {
		if part = strings.TrimSpace(part); part != "" {
			item, err := convert(f.Items, part, m)
			if err != nil {
				return nil, err
			}
			out = append(out, item)
		}
	}
	return out, nil
}

func set(fields map[string]any, path string, v any) {
	parts := strings.Split(path, ".")
	m := fields
	for _, p := range parts[:len(parts)-1] {
		sub, ok := m[p].(map[string]any)
		if !ok {
			sub = map[string]any{}
			m[p] = sub
		}
		m = sub
	}
	m[parts[len(parts)-1]] = v
}

// Check runs validate's checks (file size and every per-file rule, the
// cross-demand rules, the policy and the ranking checks) on the registry
// as it would be with rows written, and returns the errors the rows would
// bring: those of the new files, and any other error that was not there
// before. Import writes nothing unless this is empty.
func Check(src registry.Source, rows []Row) (finding.Findings, error) {
	before, err := errorsOf(src)
	if err != nil {
		return nil, err
	}
	planned := map[string][]byte{}
	for _, r := range rows {
		if !r.Skipped {
			planned[r.Path] = r.Data
		}
	}
	after, err := errorsOf(registry.Overlay(src, planned))
	if err != nil {
		return nil, err
	}
	had := map[string]bool{}
	for _, f := range before {
		had[findingKey(f)] = true
	}
	var out finding.Findings
	for _, f := range after {
		if _, isNew := planned[f.Path]; isNew || !had[findingKey(f)] {
			out = append(out, f)
		}
	}
	out.Sort()
	return out, nil
}

func findingKey(f finding.Finding) string { return f.Path + "\x00" + f.Rule + "\x00" + f.Message }

// errorsOf loads a registry and returns its errors, as validate finds them.
func errorsOf(src registry.Source) (finding.Findings, error) {
	snap, fs, err := registry.Load(src)
	if err != nil {
		return nil, err
	}
	fs = append(fs, registry.Validate(snap)...)
	fs = append(fs, rank.Policy(snap, rank.Rank(snap))...)
	var errs finding.Findings
	for _, f := range fs {
		if f.Severity == finding.Error {
			errs = append(errs, f)
		}
	}
	return errs, nil
}
