// Package lsptest is a language-server client for tests: it speaks to a
// server through a pipe with the protocol's Content-Length framing, as an
// editor does, and collects the diagnostics the server publishes.
package lsptest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"sync"
	"time"

	"github.com/sourcegraph/jsonrpc2"
)

// Publish is one textDocument/publishDiagnostics notification.
type Publish struct {
	URI         string          `json:"uri"`
	Version     *int            `json:"version"`
	Diagnostics []Diagnostic    `json:"diagnostics"`
	Raw         json.RawMessage `json:"-"`
}

// Diagnostic is a diagnostic as received.
type Diagnostic struct {
	Range    Range  `json:"range"`
	Severity int    `json:"severity"`
	Code     string `json:"code"`
	Source   string `json:"source"`
	Message  string `json:"message"`
}

// Range and Position are the protocol's (0-based, UTF-16).
type Range struct {
	Start Position `json:"start"`
	End   Position `json:"end"`
}

type Position struct {
	Line      int `json:"line"`
	Character int `json:"character"`
}

// Client is a connection to a server.
type Client struct {
	Conn *jsonrpc2.Conn

	mu        sync.Mutex
	cond      *sync.Cond
	publishes []Publish
}

// Pipe connects a client to serve, run on the other end of a pair of
// pipes; done receives serve's result.
func Pipe(ctx context.Context, serve func(io.ReadWriteCloser) error) (*Client, <-chan error) {
	cr, sw := io.Pipe()
	sr, cw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := serve(rwc{sr, sw, func() error { sw.Close(); return sr.Close() }})
		sw.Close()
		done <- err
	}()
	return Dial(ctx, rwc{cr, cw, func() error { cw.Close(); return cr.Close() }}), done
}

type rwc struct {
	io.Reader
	io.Writer
	close func() error
}

func (r rwc) Close() error { return r.close() }

// Dial makes a client on a stream.
func Dial(ctx context.Context, stream io.ReadWriteCloser) *Client {
	c := &Client{}
	c.cond = sync.NewCond(&c.mu)
	c.Conn = jsonrpc2.NewConn(ctx, jsonrpc2.NewBufferedStream(stream, jsonrpc2.VSCodeObjectCodec{}),
		jsonrpc2.HandlerWithError(func(_ context.Context, _ *jsonrpc2.Conn, req *jsonrpc2.Request) (any, error) {
			if req.Method == "textDocument/publishDiagnostics" && req.Params != nil {
				var p Publish
				if err := json.Unmarshal(*req.Params, &p); err == nil {
					p.Raw = append(json.RawMessage(nil), *req.Params...)
					c.mu.Lock()
					c.publishes = append(c.publishes, p)
					c.cond.Broadcast()
					c.mu.Unlock()
				}
			}
			return nil, nil
		}))
	go func() {
		<-c.Conn.DisconnectNotify()
		c.mu.Lock()
		c.cond.Broadcast()
		c.mu.Unlock()
	}()
	return c
}

// Call sends a request and decodes its result.
func (c *Client) Call(method string, params, result any) error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return c.Conn.Call(ctx, method, params, result)
}

// Notify sends a notification.
func (c *Client) Notify(method string, params any) error {
	return c.Conn.Notify(context.Background(), method, params)
}

// Initialize runs the handshake with root as the workspace folder.
func (c *Client) Initialize(root string) (json.RawMessage, error) {
	var res json.RawMessage
	err := c.Call("initialize", map[string]any{"processId": nil, "rootUri": URI(root),
		"capabilities": map[string]any{}}, &res)
	if err != nil {
		return nil, err
	}
	return res, c.Notify("initialized", map[string]any{})
}

// Open sends didOpen.
func (c *Client) Open(uri, text string, version int) error {
	return c.Notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{
		"uri": uri, "languageId": "markdown", "version": version, "text": text}})
}

// Change sends didChange with the whole text.
func (c *Client) Change(uri, text string, version int) error {
	return c.Notify("textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": uri, "version": version},
		"contentChanges": []map[string]any{{"text": text}}})
}

// Wait returns the first publish for uri, at or after the index from,
// that satisfies ok; it fails after a timeout.
func (c *Client) Wait(uri string, ok func(Publish) bool) (Publish, error) {
	deadline := time.Now().Add(20 * time.Second)
	stop := time.AfterFunc(20*time.Second, func() {
		c.mu.Lock()
		c.cond.Broadcast()
		c.mu.Unlock()
	})
	defer stop.Stop()
	c.mu.Lock()
	defer c.mu.Unlock()
	for {
		for i := len(c.publishes) - 1; i >= 0; i-- {
			if p := c.publishes[i]; p.URI == uri {
				if ok(p) {
					return p, nil
				}
				break // only the latest publish of a file counts
			}
		}
		if time.Now().After(deadline) {
			return Publish{}, fmt.Errorf("no matching diagnostics for %s in time; got %d publishes", uri, len(c.publishes))
		}
		select {
		case <-c.Conn.DisconnectNotify():
			return Publish{}, fmt.Errorf("the server closed the connection")
		default:
		}
		c.cond.Wait()
	}
}

// Version matches a publish for a document version.
func Version(v int) func(Publish) bool {
	return func(p Publish) bool { return p.Version != nil && *p.Version == v }
}

// Publishes returns every publish received for uri.
func (c *Client) Publishes(uri string) []Publish {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Publish
	for _, p := range c.publishes {
		if p.URI == uri {
			out = append(out, p)
		}
	}
	return out
}

// URI is a file path's file: URI.
func URI(p string) string {
	abs, _ := filepath.Abs(p)
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
}
