package config

import (
	"fmt"
	"path"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Role is where a registry keeps one of the values the tool gives a
// meaning to (the built-in fields: id, title, status, received, owner,
// ...): under a front-matter key, in the file name (id) or in the body's
// first heading (title).
type Role struct {
	Key string `yaml:"key,omitempty" json:"key,omitempty"`
	// From is RoleKey (the default), RoleFilename or RoleHeading.
	From string `yaml:"from,omitempty" json:"from,omitempty"`
	// Pattern (from: filename) is a regular expression over the file's
	// name; its first group, or the whole match, is the ID. Files whose
	// name does not match are not demands.
	Pattern string `yaml:"pattern,omitempty" json:"pattern,omitempty"`
	// Ignore (from: heading) lists headings that open a section rather
	// than name the demand ("Summary"): a body starting with one takes
	// its title from the file name instead.
	Ignore []string `yaml:"ignore,omitempty" json:"ignore,omitempty"`
	// Fallback "filename" (from: heading) takes the title from the file
	// name when the body has no first-level heading, or an ignored one.
	Fallback string `yaml:"fallback,omitempty" json:"fallback,omitempty"`
}

// Where a role's value comes from.
const (
	RoleKey      = "key"
	RoleFilename = "filename"
	RoleHeading  = "heading"
)

// UnmarshalYAML accepts a key alone (status: stage) as well as a mapping.
func (r *Role) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		r.Key, r.From = n.Value, RoleKey
		return nil
	}
	type plain Role
	if err := n.Decode((*plain)(r)); err != nil {
		return err
	}
	if r.From == "" {
		r.From = RoleKey
	}
	return nil
}

// Roles lists every role: the built-in fields.
func Roles() []string {
	return mappingKeys(lookupNode(defaultsNode().Content[0], "fields"))
}

// Key is the front-matter key of a field: the file's name for a role's
// value, the field's own name otherwise. "" for a role kept elsewhere
// (the title in a heading, the ID in the file name).
func (c *Config) Key(field string) string {
	if k, ok := c.keys[field]; ok {
		return k
	}
	return field
}

// FieldOf is the field a front-matter key holds, and whether it is one.
func (c *Config) FieldOf(key string) (string, bool) {
	if f, ok := c.byKey[key]; ok {
		return f, c.Fields[f] != nil
	}
	if k, ok := c.keys[key]; ok && k != key {
		return "", false // a role's name whose value is kept under another key
	}
	return key, c.Fields[key] != nil
}

// Keys lists the front-matter keys of the top-level fields, in field order.
func (c *Config) Keys() []string {
	out := make([]string, 0, len(c.FieldOrder))
	for _, f := range c.FieldOrder {
		if k := c.Key(f); k != "" {
			out = append(out, k)
		}
	}
	return out
}

// HasRole reports whether the registry keeps a role's value at all (and
// not a field of its own under the role's name).
func (c *Config) HasRole(role string) bool {
	if c.Fields[role] == nil {
		return false
	}
	if c.custom != nil && c.custom[role] {
		return false
	}
	return true
}

// TitleFromHeading reports whether titles are the bodies' first headings.
func (c *Config) TitleFromHeading() bool { return c.Roles["title"].From == RoleHeading }

// rolesGiven reports whether registry.yaml has a roles section: then the
// registry has the roles it lists (id and title always), not every
// built-in field.
func rolesGiven(root *yaml.Node) bool { return lookupNode(root, "roles") != nil }

// roleField is the built-in field a key of the config's fields section
// configures: the role whose key it is, or the field of that name.
func (c *Config) roleField(key string) string {
	for _, name := range sortedKeys(c.Roles) {
		if r := c.Roles[name]; r.From == RoleKey {
			if r.Key == key || r.Key == "" && name == key {
				return name
			}
		}
	}
	return key
}

