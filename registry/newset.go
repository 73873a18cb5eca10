package registry

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/demand-registry/demand/internal/suggest"
	"github.com/demand-registry/demand/registry/config"
	"gopkg.in/yaml.v3"
)

// The fields a new demand cannot be given by key: the title is given on
// its own (a registry may keep it in the first heading), and the ID is
// the next free one.
var (
	ErrSetTitle = errors.New("the title is not set by key")
	ErrSetID    = errors.New("the ID is the next free one and is not set by key")
)

// Set sets the field a key of the registry's files holds (dotted for a
// map's keys: customer.name) to a value typed as text, read by the
// field's type (see ParseValue).
func (n *NewDemand) Set(cfg *config.Config, key, value string) error {
	head, rest, dotted := strings.Cut(key, ".")
	field, ok := cfg.FieldOf(head)
	switch {
	case field == "title" || head == "title" && cfg.Key("title") != "title":
		return ErrSetTitle
	case field == "id" || head == "id" && cfg.Key("id") != "id":
		return ErrSetID
	case !ok:
		return unknownKey(cfg, key)
	}
	var sub []string
	if dotted {
		sub = strings.Split(rest, ".")
	}
	return n.set(cfg, field, sub, key, value)
}

// SetRole sets a role's field by the role's name (dotted for a map's
// keys: customer.segment), under whatever key the registry gives it.
func (n *NewDemand) SetRole(cfg *config.Config, path, value string) error {
	role, rest, dotted := strings.Cut(path, ".")
	if !cfg.HasRole(role) {
		return fmt.Errorf("this registry has no %s", role)
	}
	var sub []string
	if dotted {
		sub = strings.Split(rest, ".")
	}
	return n.set(cfg, role, sub, cfg.KeyPath(path), value)
}

// set walks from a top-level field down its map keys and sets the value
// at their end; name is the key path as the user wrote it, for messages.
func (n *NewDemand) set(cfg *config.Config, field string, sub []string, name, value string) error {
	f := cfg.Fields[field]
	at := cfg.Key(field)
	for i, part := range sub {
		switch {
		case f.Free():
			if i != len(sub)-1 || part == "" {
				return fmt.Errorf("%s takes keys of one part: %s.KEY", at, at)
			}
			f = &config.Field{Type: config.TString}
		case f.Type == config.TMap:
			sf := f.Fields[part]
			if sf == nil {
				return unknownSubKey(at, part, f)
			}
			f = sf
		case f.Type == config.TList && f.Items != nil && f.Items.Type == config.TMap:
			return fmt.Errorf("%s is a list of mappings; give it whole, as JSON: %s", at, jsonExample(f.Items))
		default:
			return fmt.Errorf("%s has no keys: it is %s", at, article(f.Type))
		}
		at += "." + part
	}
	if f.Type == config.TMap {
		if f.Free() {
			return fmt.Errorf("%s is a mapping; set its keys: %s.KEY", at, at)
		}
		keys := f.SubFields()
		for i, s := range keys {
			keys[i] = at + "." + s
		}
		return fmt.Errorf("%s is a mapping; set its keys: %s", at, strings.Join(keys, ", "))
	}
	if strings.TrimSpace(value) == "" {
		return fmt.Errorf("%s has no value; write %s=VALUE", name, name)
	}
	v, err := ParseValue(cfg, f, name, value)
	if err != nil {
		return err
	}
	// The path is known good: make the maps down to it.
	if n.Fields == nil {
		n.Fields = map[string]any{}
	}
	m, k := n.Fields, field
	for _, part := range sub {
		next, _ := m[k].(map[string]any)
		if next == nil {
			next = map[string]any{}
			m[k] = next
		}
		m, k = next, part
	}
	if _, twice := m[k]; twice {
		return fmt.Errorf("%s is given twice; give it once", name)
	}
	m[k] = v
	return nil
}

// Missing lists the key paths of required fields the new demand does
// not have yet (the ID and title aside): top-level ones, and those of the
// maps it has. Render gives the status, so it is never missing.
func (n *NewDemand) Missing(cfg *config.Config) []string {
	var out []string
	var walk func(at string, f *config.Field, v any, given bool)
	walk = func(at string, f *config.Field, v any, given bool) {
		if !given {
			switch {
			case !f.Required:
			case f.Free():
				out = append(out, at+".KEY")
			case f.Type == config.TMap:
				// A map is given by its keys: name those it needs.
				n := len(out)
				for _, sub := range f.SubFields() {
					walk(at+"."+sub, f.Fields[sub], nil, false)
				}
				if subs := f.SubFields(); n == len(out) && len(subs) > 0 {
					out = append(out, at+"."+subs[0])
				}
			default:
				out = append(out, at)
			}
			return
		}
		m, ok := v.(map[string]any)
		if !ok || f.Type != config.TMap {
			return
		}
		for _, sub := range f.SubFields() {
			sv, has := m[sub]
			walk(at+"."+sub, f.Fields[sub], sv, has)
		}
	}
	for _, name := range cfg.FieldOrder {
		key := cfg.Key(name)
		if key == "" || name == "id" || name == "title" || cfg.Fields[name] == nil {
			continue
		}
		v, given := n.Fields[name]
		walk(key, cfg.Fields[name], v, given || name == "status" && cfg.HasRole("status"))
	}
	return out
}

