//go:build unix

package safefs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func write(t *testing.T, p, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, p string) string {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestReadRefusesLinksAndSpecialFiles(t *testing.T) {
	root, outside := t.TempDir(), t.TempDir()
	write(t, filepath.Join(outside, "secret"), "secret")
	write(t, filepath.Join(root, "a", "ok.md"), "ok")
	must(t, os.Symlink(filepath.Join(outside, "secret"), filepath.Join(root, "a", "link.md")))
	must(t, os.Symlink(outside, filepath.Join(root, "linked")))
	if err := syscall.Mkfifo(filepath.Join(root, "a", "fifo.md"), 0o644); err != nil {
		t.Fatal(err)
	}
	if data, err := ReadFile(root, "a/ok.md", 0); err != nil || string(data) != "ok" {
		t.Fatalf("ReadFile a/ok.md = %q, %v", data, err)
	}
	for _, p := range []string{"a/link.md", "linked/secret", "a/fifo.md", "../x", "a"} {
		done := make(chan error, 1)
		go func() { _, err := ReadFile(root, p, 0); done <- err }()
		select {
		case err := <-done:
			if !errors.Is(err, ErrUnsafe) {
				t.Errorf("ReadFile %s: %v, want a refusal", p, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("ReadFile %s hangs", p)
		}
	}
	if _, err := ReadFile(root, "a/missing.md", 0); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing file: %v", err)
	}
	if _, err := ReadFile(root, "a/ok.md", 1); err == nil {
		t.Errorf("a file over the limit is read")
	}
	if err := CheckTree(root); !errors.Is(err, ErrUnsafe) {
		t.Errorf("CheckTree: %v", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// No write goes through a link, and a refused file among several means
// none is written.
func TestWriteFilesAllOrNothing(t *testing.T) {
	root, outside := t.TempDir(), t.TempDir()
	write(t, filepath.Join(outside, "target"), "outside")
	write(t, filepath.Join(root, "keep.md"), "old")
	must(t, os.Symlink(filepath.Join(outside, "target"), filepath.Join(root, "link.md")))
	must(t, os.Symlink(outside, filepath.Join(root, "dir")))

	for _, bad := range []string{"link.md", "dir/target", "dir/new", "../escape"} {
		err := WriteFiles(root, []File{{"keep.md", []byte("new")}, {"sub/x.md", []byte("x")}, {bad, []byte("forged")}}, Replace)
		if !errors.Is(err, ErrUnsafe) {
			t.Errorf("writing %s: %v, want a refusal", bad, err)
		}
		if got := read(t, filepath.Join(root, "keep.md")); got != "old" {
			t.Errorf("writing %s: keep.md was written (%q)", bad, got)
		}
		if _, err := os.Stat(filepath.Join(root, "sub", "x.md")); err == nil {
			t.Errorf("writing %s: sub/x.md was written", bad)
		}
	}
	if got := read(t, filepath.Join(outside, "target")); got != "outside" {
		t.Errorf("the file outside was written: %q", got)
	}
	if _, err := os.Stat(filepath.Join(outside, "new")); err == nil {
		t.Errorf("a file was created outside")
	}

	// Create refuses existing files, again writing none.
	err := WriteFiles(root, []File{{"fresh.md", []byte("x")}, {"keep.md", []byte("x")}}, Create)
	if !errors.Is(err, fs.ErrExist) {
		t.Errorf("Create over keep.md: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "fresh.md")); err == nil {
		t.Errorf("fresh.md was written")
	}
	must(t, WriteFiles(root, []File{{"keep.md", []byte("new")}, {"sub/x.md", []byte("x")}}, Replace))
	if read(t, filepath.Join(root, "keep.md")) != "new" || read(t, filepath.Join(root, "sub", "x.md")) != "x" {
		t.Errorf("the files were not written")
	}
	entries, _ := os.ReadDir(root)
	for _, e := range entries {
		if filepath.Ext(e.Name()) != ".md" && e.Name() != "sub" && e.Name() != "dir" {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

func TestDirFS(t *testing.T) {
	root, outside := t.TempDir(), t.TempDir()
	write(t, filepath.Join(outside, "secret"), "secret")
	write(t, filepath.Join(root, "page.html"), "page")
	must(t, os.Symlink(filepath.Join(outside, "secret"), filepath.Join(root, "link.html")))
	fsys := DirFS(root)
	if data, err := fs.ReadFile(fsys, "page.html"); err != nil || string(data) != "page" {
		t.Errorf("page.html: %q, %v", data, err)
	}
	if _, err := fs.ReadFile(fsys, "link.html"); !errors.Is(err, ErrUnsafe) {
		t.Errorf("link.html: %v, want a refusal", err)
	}
}

// A buffer too small grows; one large enough is reused; the limit holds.
func TestReadFileTo(t *testing.T) {
	root := t.TempDir()
	big := strings.Repeat("0123456789", 1000)
	write(t, filepath.Join(root, "big.md"), big)
	write(t, filepath.Join(root, "small.md"), "small")
	write(t, filepath.Join(root, "empty.md"), "")
	buf := make([]byte, 0, 10)
	data, err := ReadFileTo(root, "big.md", 0, buf)
	if err != nil || string(data) != big {
		t.Fatalf("big.md: %d bytes, %v", len(data), err)
	}
	again, err := ReadFileTo(root, "small.md", 0, data[:0])
	if err != nil || string(again) != "small" || &again[0] != &data[0] {
		t.Fatalf("small.md = %q, %v (reused: %t)", again, err, &again[0] == &data[0])
	}
	if data, err := ReadFileTo(root, "empty.md", 0, again[:0]); err != nil || len(data) != 0 {
		t.Fatalf("empty.md = %q, %v", data, err)
	}
	if _, err := ReadFileTo(root, "big.md", 9999, nil); err == nil {
		t.Errorf("a file over the limit is read")
	}
	if data, err := ReadFileTo(root, "big.md", 10000, nil); err != nil || len(data) != 10000 {
		t.Errorf("a file at the limit: %d bytes, %v", len(data), err)
	}
}
