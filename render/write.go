package render

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"

	"github.com/demand-registry/demand/internal/par"
)

// Marker is the file every built site holds, so that Write only ever
// replaces a folder it built itself.
const Marker = ".demand-site"

// Write puts a built site into out atomically: it writes a new folder next
// to out, then swaps it in, so a failed or interrupted build leaves the
// previous site as it was. It refuses to replace a folder that is neither
// empty nor a site it built.
func Write(out string, files map[string][]byte) error {
	out = filepath.Clean(out)
	if st, err := os.Stat(out); err == nil {
		if !st.IsDir() {
			return fmt.Errorf("%s exists and is not a folder", out)
		}
		entries, err := os.ReadDir(out)
		if err != nil {
			return err
		}
		if len(entries) > 0 {
			if _, err := os.Stat(filepath.Join(out, Marker)); err != nil {
				return fmt.Errorf("refusing to replace %s: it is not a site built by demand (no %s file); choose another --out", out, Marker)
			}
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	parent := filepath.Dir(out)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(out)+".new-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp) // gone after the swap; cleans up after a failure
	if err := writeFiles(tmp, files); err != nil {
		return err
	}
	if _, ok := files[Marker]; !ok {
		if err := os.WriteFile(filepath.Join(tmp, Marker), []byte("built by demand build\n"), 0o644); err != nil {
			return err
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	old := ""
	if _, err := os.Stat(out); err == nil {
		old = tmp + ".old"
		if err := os.Rename(out, old); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, out); err != nil {
		if old != "" {
			_ = os.Rename(old, out) // put the previous site back
		}
		return err
	}
	if old != "" {
		return removeAll(old)
	}
	return nil
}

// writeFiles writes the files under dir: folders first, once each, then the
// files on several goroutines (a site has thousands of small files, and
// the time goes to system calls).
func writeFiles(dir string, files map[string][]byte) error {
	names := make([]string, 0, len(files))
	dirs := map[string]bool{}
	for n := range files {
		names = append(names, n)
		dirs[filepath.Dir(filepath.Join(dir, filepath.FromSlash(n)))] = true
	}
	sort.Strings(names)
	for d := range dirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	// Writes wait on the disk, not the CPU: twice as many goroutines as CPUs.
	return par.For(len(names), 2*runtime.GOMAXPROCS(0), func(i int) error {
		return os.WriteFile(filepath.Join(dir, filepath.FromSlash(names[i])), files[names[i]], 0o644)
	})
}

// removeAll removes a folder, its subfolders on several goroutines.
func removeAll(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return os.RemoveAll(dir)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if err := par.For(len(names), 2*runtime.GOMAXPROCS(0), func(i int) error { return os.RemoveAll(filepath.Join(dir, names[i])) }); err != nil {
		return err
	}
	return os.RemoveAll(dir)
}

// UpToDate reports whether the site in out was built from inputs with
// this key (see Write: the key is kept in the marker file).
func UpToDate(out, key string) bool {
	data, err := os.ReadFile(filepath.Join(out, Marker))
	return err == nil && string(data) == MarkerText(key)
}

// MarkerText is the marker file's content for an input key.
func MarkerText(key string) string { return "built by demand build\ninputs: " + key + "\n" }
