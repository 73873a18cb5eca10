package registry

import (
	"bytes"
	"encoding/binary"
	"slices"

	"github.com/demand-registry/demand/internal/intern"
	"github.com/demand-registry/demand/internal/safeyaml"
	"github.com/demand-registry/demand/registry/config"
	"github.com/demand-registry/demand/registry/finding"

	"gopkg.in/yaml.v3"
)

// FrontCache parses the front matter of many demand files a top-level
// entry at a time. Versions of a demand in its history differ from the one
// before in a line or two, and the demands of a registry share most of
// their values (a status, an urgency, a date), so most entries were parsed
// and checked before; the others go through the YAML parser together, as
// one document. A front matter it cannot cut into entries safely is parsed
// whole, as ParseDemand does.
//
// Cutting is sound because a line at column 0 that starts like a key can
// only continue the entry before it inside a quoted scalar or a flow
// collection, and then that entry does not parse on its own (the quote or
// bracket is not closed): the whole front matter is parsed instead. Plain
// and block scalars end before column 0, as in the whole document.
//
// Not safe for concurrent use.
type FrontCache struct {
	cfg      *config.Config // the config the entries' values were checked against
	size     int
	cur, old map[string]*frontEntry
	parsed   int // entries parsed, for tests
	// What one parse uses and the next may reuse: most of what reading
	// a demand allocated was these.
	texts [][]byte
	items []frontItem
	root  yaml.Node
	keys  map[string]bool // a front matter's keys, or a prefetch's new entries; cleared before each use
	doc   []byte
	pos   []FieldPos
	// missed and batch are the entries not seen before, of one front
	// matter and of the files prefetched.
	missed, batch [][]byte
	// layouts holds field positions handed out before: demands written
	// from one template have their keys on the same lines, and share one
	// slice of them (demands are never modified after parsing).
	layouts   *intern.Slices[FieldPos]
	layoutKey []byte
}

// frontEntry is one parsed entry: a key and its value, or bad when the
// entry is not a single key: value on its own.
type frontEntry struct {
	key, value *yaml.Node
	bad        bool
	// line0 is the line before the entry's first in the text it was
	// parsed from: its nodes' lines less line0 are lines of the entry.
	line0 int
	// val is the value as checked against field (none yet when nil),
	// valOK whether it checked, fs and pos the findings and nested key
	// positions the check gave, at the nodes' lines: an entry seen before
	// is not checked again.
	field *config.Field
	val   any
	valOK bool
	fs    finding.Findings
	pos   []FieldPos
}

// frontItem is an entry where a front matter has it: line is its first
// line in the front matter.
type frontItem struct {
	*frontEntry
	line int
}

// NewFrontCache keeps the entries used lately: two generations of size
// entries each (an entry used from the older moves to the newer).
func NewFrontCache(size int) *FrontCache {
	return &FrontCache{size: size, cur: map[string]*frontEntry{}, keys: map[string]bool{}, layouts: intern.New[FieldPos](size)}
}

// lookup returns an entry parsed before, moved to the newer generation.
func (c *FrontCache) lookup(text []byte) *frontEntry {
	if e, ok := c.cur[string(text)]; ok {
		return e
	}
	e, ok := c.old[string(text)]
	if ok {
		c.store(text, e)
	}
	return e
}

func (c *FrontCache) store(text []byte, e *frontEntry) {
	if len(c.cur) >= c.size {
		c.old, c.cur = c.cur, make(map[string]*frontEntry, c.size)
	}
	c.cur[string(text)] = e
}

// parseEntry parses one entry on its own: bad when it is not a single
// key: value of plain data.
func parseEntry(text []byte) *frontEntry {
	if entries, ok := parseEntries(text, []int{1}); ok && entries[0] != nil {
		return entries[0]
	}
	return &frontEntry{bad: true}
}

