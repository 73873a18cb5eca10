package history

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/demand-registry/demand/registry"
)

// maxScore is git's scale of similarity, minSimilarity its default rename
// threshold (-M50%).
const (
	maxScore      = 60000
	minSimilarity = maxScore / 2
)

// similarity estimates, as git's diffcore-delta does, how much of src is
// in dst, on git's scale (maxScore) and relative to the larger: both are
// cut into chunks that end at a newline or after 64 bytes (a CR before a
// LF ignored in text), and the bytes of chunks they share count. Git counts chunks by a hash of them
// (collisions aside, the same); empty files are never renames.
func similarity(src, dst []byte) int {
	if len(src) == 0 || len(dst) == 0 {
		return 0
	}
	big := max(len(src), len(dst))
	if min(len(src), len(dst))*maxScore < big*minSimilarity {
		return 0 // too different in size to reach the threshold
	}
	have := chunks(src)
	copied := 0
	for k, n := range chunks(dst) {
		copied += min(n, have[k])
	}
	return copied * maxScore / big
}

// chunks counts the bytes of each chunk of data.
func chunks(data []byte) map[string]int {
	text := !bytes.Contains(data[:min(len(data), 8000)], []byte{0}) // git's binary test
	out := map[string]int{}
	var cur []byte
	n := 0
	for i, c := range data {
		if text && c == '\r' && i+1 < len(data) && data[i+1] == '\n' {
			continue
		}
		cur = append(cur, c)
		n++
		if n < 64 && c != '\n' {
			continue
		}
		out[string(cur)] += n
		cur, n = cur[:0], 0
	}
	if n > 0 {
		out[string(cur)] += n
	}
	return out
}

// renameLimit is git's diff.renameLimit default: above this many deleted
// times added files (squared), a commit's renames are exact ones only.
var renameLimit = 1000

