package history

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/demand-registry/demand/internal/gitrepo"

	"github.com/demand-registry/demand/registry/config"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	gitdiff "github.com/go-git/go-git/v5/utils/diff"
	"github.com/sergi/go-diff/diffmatchpatch"

	"github.com/demand-registry/demand/registry"
)

// Options control a history walk.
type Options struct {
	Rev      string         // the revision to start from; "" for HEAD
	Config   *config.Config // the config demand files are parsed with
	CacheDir string         // folder for the history cache; "" for none
	Progress io.Writer      // progress lines, or nil
	// Memo, when set, keeps the walked commits in memory for the next walk
	// in this process (demand serve), which then reads neither the cache
	// file nor the commits it already has.
	Memo *Memo
}

// Memo holds the result of the last walk (see Options.Memo).
type Memo struct {
	mu     sync.Mutex
	key    string  // the cache key of the config it was walked with
	result *Result // before pending edits and SLA
}

// last returns the last walk's result for a cache key, or nil.
func (m *Memo) last(key string) *Result {
	if m == nil {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.key != key {
		return nil
	}
	return m.result
}

// keep records a walk's result, as it stands before callers change it.
func (m *Memo) keep(key string, res *Result) {
	if m == nil {
		return
	}
	c := res.clone()
	m.mu.Lock()
	m.key, m.result = key, c
	m.mu.Unlock()
}

// clone copies a result so that AddPending and ComputeSLA, which set
// fields of its histories, leave the original as it was. What they do not
// change (commits, statuses, configs) is shared.
func (res *Result) clone() *Result {
	c := *res
	c.Histories = make(map[string]*History, len(res.Histories))
	for id, h := range res.Histories {
		hc := *h
		c.Histories[id] = &hc
	}
	c.current = make(map[string]Current, len(res.current))
	for id, cur := range res.current {
		c.current[id] = cur
	}
	return &c
}

// Result is the walked history of a registry.
type Result struct {
	Histories map[string]*History
	Head      string    // the commit walked from; "" in a repository without commits
	AsOf      time.Time // the head commit's date: running SLA clocks stop here
	Shallow   bool      // the repository is a shallow clone: history is incomplete
	Commits   int       // commits walked
	Walked    int       // commits read from git (not from the cache)
	// Warnings are problems with the history that do not stop it, such
	// as commit dates out of range, each said once.
	Warnings []string
	configs  map[plumbing.Hash]*config.Config
	recs     []*commitRec
	current  map[string]Current

	// fromFilename: demands are followed by path (see pathEvents).
	fromFilename bool
}

// Current is what the SLA needs of a demand as it stands now.
type Current struct {
	Received config.Date
	Status   string
	Tier     int // declared (or overridden) tier; 0 when the file declares none
	Deleted  bool
}

// event is what one commit did to one demand.
type event struct {
	ID, Path, OldPath string
	Kind              string // created, changed, renamed, deleted, snapshot
	Changes           []Change
	StatusFrom        string
	Status            string
	Tier              int    // declared tier after the commit (the override's when set)
	Received          string // received date after the commit
	// Timeline: the file's pre-registry events after the commit.
	Timeline []registry.TimelineEntry
	// Internal: the version after the commit (before it, for a deletion)
	// was internal, so a public history leaves it out (see Redact).
	Internal bool
}

// commitRec is one commit as the walk needs it; it is what the cache holds.
type commitRec struct {
	Hash                   plumbing.Hash
	Tree                   plumbing.Hash // the commit's root tree
	Parents                []plumbing.Hash
	Author, Email, Subject string
	AuthorTime, CommitTime time.Time
	Boundary               bool // a shallow clone's edge: its parents are missing
	DateClamped            bool // a date was out of range (see saneTime)
	ConfigChanged          bool // registry.yaml differs from the first parent's
	ConfigBlob             plumbing.Hash
	Events                 []event
}

// parsed is a demand blob as the walk sees it.
type parsed struct {
	ID       string
	Status   string
	Tier     int
	Received string
	Timeline []registry.TimelineEntry
	Fields   map[string]string // canonical text of each top-level field
	Body     string
	Internal bool // visibility: internal
	// Broken: the version's front matter does not parse; its fields are
	// unknown, not empty.
	Broken bool
}

var prNumber = []*regexp.Regexp{
	regexp.MustCompile(`^Merge pull request #(\d+)\b`),
	regexp.MustCompile(`\(#(\d+)\)\s*$`),
}

// maxPR bounds pull request numbers: a larger one in a subject is not a
// pull request anyone opened.
const maxPR = 1<<31 - 1

// PRNumber finds a pull request number in a commit subject (0 for none,
// or for a number too large to be one).
func PRNumber(subject string) int {
	for _, re := range prNumber {
		if m := re.FindStringSubmatch(subject); m != nil {
			n, err := strconv.Atoi(m[1])
			if err != nil || n > maxPR {
				return 0
			}
			return n
		}
	}
	return 0
}

// Commit dates git holds are whatever the committer wrote: any number of
// seconds and any zone. Dates outside these years, or zones beyond the
// real ones (±14:00), are clamped, so that every date prints, encodes as
// JSON and bounds the loops over days.
var (
	minCommitTime = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	maxCommitTime = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
)

const maxZoneOffset = 14 * 60 * 60

// ClampDate clamps a commit date as the walk does.
func ClampDate(t time.Time) time.Time { t, _ = saneTime(t); return t }

// saneTime clamps a commit date; ok is false when it had to.
func saneTime(t time.Time) (time.Time, bool) {
	ok := true
	if _, off := t.Zone(); off > maxZoneOffset || off < -maxZoneOffset {
		t, ok = t.UTC(), false
	}
	switch {
	case t.Before(minCommitTime):
		return minCommitTime, false
	case t.After(maxCommitTime), t.Year() > 9999: // the year as written, in its zone
		return maxCommitTime, false
	}
	return t, ok
}

// clampDates clamps every commit's dates and says once how many were.
func (res *Result) clampDates() {
	n, first := 0, ""
	for _, rec := range res.recs {
		a, aok := saneTime(rec.AuthorTime)
		c, cok := saneTime(rec.CommitTime)
		if !aok || !cok {
			rec.AuthorTime, rec.CommitTime, rec.DateClamped = a, c, true
		}
		if rec.DateClamped { // now, or before the cache kept it
			if n == 0 {
				first = rec.Hash.String()[:12]
			}
			n++
		}
	}
	if n > 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%d commit(s), first %s, have dates outside 1970–9999 or time zones beyond ±14:00; "+
			"they are clamped, and statuses follow the commit graph", n, first))
	}
}