// parseEntries parses doc, the texts of entries one after another, the
// j-th starting at line starts[j]. ok is false unless doc parses into
// exactly those entries, each where it starts; an entry that is not plain
// data on its own (an anchor, an alias, a tag, a merge key) is nil, so
// that its front matter goes to the whole parse, which says why.
func parseEntries(doc []byte, starts []int) (entries []*frontEntry, ok bool) {
	defer func() {
		if recover() != nil {
			entries, ok = nil, false
		}
	}()
	var n yaml.Node
	if err := yaml.Unmarshal(doc, &n); err != nil || len(n.Content) != 1 {
		return nil, false
	}
	m := n.Content[0]
	if m.Kind != yaml.MappingNode || len(m.Content) != 2*len(starts) || m.Anchor != "" || m.Tag != "!!map" || m.Style != 0 {
		return nil, false
	}
	for j, line := range starts {
		if k := m.Content[2*j]; k.Line != line || k.Column != 1 {
			return nil, false
		}
	}
	entries = make([]*frontEntry, len(starts))
	for j, line := range starts {
		// At depth 2, as in the whole front matter.
		k, v := m.Content[2*j], m.Content[2*j+1]
		if k.Kind != yaml.ScalarNode || k.Value == "<<" || len(safeyaml.CheckPlainData("", k, 0, 2)) > 0 || len(safeyaml.CheckPlainData("", v, 0, 2)) > 0 {
			continue
		}
		entries[j] = &frontEntry{key: k, value: v, line0: line - 1}
	}
	return entries, true
}

// frontEntries cuts front matter into its top-level entries: each starts
// at a line that begins with a letter, a digit, '_' or a quote, and holds
// the lines after it that are indented, blank, comments or block sequence
// items ("- "). ok is false for anything else at column 0 (directives,
// tags, anchors, complex keys, flow collections, document markers) and for
// indented lines before the first entry.
func frontEntries(yml []byte, out [][]byte) ([][]byte, bool) {
	start := -1
	for off := 0; off < len(yml); {
		next := nextLine(yml, off)
		switch b := yml[off]; {
		case b == ' ' || b == '\r' || b == '\n' || b == '#':
			// continues the entry; before the first, only blank lines
			// and comments
			if start < 0 && !blankOrComment(yml[off:next]) {
				return out, false
			}
		case b == '-':
			if start < 0 || (next-off > 1 && yml[off+1] != ' ' && yml[off+1] != '\n') {
				return out, false
			}
		case startsEntry(b):
			if start >= 0 {
				out = append(out, yml[start:off])
			}
			start = off
		default:
			return out, false
		}
		off = next
	}
	if start < 0 {
		return out, false
	}
	return append(out, yml[start:]), true
}

// nextLine is the offset of the line after the one at off, len(yml)
// for the last.
func nextLine(yml []byte, off int) int {
	if end := bytes.IndexByte(yml[off:], '\n'); end >= 0 {
		return off + end + 1
	}
	return len(yml)
}

