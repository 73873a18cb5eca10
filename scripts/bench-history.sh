#!/usr/bin/env bash
# Benchmarks a cold `demand history --all` against `git log -p --no-merges
# -- demands` on synthetic registry repositories of several shapes (default
# 5,000 demands, 20,000 commits each), as git fast-import wrote them and
# after `git repack -adf` (what a clone gets), measured side by side in one
# run. Then warm figures on genhistory's repository.
# Usage: scripts/bench-history.sh [DEMANDS] [COMMITS] [SHAPES...]   (needs git, bc)
set -euo pipefail
demands=${1:-5000}
commits=${2:-20000}
shift $(( $# > 2 ? 2 : $# ))
shapes=("$@")
[ ${#shapes[@]} -gt 0 ] || shapes=(genhistory one spread bulk sharded long renames)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/demand" ./cmd/demand
t() { /usr/bin/time -f "%e %M" "$@" 2>&1 >/dev/null | tail -1; }
printf '%-10s %-8s %12s %12s %8s %10s %10s\n' shape packing "git log -p" "demand cold" ratio "git KB" "demand KB"
for s in "${shapes[@]}"; do
  repo="$work/$s"
  if [ "$s" = genhistory ]; then
    go run ./scripts/genhistory -out "$repo" -demands "$demands" -commits "$commits" >/dev/null
  else
    go run ./scripts/genshapes -shape "$s" -out "$repo" -demands "$demands" -commits "$commits"
  fi
  for packing in written repacked; do
    [ "$packing" = repacked ] && git -C "$repo" repack -adfq
    read -r git_s git_kb < <(cd "$repo" && t git log -p --no-merges -- demands)
    read -r cold_s cold_kb < <(cd "$repo" && t "$work/demand" history --all --format json --no-cache)
    printf '%-10s %-8s %10s s %10s s %8s %10s %10s\n' "$s" "$packing" "$git_s" "$cold_s" "$(echo "scale=2; $cold_s / $git_s" | bc)" "$git_kb" "$cold_kb"
  done
done
if [ -d "$work/genhistory" ]; then
  cd "$work/genhistory"
  t "$work/demand" history --all --format json >/dev/null # fill the cache
  f=$(ls demands/D-00001-* | head -1)
  echo "Follow-up." >>"$f"
  git -c user.name=Bench -c user.email=bench@example.com commit -qam "One more commit"
  read -r warm_s warm_kb < <(t "$work/demand" history --all --format json)
  read -r one_s one_kb < <(t "$work/demand" history D-00001 --format json)
  echo "genhistory, warm, one new commit, --all --format json: ${warm_s} s, ${warm_kb} KB"
  echo "genhistory, warm, one demand (D-00001):                ${one_s} s, ${one_kb} KB"
fi