// maxCurrent bounds the files whose last version a walker keeps.
const maxCurrent = 1 << 16

// recentParses is how many parsed blobs a walker keeps in each
// generation besides each file's last version (for copies, renames and
// front matter seen again), recentEntries how many front matter entries
// (chosen by the history benchmark: fewer cost CPU, more saved none).
const (
	recentParses  = 512
	recentEntries = 16384
)

// walker holds the state of one walk (or one worker of it).
type walker struct {
	repo  *gitrepo.Repo
	s     storer.EncodedObjectStorer
	cfg   *config.Config
	trees *trees
	// blobs holds parses by blob and file name: the name may give the ID,
	// so the same content under two names is two parses.
	blobs *recent[blobName, *parsed]
	// current holds the version of each file parsed last. A worker walks
	// commits in order, so a commit's old version of a file is mostly the
	// one parsed as new when the file last changed, however many files
	// changed in between.
	current map[string]version
	reads   int // blobs read, for tests
	parses  int // blobs parsed, for tests
	// fronts holds parses by file name and front matter (see parseData).
	fronts *recent[string, *parsed]
	// entries holds the front matter entries parsed lately: a new version
	// of a demand's front matter parses only the entries it changed.
	entries *registry.FrontCache
	// roots has the root tree of the commits listed so far, so that a
	// commit's parents need not be read again. Read-only during a walk.
	roots map[plumbing.Hash]plumbing.Hash
	// worktree has the content of new work-tree files (AddPending),
	// which are in no git object.
	worktree map[plumbing.Hash][]byte
}

func newWalker(repo *gitrepo.Repo, s storer.EncodedObjectStorer, cfg *config.Config) *walker {
	return &walker{repo: repo, s: s, cfg: cfg, trees: newTrees(s), current: map[string]version{}, blobs: newRecent[blobName, *parsed](recentParses), fronts: newRecent[string, *parsed](recentParses),
		entries: registry.NewFrontCache(recentEntries)}
}