// ParseValue reads a value typed as text (a command-line argument) as a
// value of field f, as the schema holds it: int64, float64, bool, string
// (dates too) or []any. A scalar is checked by the same validator as a
// file's value (so the messages are validate's); a list's items are
// comma-separated, or separated by the field's separator; a list of
// mappings is written as JSON. name is the key path messages give.
func ParseValue(cfg *config.Config, f *config.Field, name, s string) (any, error) {
	s = strings.TrimSpace(s)
	switch f.Type {
	case config.TList:
		return parseList(cfg, f, name, s)
	case config.TMap:
		return nil, fmt.Errorf("%s is a mapping; set its keys one by one", name)
	}
	c := &checker{cfg: cfg}
	v, ok := c.checkValue(scalarNode(f, s), f, name)
	if len(c.fs) > 0 {
		fd := c.fs[0]
		if fd.Hint != "" {
			return nil, fmt.Errorf("%s; %s", fd.Message, fd.Hint)
		}
		if fd.Rule == "type" {
			return nil, fmt.Errorf("%s%s", fd.Message, inParens(allowed(cfg, f))) // what it should be instead
		}
		return nil, errors.New(fd.Message)
	}
	if !ok {
		return nil, fmt.Errorf("%s %q is not a value of its type", name, s)
	}
	if d, isDate := v.(config.Date); isDate {
		return string(d), nil
	}
	return v, nil
}

// scalarNode is text typed on the command line as the YAML scalar a file
// would hold for the field: tagged as a number or a boolean where the
// field is one and the text reads as one, so the validator sees what a
// file's parse gives it.
func scalarNode(f *config.Field, s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Line: 1, Column: 1}
	switch f.Type {
	case config.TInt:
		n.Tag = "!!int"
	case config.TNumber:
		n.Tag = "!!float"
	case config.TBool:
		if b, err := strconv.ParseBool(s); err == nil {
			n.Tag, n.Value = "!!bool", strconv.FormatBool(b)
		}
	}
	return n
}

// parseList reads a list: separated items, or JSON for a list of maps.
func parseList(cfg *config.Config, f *config.Field, name, s string) (any, error) {
	if f.Items == nil {
		return nil, fmt.Errorf("%s has no item type", name)
	}
	if f.Items.Type == config.TMap || f.Items.Type == config.TList {
		dec := json.NewDecoder(strings.NewReader(s))
		dec.UseNumber()
		var l []any
		if err := dec.Decode(&l); err != nil || dec.More() {
			return nil, fmt.Errorf("%s is a list of mappings, written as JSON: %s", name, jsonExample(f.Items))
		}
		v, err := config.FromJSON(f, l)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return v, nil
	}
	sep := ","
	if f.Separator != "" {
		sep = f.Separator
	}
	var out []any
	for i, part := range strings.Split(s, sep) {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		v, err := ParseValue(cfg, f.Items, fmt.Sprintf("%s[%d]", name, i), part)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s has no items; write %s=a%sb", name, name, sep)
	}
	if limit := f.ItemLimit(); len(out) > limit {
		return nil, fmt.Errorf("%s has %d items, more than %d", name, len(out), limit)
	}
	return out, nil
}

// numberRange is what a number field allows besides its type, or "".
func numberRange(f *config.Field) string {
	switch {
	case len(f.OneOf) > 0:
		vals := make([]string, len(f.OneOf))
		for i, v := range f.OneOf {
			vals[i] = fmtNum(v)
		}
		return "one of " + strings.Join(vals, ", ")
	case f.Min != nil && f.Max != nil:
		return fmt.Sprintf("from %s to %s", fmtNum(*f.Min), fmtNum(*f.Max))
	case f.Min != nil:
		return "at least " + fmtNum(*f.Min)
	case f.Max != nil:
		return "at most " + fmtNum(*f.Max)
	}
	return ""
}

// unknownKey is the error for a top-level key no field has: the role's
// key where the registry renames it, else the closest key.
func unknownKey(cfg *config.Config, key string) error {
	head, _, _ := strings.Cut(key, ".")
	if k := cfg.Key(head); cfg.HasRole(head) && k != head && k != "" {
		return fmt.Errorf("unknown key %q (this registry keeps the %s under %q)", key, head, k)
	}
	var keys []string
	for _, s := range Settables(cfg) {
		keys = append(keys, s.Key)
	}
	if s := suggest.Closest(key, keys); s != "" {
		return fmt.Errorf("unknown key %q (did you mean %q?)", key, s)
	}
	// A map's key given alone: segment for customer.segment.
	for _, k := range keys {
		if strings.HasSuffix(k, "."+key) {
			return fmt.Errorf("unknown key %q (did you mean %q?)", key, k)
		}
	}
	var heads []string
	for _, k := range keys {
		if h, _, _ := strings.Cut(k, "."); !slices.Contains(heads, h) {
			heads = append(heads, h)
		}
	}
	return fmt.Errorf("unknown key %q (the keys are %s)", key, strings.Join(heads, ", "))
}

