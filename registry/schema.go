package registry

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/demand-registry/demand/internal/suggest"
	"github.com/demand-registry/demand/registry/config"

	"github.com/demand-registry/demand/registry/finding"

	"gopkg.in/yaml.v3"
)

var yamlEmptyMap = yaml.Node{Kind: yaml.MappingNode, Line: 1, Column: 1}

// fieldNames interns the names of known fields (a schema has a few dozen):
// registries of 100,000 demands keep a position per field of each.
var fieldNames sync.Map

func fieldName(s string) string {
	if v, ok := fieldNames.Load(s); ok {
		return v.(string)
	}
	v, _ := fieldNames.LoadOrStore(s, s)
	return v.(string)
}

// checker validates a front-matter node tree against the field schema.
type checker struct {
	cfg  *config.Config
	path string
	off  int
	d    *Demand
	fs   finding.Findings
	// entries, when set, are the root mapping's entries, whose values
	// keep what they checked to (see FrontCache). Each was parsed on its
	// own: while its value is checked, off maps its lines to the file's.
	entries []frontItem
}

func (c *checker) add(n *yaml.Node, rule, msg, hint string) {
	c.fs = append(c.fs, finding.Finding{Path: c.path, Line: n.Line + c.off, Col: n.Column, Severity: finding.Error, Rule: rule, Message: msg, Hint: hint})
}

// checkFields validates a mapping against named fields; prefix is the
// dotted path of the mapping ("" at the top).
func (c *checker) checkFields(n *yaml.Node, fields map[string]*config.Field, prefix string, top bool) map[string]any {
	out := newCollected(top, len(n.Content)/2)
	if n.Kind != yaml.MappingNode {
		what := "the front matter"
		if prefix != "" {
			what = prefix
		}
		c.add(n, "type", what+" must be a mapping of field: value", "")
		return out.m
	}
	// The fields seen: a mapping has a few dozen keys at most, and a map
	// for them was most of what checking a demand allocated.
	var seenBuf [32]string
	seen := seenBuf[:0]
	base := c.off
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if top && c.entries != nil {
			e := c.entries[i/2]
			c.off = base + e.line - 1 - e.line0
		}
		field, f := c.field(k.Value, fields, top)
		name := prefix + k.Value
		if f != nil {
			name = fieldName(name) // one copy of each known field's name for all demands
		}
		if c.d != nil {
			at := name
			if top && f != nil {
				at = fieldName(field)
			}
			c.d.Pos = append(c.d.Pos, FieldPos{Field: at, Line: clamp32(k.Line + c.off), Col: clamp32(k.Column)})
		}
		if f == nil {
			c.unknown(k, name, fields, top)
			continue
		}
		seen = append(seen, field)
		if isNull(v) {
			// An empty value (release-date:) is an absent one.
			if f.Required {
				c.add(v, "required", fmt.Sprintf("required field %q is empty", name), "give it a value")
			}
			continue
		}
		if val, ok := c.topValue(i/2, v, f, name, top); ok {
			out.put(fieldName(field), val)
		}
	}
	c.off = base
	for _, field := range c.missing(fields, seen) {
		f := fields[field]
		key := field
		if top {
			key = c.cfg.Key(field)
		}
		if f.Required && key != "" && !(top && field == "id" && c.cfg.ID.FromFilename) {
			where := n
			if n.Line == 0 {
				where = &yaml.Node{Line: 1, Column: 1}
			}
			rule, msg := "required", fmt.Sprintf("required field %q is missing", prefix+key)
			if prefix+field == "tier_override.reason" {
				rule, msg = "override-reason", "a tier override needs a reason"
			}
			c.add(where, rule, msg, "add "+key+": to the front matter")
		}
	}
	if top && c.d != nil {
		c.d.Fields = valuesOfList(out.list)
	}
	return out.m
}

