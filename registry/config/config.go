// Package config is the registry.yaml schema: fields and their types,
// statuses and workflow, scoring models, tiers, SLA targets, policy rules
// and site settings, laid over the built-in defaults and checked with
// findings at the file's line and column; and how field values are
// written back (files, CSV cells, JSON Schema).
package config

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"net/url"
	"path"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/demand-registry/demand/internal/safeyaml"
	"github.com/demand-registry/demand/internal/suggest"
	"github.com/demand-registry/demand/registry/finding"
	"github.com/demand-registry/demand/templates"

	"gopkg.in/yaml.v3"
)

//go:embed defaults.yaml
var defaultsYAML []byte

// File is the registry config's name inside the registry folder.
const File = "registry.yaml"

// Label is a text in several languages, keyed by language tag (en, zh-CN).
type Label map[string]string

// In returns the label in lang, falling back to English, then to any.
func (l Label) In(lang string) string {
	if s, ok := l[lang]; ok && s != "" {
		return s
	}
	if s, ok := l["en"]; ok && s != "" {
		return s
	}
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if l[k] != "" {
			return l[k]
		}
	}
	return ""
}

// Config is the effective registry configuration: built-in defaults with
// registry.yaml laid over them.
type Config struct {
	Title      string            `yaml:"title" json:"title"`
	Language   string            `yaml:"language" json:"language"`
	Repository Repo              `yaml:"repository" json:"repository"`
	ID         ID                `yaml:"id" json:"id"`
	Files      Files             `yaml:"files" json:"files"`
	Statuses   []Status          `yaml:"statuses" json:"statuses"`
	Fields     map[string]*Field `yaml:"fields" json:"fields"`
	Scoring    Scoring           `yaml:"scoring" json:"scoring"`
	Tiers      Tiers             `yaml:"tiers" json:"tiers"`
	History    History           `yaml:"history" json:"history"`
	SLA        SLA               `yaml:"sla" json:"sla"`
	Policy     Policy            `yaml:"policy" json:"policy"`
	Duplicates Dups              `yaml:"duplicates" json:"duplicates"`
	Site       Site              `yaml:"site" json:"site"`
	Feed       Feed              `yaml:"feed" json:"feed"`
	Review     Review            `yaml:"review" json:"review"`
	// Roles maps the built-in fields to where the registry keeps them;
	// with a roles section, the registry has only the roles it lists.
	Roles map[string]Role `yaml:"roles,omitempty" json:"roles,omitempty"`

	// FieldOrder lists Fields' names: built-in order, then the config's.
	FieldOrder []string `yaml:"-" json:"-"`

	idRe     *regexp.Regexp
	idPrefix *regexp.Regexp
	namePat  *regexp.Regexp // roles.id.pattern
	status   map[string]*Status
	// keys maps a role to its front-matter key where that is not its
	// name ("" for none); byKey the other way.
	keys, byKey map[string]string
	// custom names the user's fields that have a role's name but not its
	// meaning (a roles section that does not list the role).
	custom map[string]bool
	// misplaced lists fields sections named after a role the registry
	// keeps under another key (see roles).
	misplaced []string
}

// Repo locates the repository on the web.
type Repo struct {
	URL    string `yaml:"url" json:"url"`
	Branch string `yaml:"branch" json:"branch"`
}

// ID sets how demands are identified.
type ID struct {
	Pattern      string `yaml:"pattern" json:"pattern"`
	Prefix       string `yaml:"prefix" json:"prefix"`
	Digits       int    `yaml:"digits" json:"digits"`
	FromFilename bool   `yaml:"from_filename" json:"from_filename"`
}

// Files limits demand files.
type Files struct {
	MaxSize int64 `yaml:"max_size" json:"max_size"`
	// Exclude lists Markdown files of the folder that are not demands (a
	// process document, an index), as path.Match patterns over the path
	// in the folder or the file's name.
	Exclude []string `yaml:"exclude,omitempty" json:"exclude,omitempty"`
}

// Status is one workflow state.
type Status struct {
	Name  string   `yaml:"name" json:"name"`
	Kind  Kind     `yaml:"kind" json:"kind"`
	Label Label    `yaml:"label,omitempty" json:"label,omitempty"`
	Next  []string `yaml:"next" json:"next"`
}

// Kind is what a status means to ranking, SLA and KPIs.
type Kind string

// Status kinds.
const (
	KindOpen   Kind = "open"
	KindActive Kind = "active"
	KindDone   Kind = "done"
	KindClosed Kind = "closed"
)

// StatusKinds lists every Kind.
var StatusKinds = []Kind{KindOpen, KindActive, KindDone, KindClosed}

// Type is a field's value type.
type Type string

// Field types.
const (
	TString Type = "string"
	TInt    Type = "int"
	TNumber Type = "number"
	TBool   Type = "bool"
	TDate   Type = "date"
	// TDateTime is a date with a time of day, kept as written (RFC 3339
	// or a YAML timestamp); a date alone is midnight.
	TDateTime Type = "datetime"
	TEnum     Type = "enum"
	TStatus   Type = "status"
	TID       Type = "id"
	TList     Type = "list"
	TMap      Type = "map"
)

// FieldTypes lists every Type.
var FieldTypes = []Type{TString, TInt, TNumber, TBool, TDate, TDateTime, TEnum, TStatus, TID, TList, TMap}

