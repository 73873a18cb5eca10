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
	"github.com/demand-registry/demand/templates"

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
	path, segStart, lists, ok := scanFlow(slices.Clone(path), s, item)
	if !ok {
		return lineCtx{}, false
	}
	path = dropItems(path)
	seg := strings.TrimLeft(s[segStart:], " ")
	if len(lists) > 0 && lists[len(lists)-1] {
		return lineCtx{path: path, value: true, partial: seg}, true
	}
	return segmentCtx(path, seg, item && len(lists) == 0)
}

// scanFlow follows the flow collections s opens and closes, skipping
// quoted text: path grows by the key of each open one ("" for an item of
// a list), seg is where the text after the innermost one's last comma
// starts, and lists says which of the open ones are lists. ok is false
// when a collection opens where none can, or when the outermost one
// closes: nothing is completed after a closed collection.
func scanFlow(path []string, s string, item bool) (_ []string, seg int, lists []bool, ok bool) {
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
			// After a closed inner collection seg is past i: no key there.
			if path, ok = openFlow(path, s[min(seg, i):i], len(lists) > 0 || item); !ok {
				return nil, 0, nil, false
			}
			lists = append(lists, c == '[')
			seg = i + 1
		case (c == '}' || c == ']') && len(lists) > 0:
			lists = lists[:len(lists)-1]
			path = path[:len(path)-1]
			if len(lists) == 0 {
				return nil, 0, nil, false
			}
			seg = len(s)
		case c == ',' && len(lists) > 0:
			seg = i + 1
		}
	}
	return path, seg, lists, true
}

// openFlow extends path for a flow collection opened after seg: by its
// key ("key: {"), or by "" for an item of a list when in one (nested);
// false when the collection has no place there.
func openFlow(path []string, seg string, nested bool) ([]string, bool) {
	if k, _, ok := strings.Cut(seg, ":"); ok {
		return append(path, strings.TrimSpace(k)), true
	}
	if nested {
		return append(path, ""), true
	}
	return path, false
}

// dropItems removes the markers of list items from a path, in place:
// fields resolve list items themselves.
func dropItems(path []string) []string {
	clean := path[:0]
	for _, p := range path {
		if p != "" {
			clean = append(clean, p)
		}
	}
	return clean
}

