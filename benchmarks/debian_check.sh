#!/usr/bin/env bash
# The package on a current platform: a clean Debian root built with mmdebstrap, the project
# installed there by its own bin/setup.sh only (the suite's Python stack, R and Snakemake 7; grf and
# policytree from CRAN), then the test suite and the .test/config.yaml replication inside, whose
# tables are compared with the host's.
#   bash benchmarks/debian_check.sh trixie   Debian 13: Snakemake 7.32          -> results/trixie.json
#   bash benchmarks/debian_check.sh sid      Debian unstable and Snakemake 9    -> results/sid.json
#   SETUP_ONLY=1 bash benchmarks/debian_check.sh bookworm   the set-up alone  -> $WORK/setup.json
# With sid, Snakemake 9 and its SLURM executor plugin go into a virtual environment over the
# root's Debian packages (Debian packages no Snakemake 8 or 9), from PyPI at the versions below, or
# from a folder of wheels built elsewhere (SNAKEMAKE9_WHEELS=/dir, for machines without PyPI); the
# tests then run on that Snakemake, the SLURM test through the executor plugin against a local
# single-node cluster started inside the root (slurm-wlm and munge from the suite).
# Run as root on the r machine kind (~1 hour).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SUITE="${1:-trixie}"
ROOTFS="${ROOTFS:-/var/tmp/actionable-$SUITE}"
WORK="${WORK:-/var/tmp/actionable-$SUITE-work}"
out="$here/benchmarks/results/$SUITE.json"
# Snakemake 9 and what it needs that Debian does not package, as released together
SNAKEMAKE9=(snakemake==9.25.2 snakemake-executor-plugin-slurm==2.7.1 snakemake-executor-plugin-slurm-jobstep==0.6.0
  snakemake-interface-common==1.23.0 snakemake-interface-executor-plugins==9.4.0
  snakemake-interface-storage-plugins==4.4.1 snakemake-interface-report-plugins==1.3.0
  snakemake-interface-logger-plugins==2.0.1 snakemake-interface-scheduler-plugins==2.0.1
  conda-inject==1.3.2 immutables==0.21 argparse-dataclass==2.0.0)
# ... and what it needs that Debian does package
SNAKEMAKE9_DEBS=(python3-venv python3-pip python3-platformdirs python3-configargparse python3-connection-pool
  python3-docutils python3-git python3-humanfriendly python3-jinja2 python3-nbformat python3-packaging python3-pulp
  python3-referencing python3-requests python3-tenacity python3-smart-open python3-tabulate python3-throttler
  python3-wrapt python3-yte python3-dpath python3-sqlmodel slurm-wlm slurm-client munge procps)
log() { printf '[%s] %s\n' "$SUITE" "$*" >&2; }
mkdir -p "$WORK"

command -v mmdebstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null; }

root_built=0
if [ ! -x "$ROOTFS/usr/bin/apt-get" ]; then
  root_built=1
  log "building a minimal $SUITE root in $ROOTFS"
  rm -rf "$ROOTFS"
  t0=$(date +%s)
  # a mirror's snapshot of unstable may be older than its Release file's Valid-Until
  mmdebstrap --variant=minbase --aptopt='Acquire::Check-Valid-Until "false"' --include=ca-certificates,git \
    "$SUITE" "$ROOTFS" http://deb.debian.org/debian > "$WORK/mmdebstrap.log" 2>&1
  echo $(( $(date +%s) - t0 )) > "$WORK/mmdebstrap.seconds"
fi

cleanup() { for m in dev/shm dev/pts dev sys proc; do umount -l "$ROOTFS/$m" 2>/dev/null || true; done; }
trap cleanup EXIT
mountpoint -q "$ROOTFS/proc" || mount -t proc proc "$ROOTFS/proc"
mountpoint -q "$ROOTFS/sys" || mount --rbind /sys "$ROOTFS/sys"
mountpoint -q "$ROOTFS/dev" || mount --rbind /dev "$ROOTFS/dev"
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

PYIN=python3
no_slurm=1
in_root() { chroot "$ROOTFS" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  LANG=C.UTF-8 CI=true ACTIONABLE_PYTHON="$PYIN" ${no_slurm:+ACTIONABLE_NO_SLURM=1} bash -c "$1"; }

log "set-up inside $SUITE with bin/setup.sh"
t0=$(date +%s)
in_root "cd /opt/actionable && bash bin/setup.sh" > "$WORK/setup.log" 2>&1
setup_s=$(( $(date +%s) - t0 ))
if [ "${SETUP_ONLY:-0}" = 1 ]; then  # the set-up's time alone (benchmarks/requirements.sh)
  rlib_mb=$(du -sm "$ROOTFS/usr/local/lib/R/site-library" | cut -f1)
  root_mb=$(du -sm "$ROOTFS" | cut -f1)  # the whole root, Debian's packages included
  printf '{"commit": "%s", "suite": "%s", "root_built": %s, "mmdebstrap_seconds": %s, "setup_seconds": %s, "r_site_library_mb": %s, "root_mb": %s}\n' \
    "$commit" "$SUITE" "$root_built" "$(cat "$WORK/mmdebstrap.seconds" 2>/dev/null || echo null)" "$setup_s" "$rlib_mb" \
    "$root_mb" | tee "$WORK/setup.json"
  exit 0
fi