// Field describes one front-matter field.
type Field struct {
	Type        Type              `yaml:"type" json:"type"`
	Required    bool              `yaml:"required,omitempty" json:"required,omitempty"`
	Label       Label             `yaml:"label,omitempty" json:"label,omitempty"`
	Description string            `yaml:"description,omitempty" json:"description,omitempty"`
	Values      []string          `yaml:"values,omitempty" json:"values,omitempty"`
	Labels      map[string]Label  `yaml:"labels,omitempty" json:"labels,omitempty"`
	Items       *Field            `yaml:"items,omitempty" json:"items,omitempty"`
	Fields      map[string]*Field `yaml:"fields,omitempty" json:"fields,omitempty"`
	Min         *float64          `yaml:"min,omitempty" json:"min,omitempty"`
	Max         *float64          `yaml:"max,omitempty" json:"max,omitempty"`
	OneOf       []float64         `yaml:"one_of,omitempty" json:"one_of,omitempty"`
	Pattern     string            `yaml:"pattern,omitempty" json:"pattern,omitempty"`
	MaxLength   int               `yaml:"max_length,omitempty" json:"max_length,omitempty"`
	MaxItems    int               `yaml:"max_items,omitempty" json:"max_items,omitempty"` // lists: 0 means DefaultMaxItems
	Multiline   bool              `yaml:"multiline,omitempty" json:"multiline,omitempty"`
	// Separator (lists) splits a single value into items: "165, 721"
	// with separator "," is two items, as registries often write them.
	Separator string `yaml:"separator,omitempty" json:"separator,omitempty"`
	Remove    bool   `yaml:"remove,omitempty" json:"-"`

	re *regexp.Regexp
	// order lists a map's Fields as the config names them: files are
	// written, and exported, in this order.
	order []string
}

// UnmarshalYAML decodes a field and keeps the order of its sub-fields; a
// definition laid over another adds its new sub-fields after the old.
func (f *Field) UnmarshalYAML(n *yaml.Node) error {
	type plain Field
	if err := n.Decode((*plain)(f)); err != nil {
		return err
	}
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	for _, k := range mappingKeys(lookupNode(n, "fields")) {
		if !slices.Contains(f.order, k) {
			f.order = append(f.order, k)
		}
	}
	return nil
}

// Free reports whether a map field takes any keys, each with a single
// value or a list of them (a map declared without fields).
func (f *Field) Free() bool { return f.Type == TMap && len(f.Fields) == 0 }

// SubFields lists a map field's sub-fields in the config's order.
func (f *Field) SubFields() []string {
	out := slices.DeleteFunc(slices.Clone(f.order), func(k string) bool { return f.Fields[k] == nil })
	for _, k := range sortedKeys(f.Fields) {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// DefaultMaxItems is the most items a list field holds when its
// definition sets no max_items: every list a demand declares becomes
// pages, index entries and checks, so none is unbounded.
const DefaultMaxItems = 1000

// ItemLimit is the most items a list field may hold.
func (f *Field) ItemLimit() int {
	if f.MaxItems > 0 {
		return f.MaxItems
	}
	return DefaultMaxItems
}

// ValueLabel is the label of an enum value in lang, or the value itself.
func (f *Field) ValueLabel(v, lang string) string {
	if l := f.Labels[v].In(lang); l != "" {
		return l
	}
	return v
}

// Scoring configures the ranking models.
type Scoring struct {
	Primary    string                `yaml:"primary" json:"primary"`
	Weighted   []Factor              `yaml:"weighted" json:"weighted"`
	Requesters RequesterModel        `yaml:"requesters" json:"requesters"`
	Kano       map[string]KanoEffect `yaml:"kano" json:"kano"`
	Matrix     MatrixAxes            `yaml:"matrix" json:"matrix"`
}

// MatrixAxes name the enum fields of the priority matrix's axes: the
// urgency axis and the importance axis, each read high to low.
type MatrixAxes struct {
	Urgency    string `yaml:"urgency" json:"urgency"`
	Importance string `yaml:"importance" json:"importance"`
}

// HasMatrix reports whether both axes of the priority matrix are enum
// fields the registry has.
func (c *Config) HasMatrix() bool {
	for _, a := range []string{c.Scoring.Matrix.Urgency, c.Scoring.Matrix.Importance} {
		if f := c.FieldByPath(a); f == nil || f.Type != TEnum {
			return false
		}
	}
	return true
}

// CustomersField is the pseudo-field of a weighted factor that counts every
// customer asking for a demand, weighted by segment.
const CustomersField = "customers"

// Factor is one term of the weighted grading.
type Factor struct {
	Factor string             `yaml:"factor" json:"factor"`
	Field  string             `yaml:"field" json:"field"`
	Weight float64            `yaml:"weight" json:"weight"`
	Levels map[string]float64 `yaml:"levels" json:"levels"`
}

// RequesterModel weighs the customers asking for a demand.
type RequesterModel struct {
	SegmentWeights    map[string]float64 `yaml:"segment_weights" json:"segment_weights"`
	Saturation        float64            `yaml:"saturation" json:"saturation"`
	ReachPerRequester float64            `yaml:"reach_per_requester" json:"reach_per_requester"`
}

// KanoEffect adjusts the primary score by Kano category.
type KanoEffect struct {
	Add     float64  `yaml:"add,omitempty" json:"add,omitempty"`
	Floor   *float64 `yaml:"floor,omitempty" json:"floor,omitempty"`
	Ceiling *float64 `yaml:"ceiling,omitempty" json:"ceiling,omitempty"`
}

// Tiers maps scores to tiers.
type Tiers struct {
	Levels              []TierLevel `yaml:"levels" json:"levels"`
	Floors              []FloorRule `yaml:"floors" json:"floors"`
	InheritDependencies bool        `yaml:"inherit_dependencies" json:"inherit_dependencies"`
}

// TierLevel is a tier with the lowest primary score that reaches it.
type TierLevel struct {
	Tier     int     `yaml:"tier" json:"tier"`
	MinScore float64 `yaml:"min_score" json:"min_score"`
	Label    Label   `yaml:"label,omitempty" json:"label,omitempty"`
}

// FloorRule raises matching demands to at least Tier.
type FloorRule struct {
	Name string    `yaml:"name" json:"name"`
	When Condition `yaml:"when" json:"when"`
	Tier int       `yaml:"tier" json:"tier"`
}

// Condition maps a field path (dotted, or status_kind, or tier) to the
// values it may take; all entries must match.
type Condition map[string]StringList

// StringList accepts a scalar or a list of scalars.
type StringList []string

// UnmarshalYAML accepts `x` as well as `[x, y]`.
func (s *StringList) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*s = StringList{n.Value}
		return nil
	}
	var l []string
	if err := n.Decode(&l); err != nil {
		return err
	}
	*s = l
	return nil
}

