#!/usr/bin/env bash
# Benchmark of the run history (not a test): two runs of 10,000 findings each recorded into a
# fresh SQLite history, then the library's own timings (record, list, load, diff) and the
# command line's — `vibeguard history` and `vibeguard diff` on that file, wall time (median of 5)
# and peak memory — with the diff's ratio to listing the same history, measured in the same
# run; with VIBEGUARD_BENCH_POSTGRES=postgres://… the library's figures on PostgreSQL too.
# Goal (issue 17): the diff of two 10k-finding runs under 200 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
findings="${1:-10000}"

cargo build --release --locked -q -p vibeguard-cli
cargo build --release --locked -q -p vibeguard-history --example history_bench
bin=./target/release/vibeguard
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
project=$(cd "$tmp" && pwd -P)

echo "== library (one process, $findings findings a run)"
./target/release/examples/history_bench "$tmp/history.db" "$project" "$findings"

measure() { # measure ARGS... -> "median_ms peak_mb" of 5 runs
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
walls = []
for _ in range(5):
    start = time.perf_counter()
    done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    # `diff` exits 1 when new findings gate; anything else is a failure of the bench.
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(sys.argv[1:])} exited {done.returncode}: {done.stderr.decode()}")
    walls.append((time.perf_counter() - start) * 1000)
walls.sort()
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(f"{walls[2]:.1f} {peak:.0f}")
PY
}

# The PostgreSQL store, when a server is given: a database the bench may fill and empty.
if [ -n "${VIBEGUARD_BENCH_POSTGRES:-}" ]; then
  echo
  echo "== library on PostgreSQL ($findings findings a run; the runs stay in that database)"
  ./target/release/examples/history_bench "$VIBEGUARD_BENCH_POSTGRES" "$project" "$findings"
fi

echo
echo "== command line (median of 5, peak memory)"
read -r list_ms list_mb < <(measure "$bin" history --history "$tmp/history.db" --project "$project" -f json)
read -r diff_ms diff_mb < <(measure "$bin" diff --history "$tmp/history.db" --project "$project" -f json)
read -r md_ms md_mb < <(measure "$bin" diff prod staging --history "$tmp/history.db" --project "$project" -f markdown)
printf '%-34s %9s %8s\n' command wall_ms peak_mb
printf '%-34s %9s %8s\n' "vibeguard history -f json" "$list_ms" "$list_mb"
printf '%-34s %9s %8s\n' "vibeguard diff -f json" "$diff_ms" "$diff_mb"
printf '%-34s %9s %8s\n' "vibeguard diff prod staging -f md" "$md_ms" "$md_mb"
echo "diff / list: $(echo "scale=2; $diff_ms / $list_ms" | bc)"
if [ -n "${VIBEGUARD_BENCH_POSTGRES:-}" ]; then
  read -r pg_list_ms pg_list_mb < <(measure "$bin" history --history "$VIBEGUARD_BENCH_POSTGRES" --project "$project" -f json)
  read -r pg_diff_ms pg_diff_mb < <(measure "$bin" diff --history "$VIBEGUARD_BENCH_POSTGRES" --project "$project" -f json)
  printf '%-34s %9s %8s\n' "vibeguard history (PostgreSQL)" "$pg_list_ms" "$pg_list_mb"
  printf '%-34s %9s %8s\n' "vibeguard diff (PostgreSQL)" "$pg_diff_ms" "$pg_diff_mb"
fi
