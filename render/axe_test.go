package render

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/demand-registry/demand/internal/gitrepo"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/demand-registry/demand/registry/history"
	"github.com/demand-registry/demand/registry/rank"
	"github.com/demand-registry/demand/templates"
)

// axeViolation is what the test reports of one axe-core violation.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// TestAxe runs axe-core (the engine of Lighthouse's accessibility audit
// and of most accessibility checkers) in Chromium on every page of the
// sample site, in English and in Chinese, and fails on any violation. It
// needs Chromium and axe-core (npm ci in .ci/npm); DEMAND_NODE_TESTS=1,
// set by CI, makes a missing axe-core a failure.
func TestAxe(t *testing.T) {
	axePath, err := filepath.Abs("../.ci/npm/node_modules/axe-core/axe.min.js")
	require.NoError(t, err)
	axe, err := os.ReadFile(axePath)
	if err != nil {
		if os.Getenv("DEMAND_NODE_TESTS") != "" {
			t.Fatalf("DEMAND_NODE_TESTS is set but axe-core is not installed: %v (npm ci in .ci/npm)", err)
		}
		t.Skip("axe-core is not installed (npm ci in .ci/npm)")
	}
	browser(t) // skips or fails as the other browser tests do without Chromium
	path := os.Getenv("CHROMIUM")
	for _, p := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if full, err := exec.LookPath(p); path == "" && err == nil {
			path = full
		}
	}
	// A browser of its own: every page takes a while, so the 60 seconds
	// the other tests get in all become 60 seconds a page.
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.WindowSize(1280, 1000))...)
	defer cancelAlloc()
	bctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	require.NoError(t, chromedp.Run(bctx))
	snap := loadRegistry(t, "../demands")
	in := Input{Snapshot: snap, Ranking: rank.Rank(snap)}
	if repo, err := gitrepo.OpenRepo("../demands"); err == nil {
		if res, err := history.Walk(context.Background(), repo, history.Options{Config: snap.Config}); err == nil {
			res.ComputeSLA(snap.Config, nil)
			in.History, in.Commit, in.Date = res.Histories, res.Head, res.AsOf
		}
	}
	pages, violations := 0, 0
	for _, lang := range []string{"en", "zh-CN"} {
		files, err := Build(in, Options{Templates: templates.FS, Lang: lang})
		require.NoError(t, err)
		dir := filepath.Join(t.TempDir(), "site")
		require.NoError(t, writeSite(dir, files))
		srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
		var names []string
		for name := range files {
			if strings.HasSuffix(name, ".html") {
				names = append(names, name)
			}
		}
		sort.Strings(names)
		for _, name := range names {
			pages++
			var out string
			ctx, cancelPage := context.WithTimeout(bctx, 60*time.Second)
			start := time.Now()
			err := chromedp.Run(ctx,
				chromedp.Navigate(srv.URL+"/"+name),
				chromedp.WaitReady("body"),
				chromedp.Evaluate(string(axe), nil),
				chromedp.Evaluate(`axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations.map(v => ({
					id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(" ")).slice(0, 5)}))))`,
					&out, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }),
			)
			cancelPage()
			require.NoError(t, err, "%s (%s)", name, lang)
			t.Logf("%s (%s): %s", name, lang, time.Since(start).Round(time.Millisecond))
			var vs []axeViolation
			require.NoError(t, json.Unmarshal([]byte(out), &vs))
			for _, v := range vs {
				violations++
				t.Errorf("%s (%s): %s [%s, %s] at %s", name, lang, v.Help, v.ID, v.Impact, strings.Join(v.Nodes, ", "))
			}
		}
		srv.Close()
	}
	t.Logf("axe-core: %d pages, %d violations", pages, violations)
	fmt.Fprintf(os.Stderr, "axe-core: %d pages checked, %d violations\n", pages, violations)
}
