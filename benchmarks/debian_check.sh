#!/usr/bin/env bash
# The package on a current platform: a clean Debian 13 (trixie) root built with mmdebstrap, the
# project installed there by its own bin/setup.sh only (trixie's pandas 2, numpy 2, xgboost 3,
# rpy2 3.5.17, R 4.5, Snakemake 7.32; grf and policytree from CRAN), then the test suite and the
# .test/config.yaml replication inside, whose tables are compared with the host's.
# Run as root on the r machine kind (~1 hour):  bash benchmarks/trixie_check.sh
# Writes benchmarks/results/trixie.json (versions, test counts, times, table comparison).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOTFS="${ROOTFS:-/var/tmp/actionable-trixie}"
WORK="${WORK:-/var/tmp/actionable-trixie-work}"
out="$here/benchmarks/results/trixie.json"
log() { printf '[trixie] %s\n' "$*" >&2; }
mkdir -p "$WORK"

command -v mmdebstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null; }

if [ ! -x "$ROOTFS/usr/bin/apt-get" ]; then
  log "building a minimal trixie root in $ROOTFS"
  rm -rf "$ROOTFS"
  t0=$(date +%s)
  mmdebstrap --variant=minbase --include=ca-certificates,git trixie "$ROOTFS" http://deb.debian.org/debian \
    > "$WORK/mmdebstrap.log" 2>&1
  echo $(( $(date +%s) - t0 )) > "$WORK/mmdebstrap.seconds"
fi

mounts=(proc sys dev dev/pts dev/shm)
cleanup() { for m in dev/shm dev/pts dev sys proc; do umount -l "$ROOTFS/$m" 2>/dev/null || true; done; }
trap cleanup EXIT
mount -t proc proc "$ROOTFS/proc"
mount --rbind /sys "$ROOTFS/sys"
mount --rbind /dev "$ROOTFS/dev"
mountpoint -q "$ROOTFS/dev/shm" || mount -t tmpfs shm "$ROOTFS/dev/shm"
cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf"
# certificate authorities the host adds to Debian's (e.g. an egress proxy's) are trusted inside too
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  cp /usr/local/share/ca-certificates/*.crt "$ROOTFS/usr/local/share/ca-certificates/"
  chroot "$ROOTFS" update-ca-certificates >/dev/null 2>&1
fi

# the project as committed, nothing else from the host
rm -rf "$ROOTFS/opt/actionable"
mkdir -p "$ROOTFS/opt/actionable"
git -C "$here" archive HEAD | tar -x -C "$ROOTFS/opt/actionable"
commit=$(git -C "$here" rev-parse --short HEAD)

in_root() { chroot "$ROOTFS" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  LANG=C.UTF-8 CI=true ACTIONABLE_NO_SLURM=1 bash -c "$1"; }

log "set-up inside trixie with bin/setup.sh"
t0=$(date +%s)
in_root "cd /opt/actionable && bash bin/setup.sh" > "$WORK/setup.log" 2>&1
setup_s=$(( $(date +%s) - t0 ))

log "test suite inside trixie"
t0=$(date +%s)
set +e
in_root "cd /opt/actionable && bash bin/test.sh" > "$WORK/tests.log" 2>&1
tests_rc=$?
set -e
tests_s=$(( $(date +%s) - t0 ))

log ".test replication inside trixie and here"
in_root "cd /opt/actionable && rm -rf /tmp/run && python3 -m snakemake --cores 2 -d /tmp/run --configfile .test/config.yaml" \
  > "$WORK/replication.log" 2>&1
rm -rf "$WORK/host"
(cd "$here" && /usr/bin/python3 -m snakemake --cores 2 -d "$WORK/host" --configfile .test/config.yaml) > "$WORK/host_replication.log" 2>&1

versions=$(in_root "python3 - <<'PY'
import json, platform
from importlib import metadata
v = {'python': platform.python_version()}
for p in ('numpy', 'pandas', 'scipy', 'xgboost', 'rpy2', 'matplotlib', 'snakemake', 'jsonschema', 'tables', 'PyYAML'):
    v[p] = metadata.version(p)
print(json.dumps(v))
PY")
rversions=$(in_root "Rscript -e 'cat(R.version\$major, R.version\$minor, as.character(packageVersion(\"grf\")), as.character(packageVersion(\"policytree\")))'")

(cd "$here" && /usr/bin/python3 -m benchmarks.compare_tables "$WORK/host/results" "$ROOTFS/tmp/run/results") > "$WORK/tables.json"
/usr/bin/python3 - "$out" "$WORK/tables.json" "$WORK/tests.log" "$versions" "$rversions" \
  "$setup_s" "$tests_s" "$tests_rc" "$commit" "$(cat "$WORK/mmdebstrap.seconds" 2>/dev/null || echo null)" <<'PY'
import json, re, sys
from pathlib import Path
out, tables, tests_log, versions, rversions, setup_s, tests_s, rc, commit, mm = sys.argv[1:]
text = Path(tests_log).read_text()
rmaj, rmin, grf, pt = rversions.split()
rec = dict(commit=commit, versions=dict(json.loads(versions), R=f"{rmaj}.{rmin}", grf=grf, policytree=pt),
           mmdebstrap_seconds=None if mm == "null" else int(mm), setup_seconds=int(setup_s), tests_seconds=int(tests_s),
           tests_exit_code=int(rc), tests_summary=(re.findall(r"^(\d+ (?:passed|failed).*)$", text, re.M) or [""])[-1],
           failed=re.findall(r"^FAILED (\S+)", text, re.M), **json.loads(Path(tables).read_text()))
Path(out).write_text(json.dumps(rec, indent=1) + "\n")
print(json.dumps(rec, indent=1))
PY