func countTrue(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// fileSide is a demand file deleted or added by a commit.
type fileSide struct {
	path string
	blob plumbing.Hash
}

// pairRenames pairs deleted with added files as git's rename detection
// does: identical content first, then by similarity of at least 50%, best
// pairs first, each file in one pair at most. read gives a blob's content
// (nil when it cannot be compared). It returns the pairs as indexes into
// gone and added.
func pairRenames(gone, added []fileSide, read func(plumbing.Hash) []byte) [][2]int {
	var pairs [][2]int
	usedG, usedA := make([]bool, len(gone)), make([]bool, len(added))
	for j, a := range added {
		for i, g := range gone {
			if !usedG[i] && g.blob == a.blob {
				usedG[i], usedA[j] = true, true
				pairs = append(pairs, [2]int{i, j})
				break
			}
		}
	}
	left := func(used []bool) int { return len(used) - countTrue(used) }
	if left(usedG)*left(usedA) > renameLimit*renameLimit {
		return pairs // as git: too many to compare, exact renames only
	}
	type cand struct{ score, i, j int }
	var cands []cand
	data := map[plumbing.Hash][]byte{}
	get := func(h plumbing.Hash) []byte {
		d, ok := data[h]
		if !ok {
			d = read(h)
			data[h] = d
		}
		return d
	}
	for j, a := range added {
		if usedA[j] {
			continue
		}
		for i, g := range gone {
			if usedG[i] {
				continue
			}
			if s := similarity(get(g.blob), get(a.blob)); s >= minSimilarity {
				cands = append(cands, cand{s, i, j})
			}
		}
	}
	slices.SortStableFunc(cands, func(x, y cand) int { return cmp.Compare(y.score, x.score) })
	for _, c := range cands {
		if !usedG[c.i] && !usedA[c.j] {
			usedG[c.i], usedA[c.j] = true, true
			pairs = append(pairs, [2]int{c.i, c.j})
		}
	}
	return pairs
}

// pathEvents is diffEvents for a registry whose IDs come from file names:
// a demand is followed by its path, and through renames as git detects
// them, so a draft numbered by a rename (0000-draft.md to 0012-draft.md,
// the content at least 50% the same) keeps one history, and drafts that
// share a number at different paths stay apart.
func (w *walker) pathEvents(changes []fileChange) ([]event, error) {
	var evs []event
	var gone, added pathSides
	for _, fc := range changes {
		if !registry.IsDemandFile(fc.path) || !w.cfg.IsDemand(fc.path) {
			continue
		}
		o, n, err := w.parseChange(fc)
		if err != nil {
			return nil, err
		}
		switch {
		case o != nil && n != nil && n.ID != "":
			evs = append(evs, event{ID: n.ID, Path: w.fullPath(fc.path), Kind: "changed", StatusFrom: o.Status, Status: n.Status, Tier: n.Tier,
				Received: n.Received, Timeline: n.Timeline, Changes: fieldChanges(o, n)})
		case o != nil && o.ID != "" && n == nil:
			gone.add(fileSide{w.fullPath(fc.path), fc.old}, o)
		case n != nil && n.ID != "" && o == nil:
			added.add(fileSide{w.fullPath(fc.path), fc.new}, n)
		}
	}
	renames, err := w.renameEvents(&gone, &added)
	if err != nil {
		return nil, err
	}
	evs = append(evs, renames...)
	for i, g := range gone.files {
		if !gone.renamed[i] {
			o := gone.parsed[i]
			evs = append(evs, event{ID: o.ID, Path: g.path, Kind: "deleted", StatusFrom: o.Status, Status: o.Status, Tier: o.Tier, Received: o.Received, Timeline: o.Timeline})
		}
	}
	for j, a := range added.files {
		if !added.renamed[j] {
			n := added.parsed[j]
			evs = append(evs, event{ID: n.ID, Path: a.path, Kind: "created", Status: n.Status, Tier: n.Tier, Received: n.Received, Timeline: n.Timeline})
		}
	}
	slices.SortFunc(evs, func(x, y event) int { return cmp.Compare(x.Path, y.Path) })
	return evs, nil
}

// pathSides are the demand files a commit deleted (or added), with their
// parses, and which of them a rename explains.
type pathSides struct {
	files   []fileSide
	parsed  []*parsed
	renamed []bool
}

func (s *pathSides) add(f fileSide, p *parsed) {
	s.files, s.parsed, s.renamed = append(s.files, f), append(s.parsed, p), append(s.renamed, false)
}

// fullPath is a registry-relative path as a repository path.
func (w *walker) fullPath(p string) string {
	if w.repo.Dir != "" {
		return w.repo.Dir + "/" + p
	}
	return p
}

// parseChange parses both sides of a file change (nil for a missing side).
func (w *walker) parseChange(fc fileChange) (o, n *parsed, err error) {
	if !fc.old.IsZero() {
		if o, err = w.parse(fc.path, fc.old); err != nil {
			return nil, nil, err
		}
	}
	if !fc.new.IsZero() {
		if n, err = w.parse(fc.path, fc.new); err != nil {
			return nil, nil, err
		}
	} else {
		delete(w.current, fc.path)
	}
	return o, n, nil
}

// renameEvents pairs deleted and added demand files into renames, by git's
// similarity rule, and marks the pairs it made.
func (w *walker) renameEvents(gone, added *pathSides) ([]event, error) {
	var readErr error
	read := func(h plumbing.Hash) []byte {
		if data, ok := w.worktree[h]; ok {
			return data
		}
		data, err := w.trees.object(h, plumbing.BlobObject, w.cfg.Files.MaxSize)
		if err != nil && !errors.Is(err, errTooLarge) && readErr == nil {
			readErr = fmt.Errorf("reading blob %s: %w", h, err)
		}
		return data
	}
	var evs []event
	for _, pr := range pairRenames(gone.files, added.files, read) {
		g, a := gone.files[pr[0]], added.files[pr[1]]
		o, n := gone.parsed[pr[0]], added.parsed[pr[1]]
		gone.renamed[pr[0]], added.renamed[pr[1]] = true, true
		evs = append(evs, event{ID: n.ID, Path: a.path, OldPath: g.path, Kind: "renamed", StatusFrom: o.Status, Status: n.Status, Tier: n.Tier,
			Received: n.Received, Timeline: n.Timeline, Changes: append([]Change{{Field: "path", From: g.path, To: a.path}}, fieldChanges(o, n)...)})
	}
	return evs, readErr
}
