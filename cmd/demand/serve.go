package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
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

func runServe(ctx context.Context, e *env, args []string) error {
	var o serveOptions
	fl := newFlags(e, "serve [--addr HOST:PORT] [--dir DIR] [--audience internal|public]", `  demand serve                      # http://127.0.0.1:8080/, rebuilt on every save
  demand serve --addr 127.0.0.1:9000 --audience public
`)
	o.siteFlags(fl)
	fl.StringVar(&o.addr, "addr", "127.0.0.1:8080", "`address` to listen on")
	if err := parseOnlyFlags(fl, args, ""); err != nil {
		return err
	}
	if st, err := os.Stat(o.dir); err != nil || !st.IsDir() {
		return usagef("registry folder %s does not exist (pass --dir to name another)", o.dir)
	}
	return o.run(ctx, e)
}

// run serves until ctx ends (Ctrl-C), which is a normal stop.
func (o *serveOptions) run(ctx context.Context, e *env) error {
	defer serveGC()()
	s := newSiteServer(o, e)
	s.Rebuild(ctx)
	if ctx.Err() != nil {
		return nil // Ctrl-C during the first build
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	s.Addr = ln.Addr().String()
	fmt.Fprintf(e.stderr, "serving %s on http://%s/ (Ctrl-C to stop)\n", o.dir, ln.Addr())
	go s.Run(ctx)
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { <-ctx.Done(); srv.Close() }()
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		return err
	}
	return nil
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
		b, err := o.site(ctx, e, report)
		if err != nil {
			// A build a newer save cancelled says nothing; the next one reports.
			if ctx.Err() == nil {
				exitCode(ctx, &env{stdout: e.stdout, stderr: report, name: "build"}, err)
			}
			return nil
		}
		return &serve.Site{Lazy: b.lazy.Get, Warm: b.lazy.Warm, Summary: fmt.Sprintf("site of %d demands ready", b.demands)}
	}}
}
