package serve

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestServesOnlyTheSite(t *testing.T) {
	broken := false
	s := &Server{Log: io.Discard, Build: func(_ context.Context, report io.Writer) *Site {
		if broken {
			fmt.Fprintln(report, "D-0001.md:3:1: error: <bad> [rule]")
			return nil
		}
		return &Site{Files: map[string][]byte{"index.html": []byte("<body>home</body>"), "404.html": []byte("<body>missing</body>"), "a.css": []byte("x{}")},
			Lazy: func(p string) ([]byte, bool, error) {
				switch p {
				case "demands.csv":
					return []byte("lazy"), true, nil
				case "kpis.html":
					return nil, false, fmt.Errorf("rendering kpis.html: <no field>")
				}
				return nil, false, nil
			}}
	}}
	s.Rebuild(context.Background())
	srv := httptest.NewServer(s)
	defer srv.Close()
	get := func(p string) (int, string, string) {
		resp, err := http.Get(srv.URL + p)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
	}
	code, ct, body := get("/")
	assert.Equal(t, 200, code)
	assert.Contains(t, ct, "text/html")
	assert.Contains(t, body, `/__demand/reload.js"></script></body>`)
	code, ct, _ = get("/a.css")
	assert.Equal(t, 200, code)
	assert.Contains(t, ct, "text/css")
	code, _, body = get("/demands.csv")
	assert.Equal(t, 200, code)
	assert.Equal(t, "lazy", body)
	code, _, body = get("/kpis.html")
	assert.Equal(t, 500, code, "a page that cannot be made")
	assert.Contains(t, body, "rendering kpis.html: &lt;no field&gt;")
	for _, p := range []string{"/../../etc/passwd", "/%2e%2e/x", "/nope"} {
		code, _, body = get(p)
		assert.Equal(t, 404, code, p)
		assert.Contains(t, body, "missing", p)
	}
	broken = true
	s.Rebuild(context.Background())
	code, _, body = get("/index.html")
	assert.Equal(t, 500, code)
	assert.Contains(t, body, "&lt;bad&gt;", "findings are escaped")
	code, _, _ = get("/a.css")
	assert.Equal(t, 200, code, "assets of the last good site are still served")
}

// When idle after a build, the server warms the site's other files until
// a newer build replaces it.
func TestWarmsWhenIdle(t *testing.T) {
	var stops []bool
	builds := 0
	s := &Server{Log: io.Discard}
	s.Build = func(context.Context, io.Writer) *Site {
		builds++
		first := builds == 1
		return &Site{Files: map[string][]byte{"index.html": []byte("x")}, Warm: func(stop func() bool) {
			stops = append(stops, stop())
			if first {
				s.Rebuild(context.Background()) // a save while warming
				stops = append(stops, stop())
			}
		}}
	}
	s.Rebuild(context.Background())
	s.whenIdle()
	s.mu.Lock()
	s.idle.Stop()
	s.mu.Unlock()
	assert.Equal(t, []bool{false, true}, stops, "warming goes on until a newer build is there")
}

// Before any good build, a page is missing, not a blank success.
func TestNoSiteYet(t *testing.T) {
	s := &Server{Log: io.Discard, Build: func(context.Context, io.Writer) *Site { return nil }}
	s.Rebuild(context.Background())
	s.mu.Lock()
	s.idle.Stop()
	s.mu.Unlock()
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("GET", "http://localhost/index.html", nil))
	assert.Equal(t, 404, rec.Code)
}

