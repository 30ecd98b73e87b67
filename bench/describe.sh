#!/usr/bin/env bash
# Benchmark of `vibeguard describe`: deriving the operations of a 100k-line project and writing
# them as OpenAPI, next to — in the same run, on the same tree — the code engine's own route
# inventory (`vibeguard routes --format json`), which describe starts from. Prints both medians,
# the time describe adds, and the ratio (target: under 1 s added).
#
# The tree: the code engine's benchmark corpus (express, lodash, axios, rxjs, moment, flask,
# werkzeug, requests, sqlalchemy … installed from npm and PyPI by bench/code.sh) plus a generated
# Express app of 100 router files with 20 routes each, mounted under prefixes, behind an imported
# session check — so that derivation has 2,000 operations to build.
#
# (The corpus is copied to `packages/`: a `vendor/` folder is skipped by the project walk.)
#
# Usage: bench/describe.sh [SCRATCH_FOLDER]
set -euo pipefail
cd "$(dirname "$0")/.."

scratch="${1:-${TMPDIR:-/tmp}/vibeguard-bench-code}"
if [ ! -f "$scratch/corpus/.complete" ]; then
  echo "== the corpus is installed by bench/code.sh first"
  bench/code.sh "$scratch" > /dev/null
fi
tree="$scratch/describe-tree"
rm -rf "$tree"
mkdir -p "$tree/routes"
cp -r "$scratch/corpus" "$tree/packages"
{
  echo "const express = require('express');"
  echo "const { requireUser } = require('./session');"
  echo "const app = express();"
  echo "app.use(express.json());"
  for i in $(seq 1 100); do
    echo "app.use('/api/r$i', requireUser, require('./routes/r$i'));"
  done
  echo "app.listen(3000);"
} > "$tree/server.js"
cat > "$tree/session.js" <<'JS'
function requireUser(req, res, next) {
  if (!req.headers.authorization) return res.status(401).json({ error: 'log in' });
  next();
}
module.exports = { requireUser };
JS
for i in $(seq 1 100); do
  {
    echo "const router = require('express').Router();"
    for j in $(seq 1 10); do
      echo "router.get('/items$j/:id', (req, res) => { const { page, q } = req.query; res.json({ id: req.params.id, page, q }); });"
      echo "router.post('/items$j', (req, res) => { const { title, amount, note } = req.body; res.status(201).json({ title, amount, note }); });"
    done
    echo "module.exports = router;"
  } > "$tree/routes/r$i.js"
done
find "$tree" \( -name '*.js' -o -name '*.ts' -o -name '*.py' -o -name '*.mjs' -o -name '*.cjs' \) -not -name '*.d.ts' \
  | xargs cat | wc -l | xargs echo "lines in code files:"

echo "== building (release)"
cargo build --release --locked --quiet -p vibeguard-cli
vibeguard=target/release/vibeguard

median() {
  local times=()
  for _ in 1 2 3 4 5; do
    local start end
    start=$(date +%s.%N)
    "$@" > /dev/null
    end=$(date +%s.%N)
    times+=("$(echo "$end - $start" | bc)")
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n 3p
}

routes=$(median "$vibeguard" routes --format json "$tree")
describe=$(median "$vibeguard" describe -q -o "$scratch/described.json" "$tree")
operations=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(sum(len(v) for v in d['paths'].values()))" "$scratch/described.json")
echo "operations described: $operations"
echo "route inventory (code engine): ${routes} s (median of 5)"
echo "describe (inventory + derivation + OpenAPI): ${describe} s (median of 5)"
python3 - "$routes" "$describe" <<'PY'
import sys
routes, describe = map(float, sys.argv[1:3])
print(f"added by derivation: {describe - routes:+.3f} s (target under 1 s); ratio describe / inventory: {describe / routes:.2f}")
PY
