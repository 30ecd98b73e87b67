#!/usr/bin/env bash
# Benchmark of the scenario engine (not a test): 500 scenario steps against the demo API next
# to the same 500 requests through the executor alone, in the same run; prints both medians
# and their ratio (goal: the engine within 1.2x of the executor).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --locked -q -p vibeguard-scenarios --examples

echo "== scenario overhead: 50 scenarios x 10 steps vs the executor alone, median of 5 rounds"
./target/release/examples/scenario_overhead
