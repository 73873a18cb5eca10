package lsp

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/demand-registry/demand/registry/config"

	"github.com/demand-registry/demand/registry"
)

// maxIDItems bounds the demand IDs proposed at once; the list is marked
// incomplete so the client asks again as the user types.
const maxIDItems = 100

// lineKind is what a front-matter line holds up to the cursor.
type lineCtx struct {
	path    []string // the mapping the cursor is in, as field names
	key     string   // for a value: its key ("" for a list item)
	value   bool     // completing a value rather than a key
	partial string   // what is typed of the key or value
}

var keyRe = regexp.MustCompile(`^[A-Za-z0-9_.-]*$`)

// frontMatterLines reports whether line i (0-based) is inside the front
// matter of a demand file.
func (d *document) inFrontMatter(i int) bool {
	if len(d.lines) == 0 || strings.TrimRight(d.lines[0], " \t") != "---" || i <= 0 {
		return false
	}
	for j := 1; j < len(d.lines) && j <= i; j++ {
		if strings.TrimRight(d.lines[j], " \t") == "---" {
			return false
		}
	}
	return true
}

// indentOf is the column where a line's content starts after spaces and
// list dashes, and whether a dash was there.
func indentOf(l string) (int, bool) {
	i, dash := 0, false
	for i < len(l) {
		switch {
		case l[i] == ' ':
			i++
		case l[i] == '-' && (i+1 == len(l) || l[i+1] == ' '):
			i++
			dash = true
		default:
			return i, dash
		}
	}
	return i, dash
}

// context works out what the cursor completes on a front-matter line:
// the enclosing keys from the lines above with less indentation, then
// the line itself up to the cursor, flow collections included.
func (d *document) context(line int, prefix string) (lineCtx, bool) {
	return d.contextFrom(line, prefix, 1)
}

// contextFrom is context for YAML that starts on line first.
func (d *document) contextFrom(line int, prefix string, first int) (lineCtx, bool) {
	ind, dash := indentOf(prefix)
	var path []string
	want := ind
	for i := line - 1; i >= first && want > 0; i-- {
		l := d.line(i)
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		li, _ := indentOf(l)
		if li >= want {
			continue
		}
		k, v, ok := strings.Cut(l[li:], ":")
		if !ok || (strings.TrimSpace(v) != "" && !strings.HasPrefix(strings.TrimSpace(v), "#")) {
			if _, d2 := indentOf(l); d2 {
				want = li // the first key of a list item: a sibling's line
				continue
			}
			return lineCtx{}, false
		}
		path = append([]string{strings.TrimSpace(k)}, path...)
		want = li
	}
	return parseContent(path, prefix[ind:], dash)
}

// parseContent reads "key: value" content up to the cursor, descending
// into flow mappings and lists ("customer: {name: x, segment: v",
// "tags: [a, b"): the keys of the open collections extend the path, and
// the text after the innermost one's last comma is what is completed.
func parseContent(path []string, s string, item bool) (lineCtx, bool) {
	type frame struct {
		list  bool
		start int
	}
	var stack []frame
	path = slices.Clone(path)
	segStart := 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '{' || c == '[':
			seg := s[segStart:i]
			if k, _, ok := strings.Cut(seg, ":"); ok {
				path = append(path, strings.TrimSpace(k))
			} else if len(stack) > 0 || item {
				path = append(path, "") // an item of a list
			} else {
				return lineCtx{}, false
			}
			stack = append(stack, frame{list: c == '[', start: i + 1})
			segStart = i + 1
		case (c == '}' || c == ']') && len(stack) > 0:
			stack = stack[:len(stack)-1]
			path = path[:len(path)-1]
			if len(stack) == 0 {
				return lineCtx{}, false // nothing is completed after a closed collection
			}
			segStart = len(s)
		case c == ',' && len(stack) > 0:
			segStart = i + 1
		}
	}
	// Drop the markers of list items: fields resolve list items themselves.
	clean := path[:0]
	for _, p := range path {
		if p != "" {
			clean = append(clean, p)
		}
	}
	path = clean
	seg := strings.TrimLeft(s[segStart:], " ")
	if len(stack) > 0 && stack[len(stack)-1].list {
		return lineCtx{path: path, value: true, partial: seg}, true
	}
	k, v, hasColon := strings.Cut(seg, ":")
	if !hasColon {
		if item && len(stack) == 0 {
			return lineCtx{path: path, value: true, partial: strings.TrimSpace(seg)}, true
		}
		if !keyRe.MatchString(seg) {
			return lineCtx{}, false
		}
		return lineCtx{path: path, partial: seg}, true
	}
	if !keyRe.MatchString(strings.TrimSpace(k)) || (v != "" && v[0] != ' ') {
		return lineCtx{}, false
	}
	return lineCtx{path: path, key: strings.TrimSpace(k), value: true, partial: strings.Trim(strings.TrimLeft(v, " "), `"'`)}, true
}

