#!/usr/bin/env bash
# Validates a generated registry of N demands (default 5,000) with the CLI
# and prints wall time and peak memory. Target: under 1 s and 300 MB.
set -euo pipefail
n=${1:-5000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/demand" ./cmd/demand
go run ./scripts/genregistry -n "$n" -out "$work/reg"
# Exit status 1 (findings: the generated registry breaks the WIP limit and
# holds planted near-duplicates) is expected; 2 is a failure.
for i in 1 2 3; do
  status=0
  /usr/bin/time -f "validate $n demands (schema, links, ranking, policy, duplicates): %e s wall, %M KB peak RSS" \
    "$work/demand" validate --dir "$work/reg" >/dev/null 2>"$work/err" || status=$?
  if [ "$status" -gt 1 ]; then cat "$work/err"; exit 1; fi
  tail -1 "$work/err"
done