// Walk reads the history of the registry folder of repo.
func Walk(ctx context.Context, repo *gitrepo.Repo, opts Options) (*Result, error) {
	st, err := repo.ObjectStore(nil)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	w := newWalker(repo, st, opts.Config)
	res := &Result{Histories: map[string]*History{}, configs: map[plumbing.Hash]*config.Config{}}
	h, err := resolveHead(repo, opts.Rev)
	if err != nil || h == nil {
		return res, err // h is nil when there are no commits yet: no history
	}
	res.Head = h.String()
	boundary, err := shallowBoundary(repo)
	if err != nil {
		return nil, err
	}
	res.Shallow = len(boundary) > 0

	key := cacheKey(repo, opts.Config)
	if last := opts.Memo.last(key); last != nil && last.Head == res.Head {
		return last.clone(), nil // the same commit: the same history
	}
	cache := openCache(opts, key)
	order, recs, err := w.commits(ctx, *h, boundary, cache)
	if err != nil {
		return nil, err
	}
	res.Commits = len(order)
	var todo []*commitRec
	for _, c := range order {
		rec := recs[c]
		if !cache.has(c) {
			todo = append(todo, rec)
		}
		res.recs = append(res.recs, rec)
	}
	res.clampDates()
	res.Walked = len(todo)
	roots := make(map[plumbing.Hash]plumbing.Hash, len(recs))
	for h, rec := range recs {
		roots[h] = rec.Tree
	}
	if err := walkParallel(ctx, repo, opts, todo, roots); err != nil {
		return nil, err
	}
	propagateConfig(res.recs, recs)
	if opts.CacheDir != "" && res.Walked > 0 {
		if err := saveCache(opts.CacheDir, key, res.recs); err != nil && opts.Progress != nil {
			fmt.Fprintf(opts.Progress, "history: cache not written: %v\n", err)
		}
	}
	if last := recs[*h]; last != nil {
		res.AsOf = last.CommitTime
	}
	res.fromFilename = opts.Config != nil && opts.Config.ID.FromFilename
	res.finish(w)
	opts.Memo.keep(key, res)
	return res, nil
}

// resolveHead resolves the revision to walk (HEAD when rev is empty). It
// returns nil and no error for a repository without commits.
func resolveHead(repo *gitrepo.Repo, rev string) (*plumbing.Hash, error) {
	name := rev
	if name == "" {
		name = "HEAD"
	}
	h, err := repo.Git.ResolveRevision(plumbing.Revision(name))
	if err == nil {
		return h, nil
	}
	if rev != "" || !errors.Is(err, plumbing.ErrReferenceNotFound) {
		return nil, fmt.Errorf("unknown revision %q: %w", name, err)
	}
	ref, herr := repo.Git.Reference(plumbing.HEAD, true)
	if herr != nil {
		return nil, nil
	}
	if _, cerr := repo.Git.CommitObject(ref.Hash()); cerr != nil {
		err = cerr // say why the head does not read
	}
	return nil, unreadable("reading commit "+ref.Hash().String()[:12], err)
}

// shallowBoundary is the set of a shallow clone's boundary commits.
func shallowBoundary(repo *gitrepo.Repo) (map[plumbing.Hash]bool, error) {
	shallow, err := repo.Git.Storer.Shallow()
	if err != nil {
		return nil, err
	}
	boundary := map[plumbing.Hash]bool{}
	for _, s := range shallow {
		boundary[s] = true
	}
	return boundary, nil
}

// openCache is what an earlier walk left: the memo of this process, else
// the cache on disk, else nothing.
func openCache(opts Options, key string) *historyCache {
	if last := opts.Memo.last(key); last != nil {
		cache := &historyCache{recs: make(map[plumbing.Hash]*commitRec, len(last.recs))}
		for _, r := range last.recs {
			cache.recs[r.Hash] = r
		}
		return cache
	}
	if opts.CacheDir != "" {
		return loadCache(opts.CacheDir, key)
	}
	return nil
}

// finish assembles the histories from the walked commits and reads the
// configs they used.
func (res *Result) finish(w *walker) {
	res.assemble()
	if res.Shallow {
		// Older commits are missing: any history may be cut short.
		for _, h := range res.Histories {
			h.Incomplete = true
		}
	}
	for _, rec := range res.recs {
		if !rec.ConfigBlob.IsZero() {
			if _, ok := res.configs[rec.ConfigBlob]; !ok {
				res.configs[rec.ConfigBlob] = w.config(rec.ConfigBlob)
			}
		}
	}
}

