package render

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"path"
	"strconv"
	"strings"

	"github.com/demand-registry/demand/registry/finding"

	"github.com/demand-registry/demand/internal/escape"
	"github.com/demand-registry/demand/registry/history"
	"github.com/demand-registry/demand/registry/rank"
)

// exportDemand is one demand in demands.json: the file's fields, the body,
// the ranking with every model, and the history.
type exportDemand struct {
	ID       string           `json:"id"`
	Title    string           `json:"title"`
	Status   string           `json:"status"`
	Tier     int              `json:"tier"`
	Score    float64          `json:"score"`
	Received string           `json:"received"`
	URL      string           `json:"url"`
	Path     string           `json:"path"` // relative to the repository root
	Fields   map[string]any   `json:"fields"`
	Body     string           `json:"body"`
	Ranking  *rank.Result     `json:"ranking"`
	History  *history.History `json:"history,omitempty"` // absent when the registry is not in git
}

// exportJSON is demands.json (docs/json/demands.schema.json).
type exportJSON struct {
	SchemaVersion int            `json:"schema_version"`
	Demands       []exportDemand `json:"demands"` // ranked
}

// jsonParts writes demands.json a demand at a time, in parts of about a
// megabyte, byte for byte as json.MarshalIndent(exportJSON, "", "  ")
// followed by a newline (TestJSONPartsAsMarshalIndent): with long
// histories the file is the largest of a site, and marshalling it whole
// held it in memory about three times over. The zero value is empty.
type jsonParts struct {
	parts [][]byte // full parts
	cur   []byte   // the part being filled; empty only before the first demand
}

const jsonPart = 1 << 20

func (j *jsonParts) empty() bool { return len(j.cur) == 0 }

// add writes the next demand, indented as an item of the demands list.
func (j *jsonParts) add(d exportDemand) error {
	item, err := json.MarshalIndent(d, "    ", "  ")
	if err != nil {
		return err
	}
	sep := ",\n    "
	if j.empty() {
		sep = "\n    "
	}
	if len(j.cur)+len(sep)+len(item) > jsonPart && len(j.cur) > 0 {
		j.parts = append(j.parts, j.cur)
		j.cur = nil
	}
	if j.cur == nil {
		j.cur = make([]byte, 0, max(jsonPart, len(sep)+len(item)))
	}
	j.cur = append(append(j.cur, sep...), item...)
	return nil
}

// finish returns the file's parts: the document's head and tail around
// the items, as MarshalIndent writes them for an empty list.
func (j *jsonParts) finish(version int) ([][]byte, error) {
	empty, err := json.MarshalIndent(exportJSON{SchemaVersion: version, Demands: []exportDemand{}}, "", "  ")
	if err != nil {
		return nil, err
	}
	i := bytes.LastIndex(empty, []byte("[]"))
	head, tail := empty[:i+1], string(empty[i+1:])+"\n"
	parts := [][]byte{head}
	if !j.empty() {
		tail = "\n  " + tail
		parts = append(append(parts, j.parts...), j.cur)
	}
	return append(parts, []byte(tail)), nil
}

