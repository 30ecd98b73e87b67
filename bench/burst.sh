#!/usr/bin/env bash
# Benchmark of the load bursts (not a test): can the executor reach the rate the rate-limit
# check (VG431) plans? The built-in demo API (an in-process axum server on 127.0.0.1, no rate
# limit on its task list) is sent the check alone, at 200 requests a second (standard) and at
# 1,000 (`--load`), 3 runs each; the rate reached is read from the finding's evidence and
# printed as a ratio of the rate planned, measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --locked -q -p vibeguard-cli
bin=./target/release/vibeguard
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

reached() { # reached JSON -> "sent reached planned p50 p99" of the first VG431 finding
  python3 - "$1" <<'PY'
import json, re, sys
report = json.load(open(sys.argv[1]))
for finding in report["findings"]:
    if finding["code"] != "VG431":
        continue
    for evidence in finding["evidence"]:
        text = evidence.get("text", "")
        m = re.search(r"(\d+) requests in [\d.]+ s \((\d+)/s reached of (\d+)/s planned.*p50 ([\d.]+) ms / p99 ([\d.]+) ms", text)
        if m:
            print(*m.groups())
            sys.exit(0)
print("no VG431 finding", file=sys.stderr)
sys.exit(1)
PY
}

printf '%-9s %-4s %8s %10s %9s %8s %8s %6s\n' profile run sent reached_s planned_s p50_ms p99_ms ratio
for mode in standard load; do
  for i in 1 2 3; do
    args=(demo -q --checks VG431 --format "json=$tmp/$mode$i.json")
    [ "$mode" = load ] && args+=(--load)
    set +e
    "$bin" "${args[@]}" > /dev/null 2>&1
    status=$?
    set -e
    [ "$status" -le 1 ] || { echo "vibeguard ${args[*]} exited $status" >&2; exit 1; }
    read -r sent rate planned p50 p99 < <(reached "$tmp/$mode$i.json")
    printf '%-9s %-4s %8s %10s %9s %8s %8s %6s\n' "$mode" "$i" "$sent" "$rate" "$planned" "$p50" "$p99" \
      "$(echo "scale=2; $rate / $planned" | bc)"
  done
done