// commits lists the commits reachable from head, parents before children,
// reading commit objects only for commits the cache does not hold.
func (w *walker) commits(ctx context.Context, head plumbing.Hash, boundary map[plumbing.Hash]bool, cache *historyCache) ([]plumbing.Hash, map[plumbing.Hash]*commitRec, error) {
	recs := map[plumbing.Hash]*commitRec{}
	get := func(h plumbing.Hash) (*commitRec, error) {
		if r, ok := recs[h]; ok {
			return r, nil
		}
		c, err := object.GetCommit(w.s, h)
		if err != nil {
			return nil, err
		}
		if r := cache.get(h); r != nil {
			// The cache is trusted only where it matches the commit
			// it is keyed by; anything else is walked again.
			if r.matches(c, boundary[h]) {
				recs[h] = r
				return r, nil
			}
			cache.drop(h)
		}
		r := &commitRec{Hash: h, Tree: c.TreeHash, Parents: c.ParentHashes, Author: c.Author.Name, Email: c.Author.Email,
			Subject: subject(c), AuthorTime: c.Author.When, CommitTime: c.Committer.When, Boundary: boundary[h]}
		if r.Boundary {
			r.Parents = nil
		}
		recs[h] = r
		return r, nil
	}
	// Iterative post-order depth-first search: parents come out first.
	var order []plumbing.Hash
	done := map[plumbing.Hash]bool{}
	type frame struct {
		h    plumbing.Hash
		next int
	}
	stack := []frame{{h: head}}
	for len(stack) > 0 {
		if len(order)%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, nil, err
			}
		}
		top := &stack[len(stack)-1]
		r, err := get(top.h)
		if err != nil {
			return nil, nil, unreadable(fmt.Sprintf("reading commit %s", top.h), err)
		}
		if top.next < len(r.Parents) {
			p := r.Parents[top.next]
			top.next++
			if !done[p] {
				if cache.get(p) != nil {
					done[p] = true
					stack = append(stack, frame{h: p})
					continue
				}
				if _, err := w.s.EncodedObject(plumbing.CommitObject, p); err != nil {
					// A parent that is not there: a shallow edge git did not record.
					r.Boundary = true
					continue
				}
				done[p] = true
				stack = append(stack, frame{h: p})
			}
			continue
		}
		done[top.h] = true
		order = append(order, top.h)
		stack = stack[:len(stack)-1]
	}
	return order, recs, nil
}

func subject(c *object.Commit) string {
	s, _, _ := strings.Cut(c.Message, "\n")
	return strings.TrimSpace(s)
}

// regTree is the registry folder's tree at a commit (zero when absent).
func (w *walker) regTree(h plumbing.Hash) (plumbing.Hash, error) {
	root, ok := w.roots[h]
	if !ok || root.IsZero() {
		c, err := object.GetCommit(w.s, h)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		root = c.TreeHash
	}
	return w.trees.sub(root, w.repo.Dir)
}

// events computes what a commit did to each demand. Like git log, a merge
// lists a demand only when it differs from every parent.
func (w *walker) events(rec *commitRec) error {
	w.trees.trim()
	rec.Events = []event{}
	tree, err := w.regTree(rec.Hash)
	if err != nil {
		return err
	}
	var parentTrees []plumbing.Hash
	for _, p := range rec.Parents {
		pt, err := w.regTree(p)
		if err != nil {
			return err
		}
		if pt == tree {
			if len(parentTrees) > 0 || len(rec.Parents) > 1 {
				// A merge the same as one parent: nothing differs from
				// every parent, but the config may differ from the first.
				if cb, err := w.trees.file(tree, config.File); err == nil {
					rec.ConfigChanged, rec.ConfigBlob = true, cb
				}
			}
			return nil
		}
		parentTrees = append(parentTrees, pt)
	}
	if len(parentTrees) == 0 {
		parentTrees = []plumbing.Hash{plumbing.ZeroHash}
	}
	var first []event
	var keep map[string]bool
	for i, pt := range parentTrees {
		changes, err := w.trees.diff(pt, tree, "", nil)
		if err != nil {
			return err
		}
		evs, err := w.diffEvents(changes)
		if err != nil {
			return err
		}
		if i == 0 {
			// The config in force is followed through the diffs (see
			// propagateConfig) rather than looked up in every tree.
			for _, fc := range changes {
				if fc.path == config.File {
					rec.ConfigChanged, rec.ConfigBlob = true, fc.new
				}
			}
		}
		ids := map[string]bool{}
		for _, e := range evs {
			ids[w.lineKey(e)] = true
		}
		if i == 0 {
			first, keep = evs, ids
			continue
		}
		for id := range keep {
			if !ids[id] {
				delete(keep, id)
			}
		}
	}
	for _, e := range first {
		if keep[w.lineKey(e)] {
			if rec.Boundary {
				e.Kind = "snapshot"
				e.Changes = nil
			}
			rec.Events = append(rec.Events, e)
		}
	}
	return nil
}

