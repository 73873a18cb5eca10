#!/usr/bin/env bash
# Benchmarks `demand history` on a synthetic registry repository with a
# long history (default 5,000 demands, 20,000 commits), against
# `git log --raw --no-merges -- demands` on the same repository, in one run.
# Usage: scripts/bench-history.sh [DEMANDS] [COMMITS]   (needs git)
set -euo pipefail
demands=${1:-5000}
commits=${2:-20000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/demand" ./cmd/demand
go run ./scripts/genhistory -out "$work/repo" -demands "$demands" -commits "$commits"
cd "$work/repo"
t() { /usr/bin/time -f "%e %M" "$@" 2>&1 >/dev/null | tail -1; }
read -r git_s git_kb < <(t git log --raw --no-merges -- demands)
read -r cold_s cold_kb < <(t "$work/demand" history --all --format json --no-cache)
echo "git log --raw --no-merges -- demands:        ${git_s} s, ${git_kb} KB"
echo "demand history --all (cold, no cache):        ${cold_s} s, ${cold_kb} KB"
echo "ratio cold / git log:                         $(echo "scale=2; $cold_s / $git_s" | bc)"
t "$work/demand" history --all --format json >/dev/null # fill the cache
f=$(ls demands/D-00001-* | head -1)
echo "Follow-up." >>"$f"
git -c user.name=Bench -c user.email=bench@example.com commit -qam "One more commit"
read -r warm_s warm_kb < <(t "$work/demand" history --all --format json)
read -r one_s one_kb < <(t "$work/demand" history D-00001 --format json)
echo "warm, one new commit, --all --format json:   ${warm_s} s, ${warm_kb} KB"
echo "warm, one demand (D-00001):                   ${one_s} s, ${one_kb} KB"