// exports writes demands.json and demands.csv for the shown demands, in
// ranked order. For the public audience customer names are left out
// unless the config makes them public.
func (b *builder) exports(order []string) error {
	base := strings.TrimRight(b.opt.BaseURL, "/")
	url := func(id string) string {
		if base == "" {
			return "demands/" + fileName(id)
		}
		return base + "/demands/" + fileName(id)
	}
	var js jsonParts
	var rows bytes.Buffer
	rows.WriteString("\ufeff") // so Excel reads the file as UTF-8
	cw := csv.NewWriter(&rows)
	// Every field of the schema (see Config.Columns), so that importing
	// the file into an empty registry writes the same files; then what
	// is computed, which import ignores, and the body.
	cols := b.cfg.Columns()
	header := make([]string, 0, len(cols)+5)
	for _, c := range cols {
		header = append(header, b.cfg.KeyPath(c)) // the registry's keys
	}
	_ = cw.Write(append(header, "path", "score", "ranked_tier", "url", "body"))
	for _, id := range order {
		d := b.in.Snapshot.Get(id)
		r := b.in.Ranking.Get(id)
		fields := d.Fields.Map()
		rr := r
		if !b.names {
			fields = withoutNames(fields)
			c := *r
			c.Customers = nil
			for _, x := range r.Customers {
				x.Name = ""
				c.Customers = append(c.Customers, x)
			}
			rr = &c
		}
		h := b.in.History[id]
		if h != nil && !b.names {
			h = historyWithoutNames(h)
		}
		err := js.add(exportDemand{ID: id, Title: d.Title, Status: d.Status, Tier: r.Tier, Score: r.Score,
			Received: string(d.Received), URL: url(id), Path: path.Join(b.in.Dir, d.Path), Fields: b.underKeys(fields), Body: d.Body, Ranking: rr, History: h})
		if err != nil {
			return err
		}
		cells := b.cfg.Cells(fields)
		// An ID kept in the file name and a title in the heading are in
		// no front-matter field; the columns still hold them.
		cells["id"], cells["title"] = d.ID, d.Title
		row := make([]string, 0, len(cols)+5)
		for _, c := range cols {
			row = append(row, cells[c])
		}
		// Cells are neutralised (escape.CSVCell): a title "=HYPERLINK(…)"
		// is text in a spreadsheet, not a formula; import undoes it.
		row = append(row, d.Path, num(r.Score), strconv.Itoa(r.Tier), url(id), strings.Trim(d.Body, "\n"))
		_ = cw.Write(escape.CSVRow(row))
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	parts, err := js.finish(finding.JSONVersion)
	if err != nil {
		return err
	}
	b.putParts("demands.json", parts...)
	b.put("demands.csv", rows.Bytes())
	return nil
}

// underKeys is fields under the registry's keys, as its files write them.
func (b *builder) underKeys(fields map[string]any) map[string]any {
	out := make(map[string]any, len(fields))
	for k, v := range fields {
		if key := b.cfg.Key(k); key != "" {
			out[key] = v
		}
	}
	return out
}

// withoutNames copies front-matter fields without customer names.
func withoutNames(fields map[string]any) map[string]any {
	out := make(map[string]any, len(fields))
	for k, v := range fields {
		out[k] = v
	}
	if c, ok := fields["customer"].(map[string]any); ok {
		out["customer"] = dropKey(c, "name")
	}
	if l, ok := fields["requesters"].([]any); ok {
		var rs []any
		for _, it := range l {
			if m, ok := it.(map[string]any); ok {
				rs = append(rs, dropKey(m, "name"))
			}
		}
		out["requesters"] = rs
	}
	return out
}

func dropKey(m map[string]any, key string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}

// historyWithoutNames hides customer-name changes in a history.
func historyWithoutNames(h *history.History) *history.History {
	c := *h
	c.Commits = nil
	for _, cm := range h.Commits {
		cm.Changes = changesWithoutNames(cm.Changes)
		c.Commits = append(c.Commits, cm)
	}
	if h.Pending != nil {
		p := *h.Pending
		p.Changes = changesWithoutNames(p.Changes)
		c.Pending = &p
	}
	return &c
}

func changesWithoutNames(cs []history.Change) []history.Change {
	out := make([]history.Change, 0, len(cs))
	for _, c := range cs {
		if c.Field == "customer" || c.Field == "requesters" {
			c.From, c.To = "", ""
		}
		out = append(out, c)
	}
	return out
}

// Exports renders only demands.json and demands.csv: what `demand export`
// prints, the same data the site exports.
func Exports(in Input, opt Options) (map[string][]byte, error) {
	b, err := newBuilder(in, opt)
	if err != nil {
		return nil, err
	}
	var order []string
	for _, r := range in.Ranking.Results {
		if b.shown[r.ID] {
			order = append(order, r.ID)
		}
	}
	if err := b.exports(order); err != nil {
		return nil, err
	}
	return b.files, nil
}