// roles checks the roles section and builds the key tables.
func (p *prep) roles() {
	c := p.c
	c.keys, c.byKey = map[string]string{}, map[string]string{}
	builtin := Roles()
	for _, name := range sortedKeys(c.Roles) {
		r := c.Roles[name]
		at := []string{"roles", name}
		if !slices.Contains(builtin, name) {
			p.bad(fmt.Sprintf("roles: %q is not a role", name), "roles are the built-in fields: "+strings.Join(builtin, ", "), at...)
			continue
		}
		switch r.From {
		case RoleKey:
			if r.Key == "" {
				r.Key = name
			}
			if !validKey(r.Key) {
				p.bad(fmt.Sprintf("roles.%s: %q is not a front-matter key", name, r.Key), "use letters, digits, - and _", at...)
			}
			c.keys[name] = r.Key
		case RoleFilename:
			if name != "id" {
				p.bad(fmt.Sprintf("roles.%s: only the id can come from the file name", name), "", at...)
				continue
			}
			p.namePattern(r, at)
			c.keys[name] = ""
		case RoleHeading:
			if name != "title" {
				p.bad(fmt.Sprintf("roles.%s: only the title can come from the first heading", name), "", at...)
				continue
			}
			if r.Fallback != "" && r.Fallback != RoleFilename {
				p.bad(fmt.Sprintf("roles.title.fallback %q is not a source", r.Fallback), "use filename", append(at, "fallback")...)
			}
			c.keys[name] = ""
		default:
			p.bad(fmt.Sprintf("roles.%s: from %q is not a source", name, r.From), "use key, filename or heading", append(at, "from")...)
		}
		c.Roles[name] = r
	}
	for _, name := range c.misplaced {
		p.bad(fmt.Sprintf("fields.%s: the registry keeps the %s under %q (roles.%s)", name, name, c.Key(name), name),
			fmt.Sprintf("configure it as fields.%s", c.Key(name)), "fields", name)
	}
	for _, name := range c.FieldOrder {
		k := c.Key(name)
		if k == "" {
			continue
		}
		if other, dup := c.byKey[k]; dup {
			p.bad(fmt.Sprintf("roles: fields %q and %q both use the key %q", other, name, k), "give each its own key", "roles")
			continue
		}
		c.byKey[k] = name
	}
	for k, f := range c.byKey {
		if k == f {
			delete(c.byKey, k) // identity: the common case needs no entry
		}
	}
}

// namePattern checks roles.id.pattern and derives the ID pattern from its
// group, so links to other demands are checked against the same form.
func (p *prep) namePattern(r Role, at []string) {
	c := p.c
	at = append(at, "pattern")
	if r.Pattern == "" {
		p.bad("roles.id: from: filename needs a pattern", `e.g. pattern: '^([0-9]{4})-' (the group is the ID)`, at...)
		return
	}
	re, err := regexp.Compile(r.Pattern)
	if err != nil {
		p.bad("roles.id.pattern is not a valid regular expression: "+err.Error(), "", at...)
		return
	}
	if re.NumSubexp() > 1 {
		p.bad("roles.id.pattern has more than one group", "keep one group around the ID; write (?:...) for the others", at...)
		return
	}
	c.ID.FromFilename = true
	c.namePat = re
	if lookupNode(p.root, "id", "pattern") != nil {
		return // the user's own ID pattern
	}
	tree, _ := syntax.Parse(r.Pattern, syntax.Perl)
	id := idPart(tree)
	if id == nil {
		id = tree
	}
	s := strings.TrimSuffix(strings.TrimPrefix(id.String(), "^"), "$")
	c.ID.Pattern = "^(?:" + s + ")$"
	if lookupNode(p.root, "id", "prefix") == nil {
		c.ID.Prefix = "" // new IDs are numbers, as the names' are
	}
}

// idPart is the first capturing group of a pattern, or nil.
func idPart(t *syntax.Regexp) *syntax.Regexp {
	if t.Op == syntax.OpCapture {
		return t.Sub[0]
	}
	for _, s := range t.Sub {
		if g := idPart(s); g != nil {
			return g
		}
	}
	return nil
}

// NameID is the ID a file name (its base) gives under roles.id.pattern,
// and whether the name matches it.
func (c *Config) NameID(base string) (string, bool) {
	m := c.namePat.FindStringSubmatch(base)
	if m == nil {
		return "", false
	}
	if len(m) > 1 {
		return m[1], m[1] != ""
	}
	return m[0], m[0] != ""
}

