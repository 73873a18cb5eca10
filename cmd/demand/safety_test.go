//go:build unix

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// runTimeout runs the CLI, failing the test if it does not return within
// a few seconds (a FIFO opened for reading blocks until a writer comes).
func runTimeout(t *testing.T, args ...string) (int, string) {
	t.Helper()
	type result struct {
		code int
		out  string
	}
	done := make(chan result, 1)
	go func() {
		var out bytes.Buffer
		code := run(args, &out, &out)
		done <- result{code, out.String()}
	}()
	select {
	case r := <-done:
		return r.code, r.out
	case <-time.After(20 * time.Second):
		t.Fatalf("demand %s hangs", strings.Join(args, " "))
		return 0, ""
	}
}

const fifoDemand = "---\nid: D-0001\ntitle: SSO\nstatus: new\nreceived: 2026-11-02\n---\n"

// A FIFO in the registry (a demand file, registry.yaml) or among the
// templates is reported by name, never opened for long: validate and
// build used to hang forever on it.
func TestFIFOsAreNotRead(t *testing.T) {
	for _, c := range []struct {
		name, fifo string
		args       []string
	}{
		{"demand file validate", "demands/D-0002-x.md", []string{"validate"}},
		{"demand file build", "demands/D-0002-x.md", []string{"build", "--out", "site"}},
		{"registry.yaml", "demands/registry.yaml", []string{"validate"}},
		{"template", "theme/index.html", []string{"build", "--templates", "theme", "--out", "site"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, d := range []string{"demands", "theme"} {
				if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile(filepath.Join(dir, "demands", "D-0001-sso.md"), []byte(fifoDemand), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := syscall.Mkfifo(filepath.Join(dir, c.fifo), 0o644); err != nil {
				t.Skipf("no FIFOs here: %v", err)
			}
			args := append([]string{c.args[0], "--dir", filepath.Join(dir, "demands")}, c.args[1:]...)
			for i, a := range args {
				if a == "site" || a == "theme" {
					args[i] = filepath.Join(dir, a)
				}
			}
			code, out := runTimeout(t, args...)
			if code == exitOK {
				t.Errorf("exit %d, want a failure; output:\n%s", code, out)
			}
			if !strings.Contains(out, filepath.Base(c.fifo)) {
				t.Errorf("the output does not name %s:\n%s", c.fifo, out)
			}
			if _, err := os.Stat(filepath.Join(dir, "site")); err == nil {
				t.Errorf("a site was built")
			}
		})
	}
}