// History names the fields the history reads besides commits.
type History struct {
	// TimelineField is the list of dated events from before a demand's
	// file existed; "" for none.
	TimelineField string `yaml:"timeline_field" json:"timeline_field"`
}

// SLA sets response-time targets.
type SLA struct {
	WorkingDays bool     `yaml:"working_days" json:"working_days"`
	Weekends    []string `yaml:"weekends" json:"weekends"`
	Holidays    []string `yaml:"holidays" json:"holidays"`
	// Nodes are the response nodes in order: what reaches each.
	Nodes   []SLANode   `yaml:"nodes" json:"nodes"`
	Targets []SLATarget `yaml:"targets" json:"targets"`
}

// SLANode is one response node (received → evaluated → solution →
// feedback by default) and the status changes that reach it: entering one
// of Statuses, or a status of one of Kinds, or (LeaveFirst) any status but
// the workflow's first.
type SLANode struct {
	Name       string   `yaml:"name" json:"name"`
	Label      Label    `yaml:"label,omitempty" json:"label,omitempty"`
	Statuses   []string `yaml:"statuses,omitempty" json:"statuses,omitempty"`
	Kinds      []Kind   `yaml:"kinds,omitempty" json:"kinds,omitempty"`
	LeaveFirst bool     `yaml:"leave_first,omitempty" json:"leave_first,omitempty"`
}

// Reached reports whether entering status to reaches the node.
func (n SLANode) Reached(c *Config, to string) bool {
	if n.LeaveFirst && len(c.Statuses) > 0 && to != c.Statuses[0].Name {
		return true
	}
	return slices.Contains(n.Statuses, to) || slices.Contains(n.Kinds, c.StatusKind(to))
}

// SLATarget is one tier's days to each response node, keyed by the node's
// name (tier: 1, evaluate: 1, solution: 5, ...).
type SLATarget struct {
	Tier int                `yaml:"tier" json:"tier"`
	Days map[string]float64 `yaml:",inline" json:"-"`
}

// MarshalJSON writes a target as the config writes it: its days beside
// the tier.
func (t SLATarget) MarshalJSON() ([]byte, error) {
	m := map[string]any{"tier": t.Tier}
	for k, v := range t.Days {
		m[k] = v
	}
	return json.Marshal(m)
}

// Node returns the SLA node of that name, or nil.
func (c *Config) Node(name string) *SLANode {
	for i := range c.SLA.Nodes {
		if c.SLA.Nodes[i].Name == name {
			return &c.SLA.Nodes[i]
		}
	}
	return nil
}

// Policy holds workflow rules checked by validate.
type Policy struct {
	WIP   []WIPLimit   `yaml:"wip" json:"wip"`
	Rules []PolicyRule `yaml:"rules" json:"rules"`
}

// WIPLimit caps the demands of a tier in statuses of some kinds.
type WIPLimit struct {
	Tier  int    `yaml:"tier" json:"tier"`
	Max   int    `yaml:"max" json:"max"`
	Kinds []Kind `yaml:"kinds" json:"kinds"`
}

// PolicyRule requires fields of demands matching a condition.
type PolicyRule struct {
	Name     string           `yaml:"name" json:"name"`
	When     Condition        `yaml:"when" json:"when"`
	Require  []string         `yaml:"require" json:"require"`
	Severity finding.Severity `yaml:"severity" json:"severity"`
	Message  string           `yaml:"message" json:"message"`
}

// Dups tunes duplicate detection.
type Dups struct {
	Threshold float64 `yaml:"threshold" json:"threshold"`
}

// Site tunes the static site.
// Feed sets the site's Atom feed.
type Feed struct {
	// ID is the feed's permanent id, an absolute URI; empty: one made
	// from repository.url (see FeedID).
	ID string `yaml:"id" json:"id,omitempty"`
}

// FeedID is the Atom feed's permanent id: feed.id, else the repository's
// address (repository.url, without a trailing slash or .git) with the
// fragment #demand-feed: a URI its owner controls, the same whatever the
// registry's title or the site's address. "" when the config has neither.
func (c *Config) FeedID() string {
	if c.Feed.ID != "" {
		return c.Feed.ID
	}
	repo := strings.TrimSuffix(strings.TrimRight(c.Repository.URL, "/"), ".git")
	u, err := url.Parse(repo)
	if repo == "" || err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	u.Fragment, u.RawQuery = "demand-feed", ""
	return u.String()
}

type Site struct {
	PublicCustomerNames bool `yaml:"public_customer_names" json:"public_customer_names"`
	// Facets are the search page's filters: tier, or a field's path (read
	// in the registry's keys, kept as the field's).
	Facets []string `yaml:"facets" json:"facets"`
}

// Review sets what the periodic review (demand review) lists.
type Review struct {
	// StaleDays is, per tier, the most calendar days an open or active
	// demand may go without a commit.
	StaleDays map[int]int `yaml:"stale_days" json:"stale_days"`
	// DueSoonDays: an SLA node whose target is this many days away or
	// fewer (in the SLA's days, working days by default) is listed.
	DueSoonDays int `yaml:"due_soon_days" json:"due_soon_days"`
}

// defaultsNode is the built-in defaults, parsed once (demand serve loads
// the config on every rebuild); it is only ever read.
var defaultsNode = sync.OnceValue(func() *yaml.Node {
	var n yaml.Node
	if err := yaml.Unmarshal(defaultsYAML, &n); err != nil {
		panic("registry: built-in defaults: " + err.Error())
	}
	return &n
})