// lineKey is what a merge compares a demand by across its parents: its
// ID, or its path when IDs come from file names (see pathEvents).
func (w *walker) lineKey(e event) string {
	if w.cfg.ID.FromFilename {
		return e.Path
	}
	return e.ID
}

// diffEvents turns file changes into per-demand events, following each
// demand by its ID so a rename (with or without edits) keeps one history.
func (w *walker) diffEvents(changes []fileChange) ([]event, error) {
	if w.cfg.ID.FromFilename {
		return w.pathEvents(changes)
	}
	type side struct {
		path string
		p    *parsed
	}
	olds, news := map[string]side{}, map[string]side{}
	var order []string
	note := func(id string) {
		if !slices.Contains(order, id) {
			order = append(order, id)
		}
	}
	for _, fc := range changes {
		if !registry.IsDemandFile(fc.path) || !w.cfg.IsDemand(fc.path) {
			continue
		}
		full := fc.path // as the repository names it
		if w.repo.Dir != "" {
			full = w.repo.Dir + "/" + fc.path
		}
		if !fc.old.IsZero() {
			p, err := w.parse(fc.path, fc.old)
			if err != nil {
				return nil, err
			}
			if p.ID != "" {
				olds[p.ID] = side{full, p}
				note(p.ID)
			}
		}
		if !fc.new.IsZero() {
			p, err := w.parse(fc.path, fc.new)
			if err != nil {
				return nil, err
			}
			if p.ID != "" {
				news[p.ID] = side{full, p}
				note(p.ID)
			}
		} else {
			delete(w.current, fc.path)
		}
	}
	sort.Strings(order)
	var evs []event
	for _, id := range order {
		o, hadOld := olds[id]
		n, hasNew := news[id]
		switch {
		case hadOld && hasNew:
			e := event{ID: id, Path: n.path, Kind: "changed", StatusFrom: o.p.Status, Status: n.p.Status, Tier: n.p.Tier, Received: n.p.Received, Timeline: n.p.Timeline,
				Changes: fieldChanges(o.p, n.p), Internal: n.p.Internal}
			if o.path != n.path {
				e.Kind, e.OldPath = "renamed", o.path
				e.Changes = append([]Change{{Field: "path", From: o.path, To: n.path}}, e.Changes...)
			}
			evs = append(evs, e)
		case hasNew:
			evs = append(evs, event{ID: id, Path: n.path, Kind: "created", Status: n.p.Status, Tier: n.p.Tier, Received: n.p.Received, Timeline: n.p.Timeline, Internal: n.p.Internal})
		default:
			evs = append(evs, event{ID: id, Path: o.path, Kind: "deleted", StatusFrom: o.p.Status, Status: o.p.Status, Tier: o.p.Tier, Received: o.p.Received, Timeline: o.p.Timeline,
				Internal: o.p.Internal})
		}
	}
	return evs, nil
}

// version is the parse of a file's blob, and the key of its front matter
// (see parseData; "" when unknown).
type version struct {
	blob  plumbing.Hash
	p     *parsed
	front string
}

func (v version) of(h plumbing.Hash) (*parsed, bool) {
	return v.p, v.p != nil && v.blob == h
}

// blobName is a blob under a file name.
type blobName struct {
	blob plumbing.Hash
	name string
}

