// Package serve serves a website built in memory, rebuilds it when its
// sources change (watched with fsnotify: every folder, new ones too,
// editors' write-and-rename saves debounced) and reloads open pages through
// server-sent events. It only ever serves the built files.
package serve

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"html"
	"io"
	"io/fs"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Site is one build of a website in memory.
type Site struct {
	// Files holds the files made with the build.
	Files map[string][]byte
	// Lazy makes the other files when they are first asked for; it reports
	// false for an unknown path, and an error when a file could not be
	// made (a theme's template that fails), which the browser shows.
	Lazy func(path string) ([]byte, bool, error)
	// Warm, when set, makes the files no one asked for yet, until stop
	// says to: the server calls it when idle after a build.
	Warm func(stop func() bool)
	// Summary is logged after a build, with its time ("site of 34 demands
	// ready").
	Summary string
}

// get returns a file of the site; a nil site has none.
func (site *Site) get(p string) ([]byte, bool, error) {
	if site == nil {
		return nil, false, nil
	}
	if data, ok := site.Files[p]; ok {
		return data, true, nil
	}
	if site.Lazy != nil {
		return site.Lazy(p)
	}
	return nil, false, nil
}

// Server holds the site in memory and serves only its files: no path a
// browser sends can reach the disk. It rebuilds when watched folders
// change and tells open pages to reload.
type Server struct {
	// Build makes the site; on failure it returns nil and has written the
	// problems (a broken registry's findings) to report. It stops early
	// when ctx is done: a newer save, or the server stopping.
	Build func(ctx context.Context, report io.Writer) *Site
	// Watch lists the folders to watch, with every folder in them.
	Watch []string
	// Log receives one line per build.
	Log io.Writer
	// Addr is the address the server listens on (host:port). Only
	// requests naming it, or a localhost name with its port, are answered:
	// a page a browser loaded from elsewhere cannot reach the registry by
	// pointing its own name at this machine (DNS rebinding). Empty: any
	// port, localhost names only.
	Addr string

	mu      sync.RWMutex
	site    *Site
	problem string // the findings of a broken registry, shown instead of the site
	waiters []chan struct{}
	idle    *time.Timer // fires whenIdle
}

// Rebuild renders the site again; a broken registry keeps the last good
// site and shows its findings. A build stopped by ctx changes nothing.
func (s *Server) Rebuild(ctx context.Context) {
	start := time.Now()
	var report bytes.Buffer
	site := s.Build(ctx, &report)
	if ctx.Err() != nil {
		return // superseded by a newer save, or stopped
	}
	s.mu.Lock()
	if site != nil {
		s.site, s.problem = site, ""
	} else {
		s.problem = report.String()
	}
	waiters := s.waiters
	s.waiters = nil
	s.mu.Unlock()
	for _, w := range waiters {
		close(w)
	}
	if site != nil {
		fmt.Fprintf(s.Log, "%s in %s\n", site.Summary, time.Since(start).Round(time.Millisecond))
	} else {
		fmt.Fprintf(s.Log, "the registry has problems; the browser shows them:\n%s", report.String())
	}
	s.mu.Lock()
	if s.idle == nil {
		s.idle = time.AfterFunc(idleAfter, s.whenIdle)
	} else {
		s.idle.Reset(idleAfter)
	}
	s.mu.Unlock()
}

// idleAfter is how long after a build the server takes itself to be idle:
// the pages have reloaded, and the next edit is being made.
const idleAfter = time.Second

// whenIdle makes the pages no one asked for yet, so that the next page
// opened is ready, then collects garbage, rather than in the middle of the
// next rebuild (a collection marks the whole site and history kept in
// memory, and made the rebuilds it fell into the slowest) or of the pages
// a reload asks for. A newer build stops both.
func (s *Server) whenIdle() {
	s.mu.RLock()
	site := s.site
	s.mu.RUnlock()
	stale := func() bool {
		s.mu.RLock()
		defer s.mu.RUnlock()
		return s.site != site
	}
	if site != nil && site.Warm != nil {
		site.Warm(stale)
	}
	if !stale() {
		runtime.GC()
	}
}

const reloadPath = "/__demand/"

// reloadScript reloads the page when the site is rebuilt (server-sent events).
const reloadScript = `(function () {
  var es = new EventSource('/__demand/events');
  es.onmessage = function () { location.reload(); };
}());
`