// decodeDefaults returns a new config of the built-in defaults, and their
// YAML (not to be changed).
func decodeDefaults() (*Config, *yaml.Node) {
	n := defaultsNode()
	cfg := &Config{}
	if err := n.Decode(cfg); err != nil {
		panic("registry: built-in defaults: " + err.Error())
	}
	return cfg, n
}

// Default returns the built-in configuration.
func Default() *Config {
	cfg, n := decodeDefaults()
	cfg.FieldOrder = mappingKeys(lookupNode(n.Content[0], "fields"))
	if fs := cfg.prepare(nil, ""); fs.HasErrors() {
		panic(fmt.Sprintf("registry: built-in defaults are invalid: %v", fs))
	}
	return cfg
}

// Parse lays a registry.yaml over the defaults.
func Parse(path string, data []byte) (*Config, finding.Findings) {
	data = bytes.TrimPrefix(data, safeyaml.BOM)
	if f, ok := safeyaml.CheckUTF8(path, data); !ok {
		return Default(), finding.Findings{f}
	}
	data = safeyaml.NormalizeNewlines(data)
	root, fs := safeyaml.Parse(path, data, 0)
	if fs.HasErrors() {
		return Default(), fs
	}
	if root == nil {
		return Default(), fs
	}
	if root.Kind != yaml.MappingNode {
		return Default(), append(fs, finding.Finding{Path: path, Line: root.Line, Col: root.Column, Severity: finding.Error,
			Rule: "config", Message: "the config must be a mapping of sections (title, id, statuses, fields, ...)"})
	}
	keyErrs := checkConfigKeys(path, root)
	fs = append(fs, keyErrs...)
	cfg, defNode := decodeDefaults()
	pristine, _ := decodeDefaults()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	// Unknown keys are reported above with suggestions; the decoder checks
	// them too only as a safety net, so each is reported once.
	dec.KnownFields(len(keyErrs) == 0)
	if err := dec.Decode(cfg); err != nil {
		fs = append(fs, decodeErrors(path, root, err)...)
		return Default(), fs
	}
	order := mappingKeys(lookupNode(defNode.Content[0], "fields"))
	cfg.layFields(root, pristine, &order)
	cfg.FieldOrder = slices.DeleteFunc(order, func(n string) bool { return cfg.Fields[n] == nil })
	fs = append(fs, cfg.prepare(root, path)...)
	if fs.HasErrors() {
		def := Default()
		return def, fs
	}
	return cfg, fs
}

// layFields lays the config's fields over the built-in ones: a field
// that is a role (by its name or its key) is merged into the built-in
// field, any other is the config's own. With a roles section, built-in
// fields that are not roles are left out.
func (c *Config) layFields(root *yaml.Node, pristine *Config, order *[]string) {
	fn := lookupNode(root, "fields")
	userKeys := mappingKeys(fn)
	isRole := func(name string) bool { return true }
	if rolesGiven(root) {
		isRole = func(name string) bool {
			_, listed := c.Roles[name]
			return listed || name == "id" || name == "title"
		}
		c.custom = map[string]bool{}
		for _, name := range *order {
			if isRole(name) {
				continue
			}
			if slices.Contains(userKeys, name) {
				c.custom[name] = true
			} else {
				delete(c.Fields, name)
			}
		}
	}
	if fn == nil {
		return
	}
	for i := 0; i+1 < len(fn.Content); i += 2 {
		key := fn.Content[i].Value
		name := c.roleField(key)
		if r, ok := c.Roles[key]; ok && name == key && r.Key != "" && r.Key != key && r.From == RoleKey {
			// fields.status while the status is kept under Status: which
			// did the file mean? Say so rather than guess.
			c.misplaced = append(c.misplaced, key)
			continue
		}
		if def, ok := pristine.Fields[name]; ok && isRole(name) {
			if err := fn.Content[i+1].Decode(def); err == nil {
				c.Fields[name] = def
			}
			if name != key {
				delete(c.Fields, key)
			}
		} else if !slices.Contains(*order, name) {
			*order = append(*order, name)
		}
		if f := c.Fields[name]; f != nil && f.Remove {
			delete(c.Fields, name)
		}
	}
}

var typeErrLine = regexp.MustCompile(`^line (\d+): (.*)$`)

// decodeErrors turns yaml.v3 decoding errors into positioned findings.
func decodeErrors(path string, root *yaml.Node, err error) finding.Findings {
	var msgs []string
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	} else {
		msgs = []string{strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	var fs finding.Findings
	for _, m := range msgs {
		f := finding.Finding{Path: path, Line: 1, Col: 1, Severity: finding.Error, Rule: "config", Message: m,
			Hint: "see `demand config` for the effective config and the README for each section"}
		if sm := typeErrLine.FindStringSubmatch(m); sm != nil {
			fmt.Sscan(sm[1], &f.Line)
			f.Message = strings.ReplaceAll(sm[2], "registry.", "")
			if n := safeyaml.NodeAt(root, f.Line); n != nil {
				f.Col = n.Column
			}
		}
		fs = append(fs, f)
	}
	return fs
}

// checkConfigKeys reports unknown keys with a suggestion, before decoding,
// so that a typo gets a position and a "did you mean". The known keys are
// read from the Config type's yaml tags, so they never drift from it.
func checkConfigKeys(path string, root *yaml.Node) finding.Findings {
	var fs finding.Findings
	var walk func(n *yaml.Node, t reflect.Type)
	walk = func(n *yaml.Node, t reflect.Type) {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch {
		case t.Kind() == reflect.Slice && n.Kind == yaml.SequenceNode:
			for _, item := range n.Content {
				walk(item, t.Elem())
			}
		case t.Kind() == reflect.Map && n.Kind == yaml.MappingNode:
			for i := 1; i < len(n.Content); i += 2 {
				walk(n.Content[i], t.Elem())
			}
		case t.Kind() == reflect.Struct && n.Kind == yaml.MappingNode:
			fields := yamlFields(t)
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i]
				ft, ok := fields[k.Value]
				if ok {
					walk(n.Content[i+1], ft)
					continue
				}
				if _, inline := fields[",inline"]; inline {
					continue // a map's keys, checked when prepared (sla targets)
				}
				names := slices.Sorted(maps.Keys(fields))
				f := finding.Finding{Path: path, Line: k.Line, Col: k.Column, Severity: finding.Error, Rule: "config",
					Message: fmt.Sprintf("unknown config key %q", k.Value)}
				if s := suggest.Closest(k.Value, names); s != "" {
					f.Hint = fmt.Sprintf("did you mean %q?", s)
				} else {
					f.Hint = "known keys: " + strings.Join(names, ", ")
				}
				fs = append(fs, f)
			}
		}
	}
	walk(root, reflect.TypeFor[Config]())
	return fs
}

