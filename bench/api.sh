#!/usr/bin/env bash
# Benchmarks of the API engine (not tests): the executor's request rate next to a plain hyper
# client loop in the same run, and the wall time of the full demo audit. Prints the figures.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --locked -q -p vibeguard-cli -p vibeguard-api --examples --bins

echo "== executor throughput (rate limiting off, concurrency 8, trivial local endpoint)"
./target/release/examples/executor_throughput

echo "== full demo audit (hygiene + API engine against the live demo API), 5 runs"
times=()
for _ in 1 2 3 4 5; do
  start=$(date +%s.%N)
  set +e
  ./target/release/vibeguard demo -q > /dev/null 2>&1
  status=$?
  set -e
  end=$(date +%s.%N)
  [ "$status" -eq 1 ] || { echo "vibeguard demo exited $status, expected 1" >&2; exit 1; }
  times+=("$(echo "$end - $start" | bc)")
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
echo "runs (s): $(echo $sorted | tr '\n' ' ')"
echo "median: $(echo "$sorted" | sed -n 3p) s (target < 10 s)"
