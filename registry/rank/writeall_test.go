package rank

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/demand-registry/demand/registry"
)

// rank --write writes every file or none: a file that became a link
// after the registry was read makes it write nothing, and nothing
// through the link.
func TestWriteTiersAllOrNothing(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	doc := func(id string) string {
		return "---\nid: " + id + "\ntitle: T\nstatus: new\nreceived: 2026-11-02\nurgency: urgent\nimportance: critical\ncustomer: {segment: vip}\ntier: 4\n---\n"
	}
	for _, id := range []string{"D-0001", "D-0002"} {
		if err := os.WriteFile(filepath.Join(dir, id+"-t.md"), []byte(doc(id)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	src, err := registry.OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	snap, fs, err := registry.Load(src)
	if err != nil || fs.HasErrors() {
		t.Fatal(err, fs)
	}
	rk := Rank(snap)
	if rk.Get("D-0001").Tier == 4 {
		t.Fatal("the test needs a tier that differs from the declared one")
	}
	// Replaced by a link after it was read (the data stays readable, so
	// only the write refuses it).
	victim := filepath.Join(outside, "victim.md")
	if err := os.WriteFile(victim, []byte(doc("D-0002")), 0o644); err != nil {
		t.Fatal(err)
	}
	second := filepath.Join(dir, "D-0002-t.md")
	if err := os.Remove(second); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, second); err != nil {
		t.Fatal(err)
	}
	written, err := WriteTiers(src, snap, rk)
	if err == nil {
		t.Fatalf("WriteTiers wrote %d files through a link", len(written))
	}
	if len(written) != 0 {
		t.Errorf("WriteTiers reports %d files written", len(written))
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "D-0001-t.md")); string(data) != doc("D-0001") {
		t.Errorf("D-0001 was written although D-0002 could not be:\n%s", data)
	}
	if data, _ := os.ReadFile(victim); string(data) != doc("D-0002") {
		t.Errorf("the file outside was written:\n%s", data)
	}
}
