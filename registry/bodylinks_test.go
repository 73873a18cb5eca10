package registry

import (
	"path"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestResolveLink(t *testing.T) {
	const file = "docs/decisions/0008-add-status.md"
	for _, tc := range []struct {
		addr, target, rest string
		kind               LinkKind
	}{
		{"0005-use-dashes.md", "docs/decisions/0005-use-dashes.md", "", LinkInRepo},
		{"./0005-use-dashes.md#context", "docs/decisions/0005-use-dashes.md", "#context", LinkInRepo},
		{"sub/../sub/./x.md?plain=1#L2", "docs/decisions/sub/x.md", "?plain=1#L2", LinkInRepo},
		{"../assets/erc-4519/x.png", "docs/assets/erc-4519/x.png", "", LinkInRepo},
		{"../../README.md", "README.md", "", LinkInRepo},
		{"../..", "", "", LinkInRepo},
		{"/template/x.md", "template/x.md", "", LinkInRepo},
		{"a%20b.md", "docs/decisions/a b.md", "", LinkInRepo},
		{"100%.md", "docs/decisions/100%.md", "", LinkInRepo},
		{"sub\\x.md", "docs/decisions/sub/x.md", "", LinkInRepo},
		{" x.md\t", "docs/decisions/x.md", "", LinkInRepo},
		{"../../../etc/passwd", "", "", LinkOutside},
		{"../../../../../../../../etc/passwd", "", "", LinkOutside},
		{"%2e%2e/%2E%2e/.%2e/x", "", "", LinkOutside},
		{"..%2F..%2F..%2Fx", "", "", LinkOutside},
		{"..\\..\\..\\x", "", "", LinkOutside},
		{"/../x", "", "", LinkOutside},
		{"../../x/../../y", "", "", LinkOutside},
		{"100%/../../../../x", "", "", LinkOutside},
		{"https://example.com/x.md", "", "", LinkElsewhere},
		{"mailto:a@example.com", "", "", LinkElsewhere},
		{"javascript:alert(1)", "", "", LinkElsewhere},
		{"#decision", "", "", LinkElsewhere},
		{"?q=1", "", "", LinkElsewhere},
		{"", "", "", LinkElsewhere},
		{"//example.org/x", "", "", LinkElsewhere},
		{"\\\\example.org/x", "", "", LinkElsewhere},
		{"/\\example.org/x", "", "", LinkElsewhere},
	} {
		target, rest, kind := ResolveLink(file, tc.addr)
		assert.Equal(t, tc.kind, kind, "%q", tc.addr)
		assert.Equal(t, tc.target, target, "%q", tc.addr)
		assert.Equal(t, tc.rest, rest, "%q", tc.addr)
	}
	// A file at the root climbs out at the first "..".
	_, _, kind := ResolveLink("0001-x.md", "../0002-y.md")
	assert.Equal(t, LinkOutside, kind)
}

func TestRepoFolder(t *testing.T) {
	for in, want := range map[string]string{"": "", ".": "", "demands": "demands", "docs/decisions/": "docs/decisions",
		"./a/../b": "b", "/abs/reg": "", "../up": "", "..": "", `docs\decisions`: "docs/decisions"} {
		assert.Equal(t, want, RepoFolder(in), in)
	}
}

func TestBodyLinksOutside(t *testing.T) {
	type at struct{ line, col int }
	for _, tc := range []struct {
		body string
		want []at
	}{
		{"[ok](../x.md) [out](../../../etc/passwd)\n", []at{{1, 21}}},
		{"text\n\n![img](<../../../x y.png> \"t\")\n", []at{{3, 8}}},
		{"[ref]: ../../../x\n[^1]: ../../../note\n", []at{{1, 8}}},
		{"> - [quoted](../../../q)\n", []at{{1, 14}}},
		{"[esc](\\.\\./\\.\\./\\.\\./x)\n", []at{{1, 7}}},
		{"[ent](&#46;&#46;/../../x)\n", []at{{1, 7}}},
		{"`[code](../../../x)` and ``[more](../../../x)``\n", nil},
		{"```\n[fenced](../../../x)\n```\n", nil},
		{"para\n\n    [indented](../../../x)\n", nil},
		{"[abs](https://example.com/../../../x) [frag](#../../..)\n", nil},
		{"\\[not](../../../x)\n", nil},
		{"[a](../../../a) [b](../../../b)\n[c](../../../c)\n", []at{{1, 5}, {1, 21}, {2, 5}}},
	} {
		var got []at
		for _, p := range BodyLinksOutside(tc.body, "docs/decisions/0008-x.md") {
			assert.Equal(t, "link-outside", p.Rule)
			assert.NotEmpty(t, p.Hint)
			got = append(got, at{p.Line, p.Col})
		}
		assert.Equal(t, tc.want, got, "%q", tc.body)
	}
}

func TestLinksOutside(t *testing.T) {
	cfg := mustDefaults(t)
	d, fs := ParseDemand(cfg, "sub/D-0001-x.md", []byte("---\nid: D-0001\ntitle: X\nstatus: new\nreceived: 2026-01-05\n---\n\nSee [the spec](../../spec.md) and [this](../../../etc/passwd).\n"))
	require.False(t, fs.HasErrors(), "%v", fs)
	snap := NewSnapshot(cfg, []*Demand{d})
	got := LinksOutside(snap, "reg")
	require.Len(t, got, 1)
	f := got[0]
	assert.Equal(t, "sub/D-0001-x.md", f.Path)
	assert.Equal(t, 8, f.Line)
	assert.Equal(t, 42, f.Col)
	assert.Equal(t, "link-outside", f.Rule)
	assert.Contains(t, f.Message, "../../../etc/passwd")
	// Deeper in the repository, the same link stays inside it; at its
	// root, the spec's link climbs out too.
	assert.Empty(t, LinksOutside(snap, "a/reg"))
	assert.Len(t, LinksOutside(snap, ""), 2)
}

// BodyLinksOutside reads a body once: 8 times the text takes about 8
// times as long, however its brackets, backticks and angle brackets fall.
func TestBodyLinksOutsideLinear(t *testing.T) {
	for _, unit := range []string{"](", "[](", "[](<", "[", "`", "[](`<", "[x](../../../y) "} {
		small, large := strings.Repeat(unit, 4000), strings.Repeat(unit, 32000)
		ratio := growth(func() { BodyLinksOutside(small, "a/b.md") }, func() { BodyLinksOutside(large, "a/b.md") }, 30)
		assert.Less(t, ratio, 30.0, "%q: 8× the text (quadratic would be 64×)", unit)
	}
}

// FuzzResolveLink: resolving never panics, a target is a clean path from
// the root (what path.Clean makes of it, never above it), and a plain
// address resolves as path.Join would.
func FuzzResolveLink(f *testing.F) {
	for _, s := range []string{"x.md", "./a/../b.md#c", "../../../etc/passwd", "%2e%2e/x", "..%2f..%2fx", `..\..\x`, "/x", "//h/x",
		"https://a/b", "#f", "?q", "a:b", "a/b:c", "100%.md", "\t../x", "sub/", "../assets/erc-4519/x.png"} {
		f.Add("docs/decisions/0008-x.md", s)
	}
	f.Add("", "../x")
	f.Fuzz(func(t *testing.T, file, addr string) {
		target, rest, kind := ResolveLink(file, addr)
		switch kind {
		case LinkInRepo:
			if target != "" {
				if path.Clean(target) != target || strings.HasPrefix(target, "/") || strings.HasPrefix(target, "../") || target == ".." {
					t.Fatalf("ResolveLink(%q, %q) = %q, not a clean path inside the root", file, addr, target)
				}
			}
			if rest != "" && rest[0] != '?' && rest[0] != '#' {
				t.Fatalf("rest %q", rest)
			}
		case LinkOutside, LinkElsewhere:
			if target != "" || rest != "" {
				t.Fatalf("ResolveLink(%q, %q) = %q %q for kind %d", file, addr, target, rest, kind)
			}
		default:
			t.Fatalf("kind %d", kind)
		}
		// A plain relative address (no escapes, scheme, query, spaces or
		// control characters)
		// from a plain file resolves as the path package does.
		if strings.ContainsAny(addr, "%\\:?#") || strings.ContainsFunc(addr, func(r rune) bool { return r <= ' ' }) || strings.HasPrefix(addr, "/") || addr == "" ||
			strings.ContainsAny(file, "%\\") || strings.HasPrefix(file, "/") || path.Clean(file) != file {
			return
		}
		want := path.Join(path.Dir(file), addr)
		switch {
		case want == ".." || strings.HasPrefix(want, "../"):
			// path.Join keeps climbing; an address above the root at any
			// point is outside.
			if kind != LinkOutside {
				t.Fatalf("ResolveLink(%q, %q) = %q, want outside", file, addr, target)
			}
		case kind == LinkInRepo:
			if want == "." {
				want = ""
			}
			if target != want {
				t.Fatalf("ResolveLink(%q, %q) = %q, path.Join %q", file, addr, target, want)
			}
		case kind != LinkOutside:
			t.Fatalf("ResolveLink(%q, %q): kind %d", file, addr, kind)
		}
	})
}
