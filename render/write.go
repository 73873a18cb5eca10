package render

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/demand-registry/demand/internal/par"
)

// Marker is the file every built site holds, so that a SiteWriter only
// ever replaces a folder it built itself.
const Marker = ".demand-site"

// SiteWriter writes a site while it is being rendered (see Options.Sink)
// into a new folder next to its destination, and swaps it in on Commit,
// so a failed or interrupted build leaves the previous site as it was. It
// refuses to replace a folder that is neither empty nor a site it built.
// File creation is paid for in system time, which on many
// machines is the largest part of writing thousands of small files: one
// goroutine writes while pages render, and writing no longer waits for
// the last page.
type SiteWriter struct {
	out, tmp string
	queue    chan file
	done     chan struct{}
	mu       sync.Mutex
	err      error
	names    map[string]bool
	dirs     map[string]bool
}

type file struct {
	name string
	data []byte
}

// NewSiteWriter checks that out may be replaced and starts writing into a
// new folder next to it. Call Commit or Abort when the site is complete.
func NewSiteWriter(out string) (*SiteWriter, error) {
	out = filepath.Clean(out)
	if st, err := os.Stat(out); err == nil {
		if !st.IsDir() {
			return nil, fmt.Errorf("%s exists and is not a folder; choose another --out", out)
		}
		entries, err := os.ReadDir(out)
		if err != nil {
			return nil, err
		}
		if len(entries) > 0 {
			if _, err := os.Stat(filepath.Join(out, Marker)); err != nil {
				return nil, fmt.Errorf("refusing to replace %s: it is not a site built by demand (no %s file); choose another --out", out, Marker)
			}
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	parent := filepath.Dir(out)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(out)+".new-*")
	if err != nil {
		return nil, err
	}
	w := &SiteWriter{out: out, tmp: tmp, queue: make(chan file, 256), done: make(chan struct{}),
		names: map[string]bool{}, dirs: map[string]bool{tmp: true}}
	go w.run()
	return w, nil
}

func (w *SiteWriter) run() {
	defer close(w.done)
	for f := range w.queue {
		if w.failed() {
			continue
		}
		w.fail(w.write(f))
	}
}

func (w *SiteWriter) write(f file) error {
	p := filepath.Join(w.tmp, filepath.FromSlash(f.name))
	if d := filepath.Dir(p); !w.dirs[d] {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
		w.dirs[d] = true
	}
	return os.WriteFile(p, f.data, 0o644)
}

func (w *SiteWriter) failed() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err != nil
}

func (w *SiteWriter) fail(err error) {
	if err == nil {
		return
	}
	w.mu.Lock()
	if w.err == nil {
		w.err = err
	}
	w.mu.Unlock()
}

// Put queues a file of the site (a slash-separated path) for writing. A
// file put twice is written once, with its first content: a site's files
// are final when they are put. Safe for concurrent use.
func (w *SiteWriter) Put(name string, data []byte) {
	w.mu.Lock()
	dup := w.names[name]
	w.names[name] = true
	w.mu.Unlock()
	if !dup {
		w.queue <- file{name, data}
	}
}

// Commit waits for every file, then swaps the new folder in for out.
func (w *SiteWriter) Commit() error {
	close(w.queue)
	<-w.done
	defer os.RemoveAll(w.tmp) // gone after the swap; cleans up after a failure
	if w.err != nil {
		return w.err
	}
	if !w.names[Marker] {
		if err := os.WriteFile(filepath.Join(w.tmp, Marker), []byte("built by demand build\n"), 0o644); err != nil {
			return err
		}
	}
	if err := os.Chmod(w.tmp, 0o755); err != nil {
		return err
	}
	old := ""
	if _, err := os.Stat(w.out); err == nil {
		old = w.tmp + ".old"
		if err := os.Rename(w.out, old); err != nil {
			return err
		}
	}
	if err := os.Rename(w.tmp, w.out); err != nil {
		if old != "" {
			_ = os.Rename(old, w.out) // put the previous site back
		}
		return err
	}
	if old != "" {
		return removeAll(old)
	}
	return nil
}

// Abort stops writing and removes what was written; out is untouched.
func (w *SiteWriter) Abort() {
	w.fail(errors.New("aborted"))
	close(w.queue)
	<-w.done
	os.RemoveAll(w.tmp)
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
// this key (kept in the marker file, see MarkerText).
func UpToDate(out, key string) bool {
	data, err := os.ReadFile(filepath.Join(out, Marker))
	return err == nil && string(data) == MarkerText(key)
}

// MarkerText is the marker file's content for an input key.
func MarkerText(key string) string { return "built by demand build\ninputs: " + key + "\n" }