// collected gathers a mapping's checked values: at the top into a list
// for the demand's Values, below it into a map.
type collected struct {
	m    map[string]any
	list []fieldValue
}

func newCollected(top bool, n int) collected {
	if top {
		return collected{list: make([]fieldValue, 0, n)}
	}
	return collected{m: make(map[string]any, n)}
}

func (o *collected) put(name string, v any) {
	if o.m != nil {
		o.m[name] = v
	} else {
		o.list = append(o.list, fieldValue{name, v})
	}
}

// topValue checks the value of the i-th entry, or takes what it checked
// to before against the same field.
func (c *checker) topValue(i int, v *yaml.Node, f *config.Field, name string, top bool) (any, bool) {
	if !top || c.entries == nil {
		return c.checkValue(v, f, name)
	}
	e := c.entries[i]
	if e.field != f {
		nfs, npos := len(c.fs), len(c.d.Pos)
		e.val, e.valOK = c.checkValue(v, f, name)
		e.field = f
		e.fs = shiftFindings(nil, c.fs[nfs:], -c.off, "")
		e.pos = shiftPos(nil, c.d.Pos[npos:], -c.off)
		// What the value's nodes held is in val, fs and pos now, and the
		// entry is not checked again (the cache is emptied when the
		// config changes): the cache need not keep its children.
		v.Content = nil
		return e.val, e.valOK
	}
	c.fs = shiftFindings(c.fs, e.fs, c.off, c.path)
	c.d.Pos = shiftPos(c.d.Pos, e.pos, c.off)
	return e.val, e.valOK
}

// shiftFindings appends fs to out, moved by lines and put in path.
func shiftFindings(out, fs finding.Findings, lines int, path string) finding.Findings {
	for _, f := range fs {
		f.Line += lines
		f.Path = path
		out = append(out, f)
	}
	return out
}

func shiftPos(out, pos []FieldPos, lines int) []FieldPos {
	for _, p := range pos {
		p.Line = clamp32(int(p.Line) + lines)
		out = append(out, p)
	}
	return out
}

// missing returns, sorted, the required fields not seen: only those are
// sorted, not every field of every mapping of every demand.
func (c *checker) missing(fields map[string]*config.Field, seen []string) []string {
	var out []string
	for field, f := range fields {
		if f.Required && !slices.Contains(seen, field) {
			out = append(out, field)
		}
	}
	slices.Sort(out)
	return out
}

// field is the field a key names: at the top, through the registry's
// roles (the key of a renamed role holds it; the role's own name then
// holds nothing).
func (c *checker) field(key string, fields map[string]*config.Field, top bool) (string, *config.Field) {
	if !top {
		return key, fields[key]
	}
	field, ok := c.cfg.FieldOf(key)
	if !ok {
		return key, nil
	}
	return field, fields[field]
}

// unknown reports a key no field has, with the closest known key.
func (c *checker) unknown(k *yaml.Node, name string, fields map[string]*config.Field, top bool) {
	known := slices.Sorted(maps.Keys(fields))
	if top {
		known = slices.Sorted(slices.Values(c.cfg.Keys()))
	}
	hint := ""
	if k2 := c.cfg.Key(k.Value); top && c.cfg.HasRole(k.Value) && k2 != k.Value {
		hint = fmt.Sprintf("this registry keeps the %s under %q (roles in registry.yaml)", k.Value, k2)
		if k2 == "" {
			hint = fmt.Sprintf("this registry keeps the %s outside the front matter (roles in registry.yaml)", k.Value)
		}
	} else if s := suggest.Closest(k.Value, known); s != "" {
		hint = fmt.Sprintf("did you mean %q?", s)
	} else if top {
		hint = "add it to fields in registry.yaml to make it a custom field"
	} else {
		hint = "known fields: " + strings.Join(known, ", ")
	}
	c.add(k, "unknown-field", fmt.Sprintf("unknown field %q", name), hint)
}

