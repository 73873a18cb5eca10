#!/usr/bin/env bash
# Benchmarks what `demand serve` does after one demand file is saved, on a
# synthetic registry repository with a long history (default 5,000
# demands, 20,000 commits): load (parse cache), rank, history (memo, no git
# reads for an unchanged head) and render (page cache), all in memory.
# The reload adds the 80 ms debounce and the browser's own page load.
# Usage: scripts/bench-serve.sh [DEMANDS] [COMMITS]   (needs git)
set -euo pipefail
demands=${1:-5000}
commits=${2:-20000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go run ./scripts/genhistory -out "$work/repo" -demands "$demands" -commits "$commits"
DEMAND_BENCH_REPO="$work/repo" go test ./cmd/demand -run '^$' -bench ServeRebuild -benchtime 15x -count 3
