#!/usr/bin/env bash
# Benchmark of the code engine on real code written by others: packages installed from npm and
# PyPI into a scratch folder. Prints lines/s and peak memory of a full scan, and — measured in
# the same run, on the same files, with the same parsers — of a parse-only pass, and the ratio
# full-scan / parse-only (target: at most 2.0; peak memory under 500 MB).
#
# Usage: bench/code.sh [SCRATCH_FOLDER]   (needs npm and pip with registry access)
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

echo "== building (release)"
cargo build --release --quiet -p vibeguard-code --example code_scan
runner=target/release/examples/code_scan

echo "== corpus"
find "$corpus" \( -name '*.js' -o -name '*.ts' -o -name '*.py' -o -name '*.mjs' -o -name '*.cjs' \) -not -name '*.d.ts' | xargs cat | wc -l | xargs echo "lines in code files:"

parse=$($runner parse "$corpus" 3)
scan=$($runner scan "$corpus" 3)
echo "parse-only: $parse"
echo "full scan:  $scan"
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
python3 - "$(field "$parse" best_seconds)" "$(field "$scan" best_seconds)" "$(field "$scan" peak_rss_mib)" "$(field "$scan" lines)" <<'PY'
import sys
parse, scan, rss, lines = map(float, sys.argv[1:5])
ratio = scan / parse
print(f"lines analysed: {lines:.0f} (target at least 100000)")
print(f"ratio full-scan / parse-only: {ratio:.2f} (target at most 2.0)")
print(f"full-scan peak memory: {rss:.1f} MiB (target under 500 MB)")
PY