// yamlFields maps a struct's yaml keys to their types.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for f := range t.Fields() {
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if opts == "inline" && f.Type.Kind() == reflect.Map {
			name = ",inline"
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f.Type
	}
	return out
}

// lookupNode follows mapping keys and, in sequences, "#N" indexes.
func lookupNode(n *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		if n != nil && n.Kind == yaml.SequenceNode && strings.HasPrefix(k, "#") {
			i, err := strconv.Atoi(k[1:])
			if err != nil || i < 0 || i >= len(n.Content) {
				return nil
			}
			n = n.Content[i]
			continue
		}
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				next = n.Content[i+1]
				break
			}
		}
		n = next
	}
	return n
}

func mappingKeys(n *yaml.Node) []string {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	var keys []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		keys = append(keys, n.Content[i].Value)
	}
	return keys
}

// prepare checks the config's meaning and builds lookup tables. root is the
// config file's node tree (nil for defaults), used to place findings.
func (c *Config) prepare(root *yaml.Node, path string) finding.Findings {
	p := &prep{c: c, root: root, path: path}
	p.roles() // first: an ID in the file name sets the ID's pattern
	p.general()
	p.statuses()
	p.dropUnused()
	p.fields()
	p.scoring()
	p.tiers()
	p.sla()
	p.policy()
	p.review()
	return p.fs
}

// prep checks a config, one section at a time, and collects findings
// placed at the keys they are about.
type prep struct {
	c    *Config
	root *yaml.Node
	path string
	fs   finding.Findings
}

// bad adds a finding at the deepest of keys the file has (1:1 when it
// has none of them).
func (p *prep) bad(msg, hint string, keys ...string) {
	f := finding.Finding{Path: p.path, Severity: finding.Error, Rule: "config", Message: msg, Hint: hint}
	if p.root != nil {
		f.Line, f.Col = 1, 1
	}
	for k := len(keys); k > 0; k-- {
		if n := lookupNode(p.root, keys[:k]...); n != nil {
			f.Line, f.Col = n.Line, n.Column
			break
		}
	}
	p.fs = append(p.fs, f)
}

// general checks language, numbers, IDs, the feed and file limits.
func (p *prep) general() {
	c := p.c
	bad := p.bad
	if langs := templates.Languages(); !slices.Contains(langs, c.Language) {
		bad(fmt.Sprintf("language %q is not supported", c.Language), "use "+orList(langs)+" (the languages of the built-in UI strings, templates/i18n)", "language")
	}
	p.fs = append(p.fs, configNumbers(p.path, p.root)...)
	re, err := regexp.Compile(c.ID.Pattern)
	if err != nil {
		bad("id.pattern is not a valid regular expression: "+err.Error(), "", "id", "pattern")
	} else if _, err := ECMAScriptPattern(c.ID.Pattern); err != nil {
		bad("id.pattern cannot be given to editors' JSON Schema validators: "+err.Error(),
			"write a shorter pattern: a Unicode class such as \\p{L} merged with other characters is written out range by range", "id", "pattern")
	} else {
		c.idRe = re
		body := strings.TrimSuffix(strings.TrimPrefix(c.ID.Pattern, "^"), "$")
		c.idPrefix = regexp.MustCompile("^(?:" + body + ")")
	}
	if c.ID.Digits < 1 || c.ID.Digits > 12 {
		bad("id.digits must be between 1 and 12", "", "id", "digits")
	}
	// With the ID taken from a name pattern, a new file's name is its
	// number and title, whatever part of it the pattern keeps.
	if c.idRe != nil && c.namePat == nil && c.ID.Digits >= 1 && c.ID.Digits <= 12 && !c.idRe.MatchString(c.ID.Prefix+strings.Repeat("1", c.ID.Digits)) {
		bad(fmt.Sprintf("IDs made from id.prefix %q and %d digits do not match id.pattern", c.ID.Prefix, c.ID.Digits),
			"make prefix, digits and pattern agree", "id")
	}
	if c.Feed.ID != "" {
		if u, err := url.Parse(c.Feed.ID); err != nil || u.Scheme == "" || strings.ContainsAny(c.Feed.ID, " \t\n<>\"{}|\\^`") {
			bad(fmt.Sprintf("feed.id %q is not an absolute URI", c.Feed.ID),
				"use a URI that is yours and never changes, e.g. tag:example.com,2026:demands or urn:uuid:…", "feed", "id")
		}
	}
	for _, pat := range c.Files.Exclude {
		if _, err := path.Match(pat, ""); err != nil {
			bad(fmt.Sprintf("files.exclude: %q is not a pattern: %v", pat, err), "use * ? and [...] as in shell patterns", "files", "exclude")
		}
	}
	if c.Files.MaxSize <= 0 {
		bad("files.max_size must be positive", "", "files", "max_size")
	}
}

