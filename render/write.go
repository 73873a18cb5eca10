package render

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
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
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p := filepath.Join(tmp, filepath.FromSlash(n))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, files[n], 0o644); err != nil {
			return err
		}
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
		return os.RemoveAll(old)
	}
	return nil
}

// UpToDate reports whether the site in out was built from inputs with
// this key (see Write: the key is kept in the marker file).
func UpToDate(out, key string) bool {
	data, err := os.ReadFile(filepath.Join(out, Marker))
	return err == nil && string(data) == MarkerText(key)
}

// MarkerText is the marker file's content for an input key.
func MarkerText(key string) string { return "built by demand build\ninputs: " + key + "\n" }