// NamePattern reports whether IDs come from file names by roles.id.pattern.
func (c *Config) NamePattern() bool { return c.namePat != nil }

// NameIDIndex is where the ID starts in a file name that matches
// roles.id.pattern (0 when it does not).
func (c *Config) NameIDIndex(base string) int {
	m := c.namePat.FindStringSubmatchIndex(base)
	switch {
	case m == nil:
		return 0
	case len(m) > 2 && m[2] >= 0:
		return m[2]
	}
	return m[0]
}

// IsDemand reports whether a file of the registry folder (a path that
// registry.IsDemandFile accepts) is a demand under this config: with the
// ID in the file name, files whose name does not match are not.
func (c *Config) IsDemand(p string) bool {
	base := p[strings.LastIndexByte(p, '/')+1:]
	for _, pat := range c.Files.Exclude {
		if ok, _ := path.Match(pat, p); ok {
			return false
		}
		if ok, _ := path.Match(pat, base); ok {
			return false
		}
	}
	if c.namePat == nil {
		return true
	}
	_, ok := c.NameID(base)
	return ok
}

// A key is one name: a dot would make it a path into a map.
var keyRe = regexp.MustCompile(`^[\p{L}\p{N}_][\p{L}\p{N}_-]*$`)

func validKey(k string) bool { return keyRe.MatchString(k) }

// KeyPath is a field's dotted path as the registry's files write it: its
// first part a role's key where the registry renames it. Anything else
// (body, path) stays as it is.
func (c *Config) KeyPath(field string) string {
	head, rest, more := strings.Cut(field, ".")
	k, ok := c.keys[head]
	if !ok || k == "" {
		return field
	}
	if more {
		return k + "." + rest
	}
	return k
}

// FieldPath is a dotted path of the config (a policy rule's field, a
// floor's condition) with its first part, a front-matter key, turned into
// the field it holds; unknown keys stay as written.
func (c *Config) FieldPath(p string) string {
	head, rest, more := strings.Cut(p, ".")
	f, ok := c.FieldOf(head)
	if !ok {
		return p
	}
	if more {
		return f + "." + rest
	}
	return f
}

// condition is a condition of the config with its keys turned into fields.
func (c *Config) condition(cond Condition) Condition {
	if len(c.byKey) == 0 || cond == nil {
		return cond
	}
	out := Condition{}
	for k, v := range cond {
		out[c.FieldPath(k)] = v
	}
	return out
}

// dropUnused leaves out the built-in rules, floors, factors and the
// timeline that use a field the registry does not have, unless the file
// sets them itself: a registry without owners has no "needs an owner"
// rule. What the file sets is checked, with its keys read as the
// registry's keys.
func (p *prep) dropUnused() {
	p.dropRules()
	p.dropFloorsAndFactors()
	c := p.c
	// A registry adopted with roles has the response times it sets, not
	// the built-in ones: targets nobody agreed to would only invent
	// breaches.
	if rolesGiven(p.root) && lookupNode(p.root, "sla", "targets") == nil {
		c.SLA.Targets = nil
	}
	p.facets()
	p.matrixAxes()
	if lookupNode(p.root, "history", "timeline_field") == nil && c.Fields[c.History.TimelineField] == nil {
		c.History.TimelineField = ""
	} else if tf := c.History.TimelineField; tf != "" {
		c.History.TimelineField = c.FieldPath(tf)
	}
}

// facets drops the built-in search filters on absent fields, and checks
// those the file sets: each a field a filter can offer values of.
func (p *prep) facets() {
	c := p.c
	if lookupNode(p.root, "site", "facets") == nil {
		c.Site.Facets = slices.DeleteFunc(c.Site.Facets, func(f string) bool {
			return f == "tier" && !c.Ranked() || f != "tier" && !c.HasRole(strings.Split(f, ".")[0])
		})
		return
	}
	for i, f := range c.Site.Facets {
		if f == "tier" {
			continue
		}
		c.Site.Facets[i] = c.FieldPath(f)
		fd := c.FieldByPath(c.Site.Facets[i])
		switch {
		case fd == nil:
			p.bad(fmt.Sprintf("site.facets names %q, which is not a field", f), "", "site", "facets")
		case fd.Type == TMap || fd.Type == TList && (fd.Items == nil || fd.Items.Type == TMap || fd.Items.Type == TList):
			p.bad(fmt.Sprintf("site.facets names %q, a %s, which a filter cannot offer values of", f, fd.Type), "use enums, statuses, text, lists of text or true/false fields", "site", "facets")
		}
	}
}

