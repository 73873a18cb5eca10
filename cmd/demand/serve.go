package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"time"

	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/registry/history"
	"github.com/demand-registry/demand/render"
	"github.com/demand-registry/demand/serve"
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
	o.siteFlags(fl)
	fl.StringVar(&o.addr, "addr", "127.0.0.1:8080", "`address` to listen on")
	if code, ok := o.parseSiteFlags(e, fl, args); !ok {
		return code
	}
	if st, err := os.Stat(o.dir); err != nil || !st.IsDir() {
		fmt.Fprintf(e.stderr, "demand serve: registry folder %s does not exist (pass --dir to name another)\n", o.dir)
		return exitUsage
	}
	defer serveGC()()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	s := newSiteServer(&o, e)
	s.Rebuild(ctx)
	if ctx.Err() != nil {
		return exitOK // Ctrl-C during the first build
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		fmt.Fprintf(e.stderr, "demand serve: %v\n", err)
		return exitUsage
	}
	s.Addr = ln.Addr().String()
	fmt.Fprintf(e.stderr, "serving %s on http://%s/ (Ctrl-C to stop)\n", o.dir, ln.Addr())
	go s.Run(ctx)
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { <-ctx.Done(); srv.Close() }()
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		fmt.Fprintf(e.stderr, "demand serve: %v\n", err)
		return exitUsage
	}
	return exitOK
}

// serveGC sets how often serve collects garbage. A rebuild makes garbage
// in proportion to the registry while the caches keep the site and its
// history alive: collecting at twice the live heap instead of once makes
// rebuilds faster for somewhat more memory (BenchmarkServeRebuild). GOGC
// overrides it. restore sets it back.
func serveGC() (restore func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	old := debug.SetGCPercent(200)
	return func() { debug.SetGCPercent(old) }
}

func newSiteServer(o *serveOptions, e *env) *serve.Server {
	// Files and pages that did not change are not parsed or rendered again.
	o.Parsed, o.History, o.Pages, o.Lazy = registry.NewParseCache(), &history.Memo{}, render.NewPageCache(), true
	watch := []string{o.dir}
	if o.Templates != "" {
		watch = append(watch, o.Templates)
	}
	return &serve.Server{Watch: watch, Log: e.stderr, Build: func(ctx context.Context, report io.Writer) *serve.Site {
		b, _ := o.siteCtx(ctx, e, report)
		if b == nil {
			return nil
		}
		return &serve.Site{Lazy: b.lazy.Get, Warm: b.lazy.Warm, Summary: fmt.Sprintf("site of %d demands ready", b.demands)}
	}}
}