// statuses checks the statuses and their next steps.
func (p *prep) statuses() {
	c := p.c
	bad := p.bad
	c.status = map[string]*Status{}
	if len(c.Statuses) == 0 {
		bad("statuses must list at least one status", "", "statuses")
	}
	for i := range c.Statuses {
		s := &c.Statuses[i]
		at := fmt.Sprintf("#%d", i)
		if s.Name == "" {
			bad(fmt.Sprintf("status #%d has no name", i+1), "", "statuses", at)
			continue
		}
		if _, dup := c.status[s.Name]; dup {
			bad(fmt.Sprintf("status %q is listed twice", s.Name), "", "statuses", at)
		}
		c.status[s.Name] = s
		if !slices.Contains(StatusKinds, s.Kind) {
			bad(fmt.Sprintf("status %q has kind %q", s.Name, s.Kind), "kind is one of "+joined(StatusKinds), "statuses", at, "kind")
		}
	}
	for i, s := range c.Statuses {
		for _, n := range s.Next {
			if c.status[n] == nil {
				bad(fmt.Sprintf("status %q lists unknown next status %q", s.Name, n), "", "statuses", fmt.Sprintf("#%d", i), "next")
			}
		}
	}
}

// fields checks the fields, the built-in ones and the timeline field.
func (p *prep) fields() {
	c := p.c
	bad := p.bad
	for _, name := range c.FieldOrder {
		p.fs = append(p.fs, c.prepareField(name, c.Fields[name], p.root, p.path, []string{"fields", name})...)
	}
	for _, req := range []string{"id", "title"} {
		if c.Fields[req] == nil && !(req == "id" && c.ID.FromFilename) {
			bad(fmt.Sprintf("the built-in field %q cannot be removed", req), "map it to another key with roles instead", "fields", req)
		}
	}
	if tf := c.History.TimelineField; tf != "" {
		f := c.Fields[tf]
		ok := f != nil && f.Type == TList && f.Items != nil && f.Items.Type == TMap
		if ok {
			d, s := f.Items.Fields["date"], f.Items.Fields["status"]
			ok = d != nil && d.Type == TDate && s != nil && s.Type == TStatus
		}
		if !ok {
			bad(fmt.Sprintf("history.timeline_field names %q, which is not a list of {date, status} maps", tf),
				"define the field under fields (date: {type: date}, status: {type: status}), or set timeline_field: \"\"", "history", "timeline_field")
		}
	}
}

// scoring checks the scoring models.
func (p *prep) scoring() {
	c := p.c
	bad := p.bad
	switch c.Scoring.Primary {
	case "weighted", "rice", "wsjf":
	default:
		bad(fmt.Sprintf("scoring.primary %q is not a model", c.Scoring.Primary), "use weighted, rice or wsjf", "scoring", "primary")
	}
	for i, f := range c.Scoring.Weighted {
		at := fmt.Sprintf("#%d", i)
		if f.Field != CustomersField && c.FieldByPath(f.Field) == nil {
			bad(fmt.Sprintf("scoring factor %q uses unknown field %q", f.Factor, f.Field), "", "scoring", "weighted", at)
		}
		if f.Weight < 0 {
			bad(fmt.Sprintf("scoring factor %q has a negative weight", f.Factor), "", "scoring", "weighted", at)
		}
	}
	for k := range c.Scoring.Kano {
		if kf := c.Fields["kano"]; kf != nil && !slices.Contains(kf.Values, k) {
			bad(fmt.Sprintf("scoring.kano names unknown category %q", k), "", "scoring", "kano")
		}
	}
}

// tiers checks the tiers and their floors.
func (p *prep) tiers() {
	c := p.c
	bad := p.bad
	if len(c.Tiers.Levels) == 0 {
		bad("tiers.levels must list at least one tier", "", "tiers", "levels")
	}
	for i, l := range c.Tiers.Levels {
		if l.Tier != i+1 {
			bad("tiers.levels must list tiers 1, 2, 3, ... in order", "", "tiers", "levels")
			break
		}
		if i > 0 && l.MinScore > c.Tiers.Levels[i-1].MinScore {
			bad(fmt.Sprintf("tier %d has a higher min_score than tier %d", l.Tier, l.Tier-1), "lower tiers need lower scores", "tiers", "levels")
		}
	}
	for i, fl := range c.Tiers.Floors {
		at := fmt.Sprintf("#%d", i)
		if fl.Tier < 1 || fl.Tier > len(c.Tiers.Levels) {
			bad(fmt.Sprintf("floor %q sets tier %d, which is not a tier", fl.Name, fl.Tier), "", "tiers", "floors", at)
		}
		p.fs = append(p.fs, c.checkCondition(fl.When, "floor "+fl.Name, bad, "tiers", "floors", at)...)
	}
}