// parse reads and parses a blob once, with the same parser as validate.
func (w *walker) parse(p string, h plumbing.Hash) (*parsed, error) {
	k := blobName{h, path.Base(p)}
	prev := w.current[p]
	next := version{blob: h}
	x, ok := prev.of(h)
	if ok {
		next.front = prev.front
	} else {
		x, ok = w.blobs.get(k)
	}
	if !ok {
		w.reads++
		data, err := w.trees.object(h, plumbing.BlobObject, w.cfg.Files.MaxSize)
		switch {
		case errors.Is(err, errTooLarge):
			x = &parsed{Fields: map[string]string{}}
		case err != nil:
			return nil, fmt.Errorf("reading %s: %w", p, err)
		default:
			x, next.front = w.parseData(p, data, prev)
		}
		w.blobs.put(k, x)
	}
	next.p = x
	if len(w.current) >= maxCurrent {
		clear(w.current) // a bound on what a worker holds, far above most registries
	}
	w.current[p] = next
	if x.ID == "" {
		// A file that does not parse is still followed by the ID its name
		// starts with (the same blob may sit under several names).
		// Its visibility is unknown: a public history leaves it out.
		y := &parsed{ID: w.cfg.IDFromName(path.Base(p)), Fields: map[string]string{}, Internal: true, Broken: true}
		if data, err := w.trees.object(h, plumbing.BlobObject, w.cfg.Files.MaxSize); err == nil {
			if _, body, ok := registry.FrontMatter(data); ok {
				y.Body = body // the body is still known
			}
		}
		return y, nil
	}
	return x, nil
}

// parseData parses a blob's content, and returns the key of its front
// matter (see below). Most commits change a demand's status or its body,
// not both: a blob whose front matter (and name, which may give the ID) is
// the previous version's, or was parsed lately, takes its fields from
// that parse.
func (w *walker) parseData(p string, data []byte, prev version) (*parsed, string) {
	yml, body, ok := registry.FrontMatter(data)
	if !ok {
		return w.parseBlob(p, data), ""
	}
	key := path.Base(p) + "\x00" + string(yml)
	if w.cfg.TitleFromHeading() {
		// The title is in the body: the same front matter under another
		// heading is another parse.
		h, _ := registry.FirstHeading(body)
		key = h + "\x00" + key
	}
	x, ok := prev.p, prev.p != nil && prev.front == key
	if !ok {
		x, ok = w.fronts.get(key)
	}
	if ok {
		y := *x
		y.Body = body
		return &y, key
	}
	x = w.parseBlob(p, data)
	w.fronts.put(key, x)
	return x, key
}

func (w *walker) parseBlob(p string, data []byte) *parsed {
	w.parses++
	x := &parsed{Fields: map[string]string{}}
	d := w.entries.ParseDemand(w.cfg, p, data)
	if d == nil {
		return x
	}
	x.ID, x.Status, x.Received, x.Body = d.ID, d.Status, string(d.Received), d.Body
	x.Tier, x.Internal = d.Tier, d.Visibility == "internal"
	x.Timeline = d.Timeline
	if d.TierOverride != nil {
		x.Tier = d.TierOverride.Tier
	}
	x.Fields = registry.CanonicalFields(d.Fields)
	return x
}

// fieldChanges lists the fields that differ, in name order, then the body.
func fieldChanges(o, n *parsed) []Change {
	var out []Change
	switch {
	case n.Broken && !o.Broken:
		// Nothing is known of the fields until the front matter parses
		// again: no field is unset.
		out = append(out, Change{Field: "front matter", To: "does not parse"})
	case o.Broken && !n.Broken:
		out = append(out, Change{Field: "front matter", From: "does not parse", To: "parses again"})
	case !o.Broken && !n.Broken:
		for _, c := range registry.DiffFields(o.Fields, n.Fields) {
			out = append(out, Change{Field: c.Field, From: c.From, To: c.To})
		}
	}
	if o.Body != n.Body {
		c := Change{Field: "body"}
		for _, d := range gitdiff.Do(sharedLines(o.Body, n.Body)) {
			lines := strings.Count(d.Text, "\n")
			if !strings.HasSuffix(d.Text, "\n") {
				lines++
			}
			switch d.Type {
			case diffmatchpatch.DiffInsert:
				c.Added += lines
			case diffmatchpatch.DiffDelete:
				c.Removed += lines
			}
		}
		c.To = fmt.Sprintf("+%d −%d lines", c.Added, c.Removed)
		out = append(out, c)
	}
	return out
}

