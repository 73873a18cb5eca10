package render

import (
	"bytes"
	"net/url"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/demand-registry/demand/templates"
)

// validURI reports whether s is an absolute URI: a scheme, and only the
// characters RFC 3986 allows (no spaces, no raw non-ASCII).
func validURI(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r >= 0x7f || strings.ContainsRune(`<>"{}|\^`+"`", r) {
			return false
		}
	}
	return true
}

// feedOf builds the test registry's feed and parses it with gofeed, a
// feed reader's parser, which fails on a feed that is not Atom.
func feedOf(t *testing.T, in Input, opt Options) *gofeed.Feed {
	t.Helper()
	opt.Templates = templates.FS
	files, err := Build(in, opt)
	require.NoError(t, err)
	f, err := gofeed.NewParser().Parse(bytes.NewReader(files["feed.xml"]))
	require.NoError(t, err, "%s", files["feed.xml"])
	require.Equal(t, "atom", f.FeedType)
	require.NotEmpty(t, f.Items)
	for _, it := range f.Items {
		assert.True(t, validURI(it.GUID), "entry id %q is a URI", it.GUID)
		assert.NotEmpty(t, it.Link)
		assert.NotNil(t, it.UpdatedParsed, "entry %s has a date", it.GUID)
	}
	return f
}

func TestFeedParsesAndKeepsItsID(t *testing.T) {
	in := testInput(t)
	cfg := *in.Snapshot.Config
	snap := *in.Snapshot
	snap.Config = &cfg
	in.Snapshot = &snap

	// Without a base, the title stands in; the id is still a valid URI.
	cfg.Title = "Sample customer demands · 客户需求样例"
	f := feedOf(t, in, Options{})
	files, err := Build(in, Options{Templates: templates.FS})
	require.NoError(t, err)
	assert.True(t, validURI(atomID(t, files["feed.xml"])), "feed id %q is a URI", atomID(t, files["feed.xml"]))
	assert.NotContains(t, string(files["feed.xml"]), "xml:base", "no base is known")
	assert.True(t, strings.HasPrefix(f.Items[0].Link, "demands/"), "relative links without a base: %s", f.Items[0].Link)

	// With repository.url, the id comes from it: neither a new title nor
	// a new site address changes it.
	cfg.Repository.URL = "https://github.com/acme/demands.git"
	ids := map[string]bool{}
	for _, tc := range []struct{ title, base string }{{"Demands", ""}, {"需求 · 样例", "https://a.example/"}, {"Other", "https://b.example/x"}} {
		cfg.Title = tc.title
		files, err := Build(in, Options{Templates: templates.FS, BaseURL: tc.base})
		require.NoError(t, err)
		id := atomID(t, files["feed.xml"])
		assert.True(t, validURI(id), "feed id %q is a URI", id)
		ids[id] = true
		f := feedOf(t, in, Options{BaseURL: tc.base})
		if tc.base != "" {
			assert.Contains(t, string(files["feed.xml"]), `xml:base="`+strings.TrimRight(tc.base, "/")+`/"`)
			for _, it := range f.Items {
				assert.True(t, strings.HasPrefix(it.Link, strings.TrimRight(tc.base, "/")+"/"), "absolute link %s", it.Link)
			}
		}
	}
	assert.Equal(t, map[string]bool{"https://github.com/acme/demands#demand-feed": true}, ids)

	// feed.id, when set, is the id.
	cfg.Feed.ID = "tag:acme.example,2026:demands"
	files, err = Build(in, Options{Templates: templates.FS})
	require.NoError(t, err)
	assert.Equal(t, "tag:acme.example,2026:demands", atomID(t, files["feed.xml"]))
}

// atomID is the feed-level <id> of an Atom document.
func atomID(t *testing.T, data []byte) string {
	t.Helper()
	s := string(data)
	i := strings.Index(s, "<id>")
	j := strings.Index(s, "</id>")
	require.True(t, i >= 0 && j > i, "%s", s)
	return s[i+4 : j]
}
