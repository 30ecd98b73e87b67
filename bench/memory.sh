#!/usr/bin/env bash
# Peak memory (maximum resident set) of each command a user runs, on the demo: the whole demo
# (its API server runs in the same process), a plain `audit` of the demo's project without a
# target, each project engine alone, and the listing commands. Targets (issue 19): the demo and
# a plain audit under 150 MB. Peak memory is read with Python's resource module, so no GNU time
# is needed; wall time is printed beside it.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --locked -q -p vibeguard-cli
bin="$PWD/target/release/vibeguard"
cache=$(mktemp -d)
trap 'rm -rf "$cache" "${project:-}"' EXIT
export VIBEGUARD_CACHE_DIR="$cache"

peak() { # LABEL COMMAND... -> "label  peak_mb  wall_s"
  local label=$1; shift
  python3 - "$label" "$@" <<'PY'
import resource, subprocess, sys, time
label, command = sys.argv[1], sys.argv[2:]
start = time.monotonic()
subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wall = time.monotonic() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{label:<34} {usage.ru_maxrss / 1024:8.1f} {wall:8.2f}")
PY
}

# The demo's project, kept on disk for the per-engine runs.
project=$({ "$bin" demo -q --keep 2>&1 >/dev/null || true; } | sed -n 's/.*kept in \(.*\)$/\1/p')
[ -d "$project" ] || { echo "the demo project was not kept" >&2; exit 1; }

printf '%-34s %8s %8s\n' command peak_mb wall_s
peak "vibeguard --version" "$bin" --version
peak "vibeguard rules" "$bin" rules
peak "vibeguard secrets --list" "$bin" secrets --list
peak "vibeguard demo (target 150)" "$bin" demo -q
peak "vibeguard audit <demo project> (150)" "$bin" audit "$project" -q --no-history --offline
peak "vibeguard code <demo project>" "$bin" code "$project" -q --no-history
peak "vibeguard deps <demo project>" "$bin" deps "$project" -q --no-history --offline
peak "vibeguard secrets <demo project>" "$bin" secrets "$project" -q --no-history
