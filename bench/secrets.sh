#!/usr/bin/env bash
# Benchmark of the secrets engine on real source written by others: packages installed from
# npm and PyPI into a scratch folder, at least 200 MB. Prints the engine's MB/s and peak memory,
# and — measured in the same run, on the same files — a plain keyword search with `grep -E`
# (and ripgrep when installed) over the same keywords as the engine's prefilter, with the ratio
# engine / keyword search (target: at most 3.0; peak memory under 300 MB).
#
# Usage: bench/secrets.sh [SCRATCH_FOLDER]   (needs npm and pip with registry access)
set -euo pipefail
cd "$(dirname "$0")/.."

scratch="${1:-${TMPDIR:-/tmp}/vibeguard-bench-secrets}"
corpus="$scratch/corpus"
if [ ! -f "$corpus/.complete" ]; then
  rm -rf "$scratch"
  mkdir -p "$scratch/npm" "$scratch/pip" "$corpus"
  echo "== installing the corpus into $scratch (once)"
  npm install --prefix "$scratch/npm" --no-audit --no-fund --ignore-scripts --loglevel=error \
    typescript@5 aws-sdk@2 date-fns@3 three@0.160 rxjs@7 lodash@4 moment@2 express@4 axios@1 \
    @babel/core@7 webpack@5 >/dev/null
  python3 -m pip install --quiet --disable-pip-version-check --no-deps --target "$scratch/pip" \
    botocore==1.35.36 django==5.1.2 sqlalchemy==2.0.35 requests==2.32.3 flask==3.0.3
  # Outside node_modules/site-packages so the project walk reads them as a project's own files.
  cp -r "$scratch/npm/node_modules" "$corpus/js"
  cp -r "$scratch/pip" "$corpus/py"
  # Nested node_modules folders would be skipped by the walk; flatten their names.
  find "$corpus" -depth -type d -name node_modules -execdir mv {} vendored_modules \; 2>/dev/null || true
  touch "$corpus/.complete"
fi
size_mb=$(du -sm "$corpus" | cut -f1)
echo "== corpus: $size_mb MB in $(find "$corpus" -type f | wc -l) files"

echo "== building (release)"
cargo build --release --quiet -p vibeguard-secrets --example secrets_bench
runner=target/release/examples/secrets_bench

keywords="$scratch/keywords.txt"
$runner keywords > "$keywords"
# The same keywords as one extended regex (metacharacters escaped), for grep -E.
pattern=$(python3 - "$keywords" <<'PY'
import re, sys
words = [w.strip() for w in open(sys.argv[1]) if w.strip()]
print("|".join(re.escape(w).replace("\\-", "-").replace("\\ ", " ").replace('\\"', '"') for w in words))
PY
)

best_of() {  # best wall time of 3 runs of a command, in seconds
  python3 - "$@" <<'PY'
import subprocess, sys, time
best = None
for _ in range(3):
    started = time.perf_counter()
    subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - started
    best = elapsed if best is None else min(best, elapsed)
print(f"{best:.3f}")
PY
}

scan=$($runner scan "$corpus" 3)
echo "engine:     $scan"
grep_seconds=$(best_of grep -r -E -i -c -I -e "$pattern" "$corpus")
echo "grep -E:    best_seconds=$grep_seconds"
rg_seconds=""
if command -v rg >/dev/null; then
  rg_seconds=$(best_of rg -c -i -uu -e "$pattern" "$corpus")
  echo "ripgrep:    best_seconds=$rg_seconds"
fi
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
python3 - "$(field "$scan" best_seconds)" "$(field "$scan" bytes)" "$(field "$scan" peak_rss_mib)" "$grep_seconds" "$rg_seconds" <<'PY'
import sys
engine, size, rss, grep = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
mb = size / 1e6
print(f"tree: {mb:.0f} MB (target at least 200 MB)")
print(f"engine: {mb / engine:.1f} MB/s; grep -E: {mb / grep:.1f} MB/s")
print(f"ratio engine / grep -E: {engine / grep:.2f} (target at most 3.0)")
if sys.argv[5]:
    rg = float(sys.argv[5])
    print(f"ripgrep: {mb / rg:.1f} MB/s; ratio engine / ripgrep: {engine / rg:.2f}")
print(f"engine peak memory: {rss:.1f} MiB (target under 300 MB)")
PY