// unknownSubKey is the error for a key a map field does not have.
func unknownSubKey(at, part string, f *config.Field) error {
	keys := f.SubFields()
	if s := suggest.Closest(part, keys); s != "" {
		return fmt.Errorf("unknown key %q (did you mean %q?)", at+"."+part, at+"."+s)
	}
	return fmt.Errorf("unknown key %q (%s has the keys %s)", at+"."+part, at, strings.Join(keys, ", "))
}

// Settable is a key `demand new` can set: a top-level key of the
// registry's files, or a map's key path (customer.name).
type Settable struct {
	// Key is the path as the files write it; a map that takes any keys
	// is KEY at its end (links-out.KEY).
	Key string
	// Type is the value's type (for a list, with its items': "list of id").
	Type string
	// Allowed says what values it takes beyond its type ("vip, regular,
	// potential", "from 1 to 4", "YYYY-MM-DD"), or "".
	Allowed  string
	Required bool
	// Default is the value a new demand has when none is given, or "".
	Default string
}

// Settables lists the keys `demand new` can set, in the files' order:
// every field but the ID and the title, a map's keys one by one.
func Settables(cfg *config.Config) []Settable {
	var out []Settable
	var walk func(key string, f *config.Field)
	walk = func(key string, f *config.Field) {
		switch {
		case f.Free():
			out = append(out, Settable{Key: key + ".KEY", Type: string(config.TString), Required: f.Required})
		case f.Type == config.TMap:
			for _, sub := range f.SubFields() {
				walk(key+"."+sub, f.Fields[sub])
			}
		default:
			typ := string(f.Type)
			if f.Type == config.TList && f.Items != nil {
				typ += " of " + string(f.Items.Type)
			}
			out = append(out, Settable{Key: key, Type: typ, Allowed: allowed(cfg, f), Required: f.Required})
		}
	}
	for _, name := range cfg.FieldOrder {
		key := cfg.Key(name)
		if key == "" || name == "id" || name == "title" || cfg.Fields[name] == nil {
			continue
		}
		n := len(out)
		walk(key, cfg.Fields[name])
		if n < len(out) && cfg.HasRole(name) {
			switch {
			case name == "status" && len(cfg.Statuses) > 0:
				out[n].Default = cfg.Statuses[0].Name
			case name == "received":
				out[n].Default = "today"
			}
		}
	}
	return out
}

// allowed says what a field takes beyond its type, or "".
func allowed(cfg *config.Config, f *config.Field) string {
	var parts []string
	switch f.Type {
	case config.TEnum, config.TStatus:
		parts = append(parts, strings.Join(f.Values, ", "))
	case config.TInt, config.TNumber:
		parts = append(parts, numberRange(f))
	case config.TBool:
		parts = append(parts, "true or false")
	case config.TDate:
		parts = append(parts, "YYYY-MM-DD")
	case config.TID:
		parts = append(parts, "like "+exampleID(cfg))
	case config.TString:
		if f.MaxLength > 0 {
			parts = append(parts, fmt.Sprintf("at most %d characters", f.MaxLength))
		}
		if f.Pattern != "" {
			parts = append(parts, "matching "+f.Pattern)
		}
	case config.TList:
		if f.Items == nil {
			break
		}
		if f.Items.Type == config.TMap || f.Items.Type == config.TList {
			parts = append(parts, "JSON: "+jsonExample(f.Items))
			break
		}
		if f.Separator != "" && f.Separator != "," {
			parts = append(parts, fmt.Sprintf("separated by %q", f.Separator))
		} else {
			parts = append(parts, "comma-separated")
		}
		if each := allowed(cfg, f.Items); f.Items.Type == config.TEnum || f.Items.Type == config.TStatus {
			parts = append(parts, "each one of "+each)
		} else if each != "" {
			parts = append(parts, "each "+each)
		}
	}
	return strings.Join(slices.DeleteFunc(parts, func(s string) bool { return s == "" }), "; ")
}

// jsonExample shows a list of f's items as JSON: [{"name": "…", ...}].
func jsonExample(f *config.Field) string {
	if f.Type != config.TMap || len(f.Fields) == 0 {
		return `["…"]`
	}
	var kv []string
	for _, k := range f.SubFields() {
		kv = append(kv, strconv.Quote(k)+`: "…"`)
	}
	return "[{" + strings.Join(kv, ", ") + "}]"
}

// exampleID is an ID of the registry's form.
func exampleID(cfg *config.Config) string {
	return fmt.Sprintf("%s%0*d", cfg.ID.Prefix, cfg.ID.Digits, 42)
}

func article(t config.Type) string {
	switch t {
	case config.TInt, config.TID, config.TEnum:
		return "an " + string(t)
	}
	return "a " + string(t)
}

func inParens(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}
