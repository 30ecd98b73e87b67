#!/usr/bin/env bash
# Benchmark of the code engine on real code written by others: packages installed from npm and
# PyPI, and Go routers and a Rails application (Redmine) from Debian's archive, into a scratch
# folder. Prints lines/s and peak
# memory of a full scan, and — measured in the same run, on the same files, with the same
# parsers — of a parse-and-lower pass (the program model every rule reads) and of a parse-only
# pass, and the ratios full-scan / parse-and-lower (target: at most 2.0) and full-scan /
# parse-only; peak memory under 500 MB.
#
# Usage: bench/code.sh [SCRATCH_FOLDER]   (needs npm and pip with registry access; apt-get for
# the Go and Ruby parts, each skipped with a note when it cannot download)
set -euo pipefail
cd "$(dirname "$0")/.."

scratch="${1:-${TMPDIR:-/tmp}/vibeguard-bench-code}"
corpus="$scratch/corpus"
if [ ! -f "$corpus/.complete" ]; then
  rm -rf "$scratch"
  mkdir -p "$scratch/npm" "$scratch/pip" "$corpus/js" "$corpus/py"
  echo "== installing the corpus into $scratch (once)"
  npm install --prefix "$scratch/npm" --no-audit --no-fund --ignore-scripts --loglevel=error \
    express@4 lodash@4 axios@1 rxjs@7 moment@2 commander@12 yargs@17 >/dev/null
  python3 -m pip install --quiet --disable-pip-version-check --no-deps --target "$scratch/pip" \
    flask==3.0.3 werkzeug==3.0.4 requests==2.32.3 jinja2==3.1.4 click==8.1.7 sqlalchemy==2.0.35
  # Outside node_modules/site-packages so the project walk reads them as a project's own code.
  for package in express lodash axios rxjs moment commander yargs; do
    cp -r "$scratch/npm/node_modules/$package" "$corpus/js/$package"
  done
  for package in flask werkzeug requests jinja2 click sqlalchemy; do
    cp -r "$scratch/pip/$package" "$corpus/py/$package"
  done
  touch "$corpus/.complete"
fi
if [ ! -f "$corpus/.go-complete" ]; then
  # Go web frameworks as Debian packages them (sources under /usr/share/gocode).
  mkdir -p "$scratch/deb" "$corpus/go"
  if (cd "$scratch/deb" && apt-get download golang-github-gin-gonic-gin-dev \
        golang-github-labstack-echo-dev golang-github-go-chi-chi-dev \
        golang-github-gorilla-mux-dev >/dev/null 2>&1); then
    for deb in "$scratch"/deb/*.deb; do dpkg -x "$deb" "$scratch/deb/x"; done
    cp -r "$scratch/deb/x/usr/share/gocode/src/." "$corpus/go/"
    touch "$corpus/.go-complete"
  else
    echo "note: apt-get download failed; measuring without Go"
  fi
fi

if [ ! -f "$corpus/.rb-complete" ]; then
  # A Rails application as Debian packages it: Redmine (its app/, config/, db/ and lib/).
  mkdir -p "$scratch/deb-rb" "$corpus/rb"
  if (cd "$scratch/deb-rb" && apt-get download redmine >/dev/null 2>&1); then
    dpkg -x "$scratch"/deb-rb/redmine_*.deb "$scratch/deb-rb/x"
    for folder in app config db lib; do
      cp -r "$scratch/deb-rb/x/usr/share/redmine/$folder" "$corpus/rb/$folder"
    done
    touch "$corpus/.rb-complete"
  else
    echo "note: apt-get download failed; measuring without Ruby"
  fi
fi

echo "== building (release)"
cargo build --release --quiet -p vibeguard-code --example code_scan
runner=target/release/examples/code_scan

echo "== corpus"
find "$corpus" \( -name '*.js' -o -name '*.ts' -o -name '*.py' -o -name '*.mjs' -o -name '*.cjs' -o -name '*.go' -o -name '*.rb' \) -not -name '*.d.ts' -print0 | xargs -0 cat | wc -l | xargs echo "lines in code files:"

parse=$($runner parse "$corpus" 3)
load=$($runner load "$corpus" 3)
scan=$($runner scan "$corpus" 3)
echo "parse-only:      $parse"
echo "parse-and-lower: $load"
echo "full scan:       $scan"
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
python3 - "$(field "$parse" best_seconds)" "$(field "$load" best_seconds)" "$(field "$scan" best_seconds)" "$(field "$scan" peak_rss_mib)" "$(field "$scan" lines)" <<'PY'
import sys
parse, load, scan, rss, lines = map(float, sys.argv[1:6])
print(f"lines analysed: {lines:.0f} (target at least 100000)")
print(f"ratio full-scan / parse-and-lower: {scan / load:.2f} (target at most 2.0)")
print(f"ratio full-scan / parse-only: {scan / parse:.2f}")
print(f"full-scan peak memory: {rss:.1f} MiB (target under 500 MB)")
PY