// TestHostCheck: a page from elsewhere that points its own name at this
// machine (DNS rebinding) gets nothing; localhost names and the listen
// address with its port are answered, and the event stream refuses other
// origins.
func TestHostCheck(t *testing.T) {
	s := &Server{Log: io.Discard, Addr: "127.0.0.1:8080", Build: func(context.Context, io.Writer) *Site {
		return &Site{Files: map[string][]byte{"index.html": []byte("<html><body>secret</body></html>")}}
	}}
	s.Rebuild(context.Background())
	s.mu.Lock()
	s.idle.Stop()
	s.mu.Unlock()
	for host, want := range map[string]int{
		"127.0.0.1:8080": 200, "localhost:8080": 200, "[::1]:8080": 200, "app.localhost:8080": 200, "LOCALHOST.:8080": 200,
		"evil.example:8080": 421, "127.0.0.1.evil.example:8080": 421, "localhost.evil.example:8080": 421,
		"localhost:9090": 421, "10.0.0.5:8080": 421, "": 421,
	} {
		req := httptest.NewRequest("GET", "/index.html", nil)
		req.Host = host
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		assert.Equal(t, want, rec.Code, host)
		if want != 200 {
			assert.NotContains(t, rec.Body.String(), "secret", host)
		}
	}
	req := httptest.NewRequest("GET", "/__demand/events", nil)
	req.Host = "127.0.0.1:8080"
	req.Header.Set("Origin", "http://evil.example:8080")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	assert.Equal(t, 403, rec.Code)
}

// TestWatchResumesAfterRecreate: the watched folder removed and made again
// is watched again (before, the site stayed stale until a restart), and
// files beside it do not rebuild.
func TestWatchResumesAfterRecreate(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "demands")
	require.NoError(t, os.Mkdir(dir, 0o755))
	builds := make(chan struct{}, 100)
	s := &Server{Log: io.Discard, Watch: []string{dir}, Build: func(context.Context, io.Writer) *Site {
		builds <- struct{}{}
		return &Site{}
	}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	wait := func(what string) {
		t.Helper()
		select {
		case <-builds:
		case <-time.After(5 * time.Second):
			t.Fatalf("no rebuild after %s", what)
		}
	}
	drain := func() {
		time.Sleep(200 * time.Millisecond)
		for len(builds) > 0 {
			<-builds
		}
	}
	time.Sleep(100 * time.Millisecond) // the watcher starts
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.md"), []byte("x"), 0o644))
	wait("a write")
	require.NoError(t, os.RemoveAll(dir))
	wait("the removal")
	require.NoError(t, os.Mkdir(dir, 0o755))
	drain()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "b.md"), []byte("x"), 0o644))
	wait("a write in the folder made again")
	drain()
	require.NoError(t, os.WriteFile(filepath.Join(root, "beside.txt"), []byte("x"), 0o644))
	time.Sleep(300 * time.Millisecond)
	assert.Empty(t, builds, "a file beside the folder")
}

// TestNewerSaveCancelsBuild: a save while a build runs cancels it, the
// next build serves the site, and stopping the server cancels a running
// build too.
func TestNewerSaveCancelsBuild(t *testing.T) {
	dir := t.TempDir()
	started := make(chan int, 10)
	canceled := make(chan int, 10)
	n := 0
	s := &Server{Log: io.Discard, Watch: []string{dir}, Build: func(ctx context.Context, _ io.Writer) *Site {
		n++
		me := n
		started <- me
		if me != 2 {
			<-ctx.Done() // a slow build, until canceled
			canceled <- me
			return nil
		}
		return &Site{Files: map[string][]byte{"index.html": []byte("second")}}
	}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	step := func(ch chan int, want int, what string) {
		t.Helper()
		select {
		case got := <-ch:
			require.Equal(t, want, got, what)
		case <-time.After(5 * time.Second):
			t.Fatalf("timed out waiting for %s", what)
		}
	}
	time.Sleep(100 * time.Millisecond) // the watcher starts
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.md"), []byte("x"), 0o644))
	step(started, 1, "the first build")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "b.md"), []byte("x"), 0o644))
	step(canceled, 1, "the first build canceled by the newer save")
	step(started, 2, "the second build")
	require.Eventually(t, func() bool {
		data, ok, _ := s.siteNow().get("index.html")
		return ok && string(data) == "second"
	}, 5*time.Second, 10*time.Millisecond)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "c.md"), []byte("x"), 0o644))
	step(started, 3, "the third build")
	cancel()
	step(canceled, 3, "the third build canceled by stopping the server")
	<-done
}

func (s *Server) siteNow() *Site {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.site
}