if [ "$SUITE" = sid ]; then
  log "Snakemake 9 in /opt/snakemake9 over the Debian packages"
  in_root "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${SNAKEMAKE9_DEBS[*]} >/dev/null"
  from="${SNAKEMAKE9[*]}"
  if [ -n "${SNAKEMAKE9_WHEELS:-}" ]; then
    rm -rf "$ROOTFS/opt/snakemake9-wheels"; cp -r "$SNAKEMAKE9_WHEELS" "$ROOTFS/opt/snakemake9-wheels"
    from="--no-index --find-links /opt/snakemake9-wheels $from"
  fi
  in_root "rm -rf /opt/snakemake9 && python3 -m venv --system-site-packages /opt/snakemake9 && \
    /opt/snakemake9/bin/pip install -q --no-deps $from" > "$WORK/snakemake9.log" 2>&1
  # what Snakemake's metadata asks for that the suite's packages miss: recorded, not hidden
  in_root "/opt/snakemake9/bin/pip check" > "$WORK/pip_check.txt" 2>&1 || true
  PYIN=/opt/snakemake9/bin/python
  no_slurm=  # the SLURM test starts its cluster inside the root
fi

# a reused root keeps the test cluster's slurm.conf, naming a controller that is no longer running: with
# the executor plugin installed every Snakemake start then waits about 10 s on sacct (the test writes its own)
rm -f "$ROOTFS/etc/slurm/slurm.conf"
log "test suite inside $SUITE"
t0=$(date +%s)
set +e
# every test but the two that read the records this check writes (they run where the record is committed)
own_records=(--deselect tests/test_platforms.py --deselect tests/test_workflow.py::test_conda_pins_are_the_versions_a_check_ran)
in_root "cd /opt/actionable && bash bin/test.sh -rfEs ${own_records[*]}" > "$WORK/tests.log" 2>&1
tests_rc=$?
set -e
tests_s=$(( $(date +%s) - t0 ))

log ".test replication inside $SUITE and here"
in_root "cd /opt/actionable && rm -rf /tmp/run && \$ACTIONABLE_PYTHON -m snakemake --cores 2 -d /tmp/run --configfile .test/config.yaml" \
  > "$WORK/replication.log" 2>&1
rm -rf "$WORK/host"
(cd "$here" && /usr/bin/python3 -m snakemake --cores 2 -d "$WORK/host" --configfile .test/config.yaml) > "$WORK/host_replication.log" 2>&1

versions=$(in_root "\$ACTIONABLE_PYTHON - <<'PY'
import json, platform
from importlib import metadata
v = {'python': platform.python_version()}
for p in ('numpy', 'pandas', 'scipy', 'xgboost', 'rpy2', 'rpy2-rinterface', 'rpy2-robjects', 'matplotlib', 'seaborn',
          'snakemake', 'snakemake-executor-plugin-slurm', 'snakemake-executor-plugin-slurm-jobstep', 'jsonschema',
          'tables', 'PyYAML'):
    try:
        v[p] = metadata.version(p)
    except metadata.PackageNotFoundError:
        pass
print(json.dumps(v))
PY")
rversions=$(in_root "Rscript -e 'cat(R.version\$major, R.version\$minor, as.character(packageVersion(\"grf\")), as.character(packageVersion(\"policytree\")))'")
slurm=$(in_root "dpkg-query -W -f='\${Version}' slurm-wlm 2>/dev/null || true")

(cd "$here" && /usr/bin/python3 -m benchmarks.compare_tables "$WORK/host/results" "$ROOTFS/tmp/run/results") > "$WORK/tables.json"
/usr/bin/python3 - "$out" "$WORK" "$versions" "$rversions" "$setup_s" "$tests_s" "$tests_rc" "$commit" "$slurm" \
  "${SNAKEMAKE9_WHEELS:-}" "$root_built" <<'PY'
import json, re, sys
from pathlib import Path
out, work, versions, rversions, setup_s, tests_s, rc, commit, slurm, wheels, built = sys.argv[1:]
work = Path(work)
text = (work / "tests.log").read_text()
rmaj, rmin, grf, pt = rversions.split()
mm = work / "mmdebstrap.seconds"
rec = dict(commit=commit, versions=dict(json.loads(versions), R=f"{rmaj}.{rmin}", grf=grf, policytree=pt),
           mmdebstrap_seconds=int(mm.read_text()) if mm.exists() else None, root="built" if built == "1" else
           "reused (set-up installs only what is missing)", setup_seconds=int(setup_s),
           tests_seconds=int(tests_s), tests_exit_code=int(rc),
           tests_summary=(re.findall(r"^(\d+ (?:passed|failed).*)$", text, re.M) or [""])[-1],
           failed=re.findall(r"^FAILED (\S+)", text, re.M), skipped=re.findall(r"^SKIPPED \[\d+\] (\S+)", text, re.M),
           deselected=["tests/test_platforms.py", "tests/test_workflow.py::test_conda_pins_are_the_versions_a_check_ran"])
if slurm:
    rec["versions"]["slurm-wlm"] = slurm
pins = work / "pip_check.txt"
if pins.exists():
    rec["snakemake9_pins_missed"] = [line for line in pins.read_text().splitlines() if "snakemake" in line]
if wheels and (Path(wheels) / "sources.json").exists():  # where a folder of wheels says it came from
    rec["snakemake9_wheels"] = json.loads((Path(wheels) / "sources.json").read_text())
rec.update(json.loads((work / "tables.json").read_text()))
Path(out).write_text(json.dumps(rec, indent=1) + "\n")
print(json.dumps(rec, indent=1))
PY
