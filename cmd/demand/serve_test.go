package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/demand-registry/demand/pipeline"
	"github.com/demand-registry/demand/render"
	"github.com/demand-registry/demand/serve"
)

const serveDemand = "---\nid: D-0001\ntitle: Single sign-on\nstatus: new\nreceived: 2026-11-01\n---\nBody.\n"

func startServer(t *testing.T) (*serve.Server, *httptest.Server, string) {
	dir := filepath.Join(t.TempDir(), "demands")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "D-0001-sso.md"), []byte(serveDemand), 0o644))
	o := &serveOptions{buildOptions: buildOptions{dir: dir, SiteOptions: pipeline.SiteOptions{Audience: render.Internal}}}
	s := newSiteServer(o, &env{stdout: io.Discard, stderr: io.Discard})
	s.Rebuild(context.Background())
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv, dir
}

func get(t *testing.T, url string) (int, string) {
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServeFilesOnly(t *testing.T) {
	_, srv, _ := startServer(t)
	code, body := get(t, srv.URL+"/")
	assert.Equal(t, 200, code)
	assert.Contains(t, body, "Single sign-on")
	assert.Contains(t, body, "/__demand/reload.js")
	code, _ = get(t, srv.URL+"/demands/D-0001.html")
	assert.Equal(t, 200, code)
	code, body = get(t, srv.URL+"/demands.csv")
	assert.Equal(t, 200, code, "exports are made when asked")
	assert.Contains(t, body, "Single sign-on")
	code, body = get(t, srv.URL+"/demands.json")
	assert.Equal(t, 200, code)
	assert.Contains(t, body, `"id": "D-0001"`)
	for _, p := range []string{"/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/demands/../../go.mod", "/nope.html"} {
		code, body := get(t, srv.URL+p)
		assert.Equal(t, 404, code, p)
		assert.NotContains(t, body, "root:", p)
	}
	resp, err := http.Post(srv.URL+"/", "text/plain", strings.NewReader("x"))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
}

// TestServeRebuildsAndReloads: an edit is rebuilt and announced to open
// pages; a broken edit shows its findings; fixing it brings the site back.
func TestServeRebuildsAndReloads(t *testing.T) {
	s, srv, dir := startServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Run(ctx)
	time.Sleep(100 * time.Millisecond) // let the watcher start

	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/__demand/events", nil)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	events := bufio.NewReader(resp.Body)
	next := func() string {
		done := make(chan string, 1)
		go func() {
			for {
				line, err := events.ReadString('\n')
				if err != nil || strings.HasPrefix(line, "data:") {
					done <- line
					return
				}
			}
		}()
		select {
		case l := <-done:
			return l
		case <-time.After(5 * time.Second):
			return "timeout"
		}
	}

	// Editors save by writing a temporary file and renaming it over.
	tmp := filepath.Join(dir, ".D-0001-sso.md.swp")
	require.NoError(t, os.WriteFile(tmp, []byte(strings.Replace(serveDemand, "Single sign-on", "SAML login", 1)), 0o644))
	require.NoError(t, os.Rename(tmp, filepath.Join(dir, "D-0001-sso.md")))
	assert.Equal(t, "data: reload\n", next())
	_, body := get(t, srv.URL+"/index.html")
	assert.Contains(t, body, "SAML login")
	_, body = get(t, srv.URL+"/demands/D-0001.html")
	assert.Contains(t, body, "SAML login")

	// A new folder with a demand in it is watched too.
	sub := filepath.Join(dir, "team")
	require.NoError(t, os.MkdirAll(sub, 0o755))
	assert.Equal(t, "data: reload\n", next())
	require.NoError(t, os.WriteFile(filepath.Join(sub, "D-0002-x.md"), []byte(strings.NewReplacer("D-0001", "D-0002", "Single sign-on", "Exports").Replace(serveDemand)), 0o644))
	assert.Equal(t, "data: reload\n", next())
	_, body = get(t, srv.URL+"/index.html")
	assert.Contains(t, body, "Exports")

	// A broken edit shows the findings instead of stopping the server.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "D-0001-sso.md"), []byte(strings.Replace(serveDemand, "status: new", "status: nope", 1)), 0o644))
	assert.Equal(t, "data: reload\n", next())
	code, body := get(t, srv.URL+"/index.html")
	assert.Equal(t, 500, code)
	assert.Contains(t, body, `status &#34;nope&#34; is not allowed`)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "D-0001-sso.md"), []byte(serveDemand), 0o644))
	assert.Equal(t, "data: reload\n", next())
	code, _ = get(t, srv.URL+"/index.html")
	assert.Equal(t, 200, code)
}
