#!/usr/bin/env bash
# Validates a generated registry of N demands (default 5,000) with the CLI
# and prints wall time and peak memory. Target: under 1 s and 300 MB.
set -euo pipefail
n=${1:-5000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/demand" ./cmd/demand
go run ./scripts/genregistry -n "$n" -out "$work/reg"
for i in 1 2 3; do
  /usr/bin/time -f "validate $n demands: %e s wall, %M KB peak RSS" "$work/demand" validate --dir "$work/reg" >/dev/null 2>"$work/err" || { cat "$work/err"; exit 1; }
  tail -1 "$work/err"
done