// sharedLines leaves out the lines a and b begin and end with alike. The
// line diff does the same first, but only after it has turned every line
// of both into a symbol and before it turns them back, which costs more
// than the diff for an edit of one line in a long body; what it leaves
// out counts as neither added nor removed, so the counts do not change.
func sharedLines(a, b string) (string, string) {
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		p++
	}
	p = strings.LastIndexByte(a[:p], '\n') + 1 // a line both begin with ends there
	a, b = a[p:], b[p:]
	s := 0
	for s < len(a) && s < len(b) && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	// The lines both end with start after a newline both hold.
	if i := strings.IndexByte(a[len(a)-s:], '\n'); i >= 0 {
		s -= i + 1
		return a[:len(a)-s], b[:len(b)-s]
	}
	return a, b
}

// config parses the registry.yaml of a commit (defaults when invalid).
func (w *walker) config(h plumbing.Hash) *config.Config {
	blob, err := object.GetBlob(w.s, h)
	if err != nil {
		return nil
	}
	r, err := blob.Reader()
	if err != nil {
		return nil
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, 1<<20))
	if err != nil {
		return nil
	}
	cfg, fs := config.Parse(config.File, data)
	if fs.HasErrors() {
		return nil
	}
	return cfg
}

// unreadable says which object of the repository could not be read, and
// how to look into it.
func unreadable(what string, err error) error {
	return fmt.Errorf("%s: %w (the repository's objects could not be read; check them with git fsck)", what, err)
}

// commitsPerWorker is the least work worth a goroutine of its own.
var commitsPerWorker = 200

// walkParallel computes the events of the given commits (in walk order,
// parents first) on as many goroutines as there are CPUs. Each worker
// walks a span of commits in order, so the trees it reads as parents are
// mostly the ones it has just read as children, and the old version of a
// file is mostly the one it has just parsed as new; spans are split as
// workers run out (see spans). Each worker has its own object store:
// go-git's are not safe for concurrent use.
func walkParallel(ctx context.Context, repo *gitrepo.Repo, opts Options, todo []*commitRec, roots map[plumbing.Hash]plumbing.Hash) error {
	workers := min(runtime.GOMAXPROCS(0), max(1, len(todo)/commitsPerWorker))
	work := newSpans(len(todo), workers, commitsPerWorker/2)
	base, err := openPacks(repo)
	if err != nil {
		return unreadable("the pack files", err)
	}
	defer base.close()
	errs := make([]error, workers)
	var done atomic.Int64
	var wg sync.WaitGroup
	for k := 0; k < workers; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := repo.ObjectStore(nil)
			if err != nil {
				errs[k] = err
				return
			}
			defer st.Close()
			pk := base
			if k > 0 {
				if pk, err = base.fork(); err != nil {
					errs[k] = unreadable("the pack files", err)
					return
				}
				defer pk.close()
			}
			w := newWalker(repo, st, opts.Config)
			w.roots, w.trees.packs = roots, pk
			for {
				i, _, ok := work.take(k)
				if !ok {
					return
				}
				rec := todo[i]
				if err := ctx.Err(); err != nil {
					errs[k] = err
					return
				}
				if err := w.events(rec); err != nil {
					errs[k] = unreadable("commit "+rec.Hash.String()[:12], err)
					return
				}
				if n := done.Add(1); opts.Progress != nil && n%1000 == 0 {
					fmt.Fprintf(opts.Progress, "\rhistory: %d/%d commits", n, len(todo))
				}
			}
		}()
	}
	wg.Wait()
	if opts.Progress != nil && len(todo) >= 1000 {
		fmt.Fprintln(opts.Progress)
	}
	return errors.Join(errs...)
}

// propagateConfig sets each commit's config blob from its first parent's
// where the commit did not change registry.yaml. Commits come parents first.
func propagateConfig(order []*commitRec, recs map[plumbing.Hash]*commitRec) {
	for _, rec := range order {
		if rec.ConfigChanged {
			continue
		}
		rec.ConfigBlob = plumbing.ZeroHash
		if len(rec.Parents) > 0 {
			if p := recs[rec.Parents[0]]; p != nil {
				rec.ConfigBlob = p.ConfigBlob
			}
		}
	}
}
