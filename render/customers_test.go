package render

import (
	"strings"
	"testing"
	"time"

	"github.com/demand-registry/demand/registry/config"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/registry/rank"
	"github.com/demand-registry/demand/templates"
)

// Spellings of one customer that differ only in invisible characters or
// compatibility forms have one customer page, which the demands link to.
func TestInvisibleCustomerVariantsOnePage(t *testing.T) {
	cfg := config.Default()
	var ds []*registry.Demand
	for i, name := range []string{"Acme", "Ac\u200bme", "\u202eAcme\u202c", "Ａｃｍｅ", "\u0410cme"} {
		id := "D-000" + string(rune('1'+i))
		d, fs := registry.ParseDemand(cfg, id+"-x.md", []byte("---\nid: "+id+"\ntitle: T\nstatus: new\nreceived: 2026-01-05\ncustomer: {name: \""+name+"\", segment: vip}\n---\n"))
		require.False(t, fs.HasErrors(), "%v", fs)
		ds = append(ds, d)
	}
	snap := registry.NewSnapshot(cfg, ds)
	files, err := Build(Input{Snapshot: snap, Ranking: rank.Rank(snap), Date: time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)}, Options{Templates: templates.FS})
	require.NoError(t, err)
	var pages []string
	for name := range files {
		if strings.HasPrefix(name, "customers/") && name != "customers/index.html" {
			pages = append(pages, name)
		}
	}
	assert.Len(t, pages, 1, "%v", pages)
	for _, id := range []string{"D-0001", "D-0002", "D-0003", "D-0004", "D-0005"} {
		assert.Contains(t, string(files["demands/"+id+".html"]), `href="../customers/`, id)
	}
}