// clamp32 is a line or column as FieldPos keeps it.
func clamp32(n int) int32 { return int32(min(n, math.MaxInt32)) }

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

var kindName = map[yaml.Kind]string{yaml.MappingNode: "a mapping", yaml.SequenceNode: "a list", yaml.ScalarNode: "a single value"}

// checkValue validates one value; ok is false when the value is unusable.
// One validator per field type.
func (c *checker) checkValue(n *yaml.Node, f *config.Field, name string) (any, bool) {
	switch f.Type {
	case config.TString:
		return c.checkString(n, f, name)
	case config.TID:
		return c.checkID(n, name)
	case config.TInt, config.TNumber:
		return c.checkNumber(n, f, name)
	case config.TBool:
		return c.checkBool(n, name)
	case config.TDate:
		return c.checkDate(n, name)
	case config.TDateTime:
		if !c.scalar(n, name, "a date-time") {
			return nil, false
		}
		s, ok := config.DateTimeOf(strings.TrimSpace(n.Value))
		if !ok {
			c.add(n, "date", fmt.Sprintf("%s %q is not a date-time", name, strings.TrimSpace(n.Value)), "write it as 2026-03-15T09:30:00Z (RFC 3339) or 2026-03-15")
			return nil, false
		}
		return s, true
	case config.TEnum, config.TStatus:
		return c.checkEnum(n, f, name)
	case config.TList:
		return c.checkList(n, f, name)
	case config.TMap:
		if f.Free() {
			return c.checkFreeMap(n, name)
		}
		if n.Kind != yaml.MappingNode {
			c.add(n, "type", fmt.Sprintf("%s must be a mapping, not %s", name, kindName[n.Kind]),
				"known keys: "+strings.Join(slices.Sorted(maps.Keys(f.Fields)), ", "))
			return nil, false
		}
		return c.checkFields(n, f.Fields, name+".", false), true
	}
	return nil, false
}

// checkFreeMap reads a map declared without fields: any keys, each with
// text (a number or a date is kept as written) or a list of texts.
func (c *checker) checkFreeMap(n *yaml.Node, name string) (any, bool) {
	if n.Kind != yaml.MappingNode {
		c.add(n, "type", fmt.Sprintf("%s must be a mapping, not %s", name, kindName[n.Kind]), "write key: value lines under it")
		return nil, false
	}
	out := make(map[string]any, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		sub := name + "." + k.Value
		switch {
		case isNull(v):
		case v.Kind == yaml.ScalarNode:
			out[k.Value] = strings.TrimSpace(v.Value)
		case v.Kind == yaml.SequenceNode && !slices.ContainsFunc(v.Content, func(it *yaml.Node) bool { return it.Kind != yaml.ScalarNode }):
			items := make([]any, 0, len(v.Content))
			for _, it := range v.Content {
				items = append(items, strings.TrimSpace(it.Value))
			}
			out[k.Value] = items
		case v.Kind == yaml.MappingNode:
			// Nested the same way (meta: {issues: {name: link}}).
			if m, ok := c.checkFreeMap(v, sub); ok {
				out[k.Value] = m
			}
		default:
			c.add(v, "type", fmt.Sprintf("%s must be a value, a list of values or a map of them, not %s", sub, kindName[v.Kind]),
				"declare its fields in registry.yaml")
		}
	}
	return out, true
}

// scalar reports whether n is a single value, and a finding when not.
func (c *checker) scalar(n *yaml.Node, name, what string) bool {
	if n.Kind != yaml.ScalarNode {
		c.add(n, "type", fmt.Sprintf("%s must be %s, not %s", name, what, kindName[n.Kind]), "")
		return false
	}
	return true
}

