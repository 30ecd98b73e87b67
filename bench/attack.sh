#!/usr/bin/env bash
# Benchmark of the attack simulation (not a test): the standard profile against the vulnerable
# demo API — wall time of the whole API engine (median of 3), then the requests each check
# sends, measured by running the demo with that check alone and counting the HAR entries minus
# the run's own set-up (description, logins, test objects and their clean-up, measured by a run
# with the passive cookie check alone). Prints the figures.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --locked -q -p vibeguard-cli
bin=./target/release/vibeguard
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

run() { # run NAME ARGS... -> wall seconds on stdout, HAR in $tmp/NAME.har
  local name=$1; shift
  local start end status
  start=$(date +%s.%N)
  set +e
  "$bin" demo -q --profile standard --har "$tmp/$name.har" "$@" > /dev/null 2>&1
  status=$?
  set -e
  end=$(date +%s.%N)
  [ "$status" -le 1 ] || { echo "vibeguard demo $* exited $status" >&2; exit 1; }
  echo "$end - $start" | bc
}
entries() { python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['log']['entries']))" "$1"; }

echo "== standard profile, every check, vulnerable demo (3 runs)"
walls=()
for i in 1 2 3; do walls+=("$(run "all$i")"); done
sorted=$(printf '%s\n' "${walls[@]}" | sort -n)
echo "wall (s): $(echo $sorted | tr '\n' ' ')  median $(echo "$sorted" | sed -n 2p)"
echo "requests: $(entries "$tmp/all1.har")"

run setup --checks VG408 > /dev/null
setup=$(entries "$tmp/setup.har")
echo
echo "== requests per check (set-up of $setup requests subtracted), wall time of that run"
printf '%-7s %-30s %9s %8s\n' code name requests wall_s
"$bin" rules --format json 2>/dev/null | python3 -c "
import json,sys
for rule in json.load(sys.stdin):
    if rule.get('engine') == 'api':
        print(rule['code'], rule['name'])
" | while read -r code name; do
  wall=$(run "$code" --checks "$code")
  total=$(entries "$tmp/$code.har")
  printf '%-7s %-30s %9d %8.2f\n' "$code" "$name" $((total - setup)) "$wall"
done
