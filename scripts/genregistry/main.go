// Command genregistry writes a synthetic registry of N demands into a
// folder, for benchmarks: go run ./scripts/genregistry -n 5000 -out /tmp/reg
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/demand-registry/demand/internal/synth"
)

func main() {
	n := flag.Int("n", 5000, "number of demands")
	out := flag.String("out", "", "output folder (created)")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "genregistry: --out is required")
		os.Exit(2)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "genregistry:", err)
		os.Exit(1)
	}
	for name, content := range synth.Registry(*seed, *n) {
		if err := os.WriteFile(filepath.Join(*out, name), []byte(content), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "genregistry:", err)
			os.Exit(1)
		}
	}
	// Five-digit IDs: tell the registry.
	cfg := "id: {pattern: '^D-[0-9]{5,}$', prefix: D-, digits: 5}\n"
	if err := os.WriteFile(filepath.Join(*out, "registry.yaml"), []byte(cfg), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "genregistry:", err)
		os.Exit(1)
	}
}
