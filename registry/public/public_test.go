package public

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/demand-registry/demand/internal/gitrepo"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage/memory"

	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/registry/history"
	"github.com/demand-registry/demand/render"
	"github.com/demand-registry/demand/templates"
)

// ops reads a registry's history from bytes: each commit changes one
// demand. Bytes past the end read as zero.
type ops struct {
	b []byte
	i int
}

func (o *ops) next(n int) int {
	if o.i >= len(o.b) {
		o.i++
		return 0
	}
	v := int(o.b[o.i])
	o.i++
	return v % n
}

func (o *ops) done() bool { return o.i >= len(o.b) }

// fakeDemand is a demand as the generator writes it. While internal its
// title, file name and customer say "hush", which must never reach a
// public build; public versions say "open".
type fakeDemand struct {
	id                    string
	exists, internal      bool
	version, status, seg  int
	dependsOn, related    []int
	duplicateOf, parent   int // 1-based index, 0 for none
	explicitPublic, named bool
}

var statuses = []string{"new", "triaged", "accepted", "planned", "in-progress", "delivered", "closed", "on-hold"}
var segments = []string{"vip", "regular", "potential"}

func (d *fakeDemand) word() string {
	if d.internal {
		return "hush"
	}
	return "open"
}

func (d *fakeDemand) file() string { return fmt.Sprintf("%s-%s-%d.md", d.id, d.word(), d.version) }

func (d *fakeDemand) content(all []*fakeDemand) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "---\nid: %s\ntitle: %s title %d\nstatus: %s\nreceived: 2026-10-0%d\n", d.id, strings.ToUpper(d.word()[:1])+d.word()[1:], d.version, statuses[d.status], 1+d.seg)
	if d.internal {
		sb.WriteString("visibility: internal\n")
	} else if d.explicitPublic {
		sb.WriteString("visibility: public\n")
	}
	fmt.Fprintf(&sb, "type: product\nurgency: %s\nimportance: critical\nvalue: high\n", []string{"urgent", "routine", "long-term"}[d.seg])
	if d.named {
		fmt.Fprintf(&sb, "customer: {name: %sco %d, segment: %s}\n", d.word(), d.version, segments[d.seg])
	} else {
		fmt.Fprintf(&sb, "customer: {segment: %s}\n", segments[d.seg])
	}
	ids := func(l []int) string {
		var s []string
		for _, k := range l {
			s = append(s, all[k].id)
		}
		return "[" + strings.Join(s, ", ") + "]"
	}
	var links []string
	if len(d.dependsOn) > 0 {
		links = append(links, "depends_on: "+ids(d.dependsOn))
	}
	if d.duplicateOf > 0 {
		links = append(links, "duplicate_of: "+all[d.duplicateOf-1].id)
	}
	if len(d.related) > 0 {
		links = append(links, "related: "+ids(d.related))
	}
	if d.parent > 0 {
		links = append(links, "parent: "+all[d.parent-1].id)
	}
	if len(links) > 0 {
		sb.WriteString("links: {" + strings.Join(links, ", ") + "}\n")
	}
	fmt.Fprintf(&sb, "---\nText of version %d.\n", d.version)
	return sb.String()
}