// localHost reports whether host (host[:port], as in a Host header or an
// origin) names this server: its listen address, 127.0.0.1, ::1,
// localhost or a name under .localhost, with its port.
func (s *Server) localHost(host string) bool {
	h, port, err := net.SplitHostPort(host)
	if err != nil {
		h, port = strings.Trim(host, "[]"), ""
	}
	h = strings.ToLower(strings.TrimSuffix(h, "."))
	lh, lport, _ := net.SplitHostPort(s.Addr)
	if s.Addr != "" && port != lport {
		return false
	}
	if ip := net.ParseIP(h); ip != nil {
		if ip.IsLoopback() {
			return true
		}
		l := net.ParseIP(lh)
		return l != nil && !l.IsUnspecified() && ip.Equal(l)
	}
	return h == "localhost" || strings.HasSuffix(h, ".localhost")
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.localHost(r.Host) {
		http.Error(w, "this server answers only requests for "+cmp.Or(s.Addr, "localhost"), http.StatusMisdirectedRequest)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	switch r.URL.Path {
	case reloadPath + "reload.js":
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Write([]byte(reloadScript))
		return
	case reloadPath + "events":
		if o := r.Header.Get("Origin"); o != "" {
			u, err := url.Parse(o)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || !s.localHost(u.Host) {
				http.Error(w, "forbidden origin", http.StatusForbidden)
				return
			}
		}
		s.events(w, r)
		return
	}
	p := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if p == "" || strings.HasSuffix(r.URL.Path, "/") {
		p = path.Join(p, "index.html")
	}
	s.mu.RLock()
	site, problem := s.site, s.problem
	s.mu.RUnlock()
	w.Header().Set("Cache-Control", "no-store")
	showProblem := func(msg string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintf(w, `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Registry problems</title></head><body>`+
			`<h1>The registry has problems</h1><p>Fix them and save: this page reloads by itself.</p><pre>%s</pre>`+
			`<script src="%sreload.js"></script></body></html>`, html.EscapeString(msg), reloadPath)
	}
	if problem != "" && (strings.HasSuffix(p, ".html") || site == nil) {
		showProblem(problem)
		return
	}
	data, ok, err := site.get(p)
	status := http.StatusOK
	if !ok && err == nil {
		p, status = "404.html", http.StatusNotFound
		data, _, err = site.get(p)
	}
	if err != nil {
		showProblem(err.Error())
		return
	}
	if ct := mime.TypeByExtension(path.Ext(p)); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	if strings.HasSuffix(p, ".html") {
		data = bytes.Replace(data, []byte("</body>"), []byte(`<script src="`+reloadPath+`reload.js"></script></body>`), 1)
	}
	w.WriteHeader(status)
	if r.Method == http.MethodGet {
		w.Write(data)
	}
}

// events streams one message per rebuild.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprint(w, ": connected\n\n")
	fl.Flush()
	for {
		ch := make(chan struct{})
		s.mu.Lock()
		s.waiters = append(s.waiters, ch)
		s.mu.Unlock()
		select {
		case <-r.Context().Done():
			return
		case <-ch:
			fmt.Fprint(w, "data: reload\n\n")
			fl.Flush()
		}
	}
}

// debounce is how long the watcher waits for more events before it
// rebuilds: an editor's save (write a temporary file, rename it over the
// old one, perhaps change its mode) comes as a burst of events well within
// it, and every millisecond of it is felt in the reload.
const debounce = 30 * time.Millisecond

// Run watches and rebuilds after changes to the registry folder (every folder in
// it, including new ones), its config and the templates. Editors save by
// writing a temporary file and renaming it, so events are debounced.
func (s *Server) Run(ctx context.Context) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		fmt.Fprintf(s.Log, "not watching for changes: %v\n", err)
		return
	}
	defer w.Close()
	roots, parents := watchRoots(w, s.Watch)
	var timer *time.Timer
	fire := make(chan struct{}, 1)
	var b builds
	defer b.stop()
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-w.Events:
			if !ok {
				return
			}
			if besideRoots(roots, parents, filepath.Clean(ev.Name)) {
				continue
			}
			if ev.Has(fsnotify.Create) {
				watchNew(w, ev.Name)
			}
			timer = rearm(timer, fire)
		case err, ok := <-w.Errors:
			if !ok {
				return
			}
			fmt.Fprintf(s.Log, "watching: %v\n", err)
		case <-fire:
			b.start(ctx, s.Rebuild)
		}
	}
}

// watchRoots watches the folders dirs and every folder in them, and
// each one's parent (not its other folders), so a folder removed and
// made again (a branch switch, a restore) is watched again when it
// reappears. It returns the folders and the parents, cleaned.
func watchRoots(w *fsnotify.Watcher, dirs []string) (roots, parents map[string]bool) {
	roots = map[string]bool{}
	parents = map[string]bool{}
	for _, dir := range dirs {
		watchTree(w, dir)
		roots[filepath.Clean(dir)] = true
	}
	for dir := range roots {
		if parent := filepath.Dir(dir); !roots[parent] && !parents[parent] {
			parents[parent] = true
			_ = w.Add(parent)
		}
	}
	return roots, parents
}

// watchTree watches root and the folders in it, leaving out hidden ones
// and those starting with "_" (a built site).
func watchTree(w *fsnotify.Watcher, root string) {
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			if name := d.Name(); p != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			_ = w.Add(p)
		}
		return nil
	})
}

// watchNew watches a path just created when it is a folder.
func watchNew(w *fsnotify.Watcher, name string) {
	if st, err := os.Stat(name); err == nil && st.IsDir() {
		watchTree(w, name)
	}
}

// besideRoots reports whether an event's path (cleaned) is another file
// beside a watched folder, seen only because its parent is watched.
func besideRoots(roots, parents map[string]bool, name string) bool {
	return parents[filepath.Dir(name)] && !roots[name] && !underRoot(roots, name)
}

// rearm starts the debounce timer that signals fire, or restarts the
// running one.
func rearm(t *time.Timer, fire chan struct{}) *time.Timer {
	if t == nil {
		return time.AfterFunc(debounce, func() { fire <- struct{}{} })
	}
	t.Reset(debounce)
	return t
}

// builds runs one build at a time: a newer save cancels the running one,
// which ends before the next starts (they share caches).
type builds struct {
	cancel context.CancelFunc
	done   chan struct{}
}

func (b *builds) start(ctx context.Context, build func(context.Context)) {
	b.stop()
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	b.cancel, b.done = cancel, done
	go func() { defer close(done); build(ctx) }()
}

// stop cancels the running build and waits for it to end.
func (b *builds) stop() {
	if b.cancel != nil {
		b.cancel()
		<-b.done
	}
}

// underRoot reports whether name is inside one of the watched folders.
func underRoot(roots map[string]bool, name string) bool {
	for d := filepath.Dir(name); ; d = filepath.Dir(d) {
		if roots[d] {
			return true
		}
		if up := filepath.Dir(d); up == d {
			return false
		}
	}
}
