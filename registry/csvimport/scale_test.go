package csvimport

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func rowsCSV(n int) []byte {
	var b strings.Builder
	b.WriteString("title,status,received\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "Demand %d,new,2026-11-02\n", i)
	}
	return []byte(b.String())
}

// Allocating 100k IDs takes a moment: scanning every used ID for each
// next one (as Plan did) made importing 100k rows take minutes.
func TestIDAllocationLinear(t *testing.T) {
	a := newIDs(empty().Config)
	a.take("D-0005")
	start := time.Now()
	for i := 0; i < 100_000; i++ {
		a.take(a.next())
		if i%1000 == 0 && time.Since(start) > 5*time.Second {
			t.Fatalf("%d IDs took more than 5s: allocation is not linear", i)
		}
	}
	if got := a.next(); got != "D-100006" {
		t.Errorf("next ID %s, want D-100006", got)
	}
}

// Plan gives the last of many rows the next ID in sequence.
func TestPlanManyRows(t *testing.T) {
	rows, problems := Plan(empty(), nil, rowsCSV(3000), nil)
	if len(problems) > 0 || len(rows) != 3000 || rows[2999].ID != "D-3000" {
		t.Fatalf("%d rows, problems %v", len(rows), problems)
	}
}

// IDs in the file are kept when free; the next free ones follow the
// highest in use.
func TestPlanIDsAfterHighest(t *testing.T) {
	data := []byte("id,title,status,received\nD-0007,a,new,2026-11-02\n,b,new,2026-11-02\nD-0007,c,new,2026-11-02\nD-0003,d,new,2026-11-02\n")
	rows, problems := Plan(empty(), nil, data, nil)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	var got []string
	for _, r := range rows {
		got = append(got, r.ID)
	}
	if want := "D-0007 D-0008 D-0009 D-0003"; strings.Join(got, " ") != want {
		t.Errorf("IDs %v, want %s", got, want)
	}
}