func (c *checker) checkString(n *yaml.Node, f *config.Field, name string) (any, bool) {
	if !c.scalar(n, name, "text") {
		return nil, false
	}
	s := strings.TrimSpace(n.Value)
	if !f.Multiline && strings.ContainsAny(s, "\n") {
		c.add(n, "single-line", fmt.Sprintf("%s must be one line", name), "shorten it and move details into the body")
		return nil, false
	}
	if f.MaxLength > 0 && utf8.RuneCountInString(s) > f.MaxLength {
		c.add(n, "length", fmt.Sprintf("%s is %d characters long, more than %d", name, utf8.RuneCountInString(s), f.MaxLength), "")
	}
	if !f.MatchesPattern(s) {
		c.add(n, "pattern", fmt.Sprintf("%s %q does not match %s", name, s, f.Pattern), "")
	}
	if s == "" && f.Required {
		c.add(n, "required", fmt.Sprintf("required field %q is empty", name), "give it a value")
	}
	return s, true
}

func (c *checker) checkID(n *yaml.Node, name string) (any, bool) {
	if !c.scalar(n, name, "an ID") {
		return nil, false
	}
	s := strings.TrimSpace(n.Value)
	if !c.cfg.ValidID(s) {
		c.add(n, "id-format", fmt.Sprintf("%s %q is not an ID like %s%0*d", name, s, c.cfg.ID.Prefix, c.cfg.ID.Digits, 42),
			"IDs match "+c.cfg.ID.Pattern+" (id.pattern in registry.yaml)")
		return nil, false
	}
	return s, true
}

func (c *checker) checkNumber(n *yaml.Node, f *config.Field, name string) (any, bool) {
	what := "a whole number"
	if f.Type == config.TNumber {
		what = "a number"
	}
	if !c.scalar(n, name, what) {
		return nil, false
	}
	x, err := numberOf(n, f.Type == config.TNumber)
	if err != nil {
		c.add(n, "type", fmt.Sprintf("%s must be %s, not %q", name, what, n.Value), "")
		return nil, false
	}
	if math.Abs(x) > config.MaxNumber {
		c.add(n, "range", fmt.Sprintf("%s %s is beyond the bound of ±%s", name, n.Value, fmtNum(config.MaxNumber)),
			"scores multiply and add these values; write a number of sane size")
		return nil, false
	}
	if !c.checkRange(n, f, name, x) {
		return nil, false
	}
	if f.Type == config.TInt {
		return int64(x), true
	}
	return x, true
}

// numberOf reads an integer scalar, or with fractions a finite float one.
func numberOf(n *yaml.Node, fractions bool) (float64, error) {
	switch tag := n.ShortTag(); {
	case tag == "!!int":
		i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64)
		return float64(i), err
	case tag == "!!float" && fractions:
		x, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
		if err == nil && (math.IsNaN(x) || math.IsInf(x, 0)) {
			err = fmt.Errorf("not finite")
		}
		return x, err
	}
	return 0, fmt.Errorf("wrong type")
}

func (c *checker) checkBool(n *yaml.Node, name string) (any, bool) {
	if !c.scalar(n, name, "true or false") {
		return nil, false
	}
	if n.ShortTag() != "!!bool" {
		c.add(n, "type", fmt.Sprintf("%s must be true or false, not %q", name, n.Value), "")
		return nil, false
	}
	return n.Value == "true", true
}

func (c *checker) checkDate(n *yaml.Node, name string) (any, bool) {
	if !c.scalar(n, name, "a date") {
		return nil, false
	}
	s := strings.TrimSpace(n.Value)
	d, ok := config.DateOf(s)
	if !ok {
		if len(s) == 10 && s[4] == '-' && s[7] == '-' {
			c.add(n, "date", fmt.Sprintf("%s %q is not a real date", name, s), "check the month and day")
		} else {
			c.add(n, "date", fmt.Sprintf("%s %q is not a date", name, s), "write it as YYYY-MM-DD, e.g. 2026-03-15; a date-time such as 2026-03-15T09:30:00Z is kept to its day")
		}
		return nil, false
	}
	return d, true
}

