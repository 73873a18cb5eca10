#!/usr/bin/env bash
# Ranks a generated registry of N demands (default 100,000) with the CLI,
# end to end (reading and parsing every file, ranking, duplicate
# detection), and prints wall time and peak memory, three runs of each
# after one unmeasured run (the first read of files just written is
# slower). The ranking itself is measured by:
# go test ./registry/rank -run - -bench Rank100k
set -euo pipefail
n=${1:-100000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/demand" ./cmd/demand
go run ./scripts/genregistry -n "$n" -out "$work/reg"
"$work/demand" rank --dir "$work/reg" --format csv >/dev/null
measure() { # label, then the command's arguments
	local label=$1
	shift
	for _ in 1 2 3; do
		/usr/bin/time -o "$work/time" -f "$label: %e s wall, %U s user, %S s system, %M KB peak RSS" "$work/demand" "$@" >"$work/out" 2>/dev/null || true
		cat "$work/time"
	done
}
measure "rank $n demands (load + rank)" rank --dir "$work/reg" --format csv
measure "dups $n demands (load + dups)" dups --dir "$work/reg"
echo "pairs found: $(wc -l <"$work/out")"
measure "validate $n demands (load, rules, rank, policy, dups)" validate --dir "$work/reg"