// segmentCtx reads the text completed outside a flow list: a key being
// typed, the value after "key:", or (itemValue) a block list item's
// value.
func segmentCtx(path []string, seg string, itemValue bool) (lineCtx, bool) {
	k, v, hasColon := strings.Cut(seg, ":")
	if !hasColon {
		if itemValue {
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
	// The top level by the registry's keys (roles renamed, roles kept
	// outside the front matter left out).
	fields := map[string]*config.Field{}
	for _, name := range cfg.FieldOrder {
		if k := cfg.Key(name); k != "" {
			fields[k] = cfg.Fields[name]
		}
	}
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
	for _, lang := range templates.Languages() {
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

// completion proposes, at a cursor in a demand's front matter, the keys
// its mapping can still take or the values its field allows; the cursor
// in registry.yaml is configCompletion's.
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
	edit := editAt(p.Position, c.partial)
	if !c.value {
		out.Items = append(out.Items, keyItems(d, fieldsAt(cfg, c.path), c, edit)...)
		return out
	}
	f := valueField(cfg, c)
	if f == nil {
		return out
	}
	switch f.Type {
	case config.TEnum:
		out.Items = append(out.Items, enumItems(f, edit)...)
	case config.TStatus:
		out.Items = append(out.Items, statusItems(cfg, s.savedStatus(d, rel, cfg), edit)...)
	case config.TBool:
		out.Items = append(out.Items, boolItems(edit)...)
	case config.TID:
		var items []CompletionItem
		items, out.IsIncomplete = idItems(snap, s.parsed(d, rel, cfg), c.partial, edit)
		out.Items = append(out.Items, items...)
	}
	return out
}

// editAt makes the edits of completion items: each replaces what is
// typed of the key or value, partial, before the cursor at pos.
func editAt(pos Position, partial string) func(text string) *TextEdit {
	return func(text string) *TextEdit {
		start := pos
		start.Character -= utf16Len(partial)
		return &TextEdit{Range: Range{Start: start, End: pos}, NewText: text}
	}
}

// keyItems proposes the fields of a mapping, in name order, leaving out
// the top-level keys the front matter already has.
func keyItems(d *document, fields map[string]*config.Field, c lineCtx, edit func(string) *TextEdit) []CompletionItem {
	present := map[string]bool{}
	if len(c.path) == 0 {
		present = d.topKeys()
	}
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, n)
	}
	sort.Strings(names)
	var items []CompletionItem
	for _, n := range names {
		if present[n] && n != c.partial {
			continue
		}
		f := fields[n]
		items = append(items, CompletionItem{Label: n, Kind: kindField, Detail: labels(f.Label),
			Documentation: &MarkupContent{Kind: "markdown", Value: fieldDoc(n, f)}, TextEdit: edit(n + ": ")})
	}
	return items
}

// topKeys is the set of top-level keys of the front matter, read from
// the lines: the buffer is often not valid YAML while a key is being
// typed.
func (d *document) topKeys() map[string]bool {
	present := map[string]bool{}
	for i := 1; i < len(d.lines) && d.inFrontMatter(i); i++ {
		if k, _, ok := strings.Cut(d.lines[i], ":"); ok && k != "" && keyRe.MatchString(k) {
			present[k] = true
		}
	}
	return present
}

// valueField is the field (a list's item for a list) whose value the
// cursor completes: the key's on a "key: value" line, the enclosing
// list's for a list item; nil when the config has none.
func valueField(cfg *config.Config, c lineCtx) *config.Field {
	var f *config.Field
	if c.key != "" {
		f = fieldsAt(cfg, c.path)[c.key]
	} else if len(c.path) > 0 {
		f = fieldsAt(cfg, c.path[:len(c.path)-1])[c.path[len(c.path)-1]]
	}
	return itemOf(f)
}

// enumItems proposes an enum's values in the config's order.
func enumItems(f *config.Field, edit func(string) *TextEdit) []CompletionItem {
	var items []CompletionItem
	for i, v := range f.Values {
		item := CompletionItem{Label: v, Kind: kindEnumMember, Detail: labels(f.Labels[v]), SortText: fmt.Sprintf("%04d", i), TextEdit: edit(v)}
		if l := f.Labels[v]; len(l) > 0 {
			item.Documentation = &MarkupContent{Kind: "markdown", Value: labels(l)}
		}
		items = append(items, item)
	}
	return items
}

// statusItems proposes the statuses the workflow allows after from, the
// status saved in the file (from itself first); every status when from
// is none of the workflow's.
func statusItems(cfg *config.Config, from string, edit func(string) *TextEdit) []CompletionItem {
	var names []string
	if st := cfg.Status(from); st != nil {
		names = append([]string{from}, st.Next...)
	} else {
		for _, st := range cfg.Statuses {
			names = append(names, st.Name)
		}
	}
	var items []CompletionItem
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
		items = append(items, CompletionItem{Label: n, Kind: kindEnumMember, Detail: labels(st.Label),
			Documentation: &MarkupContent{Kind: "markdown", Value: doc}, SortText: fmt.Sprintf("%04d", i), TextEdit: edit(n)})
	}
	return items
}

// boolItems proposes true and false.
func boolItems(edit func(string) *TextEdit) []CompletionItem {
	var items []CompletionItem
	for _, v := range []string{"true", "false"} {
		items = append(items, CompletionItem{Label: v, Kind: kindValue, TextEdit: edit(v)})
	}
	return items
}

// idItems proposes the IDs of the registry's demands that start with
// partial, case aside, other than the document's own (self, nil when it
// does not parse); at most maxIDItems, and incomplete when there were
// more.
func idItems(snap *registry.Snapshot, self *registry.Demand, partial string, edit func(string) *TextEdit) (items []CompletionItem, incomplete bool) {
	selfID := ""
	if self != nil {
		selfID = self.ID
	}
	for _, dm := range snap.Demands {
		if dm.ID == selfID || !strings.HasPrefix(strings.ToLower(dm.ID), strings.ToLower(partial)) {
			continue
		}
		if len(items) == maxIDItems {
			return items, true
		}
		items = append(items, CompletionItem{Label: dm.ID, Kind: kindReference, Detail: dm.Title,
			Documentation: &MarkupContent{Kind: "markdown", Value: fmt.Sprintf("%s\n\n%s · `%s`", dm.Title, dm.Status, dm.Path)}, TextEdit: edit(dm.ID)})
	}
	return items, false
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
	f := cfg.FieldByPath(cfg.FieldPath(t.path))
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
	f := itemOf(cfg.FieldByPath(cfg.FieldPath(t.path)))
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
			if f := itemOf(cfg.FieldByPath(cfg.FieldPath(t.path))); f != nil && f.Type == config.TID {
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
