package render

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/demand-registry/demand/internal/par"
	"github.com/demand-registry/demand/internal/safefs"
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
	unlock   func()
	queue    chan file
	done     chan struct{}
	mu       sync.Mutex
	err      error
	names    map[string]bool
	dirs     map[string]bool
}

type file struct {
	name  string
	parts [][]byte // the file is their concatenation
}

// NewSiteWriter checks that out may be replaced and starts writing into a
// new folder next to it. Call Commit or Abort when the site is complete.
// It first removes what builds killed earlier left next to out (their
// new folders, an old site not yet removed), and puts back a previous
// site should a kill have left none.
func NewSiteWriter(out string) (*SiteWriter, error) {
	out = filepath.Clean(out)
	parent := filepath.Dir(out)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	cleanLeftovers(parent, filepath.Base(out))
	if st, err := os.Lstat(out); err == nil {
		if st.Mode()&fs.ModeSymlink != 0 {
			return nil, fmt.Errorf("%s is a symbolic link, which is not followed; choose another --out", out)
		}
		if !st.IsDir() {
			return nil, fmt.Errorf("%s exists and is not a folder; choose another --out", out)
		}
		entries, err := os.ReadDir(out)
		if err != nil {
			return nil, err
		}
		if len(entries) > 0 {
			if st, err := os.Lstat(filepath.Join(out, Marker)); err != nil || !st.Mode().IsRegular() {
				return nil, fmt.Errorf("refusing to replace %s: it is not a site built by demand (no %s file); choose another --out", out, Marker)
			}
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	tmp, err := os.MkdirTemp(parent, leftoverPrefix(filepath.Base(out), "new"))
	if err != nil {
		return nil, err
	}
	// The lock tells a concurrent build's cleanLeftovers that this folder
	// is in use; the kernel drops it when the process dies.
	unlock, err := lockDir(tmp)
	if err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	w := &SiteWriter{out: out, tmp: tmp, unlock: unlock, queue: make(chan file, 256), done: make(chan struct{}),
		names: map[string]bool{}, dirs: map[string]bool{tmp: true}}
	go w.run()
	return w, nil
}

// leftoverPrefix names the folders a build makes next to out: the new
// site being written, an old site being removed.
func leftoverPrefix(base, kind string) string { return "." + base + "." + kind + "-" }

// cleanLeftovers removes the folders next to out that builds killed
// before left behind, skipping those a running build holds locked. If a
// kill (in the two-rename fallback of swap) left no site in out, the old
// site is put back first.
func cleanLeftovers(parent, base string) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	out := filepath.Join(parent, base)
	for _, kind := range []string{"old", "new"} {
		prefix := leftoverPrefix(base, kind)
		for _, e := range entries {
			if !e.IsDir() || !strings.HasPrefix(e.Name(), prefix) {
				continue
			}
			p := filepath.Join(parent, e.Name())
			unlock, err := tryLockDir(p)
			if err != nil {
				continue // in use by a running build
			}
			if kind == "old" {
				if _, err := os.Lstat(out); errors.Is(err, fs.ErrNotExist) {
					if _, err := os.Lstat(filepath.Join(p, Marker)); err == nil && os.Rename(p, out) == nil {
						unlock()
						continue
					}
				}
			}
			_ = removeAll(p)
			unlock()
		}
	}
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
	if !filepath.IsLocal(filepath.FromSlash(f.name)) {
		return fmt.Errorf("site file %q would be written outside the site", f.name)
	}
	p := filepath.Join(w.tmp, filepath.FromSlash(f.name))
	if d := filepath.Dir(p); !w.dirs[d] {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
		w.dirs[d] = true
	}
	out, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	for _, part := range f.parts {
		if _, err := out.Write(part); err != nil {
			out.Close()
			return err
		}
	}
	return out.Close()
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
func (w *SiteWriter) Put(name string, parts ...[]byte) {
	w.mu.Lock()
	dup := w.names[name]
	w.names[name] = true
	w.mu.Unlock()
	if !dup {
		w.queue <- file{name, parts}
	}
}

// Commit waits for every file, then swaps the new folder in for out.
func (w *SiteWriter) Commit() error {
	close(w.queue)
	<-w.done
	defer w.unlock()
	defer removeAll(w.tmp) // the old site after the swap; cleans up after a failure
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
	hook("written")
	if _, err := os.Lstat(w.out); errors.Is(err, fs.ErrNotExist) {
		return os.Rename(w.tmp, w.out)
	}
	// Exchange the folders atomically: at every instant out holds either
	// the old site or the new one. Then w.tmp holds the old site, removed
	// by the deferred RemoveAll (or by a later build, after a kill).
	err := errNoExchange
	if !noExchange {
		err = exchange(w.tmp, w.out)
	}
	if err == nil {
		hook("between") // the new site is in, the old one not yet removed
		return nil
	}
	if !errors.Is(err, errNoExchange) {
		return err
	}
	// Without an atomic exchange (another system, a file system without
	// it): two renames. A kill between them leaves the old site in a
	// .out.old-* folder, which the next NewSiteWriter puts back.
	old, err := os.MkdirTemp(filepath.Dir(w.out), leftoverPrefix(filepath.Base(w.out), "old"))
	if err != nil {
		return err
	}
	if err := os.Remove(old); err != nil {
		return err
	}
	if err := os.Rename(w.out, old); err != nil {
		return err
	}
	hook("between")
	if err := os.Rename(w.tmp, w.out); err != nil {
		_ = os.Rename(old, w.out) // put the previous site back
		return err
	}
	return removeAll(old)
}

// Tests set these: swapHook runs at the named stages of Commit (to kill
// the process there); noExchange forces the two-rename fallback.
var (
	swapHook   func(stage string)
	noExchange bool
)

func hook(stage string) {
	if swapHook != nil {
		swapHook(stage)
	}
}

// Abort stops writing and removes what was written; out is untouched.
func (w *SiteWriter) Abort() {
	w.fail(errors.New("aborted"))
	close(w.queue)
	<-w.done
	os.RemoveAll(w.tmp)
	w.unlock()
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
	// Read as a regular file only, and bounded: a marker that is a link
	// to /dev/zero or a FIFO must not hang the build.
	data, err := safefs.ReadFile(out, Marker, 4096)
	return err == nil && string(data) == MarkerText(key)
}

// MarkerText is the marker file's content for an input key.
func MarkerText(key string) string { return "built by demand build\ninputs: " + key + "\n" }