func (c *checker) checkEnum(n *yaml.Node, f *config.Field, name string) (any, bool) {
	if !c.scalar(n, name, "one of "+strings.Join(f.Values, ", ")) {
		return nil, false
	}
	s := strings.TrimSpace(n.Value)
	if i := slices.Index(f.Values, s); i >= 0 {
		return f.Values[i], true // the config's copy: one per value, not one per demand
	}
	hint := "use one of " + strings.Join(f.Values, ", ")
	if sug := suggest.Closest(s, f.Values); sug != "" {
		hint = fmt.Sprintf("did you mean %q? (%s)", sug, hint)
	}
	rule := "enum"
	if f.Type == config.TStatus {
		rule = "status"
	}
	c.add(n, rule, fmt.Sprintf("%s %q is not allowed", name, s), hint)
	return nil, false
}

func (c *checker) checkList(n *yaml.Node, f *config.Field, name string) (any, bool) {
	if n.Kind != yaml.SequenceNode {
		if n.Kind == yaml.ScalarNode && f.Items != nil && f.Items.Type != config.TMap && f.Separator != "" {
			var out []any
			for i, part := range strings.Split(n.Value, f.Separator) {
				item := *n
				item.Value, item.Tag, item.Style = strings.TrimSpace(part), "!!str", 0
				if item.Value == "" {
					continue
				}
				if v, ok := c.checkValue(&item, f.Items, fmt.Sprintf("%s[%d]", name, i)); ok {
					out = append(out, v)
				}
			}
			return out, true
		}
		if n.Kind == yaml.ScalarNode && f.Items != nil && f.Items.Type != config.TMap {
			// A single item written without brackets: accept it as a list of one.
			if v, ok := c.checkValue(n, f.Items, name); ok {
				return []any{v}, true
			}
			return nil, false
		}
		c.add(n, "type", fmt.Sprintf("%s must be a list, not %s", name, kindName[n.Kind]), "write [a, b] or one \"- item\" per line")
		return nil, false
	}
	items := n.Content
	if limit := f.ItemLimit(); len(items) > limit {
		c.add(items[limit], "list-length", fmt.Sprintf("%s has %d items, more than %d", name, len(items), limit),
			fmt.Sprintf("keep the %d that matter most; the rest are ignored", limit))
		items = items[:limit]
	}
	out := make([]any, 0, len(items))
	for i, it := range items {
		if isNull(it) {
			c.add(it, "type", fmt.Sprintf("%s item %d is empty", name, i+1), "remove the empty item")
			continue
		}
		if v, ok := c.checkValue(it, f.Items, fmt.Sprintf("%s[%d]", name, i)); ok {
			out = append(out, v)
		}
	}
	return out, true
}

func (c *checker) checkRange(n *yaml.Node, f *config.Field, name string, x float64) bool {
	if f.Min != nil && x < *f.Min || f.Max != nil && x > *f.Max {
		rule := "range"
		if name == "satisfaction" {
			rule = "satisfaction"
		}
		switch {
		case f.Min != nil && f.Max != nil:
			c.add(n, rule, fmt.Sprintf("%s %s is outside %s–%s", name, n.Value, fmtNum(*f.Min), fmtNum(*f.Max)), "")
		case f.Min != nil:
			c.add(n, rule, fmt.Sprintf("%s %s is below the minimum %s", name, n.Value, fmtNum(*f.Min)), "")
		default:
			c.add(n, rule, fmt.Sprintf("%s %s is above the maximum %s", name, n.Value, fmtNum(*f.Max)), "")
		}
		return false
	}
	if len(f.OneOf) > 0 && !slices.Contains(f.OneOf, x) {
		vals := make([]string, len(f.OneOf))
		for i, v := range f.OneOf {
			vals[i] = fmtNum(v)
		}
		c.add(n, "range", fmt.Sprintf("%s %s is not on the scale", name, n.Value), "use one of "+strings.Join(vals, ", "))
		return false
	}
	return true
}

func fmtNum(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