// fieldsAt is the set of fields of the mapping at path; nil when the path
// leads to no mapping.
func fieldsAt(cfg *config.Config, path []string) map[string]*config.Field {
	fields := cfg.Fields
	for _, p := range path {
		f := itemOf(fields[p])
		if f == nil || f.Type != config.TMap {
			return nil
		}
		fields = f.Fields
	}
	return fields
}

// itemOf is a list field's item definition, other fields themselves.
func itemOf(f *config.Field) *config.Field {
	for f != nil && f.Type == config.TList {
		f = f.Items
	}
	return f
}

func labels(l config.Label) string {
	var parts []string
	for _, lang := range []string{"en", "zh-CN"} {
		if s := l[lang]; s != "" && !slices.Contains(parts, s) {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " · ")
}

func fieldDoc(name string, f *config.Field) string {
	var b strings.Builder
	if l := labels(f.Label); l != "" {
		fmt.Fprintf(&b, "**%s** (`%s`)\n\n", l, name)
	} else {
		fmt.Fprintf(&b, "`%s`\n\n", name)
	}
	if f.Description != "" {
		b.WriteString(f.Description + "\n\n")
	}
	typ := f.Type
	if f.Type == config.TList && f.Items != nil {
		typ = "list of " + f.Items.Type
	}
	fmt.Fprintf(&b, "type: %s", typ)
	if f.Required {
		b.WriteString(", required")
	}
	if it := itemOf(f); it != nil && len(it.Values) > 0 {
		var vs []string
		for _, v := range it.Values {
			if l := labels(it.Labels[v]); l != "" {
				vs = append(vs, fmt.Sprintf("`%s` (%s)", v, l))
			} else {
				vs = append(vs, "`"+v+"`")
			}
		}
		fmt.Fprintf(&b, "\n\nvalues: %s", strings.Join(vs, ", "))
	}
	return b.String()
}

func (s *server) completion(p textDocumentPositionParams) completionList {
	out := completionList{Items: []CompletionItem{}}
	d, r, rel := s.doc(p.TextDocument.URI)
	if d != nil && rel == config.File {
		return s.configCompletion(d, r, p)
	}
	if d == nil || !d.inFrontMatter(p.Position.Line) {
		return out
	}
	line, off := d.offset(p.Position)
	c, ok := d.context(p.Position.Line, line[:off])
	if !ok {
		return out
	}
	snap := s.snapshot(r)
	cfg := snap.Config
	edit := func(text string) *TextEdit {
		start := p.Position
		start.Character -= utf16Len(c.partial)
		return &TextEdit{Range: Range{Start: start, End: p.Position}, NewText: text}
	}
	if !c.value {
		fields := fieldsAt(cfg, c.path)
		present := map[string]bool{}
		if len(c.path) == 0 {
			// Read from the lines: the buffer is often not valid YAML
			// while a key is being typed.
			for i := 1; i < len(d.lines) && d.inFrontMatter(i); i++ {
				if k, _, ok := strings.Cut(d.lines[i], ":"); ok && k != "" && keyRe.MatchString(k) {
					present[k] = true
				}
			}
		}
		names := make([]string, 0, len(fields))
		for n := range fields {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if present[n] && n != c.partial {
				continue
			}
			f := fields[n]
			out.Items = append(out.Items, CompletionItem{Label: n, Kind: kindField, Detail: labels(f.Label),
				Documentation: &MarkupContent{Kind: "markdown", Value: fieldDoc(n, f)}, TextEdit: edit(n + ": ")})
		}
		return out
	}
	var f *config.Field
	if c.key != "" {
		f = fieldsAt(cfg, c.path)[c.key]
	} else if len(c.path) > 0 {
		f = fieldsAt(cfg, c.path[:len(c.path)-1])[c.path[len(c.path)-1]]
	}
	f = itemOf(f)
	if f == nil {
		return out
	}
	switch f.Type {
	case config.TEnum:
		for i, v := range f.Values {
			item := CompletionItem{Label: v, Kind: kindEnumMember, Detail: labels(f.Labels[v]), SortText: fmt.Sprintf("%04d", i), TextEdit: edit(v)}
			if l := f.Labels[v]; len(l) > 0 {
				item.Documentation = &MarkupContent{Kind: "markdown", Value: labels(l)}
			}
			out.Items = append(out.Items, item)
		}
	case config.TStatus:
		from := s.savedStatus(d, rel, cfg)
		var names []string
		if st := cfg.Status(from); st != nil {
			names = append([]string{from}, st.Next...)
		} else {
			for _, st := range cfg.Statuses {
				names = append(names, st.Name)
			}
		}
		for i, n := range names {
			st := cfg.Status(n)
			if st == nil {
				continue
			}
			doc := fmt.Sprintf("%s\n\nkind: %s", labels(st.Label), st.Kind)
			if n == from {
				doc += "\n\nthe status saved in the file"
			} else if from != "" && cfg.Status(from) != nil {
				doc += fmt.Sprintf("\n\nallowed next after %s", from)
			}
			out.Items = append(out.Items, CompletionItem{Label: n, Kind: kindEnumMember, Detail: labels(st.Label),
				Documentation: &MarkupContent{Kind: "markdown", Value: doc}, SortText: fmt.Sprintf("%04d", i), TextEdit: edit(n)})
		}
	case config.TBool:
		for _, v := range []string{"true", "false"} {
			out.Items = append(out.Items, CompletionItem{Label: v, Kind: kindValue, TextEdit: edit(v)})
		}
	case config.TID:
		self := ""
		if dd := s.parsed(d, rel, cfg); dd != nil {
			self = dd.ID
		}
		for _, dm := range snap.Demands {
			if dm.ID == self || !strings.HasPrefix(strings.ToLower(dm.ID), strings.ToLower(c.partial)) {
				continue
			}
			if len(out.Items) == maxIDItems {
				out.IsIncomplete = true
				break
			}
			out.Items = append(out.Items, CompletionItem{Label: dm.ID, Kind: kindReference, Detail: dm.Title,
				Documentation: &MarkupContent{Kind: "markdown", Value: fmt.Sprintf("%s\n\n%s · `%s`", dm.Title, dm.Status, dm.Path)}, TextEdit: edit(dm.ID)})
		}
	}
	return out
}

// parsed parses an open document as a demand.
func (s *server) parsed(d *document, rel string, cfg *config.Config) *registry.Demand {
	dm, _ := registry.ParseDemand(cfg, rel, []byte(d.text))
	return dm
}

// savedStatus is the status the file has on disk, from which the
// workflow's next statuses are offered; a file not saved yet starts from
// the status in its buffer.
func (s *server) savedStatus(d *document, rel string, cfg *config.Config) string {
	if data, err := readBounded(d.path, cfg.Files.MaxSize); err == nil {
		if dm, _ := registry.ParseDemand(cfg, rel, data); dm != nil {
			return dm.Status
		}
	}
	if dm := s.parsed(d, rel, cfg); dm != nil {
		return dm.Status
	}
	return ""
}

// readBounded reads a regular file of at most limit bytes.
func readBounded(p string, limit int64) ([]byte, error) {
	st, err := os.Lstat(p)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() || st.Size() > limit {
		return nil, fmt.Errorf("%s is not a regular file within the size limit", p)
	}
	return os.ReadFile(p)
}

// tokenAt returns the token under an LSP position.
func (d *document) tokenAt(p Position, config bool) (token, bool) {
	line, off := d.offset(p)
	return at(d.tokens(config), p.Line+1, column(line, off))
}

func (s *server) hover(p textDocumentPositionParams) *Hover {
	d, r, rel := s.doc(p.TextDocument.URI)
	if d == nil || rel == config.File {
		return nil
	}
	t, ok := d.tokenAt(p.Position, false)
	if !ok {
		return nil
	}
	snap := s.snapshot(r)
	cfg := snap.Config
	f := cfg.FieldByPath(t.path)
	if f == nil {
		return nil
	}
	var text string
	if t.key {
		text = fieldDoc(t.path, f)
	} else {
		it := itemOf(f)
		switch it.Type {
		case config.TEnum:
			text = fmt.Sprintf("`%s`: %s\n\n---\n\n%s", t.value, labels(it.Labels[t.value]), fieldDoc(t.path, f))
		case config.TStatus:
			if st := cfg.Status(t.value); st != nil {
				text = fmt.Sprintf("`%s`: %s\n\nkind: %s; next: %s", t.value, labels(st.Label), st.Kind, strings.Join(st.Next, ", "))
			}
		case config.TID:
			if dm := snap.Get(t.value); dm != nil {
				text = fmt.Sprintf("**%s** %s\n\n%s · `%s`", dm.ID, dm.Title, dm.Status, dm.Path)
			} else {
				text = fmt.Sprintf("%s is not in the registry", t.value)
			}
		default:
			text = fieldDoc(t.path, f)
		}
	}
	if text == "" {
		return nil
	}
	rg := Range{Start: d.position(t.line, t.col), End: d.position(t.line, t.endCol)}
	return &Hover{Contents: MarkupContent{Kind: "markdown", Value: text}, Range: &rg}
}

// idAt is the demand ID under a position: the value of the id field or of
// any field of type id (links.depends_on, links.duplicate_of…).
func (s *server) idAt(d *document, p Position, cfg *config.Config) (string, bool, bool) {
	t, ok := d.tokenAt(p, false)
	if !ok || t.key {
		return "", false, false
	}
	f := itemOf(cfg.FieldByPath(t.path))
	if t.path != "id" && (f == nil || f.Type != config.TID) {
		return "", false, false
	}
	return t.value, t.path == "id", true
}

// text returns a registry file's text: its open buffer, else the file.
func (s *server) text(dir, rel string, limit int64) (*document, bool) {
	p := filepath.Join(dir, filepath.FromSlash(rel))
	uri := fileURI(p)
	s.mu.Lock()
	d := s.docs[p]
	s.mu.Unlock()
	if d != nil {
		return d, true
	}
	data, err := readBounded(p, limit)
	if err != nil {
		return nil, false
	}
	return newDocument(uri, p, 0, string(data)), true
}

func (s *server) definition(p textDocumentPositionParams) []Location {
	d, r, rel := s.doc(p.TextDocument.URI)
	if d == nil || rel == config.File || r == nil {
		return nil
	}
	snap := s.snapshot(r)
	id, _, ok := s.idAt(d, p.Position, snap.Config)
	if !ok {
		return nil
	}
	if loc, ok := s.declaration(r.dir, snap, id); ok {
		return []Location{loc}
	}
	return nil
}

// declaration is where a demand's ID is declared: its id field, or the
// start of its file when the ID comes from the file name.
func (s *server) declaration(dir string, snap *registry.Snapshot, id string) (Location, bool) {
	dm := snap.Get(id)
	if dm == nil {
		return Location{}, false
	}
	td, ok := s.text(dir, dm.Path, snap.Config.Files.MaxSize)
	if !ok {
		return Location{}, false
	}
	pos := dm.At("id")
	rg := Range{Start: td.position(pos.Line, pos.Col), End: td.position(pos.Line, pos.Col)}
	for _, t := range td.tokens(false) {
		if t.path == "id" && !t.key {
			rg = Range{Start: td.position(t.line, t.col), End: td.position(t.line, t.endCol)}
		}
	}
	return Location{URI: td.uri, Range: rg}, true
}

func (s *server) references(p referenceParams) []Location {
	d, r, rel := s.doc(p.TextDocument.URI)
	if d == nil || rel == config.File || r == nil {
		return nil
	}
	snap := s.snapshot(r)
	cfg := snap.Config
	id, _, ok := s.idAt(d, p.Position, cfg)
	if !ok {
		return nil
	}
	out := []Location{}
	if p.Context.IncludeDeclaration {
		if loc, ok := s.declaration(r.dir, snap, id); ok {
			out = append(out, loc)
		}
	}
	for _, dm := range snap.Demands {
		links := false
		for _, l := range dm.AllLinks() {
			links = links || l[1] == id
		}
		if !links {
			continue
		}
		td, ok := s.text(r.dir, dm.Path, cfg.Files.MaxSize)
		if !ok {
			continue
		}
		for _, t := range td.tokens(false) {
			if t.key || t.value != id || t.path == "id" {
				continue
			}
			if f := itemOf(cfg.FieldByPath(t.path)); f != nil && f.Type == config.TID {
				out = append(out, Location{URI: td.uri, Range: Range{Start: td.position(t.line, t.col), End: td.position(t.line, t.endCol)}})
			}
		}
	}
	return out
}

var didYouMean = regexp.MustCompile(`did you mean "?([^"?]+)"?\?`)

func (s *server) codeActions(p codeActionParams) []CodeAction {
	out := []CodeAction{}
	d, r, rel := s.doc(p.TextDocument.URI)
	if d == nil || r == nil {
		return out
	}
	s.mu.Lock()
	fs := r.findings[rel]
	snap := r.snap
	s.mu.Unlock()
	if snap == nil {
		return out
	}
	isConfig := rel == config.File
	ts := d.tokens(isConfig)
	for _, f := range fs {
		m := didYouMean.FindStringSubmatch(f.Hint)
		if m == nil {
			continue
		}
		want := m[1]
		var target token
		found := false
		switch f.Rule {
		case "unknown-link":
			// The finding is at the links key; the fix is at the value
			// that names no demand.
			// Its message is "FIELD names ID, which is not in the registry".
			words := strings.Fields(f.Message)
			if len(words) < 3 {
				continue
			}
			field, id := words[0], strings.TrimSuffix(words[2], ",")
			for _, t := range ts {
				if !t.key && t.path == field && t.value == id && t.line >= f.Line {
					target, found = t, true
					break
				}
			}
		default:
			target, found = at(ts, f.Line, f.Col)
			found = found && target.col == f.Col
		}
		if !found {
			continue
		}
		rg := Range{Start: d.position(target.line, target.col), End: d.position(target.line, target.endCol)}
		if rg.End.Line < p.Range.Start.Line || rg.Start.Line > p.Range.End.Line {
			continue
		}
		diag := diagnostic(d, ts, f)
		out = append(out, CodeAction{
			Title:       fmt.Sprintf("Replace %q with %q", target.value, want),
			Kind:        "quickfix",
			Diagnostics: []Diagnostic{diag},
			IsPreferred: true,
			Edit:        workspaceEdit{Changes: map[string][]TextEdit{d.uri: {{Range: rg, NewText: want}}}},
		})
	}
	return out
}
