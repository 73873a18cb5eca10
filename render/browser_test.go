package render

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/demand-registry/demand/internal/gitrepo"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/demand-registry/demand/registry/history"
	"github.com/demand-registry/demand/registry/rank"
	"github.com/demand-registry/demand/templates"
)

// browser starts headless Chromium, or skips the test when it is not
// installed (set DEMAND_BROWSER_TESTS=1 to make that a failure, as CI does).
func browser(t *testing.T) (context.Context, *consoleLog) {
	path := os.Getenv("CHROMIUM")
	if path == "" {
		for _, p := range []string{"chromium", "chromium-browser", "google-chrome"} {
			if full, err := exec.LookPath(p); err == nil {
				path = full
				break
			}
		}
	}
	if path == "" {
		if os.Getenv("DEMAND_BROWSER_TESTS") != "" {
			t.Fatal("DEMAND_BROWSER_TESTS is set but no Chromium was found")
		}
		t.Skip("no Chromium installed (apt-get install chromium); browser tests skipped")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.WindowSize(1280, 1000))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	ctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelT(); cancel(); cancelAlloc() })
	cl := &consoleLog{}
	chromedp.ListenTarget(ctx, func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			cl.add(fmt.Sprintf("exception: %s", e.ExceptionDetails.Text))
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.APITypeError || e.Type == runtime.APITypeWarning {
				cl.add(fmt.Sprintf("console %s", e.Type))
			}
		case *log.EventEntryAdded:
			if e.Entry.Level == log.LevelError {
				cl.add("log: " + e.Entry.Text + " " + e.Entry.URL)
			}
		}
	})
	require.NoError(t, chromedp.Run(ctx, log.Enable()))
	return ctx, cl
}

type consoleLog struct {
	mu   sync.Mutex
	msgs []string
}

func (c *consoleLog) add(s string) { c.mu.Lock(); c.msgs = append(c.msgs, s); c.mu.Unlock() }
func (c *consoleLog) all() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.msgs...)
}

// sampleSite builds the bundled registry with its git history (when the
// checkout has it) and serves it over HTTP.
func sampleSite(t *testing.T) string {
	snap := loadRegistry(t, "../demands")
	in := Input{Snapshot: snap, Ranking: rank.Rank(snap)}
	if repo, err := gitrepo.OpenRepo("../demands"); err == nil {
		if res, err := history.Walk(context.Background(), repo, history.Options{Config: snap.Config}); err == nil {
			res.ComputeSLA(snap.Config, nil)
			in.History, in.Commit, in.Date = res.Histories, res.Head, res.AsOf
		}
	}
	files, err := Build(in, Options{Templates: templates.FS})
	require.NoError(t, err)
	dir := filepath.Join(t.TempDir(), "site")
	require.NoError(t, writeSite(dir, files))
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(srv.Close)
	return srv.URL
}

// shot saves a screenshot as a test artifact in _artifacts/screenshots.
func shot(t *testing.T, ctx context.Context, name string) {
	var png []byte
	require.NoError(t, chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100)))
	dir := filepath.Join("..", "_artifacts", "screenshots")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644))
}

func TestBrowser(t *testing.T) {
	ctx, console := browser(t)
	base := sampleSite(t)

	// The home page shows the tiers.
	var tiers int
	var heading string
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Navigate(base+"/index.html"),
		chromedp.Text("h1", &heading),
		chromedp.Evaluate(`document.querySelectorAll("section.tier").length`, &tiers),
	))
	assert.Equal(t, "Priority tiers", heading)
	assert.Equal(t, 4, tiers)
	shot(t, ctx, "home")

	// Searching a Chinese word finds its demand.
	var ids []string
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Navigate(base+"/search.html"),
		chromedp.WaitVisible("#q"),
		chromedp.SendKeys("#q", "导出"),
		chromedp.Sleep(300*time.Millisecond),
		chromedp.Evaluate(`[...document.querySelectorAll("#results-body th a")].map(a => a.textContent)`, &ids),
	))
	assert.Contains(t, ids, "D-0002", "报表中心支持导出 Excel 格式")
	assert.NotContains(t, ids, "D-0001")
	shot(t, ctx, "search-chinese")

	// The tier filter keeps only that tier.
	var tiersShown []string
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Navigate(base+"/search.html?tier=1"),
		chromedp.WaitVisible("#results"),
		chromedp.Sleep(200*time.Millisecond),
		chromedp.Evaluate(`[...document.querySelectorAll("#results-body tr td:nth-child(3)")].map(td => td.textContent)`, &tiersShown),
	))
	require.NotEmpty(t, tiersShown)
	for _, tier := range tiersShown {
		assert.Equal(t, "1", tier)
	}

	// A demand page shows its history.
	var commits int
	var title string
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Navigate(base+"/demands/D-0007.html"),
		chromedp.Text("h1", &title),
		chromedp.Evaluate(`document.querySelectorAll(".timeline > li").length`, &commits),
	))
	assert.Equal(t, "Two-factor authentication for all user accounts", title)
	assert.Greater(t, commits, 1, "the sample registry's own commits")
	shot(t, ctx, "demand")

	require.NoError(t, chromedp.Run(ctx, chromedp.Navigate(base+"/kpis.html"), chromedp.WaitVisible("svg.chart")))
	shot(t, ctx, "kpis")
	assert.Empty(t, console.all(), "no console errors or CSP violations: %s", strings.Join(console.all(), "; "))
}

