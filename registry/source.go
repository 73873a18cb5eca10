package registry

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/demand-registry/demand/internal/safefs"
)

// File is one candidate demand file in a Source.
type File struct {
	Path    string // slash-separated, relative to the registry folder
	Size    int64
	Symlink bool
	Special bool      // neither a regular file nor a link: a FIFO, a device, a socket
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

// DirSource reads a folder on disk. Every file is read and written as a
// regular file reached without following a link (see internal/safefs): a
// committed symlink, a "../" link or a FIFO is a finding, never followed
// or opened for long.
type DirSource struct {
	Dir  string
	abs  string
	root *os.Root
}

// OpenDir opens a registry folder. The folder itself, and every folder
// between the enclosing repository's root and it, must be a real folder:
// a committed link "demands -> ../outside" is refused.
func OpenDir(dir string) (*DirSource, error) {
	st, err := os.Lstat(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("registry folder %s does not exist (pass --dir to name another)", dir)
		}
		return nil, err
	}
	if st.Mode()&fs.ModeSymlink != 0 {
		return nil, fmt.Errorf("registry folder %s is a symbolic link, which is not followed (name the real folder with --dir)", dir)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("registry folder %s is not a folder (pass --dir to name the folder of demand files)", dir)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := checkInRepo(dir, abs); err != nil {
		return nil, fmt.Errorf("registry folder %s: %w", dir, err)
	}
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return &DirSource{Dir: dir, abs: abs, root: r}, nil
}

// checkInRepo checks that no folder between the repository's root (or,
// outside a repository, the working directory of a relative path) and the
// registry folder is a link.
func checkInRepo(dir, abs string) error {
	if root, ok := RepoRoot(abs); ok {
		rel, err := filepath.Rel(root, abs)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return fmt.Errorf("is outside its repository %s", root)
		}
		return safefs.CheckDir(root, rel)
	}
	if !filepath.IsAbs(dir) && filepath.IsLocal(dir) {
		wd, err := os.Getwd()
		if err != nil {
			return err
		}
		return safefs.CheckDir(wd, dir)
	}
	return nil
}

// RepoRoot is the work tree root of the git repository enclosing the
// absolute path abs: the nearest folder holding .git.
func RepoRoot(abs string) (string, bool) {
	for at := abs; ; {
		if _, err := os.Lstat(filepath.Join(at, ".git")); err == nil {
			return at, true
		}
		parent := filepath.Dir(at)
		if parent == at {
			return "", false
		}
		at = parent
	}
}

// Close releases the folder.
func (s *DirSource) Close() error { return s.root.Close() }

func (s *DirSource) Describe() string { return s.Dir }

// List returns the demand files; a link or any other file that is not
// regular is listed with Symlink or Special set, so that loading reports
// it. Links to folders are listed too (they are not followed), so that
// the demands behind them are not skipped silently.
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
		link := d.Type()&fs.ModeSymlink != 0
		if !IsDemandFile(p) && !(link && IsDemandFile(p+"/x.md") && s.linksToFolder(p)) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		files = append(files, File{Path: p, Size: info.Size(), Symlink: link,
			Special: !link && !info.Mode().IsRegular(), ModTime: info.ModTime()})
		return nil
	})
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files, err
}

// linksToFolder reports whether the link p points to a folder, whose
// demand files would be skipped silently. Only the target's type is
// looked at, never its content.
func (s *DirSource) linksToFolder(p string) bool {
	st, err := os.Stat(filepath.Join(s.abs, filepath.FromSlash(p)))
	return err == nil && st.IsDir()
}

// ReadFile reads a regular file of the folder, never through a link and
// never blocking on a FIFO.
func (s *DirSource) ReadFile(p string) ([]byte, error) { return s.readFileTo(p, 0, nil) }

// readFileTo is ReadFile into buf's storage when it is large enough: Load
// keeps none of a file's bytes (a demand's texts are copies).
func (s *DirSource) readFileTo(p string, limit int64, buf []byte) ([]byte, error) {
	data, err := safefs.ReadFileTo(s.abs, p, limit, buf)
	var ue *safefs.UnsafeError
	if errors.As(err, &ue) {
		// Name the path as the registry knows it.
		return nil, fmt.Errorf("%s %s", p, ue.Reason)
	}
	return data, err
}

// WriteFile replaces a file in the folder atomically (temp file + rename).
func (s *DirSource) WriteFile(p string, data []byte) error {
	return safefs.WriteFile(s.abs, p, data)
}

// WriteFiles replaces or creates files all or nothing (see safefs.WriteFiles).
func (s *DirSource) WriteFiles(files []safefs.File, create bool) error {
	mode := safefs.Replace
	if create {
		mode = safefs.Create
	}
	return safefs.WriteFiles(s.abs, files, mode)
}

// CreateFile writes a new file, failing if it exists.
func (s *DirSource) CreateFile(p string, data []byte) error {
	return safefs.WriteFiles(s.abs, []safefs.File{{Path: p, Data: data}}, safefs.Create)
}

// Overlay is a source with files laid over it: an editor's unsaved
// buffers, or the files an import would write. A file it holds is read
// from it and listed with its size (no modification time, so that a
// parse cache compares the bytes); a new demand file is listed too. A
// link or special file of the source stays listed as it is, so that
// loading still reports it.
func Overlay(src Source, files map[string][]byte) Source {
	return &overlay{Source: src, files: files}
}

type overlay struct {
	Source
	files map[string][]byte
}

func (o *overlay) List() ([]File, error) {
	files, err := o.Source.List()
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for i, f := range files {
		if b, ok := o.files[f.Path]; ok && !f.Symlink && !f.Special {
			files[i] = File{Path: f.Path, Size: int64(len(b))}
		}
		seen[f.Path] = true
	}
	for p, b := range o.files {
		if !seen[p] && IsDemandFile(p) {
			files = append(files, File{Path: p, Size: int64(len(b))})
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files, nil
}

func (o *overlay) ReadFile(p string) ([]byte, error) {
	if b, ok := o.files[p]; ok {
		return b, nil
	}
	return o.Source.ReadFile(p)
}
