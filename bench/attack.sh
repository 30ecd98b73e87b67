#!/usr/bin/env bash
# Benchmark of the attack simulation (not a test): the standard profile against the vulnerable
# demo API — wall time of the whole API engine (median of 3), then the requests each check
# sends, measured by running the demo with that check alone and counting the HAR entries minus
# the run's own set-up (description, logins, test objects and their clean-up, measured by a run
# with the passive cookie check alone); then each testbed app. Prints the figures.
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

# The testbed apps (testbed/README.md): each app's standard audit, requests and wall time
# (median of 3 runs against a fresh server each), and the audit's peak memory. Needs a Python
# with testbed/requirements.txt (VIBEGUARD_TESTBED_PYTHON) and, for the Express app, Node.js
# with its `npm ci` done (VIBEGUARD_TESTBED_NODE, or `node`), as in .ci/run. Targets: under
# 20 s, 3,000 requests and 150 MB per app. Where the time goes: the CPU seconds the app's
# server spent (from /proc, Linux) and vibeguard's own, of the median run — an app that hashes
# a password for every login and sign-up spends more of the wall time than the audit does.
python="${VIBEGUARD_TESTBED_PYTHON:-}"
if [ -z "$python" ]; then
  echo
  echo "== testbed skipped: set VIBEGUARD_TESTBED_PYTHON to a Python with testbed/requirements.txt"
  exit 0
fi
echo
echo "== testbed apps, standard profile (3 runs each)"
printf '%-16s %-10s %9s %8s %8s %12s %8s\n' app twin requests wall_s peak_mb server_cpu_s vg_cpu_s
# VIBEGUARD_BENCH_APPS="flask_journal fastapi_venues" measures only those.
for app in ${VIBEGUARD_BENCH_APPS:-$(cd testbed && ls -d */)}; do
  app=$(basename "$app")
  for twin in vulnerable hardened; do
    walls=()
    rss=()
    server_cpu=()
    own_cpu=()
    for i in 1 2 3; do
      port=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
      flag=()
      [ "$twin" = hardened ] && flag=(--hardened)
      if [ -f "testbed/$app/app.js" ] || [ -f "testbed/$app/server.js" ]; then
        entry="testbed/$app/app.js"
        [ -f "$entry" ] || entry="testbed/$app/server.js"
        "${VIBEGUARD_TESTBED_NODE:-node}" "$entry" --port "$port" "${flag[@]}" > /dev/null 2>&1 &
      else
        "$python" "testbed/$app/app.py" --port "$port" "${flag[@]}" > /dev/null 2>&1 &
      fi
      server=$!
      for _ in $(seq 1 100); do
        python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2> /dev/null && break
        sleep 0.1
      done
      cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$1/stat" 2> /dev/null || echo 0; }
      server_before=$(cpu_of "$server")
      start=$(date +%s.%N)
      set +e
      # Peak memory (maximum resident set, KiB) by Python's resource module: no GNU time needed.
      (cd "testbed/$app" && python3 -c "
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(usage.ru_maxrss, round(usage.ru_utime + usage.ru_stime, 2))" \
        "../../$bin" audit . -q --target "http://127.0.0.1:$port" \
        --format "json=$tmp/$app-$twin.json" > "$tmp/rss-$i")
      set -e
      end=$(date +%s.%N)
      server_after=$(cpu_of "$server")
      kill "$server" 2> /dev/null || true
      wait "$server" 2> /dev/null || true
      walls+=("$(echo "$end - $start" | bc)")
      read -r peak_kib cpu_s < "$tmp/rss-$i"
      rss+=("$peak_kib")
      server_cpu+=("$(echo "$server_after - $server_before" | bc)")
      own_cpu+=("$cpu_s")
    done
    median=$(printf '%s\n' "${walls[@]}" | sort -n | sed -n 2p)
    # The CPU figures of the run whose wall time is the median.
    middle=0
    for k in 0 1 2; do [ "${walls[$k]}" = "$median" ] && middle=$k; done
    peak=$(printf '%s\n' "${rss[@]}" | sort -n | tail -1)
    requests=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(next(e['coverage']['requests'] for e in r['engines'] if e['engine']=='api'))" "$tmp/$app-$twin.json")
    printf '%-16s %-10s %9d %8.2f %8d %12.2f %8.2f\n' "$app" "$twin" "$requests" "$median" $((peak / 1024)) \
      "${server_cpu[$middle]}" "${own_cpu[$middle]}"
  done
done