// sla checks the SLA nodes, targets, holidays and weekends.
func (p *prep) sla() {
	c := p.c
	bad := p.bad
	seen := map[string]bool{}
	for i, n := range c.SLA.Nodes {
		at := fmt.Sprintf("#%d", i)
		switch {
		case !validKey(n.Name):
			bad(fmt.Sprintf("sla node #%d has no usable name (%q)", i+1, n.Name), "use letters, digits, - and _", "sla", "nodes", at)
		case seen[n.Name] || n.Name == "tier":
			bad(fmt.Sprintf("sla node %q is listed twice (or is named tier)", n.Name), "", "sla", "nodes", at)
		case len(n.Statuses) == 0 && len(n.Kinds) == 0 && !n.LeaveFirst:
			bad(fmt.Sprintf("sla node %q is reached by nothing", n.Name), "give it statuses, kinds or leave_first: true", "sla", "nodes", at)
		}
		seen[n.Name] = true
		for _, st := range n.Statuses {
			if c.status[st] == nil {
				bad(fmt.Sprintf("sla node %q names unknown status %q", n.Name, st), "", "sla", "nodes", at, "statuses")
			}
		}
		for _, k := range n.Kinds {
			if !slices.Contains(StatusKinds, k) {
				bad(fmt.Sprintf("sla node %q names unknown status kind %q", n.Name, k), "kind is one of "+joined(StatusKinds), "sla", "nodes", at, "kinds")
			}
		}
	}
	for i, t := range c.SLA.Targets {
		at := fmt.Sprintf("#%d", i)
		if t.Tier < 1 || t.Tier > len(c.Tiers.Levels) {
			bad(fmt.Sprintf("sla target for tier %d, which is not a tier", t.Tier), "", "sla", "targets", at)
		}
		for _, k := range sortedKeys(t.Days) {
			if !seen[k] {
				bad(fmt.Sprintf("sla target for tier %d names %q, which is not a node", t.Tier, k), "the nodes are "+strings.Join(nodeNames(c), ", "), "sla", "targets", at)
			}
		}
	}
	for _, h := range c.SLA.Holidays {
		if _, ok := ParseDate(h); !ok {
			bad(fmt.Sprintf("sla holiday %q is not a date", h), "write YYYY-MM-DD", "sla", "holidays")
		}
	}
	for _, w := range c.SLA.Weekends {
		if WeekdayByName(w) < 0 {
			bad(fmt.Sprintf("sla weekend %q is not a weekday", w), "write monday ... sunday", "sla", "weekends")
		}
	}
}

// orList is "a, b or c".
func orList(xs []string) string {
	if len(xs) < 2 {
		return strings.Join(xs, "")
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " or " + xs[len(xs)-1]
}

func nodeNames(c *Config) []string {
	out := make([]string, len(c.SLA.Nodes))
	for i, n := range c.SLA.Nodes {
		out[i] = n.Name
	}
	return out
}

// policy checks the policy rules, WIP limits and requester saturation.
func (p *prep) policy() {
	c := p.c
	bad := p.bad
	for i, r := range c.Policy.Rules {
		at := fmt.Sprintf("#%d", i)
		if r.Severity != finding.Error && r.Severity != finding.Warning {
			bad(fmt.Sprintf("policy rule %q has severity %q", r.Name, r.Severity), "use error or warning", "policy", "rules", at)
		}
		for _, req := range r.Require {
			if c.FieldByPath(req) == nil {
				bad(fmt.Sprintf("policy rule %q requires unknown field %q", r.Name, req), "", "policy", "rules", at)
			}
		}
		p.fs = append(p.fs, c.checkCondition(r.When, "policy rule "+r.Name, bad, "policy", "rules", at)...)
	}
	for i, w := range c.Policy.WIP {
		at := fmt.Sprintf("#%d", i)
		for _, k := range w.Kinds {
			if !slices.Contains(StatusKinds, k) {
				bad(fmt.Sprintf("wip limit names unknown status kind %q", k), "", "policy", "wip", at)
			}
		}
	}
	if c.Scoring.Requesters.Saturation <= 0 {
		bad("scoring.requesters.saturation must be positive", "", "scoring", "requesters", "saturation")
	}
}

// review checks the review limits and the duplicate threshold.
func (p *prep) review() {
	c := p.c
	bad := p.bad
	// The built-in limits name tiers 1-4; only limits the file sets must
	// name tiers it has.
	userStale := lookupNode(p.root, "review", "stale_days") != nil
	for _, t := range slices.Sorted(maps.Keys(c.Review.StaleDays)) {
		if (t < 1 || t > len(c.Tiers.Levels)) && userStale {
			bad(fmt.Sprintf("review.stale_days names tier %d, which is not a tier", t), "", "review", "stale_days")
		} else if c.Review.StaleDays[t] < 1 {
			bad(fmt.Sprintf("review.stale_days for tier %d must be at least 1", t), "", "review", "stale_days")
		}
	}
	if c.Review.DueSoonDays < 0 {
		bad("review.due_soon_days must not be negative", "", "review", "due_soon_days")
	}
	if c.Duplicates.Threshold <= 0 || c.Duplicates.Threshold > 1 {
		bad("duplicates.threshold must be in (0, 1]", "", "duplicates", "threshold")
	}
}

// configNumbers bounds every number of the config as front matter is
// bounded: a weight of 1e308 or a saturation of 1e-308 would make scores
// infinite.
func configNumbers(path string, n *yaml.Node) finding.Findings {
	if n == nil {
		return nil
	}
	var fs finding.Findings
	if n.Kind == yaml.ScalarNode && (n.Tag == "!!float" || n.Tag == "!!int") {
		x, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
		if n.Tag == "!!int" && err != nil {
			return nil // hexadecimal and octal ints: yaml.v3 bounds them to int64 already
		}
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) > MaxNumber || (x != 0 && math.Abs(x) < 1/MaxNumber) {
			fs = append(fs, finding.Finding{Path: path, Line: n.Line, Col: n.Column, Severity: finding.Error, Rule: "config",
				Message: fmt.Sprintf("the number %s is out of range: numbers in the config are 0 or between ±%s and ±%s", n.Value, fmtNum(1/MaxNumber), fmtNum(MaxNumber)),
				Hint:    "use a finite number of sane size"})
		}
	}
	for _, c := range n.Content {
		fs = append(fs, configNumbers(path, c)...)
	}
	return fs
}

func (c *Config) checkCondition(cond Condition, what string, bad func(string, string, ...string), keys ...string) finding.Findings {
	for k := range cond {
		switch k {
		case "status_kind", "tier":
			continue
		}
		if c.FieldByPath(k) == nil {
			bad(fmt.Sprintf("%s tests unknown field %q", what, k), "", keys...)
		}
	}
	return nil
}