// fakeRegistry makes a git repository from bytes and returns its registry
// folder: a few demands, each commit creating, editing, renaming,
// deleting, linking or hiding and publishing one of them. Commits are
// written as git objects directly, the work tree once at the end: a fuzz
// target makes thousands.
func fakeRegistry(t testing.TB, data []byte) string {
	o := &ops{b: data}
	dir := t.TempDir()
	repo, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	cfg := "title: Fake\n"
	if o.next(2) == 1 {
		cfg += "site: {public_customer_names: true}\n"
	}
	files["registry.yaml"] = cfg
	n := 2 + o.next(5)
	all := make([]*fakeDemand, n)
	for i := range all {
		all[i] = &fakeDemand{id: fmt.Sprintf("D-%04d", i+1)}
	}
	some := func() []int {
		var l []int
		for k := range all {
			if o.next(3) == 0 {
				l = append(l, k)
			}
		}
		return l
	}
	mem := memory.NewStorage()
	var parent []plumbing.Hash
	for c := 0; c < 24 && (c == 0 || !o.done()); c++ {
		d := all[o.next(n)]
		delete(files, d.file())
		switch op := o.next(8); {
		case !d.exists:
			*d = fakeDemand{id: d.id, exists: true, internal: o.next(2) == 0, named: o.next(2) == 0, seg: o.next(3), version: d.version + 1}
		case op == 0:
			d.internal = !d.internal
			d.explicitPublic = o.next(2) == 0
			d.version++ // a new title and file name for the new audience
		case op == 1:
			d.status = o.next(len(statuses))
		case op == 2:
			d.version++
		case op == 3:
			d.dependsOn, d.related = some(), some()
		case op == 4:
			d.duplicateOf, d.parent = o.next(n+1), o.next(n+1)
		case op == 5:
			d.named, d.seg = !d.named, o.next(3)
		case op == 6:
			d.exists = false
		default:
			d.status, d.internal = o.next(len(statuses)), !d.internal
			d.version++
		}
		if d.exists {
			files[d.file()] = d.content(all)
		}
		sig := object.Signature{Name: "Ada", Email: fmt.Sprintf("ada%d@hush.example", c), When: time.Date(2026, 11, 1+c, 9, 0, 0, 0, time.UTC)}
		// Subjects name demands, public or not, and IDs of no demand.
		msg := fmt.Sprintf("commit %d: %s, see %s and D-9999", c, d.id, all[o.next(n)].id)
		h := commitFiles(t, mem, files, parent, sig, msg)
		parent = []plumbing.Hash{h}
	}
	// One pack file: a loose object each took most of the time.
	pw, err := repo.Storer.(storer.PackfileWriter).PackfileWriter()
	if err != nil {
		t.Fatal(err)
	}
	hashes := make([]plumbing.Hash, 0, len(mem.Objects))
	for h := range mem.Objects {
		hashes = append(hashes, h)
	}
	if _, err := packfile.NewEncoder(pw, mem, false).Encode(hashes, 0); err != nil {
		t.Fatal(err)
	}
	if err := pw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := repo.Storer.SetReference(plumbing.NewHashReference("refs/heads/master", parent[0])); err != nil {
		t.Fatal(err)
	}
	reg := filepath.Join(dir, "demands")
	if err := os.MkdirAll(reg, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(reg, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return reg
}

// commitFiles writes a commit whose tree holds files in demands/.
func commitFiles(t testing.TB, st storer.EncodedObjectStorer, files map[string]string, parents []plumbing.Hash, sig object.Signature, msg string) plumbing.Hash {
	put := func(typ plumbing.ObjectType, write func(plumbing.EncodedObject) error) plumbing.Hash {
		obj := st.NewEncodedObject()
		obj.SetType(typ)
		if err := write(obj); err != nil {
			t.Fatal(err)
		}
		h, err := st.SetEncodedObject(obj)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	var sub object.Tree
	for _, name := range names {
		h := put(plumbing.BlobObject, func(obj plumbing.EncodedObject) error {
			w, err := obj.Writer()
			if err != nil {
				return err
			}
			if _, err := w.Write([]byte(files[name])); err != nil {
				return err
			}
			return w.Close()
		})
		sub.Entries = append(sub.Entries, object.TreeEntry{Name: name, Mode: filemode.Regular, Hash: h})
	}
	subHash := put(plumbing.TreeObject, func(obj plumbing.EncodedObject) error { return sub.Encode(obj) })
	root := object.Tree{Entries: []object.TreeEntry{{Name: "demands", Mode: filemode.Dir, Hash: subHash}}}
	rootHash := put(plumbing.TreeObject, func(obj plumbing.EncodedObject) error { return root.Encode(obj) })
	c := object.Commit{Author: sig, Committer: sig, Message: msg, TreeHash: rootHash, ParentHashes: parents}
	return put(plumbing.CommitObject, func(obj plumbing.EncodedObject) error { return c.Encode(obj) })
}

// load reads a registry folder and walks its history, as demand build
// does (SLA with the whole registry's tiers).
func load(t testing.TB, reg string) (*registry.Snapshot, *history.Result) {
	src, err := registry.OpenDir(reg)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	snap, _, err := registry.Load(src)
	if err != nil {
		t.Fatal(err)
	}
	repo, err := gitrepo.OpenRepo(reg)
	if err != nil {
		t.Fatal(err)
	}
	res, err := history.Walk(context.Background(), repo, history.Options{Config: snap.Config})
	if err != nil {
		t.Fatal(err)
	}
	return snap, res
}

// withoutInternal is the same registry with every demand internal now,
// and its history, removed (its links to them left dangling).
func withoutInternal(snap *registry.Snapshot, res *history.Result) (*registry.Snapshot, *history.Result) {
	var ds []*registry.Demand
	for _, d := range snap.Demands {
		if d.Visibility != "internal" {
			ds = append(ds, d)
		}
	}
	s := registry.NewSnapshot(snap.Config, ds)
	r := *res
	r.Histories = map[string]*history.History{}
	for id, h := range res.Histories {
		if s.Get(id) != nil {
			r.Histories[id] = h
		}
	}
	return s, &r
}

func publicSite(t testing.TB, snap *registry.Snapshot, res *history.Result) map[string][]byte {
	v := Derive(snap, res)
	in := render.Input{Snapshot: v.Snapshot, Ranking: v.Ranking, History: v.History.Histories, Commit: res.Head, Date: res.AsOf}
	files, err := render.Build(in, render.Options{Audience: render.Public, Templates: templates.FS})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// checkDifferential builds the public site of a registry and of the same
// registry without its internal demands: they must be the same, byte for
// byte (no count differs), and name nothing internal.
func checkDifferential(t testing.TB, reg string) {
	snap, res := load(t, reg)
	got := publicSite(t, snap, res)
	s2, res2 := withoutInternal(snap, res)
	want := publicSite(t, s2, res2)
	names := func(m map[string][]byte) []string {
		var l []string
		for k := range m {
			l = append(l, k)
		}
		sort.Strings(l)
		return l
	}
	if g, w := strings.Join(names(got), " "), strings.Join(names(want), " "); g != w {
		t.Fatalf("files differ:\n%s\nwithout internal demands:\n%s", g, w)
	}
	var hidden []string
	for _, d := range snap.Demands {
		if d.Visibility == "internal" {
			hidden = append(hidden, d.ID)
		}
	}
	for _, name := range names(got) {
		if !bytes.Equal(got[name], want[name]) {
			t.Errorf("%s differs from the build without internal demands:\n%s", name, firstDiff(got[name], want[name]))
		}
		low := bytes.ToLower(got[name])
		for _, s := range append([]string{"hush"}, hidden...) {
			if i := bytes.Index(low, []byte(strings.ToLower(s))); i >= 0 {
				t.Errorf("%s shows %q: …%s…", name, s, got[name][max(0, i-100):min(len(got[name]), i+100)])
			}
		}
	}
}

func firstDiff(a, b []byte) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(0, i-150)
	return fmt.Sprintf("…%s…\nversus\n…%s…", a[from:min(len(a), i+150)], b[from:min(len(b), i+150)])
}

// seeds are registries worth checking every run (see fakeRegistry for
// how bytes read).
var seeds = [][]byte{
	// Customer names public; D-0002 (internal, tier 1) depends on D-0001,
	// D-0003 (internal, a named VIP) duplicates it, D-0001 relates to both;
	// D-0004 is internal and triaged, then made public and planned.
	join([]byte{1, 2},
		[]byte{0, 0, 1, 0, 1}, []byte{1, 0, 0, 0, 0}, []byte{1, 3, 0, 1, 1, 1, 1, 1, 1, 1},
		[]byte{2, 0, 0, 0, 0}, []byte{2, 4, 1, 0}, []byte{0, 3, 1, 1, 1, 1, 1, 0, 0, 1},
		[]byte{3, 0, 0, 0, 0}, []byte{3, 1, 1}, []byte{3, 0, 0}, []byte{3, 1, 3}),
	// D-0001 public, made internal (status and name change), public again,
	// then hidden and shown once more with a status change each time;
	// D-0002 duplicates it, is deleted and comes back internal.
	join([]byte{0, 0},
		[]byte{0, 0, 1, 0, 2}, []byte{0, 1, 1}, []byte{0, 0, 0}, []byte{0, 1, 4}, []byte{0, 2}, []byte{0, 0, 1},
		[]byte{1, 0, 1, 1, 0}, []byte{1, 4, 1, 0}, []byte{0, 7, 2}, []byte{0, 7, 5}, []byte{1, 6}, []byte{1, 0, 0, 0, 0}),
	// Customer names hidden; five demands, links every way.
	join([]byte{0, 3},
		[]byte{0, 0, 1, 0, 0}, []byte{1, 0, 0, 0, 0}, []byte{2, 0, 1, 0, 1}, []byte{3, 0, 0, 0, 2}, []byte{4, 0, 1, 1, 0},
		[]byte{1, 3, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0}, []byte{3, 4, 1, 3}, []byte{2, 4, 2, 4}, []byte{4, 3, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0},
		[]byte{1, 0, 0}, []byte{3, 5, 1}, []byte{0, 7, 3}),
	[]byte("public differential: hidden demands never show"),
}

func join(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// TestPublicDifferential: the public site of a registry equals, byte for
// byte, the public site of the registry with every internal demand and
// its history removed, and names nothing internal.
func TestPublicDifferential(t *testing.T) {
	for i, s := range seeds {
		t.Run(fmt.Sprint(i), func(t *testing.T) { checkDifferential(t, fakeRegistry(t, s)) })
	}
}

// FuzzPublicDifferential checks the differential on registries made from
// random bytes. Each input is a git repository and two sites, so keep
// minimizing short:
//
//	go test ./registry/public -run '^$' -fuzz FuzzPublicDifferential -fuzztime 2m -fuzzminimizetime 5x
func FuzzPublicDifferential(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 200 {
			return
		}
		checkDifferential(t, fakeRegistry(t, data))
	})
}