// matrixAxes reads the matrix's axes in the registry's keys; axes the
// file sets must be enum fields.
func (p *prep) matrixAxes() {
	c := p.c
	m := &c.Scoring.Matrix
	set := lookupNode(p.root, "scoring", "matrix") != nil
	for _, a := range []*string{&m.Urgency, &m.Importance} {
		if !set {
			continue // the built-in axes, where the registry has them
		}
		*a = c.FieldPath(*a)
		if f := c.FieldByPath(*a); f == nil || f.Type != TEnum {
			p.bad(fmt.Sprintf("scoring.matrix names %q, which is not an enum field", *a), "name two enum fields, each's values high to low", "scoring", "matrix")
		}
	}
}

// has reports whether the registry has what a path of a rule or a
// condition names (tier and status_kind included).
func (c *Config) has(path string) bool {
	switch path {
	case "tier":
		return true
	case "status_kind":
		return c.Fields["status"] != nil
	case CustomersField:
		return c.Fields["customer"] != nil || c.Fields["requesters"] != nil
	}
	return c.FieldByPath(path) != nil
}

// hasAll reports whether the registry has every field a condition tests,
// and every status it names.
func (c *Config) hasAll(cond Condition) bool {
	for k, vals := range cond {
		if !c.has(k) {
			return false
		}
		if f := c.FieldByPath(k); f != nil && f.Type == TStatus {
			for _, v := range vals {
				if c.status[v] == nil {
					return false
				}
			}
		}
	}
	return true
}

// dropRules drops the built-in policy rules on absent fields, or reads
// the file's rules in the registry's keys.
func (p *prep) dropRules() {
	c := p.c
	if lookupNode(p.root, "policy", "rules") == nil {
		c.Policy.Rules = slices.DeleteFunc(c.Policy.Rules, func(r PolicyRule) bool {
			return !c.hasAll(r.When) || slices.ContainsFunc(r.Require, func(f string) bool { return !c.has(f) })
		})
		return
	}
	for i := range c.Policy.Rules {
		r := &c.Policy.Rules[i]
		r.When = c.condition(r.When)
		for j, f := range r.Require {
			r.Require[j] = c.FieldPath(f)
		}
	}
}

// dropFloorsAndFactors does the same for tier floors and weighted factors.
func (p *prep) dropFloorsAndFactors() {
	c := p.c
	if lookupNode(p.root, "tiers", "floors") == nil {
		c.Tiers.Floors = slices.DeleteFunc(c.Tiers.Floors, func(f FloorRule) bool { return !c.hasAll(f.When) })
	} else {
		for i := range c.Tiers.Floors {
			c.Tiers.Floors[i].When = c.condition(c.Tiers.Floors[i].When)
		}
	}
	if lookupNode(p.root, "scoring", "weighted") == nil {
		c.Scoring.Weighted = slices.DeleteFunc(c.Scoring.Weighted, func(f Factor) bool { return !c.has(f.Field) })
		return
	}
	for i := range c.Scoring.Weighted {
		if f := c.Scoring.Weighted[i].Field; f != CustomersField {
			c.Scoring.Weighted[i].Field = c.FieldPath(f)
		}
	}
}

// Ranked reports whether the registry has what ranking needs: a factor of
// the weighted grading (or the primary model's inputs) to score by.
func (c *Config) Ranked() bool {
	switch c.Scoring.Primary {
	case "rice":
		return c.Fields["rice"] != nil
	case "wsjf":
		return c.Fields["wsjf"] != nil
	}
	return len(c.Scoring.Weighted) > 0
}
