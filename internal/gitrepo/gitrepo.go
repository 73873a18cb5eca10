// Package gitrepo opens the git repository around a registry and reads
// the registry at a commit, with go-git; no go-git type leaves the module.
package gitrepo

import (
	"crypto"
	"crypto/sha1"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"

	"github.com/demand-registry/demand/registry"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/hash"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// UseStdlibSHA1 makes go-git hash objects with the standard library's
// SHA-1 instead of its collision-detecting one, for the whole process.
// go-git hashes every object it resolves from a delta; a program that only
// reads local repositories, whose objects git checked with collision
// detection when it received them, may call it once at start to spend
// less time hashing large folder trees. The tool's command does.
func UseStdlibSHA1() error { return hash.RegisterHash(crypto.SHA1, sha1.New) }

// Repo is the git repository that holds a registry folder.
type Repo struct {
	Git  *git.Repository
	Root string // the work tree's root
	Dir  string // the registry folder relative to Root, slash-separated ("" for the root)
}

// OpenRepo finds the repository enclosing a registry folder.
func OpenRepo(dir string) (*Repo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	r, err := git.PlainOpenWithOptions(abs, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if err != nil {
		if errors.Is(err, git.ErrRepositoryNotExists) {
			return nil, fmt.Errorf("%s is not inside a git repository", dir)
		}
		return nil, fmt.Errorf("opening the git repository of %s: %w", dir, err)
	}
	wt, err := r.Worktree()
	if err != nil {
		return nil, fmt.Errorf("the repository of %s has no work tree: %w", dir, err)
	}
	root := wt.Filesystem.Root()
	real := func(p string) string {
		if e, err := filepath.EvalSymlinks(p); err == nil {
			return e
		}
		return p
	}
	rel, err := filepath.Rel(real(root), real(abs))
	if err != nil || strings.HasPrefix(rel, "..") {
		return nil, fmt.Errorf("%s is outside its repository's work tree %s", dir, root)
	}
	rel = filepath.ToSlash(rel)
	if rel == "." {
		rel = ""
	}
	return &Repo{Git: r, Root: root, Dir: rel}, nil
}

// ObjectStore opens a separate, read-only view of the repository's
// objects that keeps its pack files open: one per goroutine, since a
// store is not safe for concurrent use. Objects resolved from deltas are
// kept in c (nil for a 64 MiB LRU cache). Close it when done.
func (r *Repo) ObjectStore(c cache.Object) (*filesystem.Storage, error) {
	fs, ok := r.Git.Storer.(*filesystem.Storage)
	if !ok {
		return nil, fmt.Errorf("the repository is not stored on disk")
	}
	if c == nil {
		c = cache.NewObjectLRU(64 * cache.MiByte)
	}
	return filesystem.NewStorageWithOptions(fs.Filesystem(), c, filesystem.Options{KeepDescriptors: true}), nil
}

// CacheDir is the folder for caches of this repository: demand-cache in
// the git folder, which git never tracks, so no commit can plant a cache
// that a fresh clone would trust.
func (r *Repo) CacheDir() (string, error) {
	st, ok := r.Git.Storer.(*filesystem.Storage)
	if !ok {
		return "", fmt.Errorf("the repository is not stored on disk")
	}
	return filepath.Join(st.Filesystem().Root(), "demand-cache"), nil
}

// Head is the hash of the commit HEAD names.
func (r *Repo) Head() (string, error) {
	h, err := r.Git.ResolveRevision(plumbing.Revision("HEAD"))
	if err != nil {
		return "", err
	}
	return h.String(), nil
}

// Resolve finds the commit a revision names (a hash, branch, tag, HEAD~2…).
func (r *Repo) Resolve(rev string) (*object.Commit, error) {
	h, err := r.Git.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return nil, fmt.Errorf("unknown revision %q: %w", rev, err)
	}
	c, err := r.Git.CommitObject(*h)
	if err != nil {
		return nil, fmt.Errorf("revision %q is not a commit: %w", rev, err)
	}
	return c, nil
}

// GitSource reads a registry folder as it stood in one commit, from git
// objects only (never the work tree).
type GitSource struct {
	Commit *object.Commit
	tree   *object.Tree // nil when the folder does not exist in the commit
}

// SourceAt returns the registry folder at a commit.
func (r *Repo) SourceAt(c *object.Commit) (*GitSource, error) {
	t, err := c.Tree()
	if err != nil {
		return nil, err
	}
	s := &GitSource{Commit: c, tree: t}
	if r.Dir != "" {
		sub, err := t.Tree(r.Dir)
		if errors.Is(err, object.ErrDirectoryNotFound) {
			s.tree = nil
		} else if err != nil {
			return nil, err
		} else {
			s.tree = sub
		}
	}
	return s, nil
}

func (s *GitSource) Describe() string { return "commit " + s.Commit.Hash.String()[:12] }

func (s *GitSource) List() ([]registry.File, error) {
	if s.tree == nil {
		return nil, nil
	}
	var files []registry.File
	walker := object.NewTreeWalker(s.tree, true, nil)
	defer walker.Close()
	// go-git stops the walk at a name it would not check out (a control
	// character); this walk only lists names, so such a file is listed
	// and Load reports it, rather than the whole commit being unreadable.
	// Its content is never read (Load rejects the name first).
	walker.SkipPathValidation()
	for {
		name, e, err := walker.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if !e.Mode.IsFile() || !registry.IsDemandFile(name) {
			continue
		}
		f := registry.File{Path: name, Symlink: e.Mode == filemode.Symlink}
		if sz, err := s.tree.Size(name); err == nil {
			f.Size = sz
		}
		files = append(files, f)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files, nil
}

func (s *GitSource) ReadFile(p string) ([]byte, error) {
	if s.tree == nil {
		return nil, fs.ErrNotExist
	}
	f, err := s.tree.File(p)
	if errors.Is(err, object.ErrFileNotFound) {
		return nil, fs.ErrNotExist
	}
	if err != nil {
		return nil, err
	}
	if f.Mode == filemode.Symlink {
		return nil, fmt.Errorf("%s is a symbolic link, which is not followed", p)
	}
	rd, err := f.Reader()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	return io.ReadAll(rd)
}
