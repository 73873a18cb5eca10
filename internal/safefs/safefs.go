// Package safefs reads and writes files under a trusted folder (the
// repository, or a site's --out) without following any symbolic link on
// the way: a committed link must never make the tool read or write outside
// the repository, nor clobber a file inside it. Every folder on a path
// must be a real folder and every file a regular file; a FIFO or a device
// is refused without being opened for long (opening uses O_NONBLOCK, so a
// FIFO cannot hang the tool).
package safefs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// ErrUnsafe is matched (errors.Is) by every refusal of this package.
var ErrUnsafe = errors.New("not a regular file or folder reached without links")

// ErrTooLarge is matched by the error of a read past its limit.
var ErrTooLarge = errors.New("larger than the limit")

// UnsafeError names the path that was refused and why.
type UnsafeError struct {
	Path   string // as given: the root joined with the relative path
	Reason string
}

func (e *UnsafeError) Error() string   { return e.Path + " " + e.Reason }
func (e *UnsafeError) Is(t error) bool { return t == ErrUnsafe }

func refuse(p, reason string) error { return &UnsafeError{Path: p, Reason: reason} }

// describe says what a non-regular mode is, for messages.
func describe(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "is a symbolic link, which is not followed"
	case m&fs.ModeNamedPipe != 0:
		return "is a named pipe (FIFO), not a regular file"
	case m&fs.ModeSocket != 0:
		return "is a socket, not a regular file"
	case m&fs.ModeDevice != 0:
		return "is a device, not a regular file"
	case m.IsDir():
		return "is a folder, not a regular file"
	}
	return "is not a regular file"
}

// parts splits a slash- or OS-separated relative path into its names,
// refusing absolute paths and "..".
func parts(rel string) ([]string, error) {
	rel = filepath.ToSlash(rel)
	if rel == "" || rel == "." {
		return nil, nil
	}
	if path.IsAbs(rel) || filepath.IsAbs(rel) {
		return nil, refuse(rel, "is not a relative path")
	}
	var out []string
	for _, p := range strings.Split(path.Clean(rel), "/") {
		if p == ".." {
			return nil, refuse(rel, "leaves its folder")
		}
		if p != "." && p != "" {
			out = append(out, p)
		}
	}
	return out, nil
}

// CheckDir reports an error unless every name of rel under root is a real
// folder (not a link). A missing folder yields an error matching
// fs.ErrNotExist.
func CheckDir(root, rel string) error { return walkDirs(root, rel, false, 0) }

// walkDirs checks that every name of rel under root is a real folder,
// making the missing ones with perm when create is set.
func walkDirs(root, rel string, create bool, perm fs.FileMode) error {
	names, err := parts(rel)
	if err != nil {
		return err
	}
	at := root
	for _, n := range names {
		at = filepath.Join(at, n)
		st, err := os.Lstat(at)
		if create && errors.Is(err, fs.ErrNotExist) {
			if err := os.Mkdir(at, perm); err != nil && !errors.Is(err, fs.ErrExist) {
				return err
			}
			st, err = os.Lstat(at)
		}
		if err != nil {
			return err
		}
		if !st.IsDir() {
			if st.Mode()&fs.ModeSymlink != 0 {
				return refuse(at, describe(st.Mode()))
			}
			return refuse(at, "is not a folder")
		}
	}
	return nil
}

// Stat is os.Lstat of root/rel after checking that the folders on the way
// are real folders.
func Stat(root, rel string) (fs.FileInfo, error) {
	if err := CheckDir(root, path.Dir(filepath.ToSlash(rel))); err != nil {
		return nil, err
	}
	if _, err := parts(rel); err != nil {
		return nil, err
	}
	return os.Lstat(filepath.Join(root, filepath.FromSlash(rel)))
}

// Open opens root/rel for reading if it is a regular file reached without
// links. A missing file yields an error matching fs.ErrNotExist.
func Open(root, rel string) (*os.File, error) {
	f, _, err := open(root, rel)
	return f, err
}

// open is Open, with what the opened file's stat says.
func open(root, rel string) (*os.File, fs.FileInfo, error) {
	st, err := Stat(root, rel)
	if err != nil {
		return nil, nil, err
	}
	p := filepath.Join(root, filepath.FromSlash(rel))
	if !st.Mode().IsRegular() {
		return nil, nil, refuse(p, describe(st.Mode()))
	}
	return openRegular(p, st)
}

// openRegular opens p without following a link and without blocking on a
// FIFO, and checks that what was opened is the regular file st described
// (the file may have been swapped meanwhile).
func openRegular(p string, st fs.FileInfo) (*os.File, fs.FileInfo, error) {
	f, err := os.OpenFile(p, os.O_RDONLY|openNoFollow, 0)
	if err != nil {
		if isLoop(err) {
			return nil, nil, refuse(p, "is a symbolic link, which is not followed")
		}
		return nil, nil, err
	}
	fst, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !fst.Mode().IsRegular() {
		f.Close()
		return nil, nil, refuse(p, describe(fst.Mode()))
	}
	if st != nil && !os.SameFile(st, fst) {
		f.Close()
		return nil, nil, refuse(p, "changed while it was opened")
	}
	return f, fst, nil
}

