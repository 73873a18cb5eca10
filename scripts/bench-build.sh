#!/usr/bin/env bash
# Benchmarks `demand build` on a synthetic registry repository with a long
# history (default 5,000 demands, 20,000 commits) against Hugo building
# the same Markdown files with enableGitInfo, in one run.
# Then, with SHAPES (or MATRIX=1 for all of them), the same comparison on
# every repository shape of scripts/genshapes (one, spread, bulk, sharded,
# long, renames), as written by git fast-import and after git repack -adf:
# time and peak memory of each, and their ratios.
# Usage: scripts/bench-build.sh [DEMANDS] [COMMITS] [SHAPE...]
# Needs git, and hugo on PATH (or HUGO=/path/to/hugo); install it with
#   go install github.com/gohugoio/hugo@v0.152.2
set -euo pipefail
demands=${1:-5000}
commits=${2:-20000}
shift $(( $# > 2 ? 2 : $# ))
shapes=("$@")
[ ${#shapes[@]} -gt 0 ] || [ -z "${MATRIX:-}" ] || shapes=(one spread bulk sharded long renames)
hugo=${HUGO:-hugo}
command -v "$hugo" >/dev/null || { echo "hugo not found: set HUGO or install it (see the header)"; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/demand" ./cmd/demand
go build -o "$work/genshapes" ./scripts/genshapes
go run ./scripts/genhistory -out "$work/repo" -demands "$demands" -commits "$commits"
# hugo_project DIR makes a minimal Hugo project at DIR inside a
# repository whose registry folder is demands/.
hugo_project() {
  mkdir -p "$1/layouts/_default"
  cat >"$1/hugo.toml" <<TOML
baseURL = "https://example.org/"
title = "Demands"
contentDir = "../demands"
enableGitInfo = true
disableKinds = ["taxonomy", "term", "RSS", "sitemap"]
TOML
  cat >"$1/layouts/_default/single.html" <<'HTML'
<!DOCTYPE html><html><head><title>{{ .Title }}</title></head><body><h1>{{ .Title }}</h1>{{ .Content }}
{{ with .GitInfo }}<p>{{ .AuthorName }} {{ .AuthorDate }} {{ .Subject }}</p>{{ end }}</body></html>
HTML
  cat >"$1/layouts/_default/list.html" <<'HTML'
<!DOCTYPE html><html><head><title>{{ .Title }}</title></head><body><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></body></html>
HTML
}
cd "$work/repo"
# A minimal Hugo project inside the repository (Hugo reads git info only
# when its project is in the repository), reading the registry folder as its
# content, with layouts that show what our pages show of git: the last
# author and date.
hugo_dir="$work/repo/hugo-site"
hugo_project "$hugo_dir"
# The same project with Hugo's tag pages on, as Hugo makes them by default:
# then Hugo, like demand build, makes a page per demand and per tag.
tags_dir="$work/repo/hugo-tags"
cp -r "$hugo_dir" "$tags_dir"
cat >"$tags_dir/hugo.toml" <<TOML
baseURL = "https://example.org/"
title = "Demands"
contentDir = "../demands"
enableGitInfo = true
disableKinds = ["RSS", "sitemap"]
[taxonomies]
tag = "tags"
TOML
# The same project in Hugo's default configuration (enableGitInfo added):
# tag and category pages, an RSS feed for every list page and a sitemap.
default_dir="$work/repo/hugo-default"
mkdir -p "$default_dir"
cp -r "$hugo_dir/layouts" "$default_dir/"
cat >"$default_dir/hugo.toml" <<TOML
baseURL = "https://example.org/"
title = "Demands"
contentDir = "../demands"
enableGitInfo = true
TOML
t() { /usr/bin/time -f "%e %M" "$@" 2>&1 >/dev/null | tail -1; }
# Hugo and the cold build take turns, three rounds, so that both see the
# same machine; each prints every round and the median.
hugo_runs=() tags_runs=() default_runs=() cold_runs=()
for round in 1 2 3; do
  # Last round's output is moved aside, not deleted: on some file systems
  # (ext4 without a journal), creating thousands of files just after
  # deleting thousands was slow and erratic, whichever tool came next.
  mkdir "$work/old-$round"
  for d in hugo-out hugo-tags-out hugo-default-out site; do
    [ ! -e "$work/$d" ] || mv "$work/$d" "$work/old-$round/"
  done
  read -r hugo_s hugo_kb < <(t "$hugo" --quiet -s "$hugo_dir" -d "$work/hugo-out")
  read -r tags_s tags_kb < <(t "$hugo" --quiet -s "$tags_dir" -d "$work/hugo-tags-out")
  read -r default_s default_kb < <(t "$hugo" --quiet -s "$default_dir" -d "$work/hugo-default-out")
  read -r cold_s cold_kb < <(t "$work/demand" build --no-cache --out "$work/site")
  hugo_runs+=("$hugo_s") tags_runs+=("$tags_s") default_runs+=("$default_s") cold_runs+=("$cold_s")
done
median() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
hugo_s=$(median "${hugo_runs[@]}") tags_s=$(median "${tags_runs[@]}") default_s=$(median "${default_runs[@]}") cold_s=$(median "${cold_runs[@]}")
grep -q 'Dev ' "$(find "$work/hugo-out" -name index.html -path '*d-00001*' | head -1)" || echo "warning: Hugo shows no git info"
t "$work/demand" history --all --format json >/dev/null # fill the history cache
read -r warm_s warm_kb < <(t "$work/demand" build --out "$work/site")
echo "x" >>"$(ls demands/D-00001-* | head -1)"
read -r edit_s edit_kb < <(t "$work/demand" build --out "$work/site")
echo "hugo --enableGitInfo ($(find "$work/hugo-out" -name '*.html' | wc -l) pages):   ${hugo_s} s median of ${hugo_runs[*]}, ${hugo_kb} KB"
echo "hugo, tag pages on ($(find "$work/hugo-tags-out" -name '*.html' | wc -l) pages):   ${tags_s} s median of ${tags_runs[*]}, ${tags_kb} KB"
echo "hugo, default configuration ($(find "$work/hugo-default-out" -type f | wc -l) files):   ${default_s} s median of ${default_runs[*]}, ${default_kb} KB"
echo "demand build, cold (no history cache):   ${cold_s} s median of ${cold_runs[*]}, ${cold_kb} KB ($(find "$work/site" -name '*.html' | wc -l) pages)"
echo "demand build, warm (cache, no change):   ${warm_s} s, ${warm_kb} KB (up-to-date check)"
echo "demand build, warm (cache, one edit):    ${edit_s} s, ${edit_kb} KB (full render)"
echo "cold / hugo: $(echo "scale=2; $cold_s / $hugo_s" | bc)   cold / hugo with tag pages: $(echo "scale=2; $cold_s / $tags_s" | bc)   cold / hugo default: $(echo "scale=2; $cold_s / $default_s" | bc)   warm / hugo: $(echo "scale=2; $warm_s / $hugo_s" | bc)"
# The shape matrix: one round each, Hugo then the cold build.
if [ ${#shapes[@]} -gt 0 ]; then
  echo
  printf '%-8s %-8s %10s %12s %10s %10s %12s %9s\n' shape packing "hugo s" "demand s" "time x" "hugo KB" "demand KB" "memory x"
  for s in "${shapes[@]}"; do
    repo="$work/shape-$s"
    "$work/genshapes" -shape "$s" -out "$repo" -demands "$demands" -commits "$commits" >/dev/null
    hugo_project "$repo/hugo-site"
    for packing in written repacked; do
      [ "$packing" = repacked ] && git -C "$repo" repack -adfq
      rm -rf "$work/m-hugo" "$work/m-site"
      read -r h_s h_kb < <(cd "$repo" && t "$hugo" --quiet -s "$repo/hugo-site" -d "$work/m-hugo")
      read -r d_s d_kb < <(cd "$repo" && t "$work/demand" build --no-cache --out "$work/m-site")
      printf '%-8s %-8s %10s %12s %10s %10s %12s %9s\n' "$s" "$packing" "$h_s" "$d_s" "$(echo "scale=2; $d_s / $h_s" | bc)" "$h_kb" "$d_kb" "$(echo "scale=2; $d_kb / $h_kb" | bc)"
    done
  done
fi
