#!/usr/bin/env bash
# Benchmark of the dependency engine. Generates (once) an npm advisory set of realistic size
# (20,000 OSV records over 8,000 packages, with several windows, prereleases and last_affected
# ranges), a 2,000-package package-lock.json whose packages partly have advisories, and a
# 300-package poetry.lock of real PyPI names; imports the npm set and the real PyPI data
# (shared/data/osv/PyPI-all.zip, 2,661 records), then measures in one process: the cold load of
# the store, the reference pass (reading the lockfiles and building the inventory) and the full
# pass (the same plus matching every package), their ratio, and peak memory.
# Targets: warm match under 100 ms, peak memory under 300 MB.
#
# Usage: bench/deps.sh [SCRATCH_FOLDER]
set -euo pipefail
cd "$(dirname "$0")/.."

scratch="${1:-${TMPDIR:-/tmp}/vibeguard-bench-deps}"
pypi="$(pwd)/../shared/data/osv/PyPI-all.zip"
if [ ! -f "$pypi" ]; then
  echo "needs $pypi (the shared real PyPI advisories)" >&2
  exit 2
fi
if [ ! -f "$scratch/.complete" ]; then
  rm -rf "$scratch"
  mkdir -p "$scratch/project/web" "$scratch/project/api"
  echo "== generating the data set and the projects in $scratch (once)"
  python3 - "$scratch" "$pypi" <<'PY'
import json, random, sys, zipfile
scratch, pypi = sys.argv[1], sys.argv[2]
rng = random.Random(20261204)
names = [f"pkg-{i:05d}" if i % 7 else f"@scope{i % 13}/lib-{i:05d}" for i in range(8000)]
def version():
    return f"{rng.randint(0, 12)}.{rng.randint(0, 20)}.{rng.randint(0, 30)}"
with zipfile.ZipFile(f"{scratch}/npm-all.zip", "w", zipfile.ZIP_DEFLATED) as z:
    for i in range(20000):
        name = names[i % len(names)]
        windows = []
        for _ in range(rng.randint(1, 4)):
            a = version()
            b = a.split(".")
            b[2] = str(int(b[2]) + rng.randint(1, 5))
            kind = "last_affected" if rng.random() < 0.1 else "fixed"
            windows.append([{"introduced": a if rng.random() < 0.7 else "0"}, {kind: ".".join(b) + ("-rc.1" if rng.random() < 0.1 else "")}])
        record = {
            "schema_version": "1.6.0", "id": f"GHSA-bench-{i:05d}", "modified": "2026-12-01T00:00:00Z",
            "aliases": [f"CVE-2026-{i:05d}"], "summary": f"synthetic advisory {i} for {name}",
            "details": "x" * rng.randint(100, 1200),
            "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}] if i % 3 == 0 else [],
            "affected": [{"package": {"ecosystem": "npm", "name": name}, "ranges": [{"type": "SEMVER", "events": w} for w in windows]}],
            "references": [{"type": "ADVISORY", "url": f"https://example.com/{i}"}],
            "database_specific": {"severity": rng.choice(["LOW", "MODERATE", "HIGH", "CRITICAL"])},
        }
        z.writestr(f"GHSA-bench-{i:05d}.json", json.dumps(record))
# 2,000 npm packages: 1,000 with advisories, 1,000 without; some nested copies.
packages = {"": {"name": "web", "version": "1.0.0", "dependencies": {}, "devDependencies": {}}}
chosen = rng.sample(names, 1000) + [f"clean-{i:04d}" for i in range(1000)]
for i, name in enumerate(chosen):
    key = f"node_modules/{name}"
    if i % 10 == 9:
        key = f"node_modules/{chosen[i - 1]}/node_modules/{name}"
    entry = {"version": version(), "resolved": f"https://registry.npmjs.org/{name}/-/x.tgz"}
    if i % 5 == 0 and i + 1 < len(chosen):
        entry["dependencies"] = {chosen[i + 1]: "*"}
    if i % 4 == 0:
        entry["dev"] = True
    packages[key] = entry
    if i < 40:
        packages[""]["dependencies"][name] = entry["version"]
lock = {"name": "web", "version": "1.0.0", "lockfileVersion": 3, "requires": True, "packages": packages}
json.dump(lock, open(f"{scratch}/project/web/package-lock.json", "w"), indent=2)
json.dump({"name": "web", "version": "1.0.0", "dependencies": packages[""]["dependencies"]}, open(f"{scratch}/project/web/package.json", "w"), indent=2)
# 300 real PyPI names from the advisory data, at random versions.
archive = zipfile.ZipFile(pypi)
pynames = sorted({a["package"]["name"] for n in archive.namelist() for a in json.loads(archive.read(n))["affected"]})
picked = rng.sample(pynames, 300)
with open(f"{scratch}/project/api/poetry.lock", "w") as out:
    for name in picked:
        out.write(f'[[package]]\nname = "{name}"\nversion = "{rng.randint(0, 5)}.{rng.randint(0, 20)}.{rng.randint(0, 10)}"\ndescription = ""\noptional = false\npython-versions = "*"\nfiles = []\n\n')
    out.write('[metadata]\nlock-version = "2.0"\npython-versions = "^3.11"\ncontent-hash = "0"\n')
with open(f"{scratch}/project/api/pyproject.toml", "w") as out:
    out.write('[tool.poetry]\nname = "api"\nversion = "0.1.0"\ndescription = ""\nauthors = []\n\n[tool.poetry.dependencies]\npython = "^3.11"\n')
    for name in picked[:30]:
        out.write(f'"{name}" = "*"\n')
PY
  touch "$scratch/.complete"
fi

echo "== building (release)"
cargo build --release --quiet -p vibeguard-deps --example deps_bench
runner=target/release/examples/deps_bench
db="$scratch/db"
rm -rf "$db"
echo "== importing (one time per update)"
$runner import "$scratch/npm-all.zip" "$db"
$runner import "$pypi" "$db"
echo "== matching (a first process, then a second: the OS caches the files as on a second run)"
$runner match "$scratch/project" "$db" 1 >/dev/null
result=$($runner match "$scratch/project" "$db" 5)
echo "$result"
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
python3 - "$(field "$result" cold_load_seconds)" "$(field "$result" match_seconds)" "$(field "$result" full_seconds)" "$(field "$result" ratio)" "$(field "$result" peak_rss_mib)" "$(field "$result" packages)" <<'PY'
import sys
cold, match, full, ratio, rss, packages = sys.argv[1:7]
print(f"packages matched: {packages}")
print(f"cold load of the store: {float(cold) * 1000:.1f} ms (target: well under a second)")
print(f"warm match (full pass minus reference): {float(match) * 1000:.1f} ms; full pass {float(full) * 1000:.1f} ms (target under 100 ms)")
print(f"ratio full / reference (lockfile reading and inventory, same run): {ratio}")
print(f"peak memory: {rss} MiB (target under 300 MB)")
PY
