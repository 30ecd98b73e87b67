#!/usr/bin/env bash
# Benchmark of the image reader (issue 20): a ~1 GB `docker save` archive written here — a
# Debian-like base (os-release, a dpkg database of 400 packages), an app layer of 20,000 small
# files and 1,500 node_modules packages, a layer of large files (a 64 MB Go program among them)
# and a gzip layer — scanned by `vibeguard image` with no advisory data (the walk, the
# inventory and the secrets scan of every small file are what is measured). Prints wall time,
# throughput and peak memory, and the ratio to `cat ARCHIVE > /dev/null` measured in the same
# run (the time just to read the bytes). Goals: under 10 s and 200 MB on 2 cores. Size:
# VIBEGUARD_BENCH_IMAGE_MB (default 1024). trivy, when installed, is timed on the same archive.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --locked -q -p vibeguard-cli
bin="$PWD/target/release/vibeguard"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export VIBEGUARD_CACHE_DIR="$work/cache"
size_mb="${VIBEGUARD_BENCH_IMAGE_MB:-1024}"

python3 - "$work/image.tar" "$size_mb" <<'PY'
import gzip, io, json, os, random, sys, tarfile

path, size_mb = sys.argv[1], int(sys.argv[2])
rng = random.Random(20)

def add(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o755
    tar.addfile(info, io.BytesIO(data))

def layer(name, files, compress=False):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for file_name, data in files:
            add(tar, file_name, data)
    data = buffer.getvalue()
    return name, gzip.compress(data, 1) if compress else data

status = "".join(
    f"Package: pkg{i}\nStatus: install ok installed\nVersion: 1.{i}-1\nSource: src{i // 3}\n\n"
    for i in range(400)
).encode()
base = layer("base.tar", [
    ("etc/os-release", b'ID=debian\nVERSION_ID="12"\n'),
    ("var/lib/dpkg/status", status),
])
small = []
for i in range(20000):
    small.append((f"app/src/module{i}.js", f"export const value{i} = {i};\n".encode() * 20))
for i in range(1500):
    small.append((f"app/node_modules/p{i}/package.json", json.dumps({"name": f"p{i}", "version": "1.0.0"}).encode()))
app = layer("app.tar", small)
go = bytearray(b"\x7fELF") + bytearray(os.urandom(64 * 1024 * 1024))
go[40 * 1024 * 1024:40 * 1024 * 1024 + 64] = b"\xff Go buildinf:\x08\x02" + bytes(16) + b"\x08go1.20.1\x00" + bytes(21)
remaining = size_mb * 1024 * 1024 - 64 * 1024 * 1024 - len(app[1]) - len(base[1])
chunk = os.urandom(8 * 1024 * 1024)
big_files = [("usr/local/bin/api", bytes(go))]
index = 0
while remaining > 0:
    count = min(16, max(1, remaining // len(chunk)))
    big_files.append((f"opt/data/blob{index}.bin", chunk * count))
    remaining -= len(chunk) * count
    index += 1
zeros = layer("zeros.tar", [("var/log/empty.log", bytes(32 * 1024 * 1024))], compress=True)
with tarfile.open(path, "w") as outer:
    add(outer, "manifest.json", json.dumps([{"Config": "config.json", "Layers": ["base.tar", "app.tar", "bins.tar", "zeros.tar"]}]).encode())
    add(outer, "config.json", b'{"config":{"User":"app"}}')
    add(outer, *base)
    add(outer, *app)
    # The binaries' layer is written straight to the archive, never held whole in memory.
    spool = os.path.join(os.path.dirname(path), "bins.tar")
    with tarfile.open(spool, "w") as tar:
        for name, data in big_files:
            add(tar, name, data)
    outer.add(spool, arcname="bins.tar")
    os.remove(spool)
    add(outer, *zeros)
PY

archive_mb=$(( $(stat -c %s "$work/image.tar") / 1024 / 1024 ))
measure() { # COMMAND... -> "wall_s peak_mb"
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
start = time.monotonic()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wall = time.monotonic() - start
print(f"{wall:.2f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.1f}")
PY
}
read -r cat_s _ <<< "$(measure sh -c "cat '$work/image.tar' > /dev/null")"
read -r scan_s scan_mb <<< "$(measure "$bin" image --no-history --offline --db-dir "$work/db" "$work/image.tar")"
echo "archive: ${archive_mb} MB, 4 layers (400 dpkg packages, 20,000 small files, 1,500 npm packages, a 64 MB Go program, a gzip layer)"
echo "cat (reference): ${cat_s} s"
echo "vibeguard image: ${scan_s} s, $(python3 -c "print(round($archive_mb / max($scan_s, 0.001)))") MB/s, peak ${scan_mb} MB (target < 200 MB)"
echo "ratio to reading the bytes: $(python3 -c "print(round($scan_s / max($cat_s, 0.001), 1))")x"
# What the scan saw (a fast run that read nothing would be no result).
{ "$bin" image --no-history --offline --db-dir "$work/db" --format json "$work/image.tar" || true; } 2> /dev/null |
  python3 -c "
import json, sys
report = json.load(sys.stdin)
image = next(e for e in report['engines'] if e['engine'] == 'image')
print(f\"seen: {image['coverage']['files']} files, {image['coverage']['packages']} packages inventoried\")
"
if command -v trivy > /dev/null; then
  read -r trivy_s trivy_mb <<< "$(measure trivy image --input "$work/image.tar" --scanners vuln --offline-scan --skip-db-update)"
  echo "trivy image (same archive): ${trivy_s} s, peak ${trivy_mb} MB"
else
  echo "trivy: not installed (neither Debian nor PyPI packages it): no same-run comparison"
fi
