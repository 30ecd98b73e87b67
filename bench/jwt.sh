#!/usr/bin/env bash
# Benchmark of the offline HMAC secret search (VG411, VG412): candidates per second of
# vibeguard's search on every core, next to Python's hmac module on one core, measured in the
# same run, and the ratio. The standard profile's 5 s budget covers the wordlist, digits up to 7
# and lowercase letters up to 5 (~45 million keys) when the rate is 9 million per second or more.
#
# Usage: bench/jwt.sh [SECONDS]   (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-5}"

cargo build --release --locked -q -p vibeguard-api --example jwt_keyspace

echo "== vibeguard: wordlist, then digits and lowercase keys, ${seconds} s budget, every core"
line=$(./target/release/examples/jwt_keyspace "$seconds")
echo "$line"
ours=$(echo "$line" | sed -E 's/.*: ([0-9.]+) million per second.*/\1/')

echo "== reference: Python hmac/sha256 over digit keys, one core, 2 s"
reference=$(python3 - <<'PY'
import hmac, hashlib, time
message = b"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MiIsInJvbGUiOiJ1c2VyIiwiaWF0IjoxNzAwMDAwMDAwfQ"
target = b"\0" * 32
start = time.perf_counter()
tried = 0
while time.perf_counter() - start < 2.0:
    for key in range(tried, tried + 10000):
        if hmac.digest(str(key).encode(), message, hashlib.sha256) == target:
            raise SystemExit("impossible")
    tried += 10000
print(f"{tried / (time.perf_counter() - start) / 1e6:.3f}")
PY
)
echo "python: ${reference} million per second"
echo "ratio vibeguard / python-one-core: $(echo "scale=1; $ours / $reference" | bc)"
