#!/usr/bin/env bash
# Benchmarks `demand serve` after one demand file is saved, on a synthetic
# registry repository with a long history (default 5,000 demands, 20,000
# commits):
#  1. BenchmarkServeRebuild: the rebuild alone, in memory: load (parse
#     cache), rank, history (kept in memory for an unchanged head), the
#     site planned, and the two pages a reload may ask for made (the
#     edited demand's and the home page);
#  2. end to end: a running `demand serve`, ten saves of one file that add
#     a line to its text, then ten that change its title (its card changes
#     on the boards and its tag and customer pages), each timed from the
#     write to the reload event a browser receives (debounce and file
#     watching included), and to the reloaded page received, for the
#     edited demand's page and for the home page.
# Usage: scripts/bench-serve.sh [DEMANDS] [COMMITS]   (needs git and curl)
set -euo pipefail
demands=${1:-5000}
commits=${2:-20000}
work=$(mktemp -d)
cleanup() {
  [ -n "${serve_pid:-}" ] && kill "$serve_pid" 2>/dev/null
  [ -n "${curl_pid:-}" ] && kill "$curl_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
go build -o "$work/demand" ./cmd/demand
go run ./scripts/genhistory -out "$work/repo" -demands "$demands" -commits "$commits"
DEMAND_BENCH_REPO="$work/repo" go test ./cmd/demand -run '^$' -bench ServeRebuild -benchtime 15x -count 3

cd "$work/repo"
"$work/demand" serve --addr 127.0.0.1:0 >"$work/serve.log" 2>&1 &
serve_pid=$!
until grep -q 'serving' "$work/serve.log"; do sleep 0.2; done
url=$(grep -o 'http://[0-9.:]*/' "$work/serve.log")
f=$(ls demands/*.md | sed -n "$((demands / 2))p")
page="demands/$(basename "$f" | grep -o '^[A-Z]*-[0-9]*').html"
# On each reload event, what a browser showing the demand's page, or the
# home page, asks for.
curl -sN "${url}__demand/events" | while read -r line; do
  case "$line" in data:*)
    date +%s.%N >>"$work/events"
    curl -sf -o /dev/null "${url}${page}" && date +%s.%N >>"$work/pages"
    curl -sf -o /dev/null "${url}index.html" && date +%s.%N >>"$work/homes"
  ;; esac
done &
curl_pid=$!
sleep 1
saves() { # kind edit-command...: ten saves, timed
  : >"$work/saves"
  : >"$work/events"
  : >"$work/pages"
  : >"$work/homes"
  for i in $(seq 1 10); do
    date +%s.%N >>"$work/saves"
    "$@" "$i"
    sleep 2
  done
  for what in events pages homes; do
    paste "$work/saves" "$work/$what" | awk '{ printf "%.0f\n", ($2 - $1) * 1000 }' | sort -n >"$work/ms"
    case $what in
      events) label="reload event" ;;
      pages) label="the demand's page received" ;;
      homes) label="the home page received (after the demand's)" ;;
    esac
    echo "save to $label, 10 saves ($1): min $(head -1 "$work/ms") ms, median $(sed -n 5p "$work/ms") ms, max $(tail -1 "$work/ms") ms"
  done
}
body() { echo "Edit $1." >>"$f"; }
title() { # written aside and renamed over the file, as many editors save
  sed "s/^title: .*/title: Edited title $1/" "$f" >"$work/saved.md"
  mv "$work/saved.md" "$f"
}
saves body
saves title
echo "rebuilds logged by serve: $(grep -o 'in [0-9.]*m\?s$' "$work/serve.log" | tail -20 | tr '\n' ' ')"