func (c *Config) prepareField(name string, f *Field, root *yaml.Node, path string, keys []string) finding.Findings {
	var fs finding.Findings
	bad := func(msg string, sub ...string) {
		fd := finding.Finding{Path: path, Severity: finding.Error, Rule: "config", Message: fmt.Sprintf("field %q: %s", name, msg)}
		at := append(slices.Clone(keys), sub...)
		for k := len(at); k > 0; k-- {
			if n := lookupNode(root, at[:k]...); n != nil {
				fd.Line, fd.Col = n.Line, n.Column
				break
			}
		}
		fs = append(fs, fd)
	}
	if f == nil {
		bad("has no definition")
		return fs
	}
	if !slices.Contains(FieldTypes, f.Type) {
		bad(fmt.Sprintf("type %q is not one of %s", f.Type, joined(FieldTypes)), "type")
		return fs
	}
	switch f.Type {
	case TEnum:
		if len(f.Values) == 0 {
			bad("an enum needs values")
		}
	case TStatus:
		f.Values = nil
		for _, s := range c.Statuses {
			f.Values = append(f.Values, s.Name)
		}
	case TList:
		if f.MaxItems < 0 {
			bad("max_items must be positive", "max_items")
		}
		if f.Items == nil {
			bad("a list needs items")
		} else {
			fs = append(fs, c.prepareField(name+"[]", f.Items, root, path, append(keys, "items"))...)
		}
	case TMap:
		// A map without fields takes any keys (see Field.Free).
		for _, sub := range sortedKeys(f.Fields) {
			fs = append(fs, c.prepareField(name+"."+sub, f.Fields[sub], root, path, append(keys, "fields", sub))...)
		}
	}
	if f.Pattern != "" {
		re, err := regexp.Compile(f.Pattern)
		if err != nil {
			bad("pattern is not a valid regular expression: "+err.Error(), "pattern")
		} else if _, err := ECMAScriptPattern(f.Pattern); err != nil {
			bad("pattern cannot be given to editors' JSON Schema validators: "+err.Error(), "pattern")
		}
		f.re = re
	}
	return fs
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// FieldByPath finds a field by dotted path ("customer.segment"); list
// fields resolve to their items.
func (c *Config) FieldByPath(p string) *Field {
	part, rest, more := strings.Cut(p, ".")
	f := c.Fields[part]
	for more {
		part, rest, more = strings.Cut(rest, ".")
		for f != nil && f.Type == TList {
			f = f.Items
		}
		if f == nil || f.Type != TMap {
			return nil
		}
		f = f.Fields[part]
	}
	return f
}

// Status returns the named status, or nil.
func (c *Config) Status(name string) *Status { return c.status[name] }

// StatusKind returns the kind of a status, or "" when unknown.
func (c *Config) StatusKind(name string) Kind {
	if s := c.status[name]; s != nil {
		return s.Kind
	}
	return ""
}

// CanMove reports whether the workflow allows from → to in one step.
func (c *Config) CanMove(from, to string) bool {
	if from == to {
		return true
	}
	s := c.status[from]
	return s != nil && slices.Contains(s.Next, to)
}

// ValidID reports whether id matches the ID pattern.
func (c *Config) ValidID(id string) bool { return c.idRe != nil && c.idRe.MatchString(id) }

// IDFromName returns the ID at the start of a file name, or "".
func (c *Config) IDFromName(base string) string {
	if c.namePat != nil {
		id, _ := c.NameID(base)
		return id
	}
	if c.idPrefix == nil {
		return ""
	}
	m := c.idPrefix.FindString(base)
	if m == "" {
		return ""
	}
	rest := base[len(m):]
	if rest == "" || rest[0] == '-' || rest[0] == '.' || rest[0] == '_' {
		return m
	}
	return ""
}

// TierLabel is the label of a tier in lang.
func (c *Config) TierLabel(tier int, lang string) string {
	for _, l := range c.Tiers.Levels {
		if l.Tier == tier {
			return l.Label.In(lang)
		}
	}
	return fmt.Sprintf("Tier %d", tier)
}

// YAML renders the effective config.
func (c *Config) YAML() ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(c.ordered()); err != nil {
		return nil, err
	}
	return buf.Bytes(), enc.Close()
}

// ordered renders the config as a node tree whose fields keep FieldOrder.
func (c *Config) ordered() *yaml.Node {
	var n yaml.Node
	_ = n.Encode(c)
	if fn := lookupNode(&n, "fields"); fn != nil {
		byName := map[string][2]*yaml.Node{}
		for i := 0; i+1 < len(fn.Content); i += 2 {
			byName[fn.Content[i].Value] = [2]*yaml.Node{fn.Content[i], fn.Content[i+1]}
		}
		fn.Content = fn.Content[:0]
		for _, name := range c.FieldOrder {
			kv := byName[name]
			fn.Content = append(fn.Content, kv[0], kv[1])
		}
	}
	return &n
}

// MaxNumber bounds every number in front matter, whatever the config
// says: scores multiply and add them, and must stay finite.
const MaxNumber = 1e15

func fmtNum(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// Reachable reports whether a demand in status from can come to status to
// by the workflow's steps (zero or more).
func (c *Config) Reachable(from, to string) bool {
	if from == to {
		return true
	}
	seen := map[string]bool{from: true}
	queue := []string{from}
	for len(queue) > 0 {
		s := c.Status(queue[0])
		queue = queue[1:]
		if s == nil {
			continue
		}
		for _, n := range s.Next {
			if n == to {
				return true
			}
			if !seen[n] {
				seen[n] = true
				queue = append(queue, n)
			}
		}
	}
	return false
}

// MatchesPattern reports whether s matches the field's pattern (any s
// when it has none).
func (f *Field) MatchesPattern(s string) bool { return f.re == nil || f.re.MatchString(s) }

// joined lists names for a message, comma-separated.
func joined[T ~string](names []T) string {
	s := make([]string, len(names))
	for i, n := range names {
		s[i] = string(n)
	}
	return strings.Join(s, ", ")
}
