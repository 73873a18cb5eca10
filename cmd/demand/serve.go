package main

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io/fs"
	"mime"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/render"
)

type serveOptions struct {
	buildOptions
	addr string
}

func runServe(e *env, args []string) int {
	var o serveOptions
	fl := newFlags(e, "serve", "serve [--addr HOST:PORT] [--dir DIR] [--audience internal|public]", `  demand serve                      # http://127.0.0.1:8080/, rebuilt on every save
  demand serve --addr 127.0.0.1:9000 --audience public
`)
	fl.StringVar(&o.dir, "dir", "demands", "registry `folder`")
	fl.StringVar(&o.addr, "addr", "127.0.0.1:8080", "`address` to listen on")
	fl.StringVar(&o.audience, "audience", render.Internal, "`audience`: internal or public")
	fl.StringVar(&o.templates, "templates", "", "`folder` of templates overriding the built-in ones (watched too)")
	fl.StringVar(&o.baseURL, "base-url", "", "absolute `URL` for absolute links")
	if code, ok := parseFlags(fl, args); !ok {
		return code
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(e.stderr, "demand serve: unexpected argument %q\n", fl.Arg(0))
		return exitUsage
	}
	if !oneOf(e, "serve", "audience", o.audience, []string{render.Internal, render.Public}) {
		return exitUsage
	}
	if st, err := os.Stat(o.dir); err != nil || !st.IsDir() {
		fmt.Fprintf(e.stderr, "demand serve: registry folder %s does not exist (pass --dir to name another)\n", o.dir)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	s := newSiteServer(&o, e)
	s.rebuild()
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		fmt.Fprintf(e.stderr, "demand serve: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(e.stderr, "serving %s on http://%s/ (Ctrl-C to stop)\n", o.dir, ln.Addr())
	go s.watch(ctx)
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { <-ctx.Done(); srv.Close() }()
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		fmt.Fprintf(e.stderr, "demand serve: %v\n", err)
		return exitUsage
	}
	return exitOK
}

// siteServer holds the site in memory and serves only its files: no path a
// browser sends can reach the disk.
type siteServer struct {
	o       *serveOptions
	e       *env
	mu      sync.RWMutex
	files   map[string][]byte
	exports *lazyExports // what demands.json and demands.csv are made from, when asked
	problem string       // the findings of a broken registry, shown instead of the site
	version int
	waiters []chan struct{}
}

func newSiteServer(o *serveOptions, e *env) *siteServer {
	// Files and pages that did not change are not parsed or rendered again.
	o.parsed, o.pages, o.lazy = registry.NewParseCache(), render.NewPageCache(), true
	return &siteServer{o: o, e: e}
}

// rebuild renders the site again; a broken registry keeps the last good
// site and shows its findings.
func (s *siteServer) rebuild() {
	start := time.Now()
	var report bytes.Buffer
	files, n, _ := s.o.site(s.e, &report)
	s.mu.Lock()
	if files != nil {
		s.files, s.problem, s.exports = files, "", s.o.last
	} else {
		s.problem = report.String()
	}
	s.version++
	waiters := s.waiters
	s.waiters = nil
	s.mu.Unlock()
	for _, w := range waiters {
		close(w)
	}
	if files != nil {
		fmt.Fprintf(s.e.stderr, "built %d demands in %s\n", n, time.Since(start).Round(time.Millisecond))
	} else {
		fmt.Fprintf(s.e.stderr, "the registry has problems; the browser shows them:\n%s", report.String())
	}
}

const reloadPath = "/__demand/"

// reloadScript reloads the page when the site is rebuilt (server-sent events).
const reloadScript = `(function () {
  var es = new EventSource('/__demand/events');
  es.onmessage = function () { location.reload(); };
}());
`

func (s *siteServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
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
		s.events(w, r)
		return
	}
	p := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if p == "" || strings.HasSuffix(r.URL.Path, "/") {
		p = path.Join(p, "index.html")
	}
	s.mu.RLock()
	files, problem := s.files, s.problem
	s.mu.RUnlock()
	w.Header().Set("Cache-Control", "no-store")
	if problem != "" && (strings.HasSuffix(p, ".html") || files == nil) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintf(w, `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Registry problems</title></head><body>`+
			`<h1>The registry has problems</h1><p>Fix them and save: this page reloads by itself.</p><pre>%s</pre>`+
			`<script src="%sreload.js"></script></body></html>`, html.EscapeString(problem), reloadPath)
		return
	}
	data, ok := files[p]
	if !ok && (p == "demands.json" || p == "demands.csv") {
		s.mu.RLock()
		x := s.exports
		s.mu.RUnlock()
		if x != nil {
			if ex, err := render.Exports(x.in, x.opt); err == nil {
				data, ok = ex[p]
			}
		}
	}
	status := http.StatusOK
	if !ok {
		data, status, p = files["404.html"], http.StatusNotFound, "404.html"
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
func (s *siteServer) events(w http.ResponseWriter, r *http.Request) {
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

// watch rebuilds after changes to the registry folder (every folder in
// it, including new ones), its config and the templates. Editors save by
// writing a temporary file and renaming it, so events are debounced.
func (s *siteServer) watch(ctx context.Context) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		fmt.Fprintf(s.e.stderr, "demand serve: not watching for changes: %v\n", err)
		return
	}
	defer w.Close()
	add := func(root string) {
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
	add(s.o.dir)
	if s.o.templates != "" {
		add(s.o.templates)
	}
	var timer *time.Timer
	fire := make(chan struct{}, 1)
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-w.Events:
			if !ok {
				return
			}
			if ev.Has(fsnotify.Create) {
				if st, err := os.Stat(ev.Name); err == nil && st.IsDir() {
					add(ev.Name)
				}
			}
			if timer == nil {
				timer = time.AfterFunc(80*time.Millisecond, func() { fire <- struct{}{} })
			} else {
				timer.Reset(80 * time.Millisecond)
			}
		case err, ok := <-w.Errors:
			if !ok {
				return
			}
			fmt.Fprintf(s.e.stderr, "demand serve: watching: %v\n", err)
		case <-fire:
			s.rebuild()
		}
	}
}
