package registry

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"time"
)

// File is one candidate demand file in a Source.
type File struct {
	Path    string // slash-separated, relative to the registry folder
	Size    int64
	Symlink bool
	ModTime time.Time // the working tree's modification time (zero in git)
}

// Source reads a registry folder: the working tree or a git tree at a
// revision. The same parser serves both.
type Source interface {
	// Describe names the source for messages ("demands", "commit 1a2b3c4").
	Describe() string
	// List returns the demand files, sorted by path: every *.md except
	// README.md and names starting with _ or ., symlinks included (they are
	// reported, never followed).
	List() ([]File, error)
	// ReadFile reads a file by registry-relative path, reading at most
	// limit bytes (limit <= 0: no limit). A missing file yields an error
	// matching fs.ErrNotExist.
	ReadFile(p string) ([]byte, error)
}

// IsDemandFile reports whether a registry-relative path names a demand
// file, and whether a directory on the way is skipped.
func IsDemandFile(p string) bool {
	for _, part := range strings.Split(p, "/") {
		if strings.HasPrefix(part, ".") || strings.HasPrefix(part, "_") {
			return false
		}
	}
	base := path.Base(p)
	return strings.HasSuffix(base, ".md") && !strings.EqualFold(base, "README.md")
}

// DirSource reads a folder on disk through os.Root, so no path in the
// registry (a symlink, a "../" link) can reach outside it.
type DirSource struct {
	Dir  string
	root *os.Root
}

// OpenDir opens a registry folder.
func OpenDir(dir string) (*DirSource, error) {
	st, err := os.Stat(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("registry folder %s does not exist (pass --dir to name another)", dir)
		}
		return nil, err
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("registry folder %s is not a folder (pass --dir to name the folder of demand files)", dir)
	}
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return &DirSource{Dir: dir, root: r}, nil
}

// Close releases the folder.
func (s *DirSource) Close() error { return s.root.Close() }

func (s *DirSource) Describe() string { return s.Dir }

func (s *DirSource) List() ([]File, error) {
	var files []File
	err := fs.WalkDir(s.root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == "." {
			return nil
		}
		name := d.Name()
		if d.IsDir() {
			if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
				return fs.SkipDir
			}
			return nil
		}
		if !IsDemandFile(p) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		files = append(files, File{Path: p, Size: info.Size(), Symlink: d.Type()&fs.ModeSymlink != 0, ModTime: info.ModTime()})
		return nil
	})
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files, err
}

func (s *DirSource) ReadFile(p string) ([]byte, error) {
	info, err := s.root.Lstat(p)
	if err != nil {
		return nil, err
	}
	if info.Mode()&fs.ModeSymlink != 0 {
		return nil, fmt.Errorf("%s is a symbolic link, which is not followed", p)
	}
	f, err := s.root.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// WriteFile replaces a file in the folder atomically (temp file + rename).
func (s *DirSource) WriteFile(p string, data []byte) error {
	tmp := p + ".tmp-demand"
	if err := s.root.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	if err := s.root.Rename(tmp, p); err != nil {
		_ = s.root.Remove(tmp)
		return err
	}
	return nil
}

// CreateFile writes a new file, failing if it exists.
func (s *DirSource) CreateFile(p string, data []byte) error {
	if dir := path.Dir(p); dir != "." {
		if err := s.root.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	f, err := s.root.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
