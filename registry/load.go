package registry

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/demand-registry/demand/registry/config"

	"github.com/demand-registry/demand/registry/finding"

	"github.com/demand-registry/demand/internal/escape"
	"github.com/demand-registry/demand/internal/par"
	"github.com/demand-registry/demand/internal/safefs"
)

// Snapshot is a registry as read from one source: the config and the
// demands sorted by ID. It is not modified after Load.
type Snapshot struct {
	Config  *config.Config
	Demands []*Demand
	byID    map[string]*Demand
}

// Get returns a demand by ID, or nil.
func (s *Snapshot) Get(id string) *Demand { return s.byID[id] }

// CompareIDs orders IDs as people read them: runs of digits by their
// number (erc-20 before erc-165), the rest as text; IDs equal so (0007
// and 7) by their text.
func CompareIDs(a, b string) int {
	return cmp.Or(natural(a, b), strings.Compare(a, b))
}

func natural(a, b string) int {
	for a != "" && b != "" {
		da, db := digitRun(a), digitRun(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if c := cmp.Or(cmp.Compare(len(na), len(nb)), strings.Compare(na, nb)); c != 0 {
				return c
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

func digitRun(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// NewSnapshot builds a snapshot from parsed demands (sorted by ID, first
// of each ID kept).
func NewSnapshot(cfg *config.Config, ds []*Demand) *Snapshot {
	s := &Snapshot{Config: cfg, byID: make(map[string]*Demand, len(ds))}
	sorted := append([]*Demand(nil), ds...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].ID != sorted[j].ID {
			return CompareIDs(sorted[i].ID, sorted[j].ID) < 0
		}
		return sorted[i].Path < sorted[j].Path
	})
	for _, d := range sorted {
		if d.ID == "" || s.byID[d.ID] != nil {
			continue
		}
		s.byID[d.ID] = d
		s.Demands = append(s.Demands, d)
	}
	return s
}

// Load reads the config and every demand file of a source. Findings hold
// every per-file problem and duplicate IDs; cross-demand rules run in
// Validate. The error is for a source that cannot be listed at all.
func Load(src Source) (*Snapshot, finding.Findings, error) { return LoadCached(src, nil) }

// ParseCache keeps parsed demand files between loads of a registry that
// changes a file at a time (demand serve): a file whose bytes and config
// are unchanged is not parsed again, and, like git status, a working-tree
// file whose size and modification time are those it had when it was read
// is not even read again. Demands are never modified after parsing, so
// sharing them between snapshots is safe.
type ParseCache struct {
	mu sync.Mutex
	m  map[string]parsedFile
}

type parsedFile struct {
	key [32]byte
	d   *Demand
	fs  finding.Findings
	// What the file's stat and the config were when it was read.
	size   int64
	mtime  time.Time
	readAt time.Time
	cfgKey []byte
}

// unchanged reports whether f is known to hold what was parsed without
// reading it: same size, same modification time, same config. A file
// modified in the second before it was read may have changed again within
// the clock's resolution, so it is read (git calls this "racily clean").
func (c parsedFile) unchanged(f File, cfgKey []byte) bool {
	return !f.ModTime.IsZero() && f.Size == c.size && f.ModTime.Equal(c.mtime) &&
		c.readAt.Sub(f.ModTime) > time.Second && bytes.Equal(cfgKey, c.cfgKey)
}

// NewParseCache makes an empty cache.
func NewParseCache() *ParseCache { return &ParseCache{m: map[string]parsedFile{}} }

// LoadCached is Load, reusing files parsed before when cache is not nil.
func LoadCached(src Source, cache *ParseCache) (*Snapshot, finding.Findings, error) {
	cfg, fs := LoadConfig(src)
	if fs.HasErrors() {
		// Demands checked against a config that is not the one written
		// would be judged by the wrong schema: none is read.
		return NewSnapshot(cfg, nil), fs, nil
	}
	var cfgKey []byte
	if cache != nil {
		cfgKey, _ = cfg.YAML()
	}
	files, err := src.List()
	if err != nil {
		return nil, fs, fmt.Errorf("reading %s: %w", src.Describe(), err)
	}
	// With IDs in file names, only names of the ID's pattern are demands.
	files = slices.DeleteFunc(files, func(f File) bool { return !cfg.IsDemand(f.Path) })
	results := make([]loaded, len(files))
	// Files go to the workers in chunks: the entries a chunk's front
	// matter has that were not seen before are parsed together.
	chunk := min(loadChunk, max(1, len(files)/(8*runtime.GOMAXPROCS(0))))
	chunks := (len(files) + chunk - 1) / chunk
	_ = par.ForWith(chunks, 0, func() *loader { return &loader{front: NewFrontCache(loadEntries)} }, func(l *loader, c int) error {
		lo, hi := c*chunk, min(len(files), (c+1)*chunk)
		l.loadFiles(cfg, src, files[lo:hi], results[lo:hi], cache, cfgKey)
		return nil
	})
	var ds []*Demand
	for _, r := range results {
		fs = append(fs, r.fs...)
		if r.d != nil && r.d.ID != "" {
			ds = append(ds, r.d)
		}
	}
	fs = append(fs, duplicateIDs(cfg, ds)...)
	return NewSnapshot(cfg, ds), fs, nil
}

// loadEntries is how many front matter entries a load keeps per
// generation and worker, loadChunk how many files a worker takes at once.
const (
	loadEntries = 4096
	loadChunk   = 32
)

// loaded is a file as read: its demand and findings.
type loaded struct {
	d  *Demand
	fs finding.Findings
}

// loader is what one of Load's workers keeps from file to file: the front
// matter entries it parsed (demands share most of their values) and the
// buffers it reads into.
type loader struct {
	front *FrontCache
	bufs  [][]byte
	pend  []pending
	data  [][]byte // the pending files' bytes, for prefetch
}

// pending is a file read and not parsed yet.
type pending struct {
	i      int
	data   []byte
	readAt time.Time
	key    [32]byte
}

// loadFiles reads files into out: those a cache holds are taken from it,
// the rest read, their new front matter entries parsed together, and
// each parsed.
func (l *loader) loadFiles(cfg *config.Config, src Source, files []File, out []loaded, cache *ParseCache, cfgKey []byte) {
	for len(l.bufs) < len(files) {
		l.bufs = append(l.bufs, nil)
	}
	l.pend = l.pend[:0]
	for i, f := range files {
		p := pending{i: i}
		var done bool
		p.data, p.readAt, out[i], done = l.read(cfg, src, f, i, cache, cfgKey)
		if done {
			continue
		}
		if cache != nil {
			p.key = parseKey(cfgKey, p.data)
			if c, ok := cache.get(f.Path); ok && c.key == p.key {
				c.size, c.mtime, c.readAt = f.Size, f.ModTime, p.readAt
				cache.put(f.Path, c)
				out[i] = loaded{c.d, c.fs}
				continue
			}
		}
		l.pend = append(l.pend, p)
	}
	if len(l.pend) > 1 {
		l.data = l.data[:0]
		for _, p := range l.pend {
			l.data = append(l.data, p.data)
		}
		l.front.prefetch(cfg, l.data)
	}
	for _, p := range l.pend {
		f := files[p.i]
		d, fs := l.front.parse(cfg, f.Path, p.data)
		out[p.i] = loaded{d, fs}
		if cache != nil {
			cache.put(f.Path, parsedFile{key: p.key, d: d, fs: fs, size: f.Size, mtime: f.ModTime, readAt: p.readAt, cfgKey: cfgKey})
		}
	}
}

// read returns a file's bytes, read into the loader's i-th buffer, or
// with done set, what becomes of a file that is not to be parsed: a
// finding, or what the cache holds for a file it knows is unchanged.
func (l *loader) read(cfg *config.Config, src Source, f File, i int, cache *ParseCache, cfgKey []byte) (data []byte, readAt time.Time, res loaded, done bool) {
	fail := func(fd finding.Finding) ([]byte, time.Time, loaded, bool) {
		fd.Path, fd.Severity = f.Path, finding.Error
		return nil, time.Time{}, loaded{fs: finding.Findings{fd}}, true
	}
	if fd, ok := checkFileName(f.Path); !ok {
		return fail(fd)
	}
	if f.Symlink {
		return fail(finding.Finding{Rule: "symlink",
			Message: "demand files may not be symbolic links (they are not followed)", Hint: "replace the link with the file itself"})
	}
	if f.Special {
		return fail(finding.Finding{Rule: "special-file",
			Message: "demand files must be regular files (this is a FIFO, a device or a socket, which is not read)", Hint: "replace it with a regular file"})
	}
	if f.Size > cfg.Files.MaxSize {
		return fail(tooLarge(fmt.Sprintf("the file is %d bytes, more than the limit of %d", f.Size, cfg.Files.MaxSize)))
	}
	if cache != nil {
		if c, ok := cache.get(f.Path); ok && c.unchanged(f, cfgKey) {
			return nil, time.Time{}, loaded{c.d, c.fs}, true
		}
	}
	readAt = time.Now()
	var err error
	// Only the folder itself: a Source that wraps one reads its own way.
	if ds, ok := src.(*DirSource); ok {
		data, err = ds.readFileTo(f.Path, cfg.Files.MaxSize, l.bufs[i])
		if cap(data) <= 1<<20 {
			l.bufs[i] = data[:0]
		}
	} else {
		data, err = src.ReadFile(f.Path)
	}
	// A file that grew past the limit since it was listed.
	if errors.Is(err, safefs.ErrTooLarge) || err == nil && int64(len(data)) > cfg.Files.MaxSize {
		return fail(tooLarge(fmt.Sprintf("the file is more than the limit of %d bytes", cfg.Files.MaxSize)))
	}
	if err != nil {
		return fail(finding.Finding{Rule: "read", Message: "cannot read the file: " + err.Error(),
			Hint: "check that the file is readable (its permissions), then run again"})
	}
	return data, readAt, loaded{}, false
}

// tooLarge is the finding on a file over files.max_size.
func tooLarge(msg string) finding.Finding {
	return finding.Finding{Rule: "file-size", Message: msg,
		Hint: "move attachments out of the demand, or raise files.max_size in registry.yaml"}
}

// parseKey is what a parse depends on: the config and the bytes.
func parseKey(cfgKey, data []byte) [32]byte {
	h := sha256.New()
	h.Write(cfgKey)
	h.Write([]byte{0})
	h.Write(data)
	var key [32]byte
	copy(key[:], h.Sum(nil))
	return key
}

func (c *ParseCache) get(p string) (parsedFile, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, ok := c.m[p]
	return f, ok
}

func (c *ParseCache) put(p string, f parsedFile) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[p] = f
}

func duplicateIDs(cfg *config.Config, ds []*Demand) finding.Findings {
	hint := "give one of them the next free ID (demand new prints it)"
	if pat := cfg.Roles["id"].Pattern; pat != "" {
		// Numbers that repeat are common in registries numbered by hand.
		hint = fmt.Sprintf("renumber one, or let roles.id.pattern (%s) take more of the name as the ID, e.g. '^([0-9]{4}-.+)\\.md$'", pat)
	}
	byID := map[string][]*Demand{}
	for _, d := range ds {
		byID[d.ID] = append(byID[d.ID], d)
	}
	var fs finding.Findings
	for _, id := range slices.Sorted(maps.Keys(byID)) {
		group := byID[id]
		if len(group) < 2 {
			continue
		}
		sort.Slice(group, func(i, j int) bool { return group[i].Path < group[j].Path })
		for i, d := range group {
			other := group[0]
			if i == 0 {
				other = group[1]
			}
			p := d.At("id")
			fs = append(fs, finding.Finding{Path: d.Path, Line: p.Line, Col: p.Col, Severity: finding.Error, Rule: "duplicate-id",
				Message: fmt.Sprintf("ID %s is also used by %s", id, other.Path), Hint: hint})
		}
	}
	return fs
}

// Fingerprint hashes a registry's config and demand files: two sources
// with the same fingerprint load the same snapshot.
func Fingerprint(src Source) (string, error) {
	h := sha256.New()
	if data, err := src.ReadFile(config.File); err == nil {
		h.Write(data)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	files, err := src.List()
	if err != nil {
		return "", err
	}
	for _, f := range files {
		fmt.Fprintf(h, "\x00%s %d %t\x00", f.Path, f.Size, f.Symlink)
		if _, ok := checkFileName(f.Path); f.Symlink || !ok {
			continue // never read: the finding does not depend on the content
		}
		data, err := src.ReadFile(f.Path)
		if err != nil {
			return "", err
		}
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// checkFileName rejects a file name with a control character (a newline,
// ESC, DEL…). Git refuses to check such a name out and go-git to read it
// from a tree, so once merged it would break every later run on that
// commit (validate --base in every pull request); it is an error in the
// pull request that adds it instead.
func checkFileName(p string) (finding.Finding, bool) {
	if !escape.HasControl(p) {
		return finding.Finding{}, true
	}
	return finding.Finding{Path: p, Severity: finding.Error, Rule: "filename",
		Message: "the file name has a control character (a newline, tab, escape…)",
		Hint:    "rename the file to ID-title.md with letters, digits and dashes"}, false
}

// LoadConfig reads registry.yaml from src (defaults when absent) and
// returns the effective config with every problem found in the file.
// A config with errors is still returned, with defaults where it was wrong.
func LoadConfig(src Source) (*config.Config, finding.Findings) {
	data, err := src.ReadFile(config.File)
	if errors.Is(err, fs.ErrNotExist) {
		return config.Default(), nil
	}
	if err != nil {
		return config.Default(), finding.Findings{{Path: config.File, Severity: finding.Error, Rule: "config",
			Message: "cannot read the config: " + err.Error()}}
	}
	return config.Parse(config.File, data)
}
