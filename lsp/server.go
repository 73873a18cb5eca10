// Package lsp is a Language Server Protocol server for demand files and
// registry.yaml: the registry's own findings as diagnostics, completion
// and hovers from the config's schema and workflow, links between demands
// and quick fixes for "did you mean" findings.
package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/demand-registry/demand/pipeline"
	"github.com/demand-registry/demand/registry/config"

	"github.com/demand-registry/demand/registry/finding"

	"github.com/demand-registry/demand/registry"
	"github.com/sourcegraph/jsonrpc2"
)

// Options configure a server.
type Options struct {
	// Debounce is how long the server waits after a change before it
	// checks the registry again (0: DefaultDebounce).
	Debounce time.Duration
	// Log receives the server's own messages (nil: discarded).
	Log io.Writer
	// Version is reported to the client.
	Version string
}

// DefaultDebounce lets a burst of keystrokes make one check.
const DefaultDebounce = 200 * time.Millisecond

// maxOpen bounds the buffers held at once.
const maxOpen = 1000

// defaultConfig names demand files outside any configured registry.
var defaultConfig = config.Default()

// ErrNoShutdown is returned when the client exits, or the stream ends,
// without a shutdown request first (the protocol's exit code 1).
var ErrNoShutdown = errors.New("the client ended the session without a shutdown request")