// startsEntry reports whether a line starting with b starts a top-level
// entry: a plain key (a letter, a digit, '_') or a quoted one.
func startsEntry(b byte) bool {
	return b == '_' || b == '"' || b == '\'' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

// ParseDemand reads a demand as ParseDemand does, for its values only:
// findings are not returned, and the demand's Pos is left empty (a
// history keeps many versions of each demand, and reports no positions).
func (c *FrontCache) ParseDemand(cfg *config.Config, p string, data []byte) *Demand {
	c.use(cfg)
	// The body's checks give findings only: a long body's are most of
	// what a version costs to read.
	d, _ := parseDemand(cfg, p, data, c, false)
	return d
}

// parse is ParseDemand with entries parsed and checked before taken as
// they were.
func (c *FrontCache) parse(cfg *config.Config, p string, data []byte) (*Demand, finding.Findings) {
	c.use(cfg)
	return parseDemand(cfg, p, data, c, true)
}

// shared returns pos, or a slice equal to it handed out before; pos is
// the cache's scratch, copied when it is kept.
func (c *FrontCache) shared(pos []FieldPos) []FieldPos {
	if len(pos) == 0 {
		return nil
	}
	k := c.layoutKey[:0]
	for _, p := range pos {
		k = append(binary.AppendUvarint(k, uint64(len(p.Field))), p.Field...)
		k = binary.AppendUvarint(k, uint64(uint32(p.Line)))
		k = binary.AppendUvarint(k, uint64(uint32(p.Col)))
	}
	c.layoutKey = k
	return c.layouts.Shared(k, pos)
}

// use makes the cache's entries those checked against cfg.
func (c *FrontCache) use(cfg *config.Config) {
	if cfg != c.cfg {
		// values checked against another config's fields are not reused
		c.cfg, c.old, c.cur = cfg, nil, map[string]*frontEntry{}
	}
}

// prefetch parses, as one document, the front matter entries of files
// about to be read that the cache has not seen: reading each then finds
// its entries parsed. It cuts each front matter as reading it does, and
// leaves to that read whatever it cannot cut or parse together.
func (c *FrontCache) prefetch(cfg *config.Config, files [][]byte) {
	c.use(cfg)
	clear(c.keys)
	texts := c.batch[:0]
	for _, data := range files {
		if bytes.IndexByte(data, '\r') >= 0 || otherBreaks(data) {
			continue // newlines are normalized first when it is read
		}
		yml, _, _, f := splitFrontMatter("", data)
		if f != nil {
			continue
		}
		n := len(texts)
		all, ok := frontEntries(yml, texts)
		texts = all[:n]
		if !ok {
			continue // parsed whole when it is read
		}
		// Filtered in place: at most one is kept for each one read.
		for _, t := range all[n:] {
			if c.lookup(t) != nil || c.keys[string(t)] {
				continue
			}
			c.keys[string(t)] = true
			texts = append(texts, t)
		}
	}
	clear(c.keys)
	c.batch = texts
	if entries, ok := c.parseTogether(texts); ok {
		for i, e := range entries {
			if e != nil {
				c.store(texts[i], e)
			}
		}
	}
}

// front assembles the root mapping of front matter from its entries, or
// returns nil when it is to be parsed whole: when an entry does not parse
// on its own as plain data, or a key repeats or merges (which the whole
// parse reports). The root and the entries are the cache's until the
// next call.
func (c *FrontCache) front(yml []byte) (*yaml.Node, []frontItem) {
	if otherBreaks(yml) {
		return nil, nil
	}
	texts, ok := frontEntries(yml, c.texts[:0])
	c.texts = texts
	if !ok {
		return nil, nil
	}
	items := slices.Grow(c.items[:0], len(texts))[:len(texts)]
	c.items = items
	lead := len(yml)
	for _, t := range texts {
		lead -= len(t)
	}
	line := 1 + bytes.Count(yml[:lead], []byte("\n"))
	missed := c.missed[:0]
	for i, text := range texts {
		items[i] = frontItem{c.lookup(text), line}
		if items[i].frontEntry == nil {
			missed = append(missed, text)
		}
		line += bytes.Count(text, []byte("\n"))
	}
	c.missed = missed
	if len(missed) > 0 {
		entries, _ := c.parseTogether(missed)
		j := 0
		for i := range items {
			if items[i].frontEntry != nil {
				continue
			}
			e := (*frontEntry)(nil)
			if entries != nil {
				e = entries[j]
			}
			if e == nil {
				e = parseEntry(texts[i])
				c.parsed++
			}
			j++
			items[i].frontEntry = e
			c.store(texts[i], e)
		}
	}
	root := &c.root
	*root = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: items[0].line, Column: 1, Content: root.Content[:0]}
	seen := c.keys
	clear(seen)
	for _, e := range items {
		// A bad entry is not plain data on its own (parseEntry checks
		// its key too: a scalar, not "<<").
		if e.bad || seen[e.key.Value] {
			return nil, nil
		}
		seen[e.key.Value] = true
		root.Content = append(root.Content, e.key, e.value)
	}
	return root, items
}

// parseTogether parses entries as one document (see parseEntries): one
// run of the YAML parser, not one per entry. Nothing is stored.
func (c *FrontCache) parseTogether(texts [][]byte) (entries []*frontEntry, ok bool) {
	if len(texts) < 2 {
		return nil, false
	}
	doc := c.doc[:0]
	starts := make([]int, len(texts))
	line := 1
	for j, t := range texts {
		if len(doc) > 0 && doc[len(doc)-1] != '\n' {
			return nil, false // an entry cut without its line's end is the last of its front matter
		}
		starts[j] = line
		doc = append(doc, t...)
		line += bytes.Count(t, []byte("\n"))
	}
	c.doc = doc
	entries, ok = parseEntries(doc, starts)
	for _, e := range entries {
		if e != nil {
			c.parsed++
		}
	}
	return entries, ok
}

// otherBreaks reports whether b holds a line break YAML counts and the
// cut into entries does not: NEL (U+0085), LS (U+2028), PS (U+2029).
// Such a front matter is parsed whole, so that every line reported after
// it is the line YAML gives.
func otherBreaks(b []byte) bool {
	return bytes.Contains(b, []byte("\u0085")) || bytes.Contains(b, []byte("\u2028")) || bytes.Contains(b, []byte("\u2029"))
}

func blankOrComment(line []byte) bool {
	t := bytes.TrimLeft(line, " \t\r\n")
	return len(t) == 0 || t[0] == '#'
}