// ReadFile reads root/rel if it is a regular file reached without links,
// at most limit bytes when limit > 0 (more is an error).
func ReadFile(root, rel string, limit int64) ([]byte, error) {
	return ReadFileTo(root, rel, limit, nil)
}

// ReadFileTo is ReadFile into buf's storage when it is large enough, for
// callers that read many files and keep none of their bytes.
func ReadFileTo(root, rel string, limit int64, buf []byte) ([]byte, error) {
	f, st, err := open(root, rel)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// One more byte than the file holds: a file that grew since is read
	// to its end all the same.
	want := st.Size() + 1
	if limit > 0 {
		want = min(want, limit+1)
	}
	buf = slices.Grow(buf[:0], int(want))
	for {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, 4096)
		}
		n, err := f.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if limit > 0 && int64(len(buf)) > limit {
			return nil, fmt.Errorf("%s is larger than %d bytes: %w", f.Name(), limit, ErrTooLarge)
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// MkdirAll makes the folders of rel under root, each a real folder: an
// existing link on the way is refused, never followed.
func MkdirAll(root, rel string, perm fs.FileMode) error { return walkDirs(root, rel, true, perm) }

// File is one file to write: a path relative to the root and its bytes.
type File struct {
	Path string
	Data []byte
}

// Mode says whether WriteFiles may replace existing files.
type Mode int

const (
	Replace Mode = iota // an existing target must be a regular file; it is replaced
	Create              // every target must be absent
)

// WriteFile replaces (or creates) root/rel atomically: the data goes to a
// temporary file in the same folder, renamed over the target. The folders
// on the way must be real folders (missing ones are made) and an existing
// target a regular file.
func WriteFile(root, rel string, data []byte) error {
	return WriteFiles(root, []File{{rel, data}}, Replace)
}

// WriteFiles writes several files all or nothing: every target is checked
// (and, to replace files, every temporary file written) before the first
// is put in place, so a refused path writes nothing. Replace renames a
// temporary file in the same folder over each target; Create makes each
// with O_EXCL (which refuses a link too) and removes the ones made if one
// fails.
func WriteFiles(root string, files []File, mode Mode) error {
	targets := make([]string, len(files))
	seen := map[string]bool{}
	for i, f := range files {
		names, err := parts(f.Path)
		if err != nil {
			return err
		}
		if len(names) == 0 {
			return refuse(f.Path, "is not a file name")
		}
		rel := path.Join(names...)
		if err := MkdirAll(root, path.Dir(rel), 0o755); err != nil {
			return err
		}
		target := filepath.Join(root, filepath.FromSlash(rel))
		if seen[target] {
			return refuse(target, "is written twice")
		}
		seen[target] = true
		st, err := os.Lstat(target)
		switch {
		case err == nil && mode == Create:
			return fmt.Errorf("%s: %w", target, fs.ErrExist)
		case err == nil && !st.Mode().IsRegular():
			return refuse(target, describe(st.Mode()))
		case err != nil && !errors.Is(err, fs.ErrNotExist):
			return err
		}
		targets[i] = target
	}
	if mode == Create {
		for i, f := range files {
			if err := create(targets[i], f.Data); err != nil {
				for _, t := range targets[:i] {
					os.Remove(t)
				}
				return err
			}
		}
		return nil
	}
	tmps := make([]string, 0, len(files))
	cleanup := func() {
		for _, t := range tmps {
			os.Remove(t)
		}
	}
	for i, f := range files {
		tmp, err := os.CreateTemp(filepath.Dir(targets[i]), "."+filepath.Base(targets[i])+".tmp-*")
		if err != nil {
			cleanup()
			return err
		}
		tmps = append(tmps, tmp.Name())
		_, werr := tmp.Write(f.Data)
		if err := tmp.Chmod(0o644); werr == nil {
			werr = err
		}
		if err := tmp.Close(); werr == nil {
			werr = err
		}
		if werr != nil {
			cleanup()
			return werr
		}
	}
	for i, tmp := range tmps {
		if err := os.Rename(tmp, targets[i]); err != nil {
			tmps = tmps[i:]
			cleanup()
			return err
		}
	}
	return nil
}

// create makes a new file; O_EXCL fails on anything already there, a
// link included (it is not followed).
func create(target string, data []byte) error {
	f, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL|openNoFollow, 0o644)
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	if err := f.Close(); werr == nil {
		werr = err
	}
	if werr != nil {
		os.Remove(target)
	}
	return werr
}

// DirFS is os.DirFS(root) that opens only regular files and real folders
// reached without links: anything else is an error matching ErrUnsafe
// that names the path.
func DirFS(root string) fs.FS { return dirFS(root) }

type dirFS string

func (d dirFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	st, err := Stat(string(d), name)
	if err != nil {
		return nil, err
	}
	p := filepath.Join(string(d), filepath.FromSlash(name))
	if st.IsDir() {
		return os.Open(p)
	}
	if !st.Mode().IsRegular() {
		return nil, refuse(p, describe(st.Mode()))
	}
	f, _, err := openRegular(p, st)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// CheckTree reports the first entry under root (in lexical order) that is
// neither a real folder nor a regular file: a link, a FIFO, a device.
func CheckTree(root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == root {
			return nil
		}
		if !d.IsDir() && !d.Type().IsRegular() {
			return refuse(p, describe(d.Type()))
		}
		return nil
	})
}