// Serve runs a server on a stream (stdin and stdout) until the client
// sends exit or the stream ends.
func Serve(ctx context.Context, rwc io.ReadWriteCloser, o Options) error {
	if o.Debounce <= 0 {
		o.Debounce = DefaultDebounce
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	s := &server{opt: o, docs: map[string]*document{}, regs: map[string]*regState{},
		wake: make(chan struct{}, 1), exit: make(chan struct{})}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.ctx = ctx
	conn := jsonrpc2.NewConn(ctx, jsonrpc2.NewBufferedStream(rwc, boundedCodec{}),
		jsonrpc2.HandlerWithError(s.handle), jsonrpc2.SetLogger(logger{o.Log}))
	s.conn = conn
	s.wg.Add(1)
	go s.work()
	select {
	case <-conn.DisconnectNotify():
	case <-s.exit:
		conn.Close()
	case <-ctx.Done():
		conn.Close()
	}
	cancel()
	s.wg.Wait() // checks under way end before Serve returns
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.shutdown {
		return ErrNoShutdown
	}
	return nil
}

type logger struct{ w io.Writer }

func (l logger) Printf(format string, v ...any) { fmt.Fprintf(l.w, format, v...) }

type server struct {
	opt  Options
	conn *jsonrpc2.Conn
	ctx  context.Context
	wg   sync.WaitGroup

	mu       sync.Mutex
	root     string               // the workspace folder, if the client named one
	docs     map[string]*document // open buffers by file path (clients escape URIs differently)
	regs     map[string]*regState // registries by folder
	shutdown bool
	wake     chan struct{}
	exit     chan struct{}
	exited   bool
}

// regState is what the server knows of one registry folder.
type regState struct {
	dir      string
	cache    *registry.ParseCache
	snap     *registry.Snapshot
	findings map[string]finding.Findings // by registry-relative path
	err      error                       // the registry cannot be read at all
	dirty    bool                        // a check is due
	due      time.Time                   // when
}

// handle answers one request or notification: after shutdown only exit
// is served; otherwise the method's handler, and unknown requests (not
// notifications) are an error.
func (s *server) handle(ctx context.Context, conn *jsonrpc2.Conn, req *jsonrpc2.Request) (any, error) {
	s.mu.Lock()
	down := s.shutdown
	s.mu.Unlock()
	if down && req.Method != "exit" {
		if req.Notif {
			return nil, nil
		}
		return nil, &jsonrpc2.Error{Code: -32600, Message: "the server is shutting down"}
	}
	if h, ok := handlers[req.Method]; ok {
		return h(s, req.Params)
	}
	if req.Notif {
		return nil, nil
	}
	return nil, &jsonrpc2.Error{Code: jsonrpc2.CodeMethodNotFound, Message: "method not supported: " + req.Method}
}

// handler serves one method given its raw params.
type handler func(s *server, params *json.RawMessage) (any, error)

// handlers are the methods the server serves.
var handlers = map[string]handler{
	"initialize":                       request((*server).handshake),
	"initialized":                      ignore,
	"$/setTrace":                       ignore,
	"$/cancelRequest":                  ignore,
	"workspace/didChangeConfiguration": ignore,
	"workspace/didChangeWatchedFiles":  ignore,
	"shutdown":                         (*server).shutdownRequest,
	"exit":                             (*server).exitNotification,
	badMessage:                         (*server).logBadMessage,
	"textDocument/didOpen": notification(func(s *server, p didOpenParams) {
		s.open(p.TextDocument.URI, p.TextDocument.Version, p.TextDocument.Text)
	}),
	"textDocument/didChange": notification((*server).change),
	"textDocument/didSave":   notification((*server).save),
	"textDocument/didClose": notification(func(s *server, p didCloseParams) {
		s.close(p.TextDocument.URI)
	}),
	"textDocument/completion": request((*server).completion),
	"textDocument/hover":      request((*server).hover),
	"textDocument/definition": request((*server).definition),
	"textDocument/references": request((*server).references),
	"textDocument/codeAction": request((*server).codeActions),
}

// request makes a handler of a method that answers its decoded params.
func request[P, R any](f func(*server, P) R) handler {
	return func(s *server, raw *json.RawMessage) (any, error) {
		var p P
		if err := unmarshalParams(raw, &p); err != nil {
			return nil, invalidParams(err)
		}
		return f(s, p), nil
	}
}

// notification makes a handler of a method that only takes its decoded
// params.
func notification[P any](f func(*server, P)) handler {
	return func(s *server, raw *json.RawMessage) (any, error) {
		var p P
		if err := unmarshalParams(raw, &p); err != nil {
			return nil, invalidParams(err)
		}
		f(s, p)
		return nil, nil
	}
}

// invalidParams is the protocol's error for params that do not decode.
func invalidParams(err error) error {
	return &jsonrpc2.Error{Code: jsonrpc2.CodeInvalidParams, Message: err.Error()}
}

// ignore serves the notifications the server has nothing to do for.
func ignore(*server, *json.RawMessage) (any, error) { return nil, nil }

// handshake answers initialize: the server takes the workspace folder
// and says what it can do.
func (s *server) handshake(p initializeParams) initializeResult {
	s.initialize(p)
	return initializeResult{Capabilities: capabilities(), ServerInfo: serverInfo{Name: "demand", Version: s.opt.Version}}
}

// shutdownRequest makes the server refuse all but exit from now on.
func (s *server) shutdownRequest(*json.RawMessage) (any, error) {
	s.mu.Lock()
	s.shutdown = true
	s.mu.Unlock()
	return nil, nil
}

// exitNotification ends Serve, once however often the client sends it.
func (s *server) exitNotification(*json.RawMessage) (any, error) {
	s.mu.Lock()
	if !s.exited {
		s.exited = true
		close(s.exit)
	}
	s.mu.Unlock()
	return nil, nil
}

// logBadMessage logs why a message from the client could not be read.
func (s *server) logBadMessage(raw *json.RawMessage) (any, error) {
	var p struct{ Message string }
	_ = unmarshalParams(raw, &p)
	s.logf("demand lsp: %s", p.Message)
	return nil, nil
}

func capabilities() serverCapabilities {
	return serverCapabilities{
		PositionEncoding:   "utf-16",
		TextDocumentSync:   textDocumentSync{OpenClose: true, Change: 1, Save: saveOptions{IncludeText: false}},
		CompletionProvider: completionOptions{TriggerCharacters: []string{":", " ", "-"}},
		HoverProvider:      true,
		DefinitionProvider: true,
		ReferencesProvider: true,
		CodeActionProvider: codeActionOptions{CodeActionKinds: []string{"quickfix"}},
	}
}

func (s *server) logf(format string, v ...any) {
	fmt.Fprintf(s.opt.Log, format+"\n", v...)
}

func (s *server) initialize(p initializeParams) {
	root := ""
	switch {
	case len(p.WorkspaceFolders) > 0:
		root, _ = filePath(p.WorkspaceFolders[0].URI)
	case p.RootURI != "":
		root, _ = filePath(p.RootURI)
	case p.RootPath != "":
		root = p.RootPath
	}
	s.mu.Lock()
	s.root = root
	s.mu.Unlock()
}

// filePath turns a file: URI into a path; other schemes are not ours.
func filePath(uri string) (string, bool) {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "file" || u.Path == "" {
		return "", false
	}
	p := u.Path
	if runtime.GOOS == "windows" {
		p = strings.TrimPrefix(p, "/")
	}
	return filepath.Clean(filepath.FromSlash(p)), true
}

// docKey is the key of a document in server.docs.
func docKey(uri string) string {
	if p, ok := filePath(uri); ok {
		return p
	}
	return uri
}

// fileURI is filePath's inverse.
func fileURI(p string) string {
	p = filepath.ToSlash(p)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}

// registryOf finds the registry folder of a file: the nearest folder up
// to the repository's root holding registry.yaml; else, as demand
// validate's default, the workspace's demands folder when the file is in
// it; else the file's own folder when its name starts with a demand ID of
// the default pattern. rel is the file's path in it, and ok false for a
// file that is neither a demand file nor the config: other Markdown in
// the workspace (docs, notes) is left alone.
func registryOf(root, file string) (dir, rel string, ok bool) {
	start := filepath.Dir(file)
	for at := start; ; {
		if st, err := os.Lstat(filepath.Join(at, config.File)); err == nil && st.Mode().IsRegular() {
			dir = at
			break
		}
		if _, err := os.Lstat(filepath.Join(at, ".git")); err == nil || at == root {
			break
		}
		parent := filepath.Dir(at)
		if parent == at {
			break
		}
		at = parent
	}
	if dir == "" && filepath.Base(file) == config.File {
		dir = start
	}
	if dir == "" && root != "" {
		if r, err := filepath.Rel(filepath.Join(root, "demands"), file); err == nil && filepath.IsLocal(r) {
			dir = filepath.Join(root, "demands")
		}
	}
	if dir == "" {
		if defaultConfig.IDFromName(filepath.Base(file)) == "" {
			return "", "", false
		}
		dir = start
	}
	r, err := filepath.Rel(dir, file)
	if err != nil || !filepath.IsLocal(r) {
		return "", "", false
	}
	rel = filepath.ToSlash(r)
	return dir, rel, rel == config.File || registry.IsDemandFile(rel)
}

func (s *server) open(uri string, version int, text string) {
	p, ok := filePath(uri)
	if !ok {
		return
	}
	s.mu.Lock()
	if _, open := s.docs[p]; !open && len(s.docs) >= maxOpen {
		s.mu.Unlock()
		s.logf("demand lsp: more than %d open files; %s is not checked", maxOpen, uri)
		return
	}
	s.docs[p] = newDocument(uri, p, version, text)
	s.mu.Unlock()
	s.schedule(uri, 0)
}

func (s *server) change(p didChangeParams) {
	s.mu.Lock()
	d := s.docs[docKey(p.TextDocument.URI)]
	if d == nil || len(p.ContentChanges) == 0 {
		s.mu.Unlock()
		return
	}
	// The server asks for whole texts (sync kind 1), but a change with a
	// range is applied as the protocol defines it all the same.
	text := d.text
	for _, c := range p.ContentChanges {
		if c.Range == nil {
			text = c.Text
			continue
		}
		text = applyEdit(text, *c.Range, c.Text)
	}
	if len(text) > MaxMessage {
		text = text[:MaxMessage] // edits cannot grow a buffer past what one message may hold
	}
	s.docs[d.path] = newDocument(d.uri, d.path, p.TextDocument.Version, text)
	s.mu.Unlock()
	s.schedule(d.uri, s.opt.Debounce)
}

func (s *server) save(p didSaveParams) {
	s.mu.Lock()
	d := s.docs[docKey(p.TextDocument.URI)]
	s.mu.Unlock()
	if d != nil {
		s.schedule(d.uri, 0)
	}
}

func (s *server) close(uri string) {
	s.mu.Lock()
	d := s.docs[docKey(uri)]
	delete(s.docs, docKey(uri))
	s.mu.Unlock()
	if d == nil {
		return
	}
	// The file's diagnostics go with its buffer; the others are checked
	// against what is on disk now.
	s.publish(publishDiagnosticsParams{URI: uri, Diagnostics: []Diagnostic{}})
	s.schedule(uri, s.opt.Debounce)
}

// schedule marks the registry of a document for a check after a delay;
// a later change within the delay postpones it.
func (s *server) schedule(uri string, delay time.Duration) {
	p, ok := filePath(uri)
	if !ok {
		return
	}
	dir, _, ok := registryOf(s.rootDir(), p)
	if !ok {
		return
	}
	s.mu.Lock()
	if !s.shutdown {
		r := s.regs[dir]
		if r == nil {
			r = &regState{dir: dir, cache: registry.NewParseCache()}
			s.regs[dir] = r
		}
		r.dirty, r.due = true, time.Now().Add(delay)
	}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// work runs the checks one at a time, each when its registry is due.
func (s *server) work() {
	defer s.wg.Done()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		s.mu.Lock()
		var next time.Time
		var due []*regState
		now := time.Now()
		for _, dir := range sortedDirs(s.regs) {
			r := s.regs[dir]
			switch {
			case !r.dirty:
			case !r.due.After(now):
				r.dirty = false
				due = append(due, r)
			case next.IsZero() || r.due.Before(next):
				next = r.due
			}
		}
		s.mu.Unlock()
		for _, r := range due {
			if s.ctx.Err() != nil {
				return
			}
			s.check(r)
		}
		if len(due) > 0 {
			continue // more changes may have come in meanwhile
		}
		wait := time.Hour
		if !next.IsZero() {
			wait = time.Until(next)
		}
		timer.Reset(wait)
		select {
		case <-s.ctx.Done():
			return
		case <-s.wake:
		case <-timer.C:
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
	}
}

func sortedDirs(m map[string]*regState) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (s *server) rootDir() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.root
}

// check loads a registry with the open buffers over it and publishes the
// diagnostics of every open file in it.
func (s *server) check(r *regState) {
	root := s.rootDir()
	s.mu.Lock()
	docs := map[string][]byte{}
	type openDoc struct {
		d   *document
		rel string
	}
	var open []openDoc
	for _, d := range s.docs {
		if dir, rel, ok := registryOf(root, d.path); ok && dir == r.dir {
			docs[rel] = []byte(d.text)
			open = append(open, openDoc{d, rel})
		}
	}
	s.mu.Unlock()
	sort.Slice(open, func(i, j int) bool { return open[i].d.uri < open[j].d.uri })

	snap, byPath, err := s.load(r.dir, docs, r.cache)
	s.mu.Lock()
	if snap != nil || r.snap == nil {
		r.snap = snap
	}
	r.findings, r.err = byPath, err
	s.mu.Unlock()
	for _, o := range open {
		d := o.d
		v := d.version
		diags := []Diagnostic{}
		if err != nil {
			diags = append(diags, Diagnostic{Severity: severityError, Source: "demand", Code: "registry", Message: err.Error()})
		}
		ts := d.tokens(o.rel == config.File)
		for _, f := range byPath[o.rel] {
			diags = append(diags, diagnostic(d, ts, f))
		}
		s.publish(publishDiagnosticsParams{URI: d.uri, Version: &v, Diagnostics: diags})
	}
}

func (s *server) load(dir string, docs map[string][]byte, cache *registry.ParseCache) (*registry.Snapshot, map[string]finding.Findings, error) {
	src, err := registry.OpenDir(dir)
	if err != nil {
		return nil, nil, err
	}
	defer src.Close()
	snap, fs, err := Check(registry.Overlay(src, docs), pipeline.RepoRelDir(dir), cache)
	if err != nil {
		return nil, nil, err
	}
	byPath := map[string]finding.Findings{}
	for _, f := range fs {
		byPath[f.Path] = append(byPath[f.Path], f)
	}
	return snap, byPath, nil
}

func (s *server) publish(p publishDiagnosticsParams) {
	if err := s.conn.Notify(s.ctx, "textDocument/publishDiagnostics", p); err != nil && !errors.Is(err, jsonrpc2.ErrClosed) {
		s.logf("demand lsp: %v", err)
	}
}

// diagnostic turns a finding into a diagnostic over the token it points
// at (or an empty range at its position).
func diagnostic(d *document, ts []token, f finding.Finding) Diagnostic {
	start := d.position(f.Line, max(f.Col, 1))
	end := start
	if t, ok := at(ts, f.Line, f.Col); ok && t.col == f.Col {
		end = d.position(t.line, t.endCol)
	}
	sev := severityError
	if f.Severity == finding.Warning {
		sev = severityWarning
	}
	msg := f.Message
	if f.Hint != "" {
		msg += " (" + f.Hint + ")"
	}
	return Diagnostic{Range: Range{Start: start, End: end}, Severity: sev, Code: f.Rule, Source: "demand", Message: msg}
}

// doc returns an open document and its registry's state.
func (s *server) doc(uri string) (*document, *regState, string) {
	s.mu.Lock()
	d := s.docs[docKey(uri)]
	s.mu.Unlock()
	if d == nil {
		return nil, nil, ""
	}
	dir, rel, ok := registryOf(s.rootDir(), d.path)
	if !ok {
		return nil, nil, ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return d, s.regs[dir], rel
}

// snapshot returns the registry's last snapshot, or the default config
// when it has not been checked yet.
func (s *server) snapshot(r *regState) *registry.Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r != nil && r.snap != nil {
		return r.snap
	}
	return registry.NewSnapshot(config.Default(), nil)
}
