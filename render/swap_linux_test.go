package render

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSwapChild is the build a parent test kills: it writes a site whose
// index.html holds $SWAP_VERSION into $SWAP_OUT and kills itself with
// SIGKILL at the Commit stage $SWAP_KILL.
func TestSwapChild(t *testing.T) {
	out := os.Getenv("SWAP_OUT")
	if out == "" {
		t.Skip("run by TestKilledBuilds")
	}
	noExchange = os.Getenv("SWAP_NOEXCHANGE") != ""
	swapHook = func(stage string) {
		if stage == os.Getenv("SWAP_KILL") {
			_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {}
		}
	}
	buildSite(t, out, os.Getenv("SWAP_VERSION"))
}

func buildSite(t *testing.T, out, version string) {
	t.Helper()
	w, err := NewSiteWriter(out)
	if err != nil {
		t.Fatal(err)
	}
	w.Put("index.html", []byte(version))
	w.Put("d/D-0001.html", []byte(version))
	w.Put(Marker, []byte(MarkerText(version)))
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
}

// killedBuild runs a build in a child process that SIGKILLs itself at a
// stage of Commit.
func killedBuild(t *testing.T, out, version, stage string, noExchange bool) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSwapChild$")
	cmd.Env = append(os.Environ(), "SWAP_OUT="+out, "SWAP_VERSION="+version, "SWAP_KILL="+stage)
	if noExchange {
		cmd.Env = append(cmd.Env, "SWAP_NOEXCHANGE=1")
	}
	err := cmd.Run()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("the child build was not killed: %v", err)
	}
}

func siteVersion(t *testing.T, out string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(out, "index.html"))
	if err != nil {
		t.Fatalf("no site in %s: %v", out, err)
	}
	return string(data)
}

func leftovers(t *testing.T, out string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Dir(out))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "."+filepath.Base(out)+".") {
			names = append(names, e.Name())
		}
	}
	return names
}

// A build killed in the middle of the swap leaves a site (the old one or
// the new one) in out at once; a build killed at any stage leaves
// folders that the next build removes, instead of piling up.
func TestKilledBuilds(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes")
	}
	out := filepath.Join(t.TempDir(), "site")
	buildSite(t, out, "v1")

	killedBuild(t, out, "v2", "between", false)
	if v := siteVersion(t, out); v != "v1" && v != "v2" {
		t.Fatalf("site holds %q", v)
	}

	for i := 0; i < 10; i++ {
		stage := "written"
		if i%2 == 1 {
			stage = "between"
		}
		killedBuild(t, out, "v3", stage, false)
		siteVersion(t, out)
	}
	buildSite(t, out, "v4")
	if v := siteVersion(t, out); v != "v4" {
		t.Fatalf("site holds %q, want v4", v)
	}
	if l := leftovers(t, out); len(l) != 0 {
		t.Fatalf("leftovers of killed builds remain: %v", l)
	}
}

// Without an atomic exchange, a kill between the two renames leaves the
// old site aside; the next build puts it back before anything else, and
// removes nothing a running build holds.
func TestKilledFallbackSwapRecovered(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes")
	}
	out := filepath.Join(t.TempDir(), "site")
	buildSite(t, out, "v1")
	killedBuild(t, out, "v2", "between", true)
	running, err := NewSiteWriter(out)
	if err != nil {
		t.Fatal(err)
	}
	if v := siteVersion(t, out); v != "v1" {
		t.Fatalf("site holds %q, want the old site back", v)
	}
	// A second build meanwhile leaves the running one's folder alone.
	buildSite(t, out, "v3")
	if _, err := os.Stat(running.tmp); err != nil {
		t.Fatalf("a concurrent build removed a running build's folder: %v", err)
	}
	running.Put("index.html", []byte("v4"))
	if err := running.Commit(); err != nil {
		t.Fatal(err)
	}
	if v := siteVersion(t, out); v != "v4" {
		t.Fatalf("site holds %q, want v4", v)
	}
	if l := leftovers(t, out); len(l) != 0 {
		t.Fatalf("leftovers remain: %v", l)
	}
}

// A marker file that is a FIFO or a link (to /dev/zero, say) does not
// hang the up-to-date check; the site is just not up to date.
func TestUpToDateReadsOnlyARegularMarker(t *testing.T) {
	for _, kind := range []string{"fifo", "link"} {
		out := filepath.Join(t.TempDir(), "site")
		if err := os.Mkdir(out, 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		if kind == "fifo" {
			err = syscall.Mkfifo(filepath.Join(out, Marker), 0o644)
		} else {
			err = os.Symlink("/dev/zero", filepath.Join(out, Marker))
		}
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan bool, 1)
		go func() { done <- UpToDate(out, "k") }()
		select {
		case up := <-done:
			if up {
				t.Errorf("%s: up to date", kind)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s marker: UpToDate hangs", kind)
		}
	}
}

// A file name that leaves the site fails the build; nothing is written
// outside.
func TestSiteWriterStaysInside(t *testing.T) {
	parent := t.TempDir()
	w, err := NewSiteWriter(filepath.Join(parent, "site"))
	if err != nil {
		t.Fatal(err)
	}
	w.Put("../escaped.html", []byte("x"))
	if err := w.Commit(); err == nil {
		t.Errorf("a file outside the site was accepted")
	}
	if _, err := os.Stat(filepath.Join(parent, "escaped.html")); err == nil {
		t.Errorf("a file was written outside the site")
	}
}