// TestBrowserOwnFacets: on a registry adopted by its config (ethereum/ERCs'
// excerpt), the search filters on the registry's own fields work in a
// browser, from the address as from the menus.
func TestBrowserOwnFacets(t *testing.T) {
	ctx, console := browser(t)
	snap := loadRegistry(t, "../examples/registries/ercs")
	files, err := Build(Input{Snapshot: snap, Ranking: rank.Rank(snap)}, Options{Templates: templates.FS})
	require.NoError(t, err)
	dir := filepath.Join(t.TempDir(), "site")
	require.NoError(t, writeSite(dir, files))
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(srv.Close)

	var all, drafts []string
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Navigate(srv.URL+"/search.html?category=ERC"),
		chromedp.WaitVisible("#results"),
		chromedp.Sleep(200*time.Millisecond),
		chromedp.Evaluate(`[...document.querySelectorAll("#results-body th a")].map(a => a.textContent)`, &all),
		chromedp.Navigate(srv.URL+"/search.html?category=ERC&status=Draft"),
		chromedp.WaitVisible("#results"),
		chromedp.Sleep(200*time.Millisecond),
		chromedp.Evaluate(`[...document.querySelectorAll("#results-body th a")].map(a => a.textContent)`, &drafts),
	))
	assert.ElementsMatch(t, []string{"20", "721", "7579"}, all)
	assert.Equal(t, []string{"7579"}, drafts)
	// Nothing is ranked there: no tier or score column, and each row has
	// as many cells as the header.
	var heads []string
	var cells int
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Evaluate(`[...document.querySelectorAll("#results thead th")].map(th => th.getAttribute("data-sort"))`, &heads),
		chromedp.Evaluate(`document.querySelector("#results-body tr").children.length`, &cells),
	))
	assert.Equal(t, []string{"id", "title", "status", "received"}, heads)
	assert.Equal(t, len(heads), cells)
	shot(t, ctx, "search-own-facets")
	assert.Empty(t, console.all(), "no console errors: %s", strings.Join(console.all(), "; "))
}

// TestBrowserLongCode: a 400-character code line scrolls inside its block;
// the page itself does not scroll sideways.
func TestBrowserLongCode(t *testing.T) {
	ctx, _ := browser(t)
	reg := t.TempDir()
	body := "```\n" + strings.Repeat("x", 400) + "\n```\n"
	require.NoError(t, os.WriteFile(filepath.Join(reg, "D-0001-long.md"), []byte("---\nid: D-0001\ntitle: Long code\nstatus: new\nreceived: 2026-11-02\n---\n"+body), 0o644))
	snap := loadRegistry(t, reg)
	dir := filepath.Join(t.TempDir(), "site")
	files, err := Build(Input{Snapshot: snap, Ranking: rank.Rank(snap)}, Options{Templates: templates.FS})
	require.NoError(t, err)
	require.NoError(t, writeSite(dir, files))
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(srv.Close)
	var wide bool
	require.NoError(t, chromedp.Run(ctx,
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(srv.URL+"/demands/D-0001.html"),
		chromedp.Evaluate(`document.documentElement.scrollWidth > window.innerWidth`, &wide),
	))
	assert.False(t, wide, "the page scrolls sideways")
}
