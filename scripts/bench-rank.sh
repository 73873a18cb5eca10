#!/usr/bin/env bash
# Ranks a generated registry of N demands (default 100,000) with the CLI,
# end to end (reading and parsing every file, ranking, duplicate
# detection), and prints wall time and peak memory. The ranking itself is
# measured by: go test ./registry/rank -run - -bench Rank100k
set -euo pipefail
n=${1:-100000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/demand" ./cmd/demand
go run ./scripts/genregistry -n "$n" -out "$work/reg"
/usr/bin/time -f "rank $n demands (load + rank): %e s wall, %M KB peak RSS" "$work/demand" rank --dir "$work/reg" --format csv >/dev/null
/usr/bin/time -f "dups $n demands (load + dups): %e s wall, %M KB peak RSS" "$work/demand" dups --dir "$work/reg" >"$work/pairs"
echo "pairs found: $(wc -l <"$work/pairs")"
/usr/bin/time -f "validate $n demands (load, rules, rank, policy, dups): %e s wall, %M KB peak RSS" "$work/demand" validate --dir "$work/reg" >/dev/null 2>&1 || true
