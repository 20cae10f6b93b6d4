#!/usr/bin/env bash
# The container recipe built and run here: a Debian base made locally with mmdebstrap (no registry
# needed), the image built from ./Containerfile with podman, then the .test replication inside it,
# its tables compared with the host's. Follows ../shared/containers/RECIPE.md (runc, cgroupfs,
# host network, explicit ulimits). Run as root (~30 min):  bash benchmarks/container_check.sh [bookworm|trixie]
# Writes benchmarks/results/container_<base>.json.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
base="${1:-bookworm}"
WORK="${WORK:-/var/tmp/actionable-container}"
out="$here/benchmarks/results/container_$base.json"
log() { printf '[container] %s\n' "$*" >&2; }
mkdir -p "$WORK"
need=(); for c in podman mmdebstrap runc; do command -v "$c" >/dev/null || need+=("$c"); done
if ((${#need[@]})); then apt-get update -qq; apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; fi
P=(podman --runtime runc --cgroup-manager cgroupfs)
U=(--ulimit nofile=1024:1024 --ulimit nproc=4096:4096)
if ! "${P[@]}" image exists "localhost/debian:$base"; then
  log "base image from mmdebstrap ($base)"
  # with the certificate authorities the host adds to Debian's (e.g. an egress proxy's)
  mmdebstrap --variant=minbase --include=ca-certificates \
    --customize-hook='copy-in /usr/local/share/ca-certificates /usr/local/share' \
    --customize-hook='chroot "$1" update-ca-certificates' "$base" "$WORK/$base.tar" > "$WORK/mmdebstrap.log" 2>&1
  "${P[@]}" import "$WORK/$base.tar" "localhost/debian:$base" >/dev/null
fi
log "building the image"
t0=$(date +%s)
"${P[@]}" build --network host "${U[@]}" --build-arg "BASE=localhost/debian:$base" -t "actionable:$base" \
  -f "$here/Containerfile" "$here" > "$WORK/build.log" 2>&1
build_s=$(( $(date +%s) - t0 ))
log "the .test replication inside"
rm -rf "$WORK/results" && mkdir -p "$WORK/results"
t0=$(date +%s)
"${P[@]}" run --rm --network host "${U[@]}" -v "$WORK/results:/opt/actionable/results" "actionable:$base" \
  > "$WORK/run.log" 2>&1
run_s=$(( $(date +%s) - t0 ))
if [ ! -d "$WORK/host/results" ]; then
  (cd "$here" && /usr/bin/python3 -m snakemake --cores 2 -d "$WORK/host" --configfile .test/config.yaml) > "$WORK/host.log" 2>&1
fi
size=$("${P[@]}" image inspect "actionable:$base" --format '{{.Size}}')
(cd "$here" && /usr/bin/python3 -m benchmarks.compare_tables "$WORK/host/results" "$WORK/results") > "$WORK/tables.json"
# the README's check of a run against a record, with the host's run as the record
(cd "$here" && /usr/bin/python3 -c "from actionable.app.compare import write_record; write_record('$WORK/host/results', '$WORK/host_record')" \
  && /usr/bin/python3 -m actionable.app.compare "$WORK/results" "$WORK/host_record") > "$WORK/compare.txt" 2>&1 \
  && compare_rc=0 || compare_rc=$?
/usr/bin/python3 - "$out" "$WORK/tables.json" "$build_s" "$run_s" "$size" "$base" \
  "$(git -C "$here" rev-parse --short HEAD)" "$compare_rc" "$WORK/compare.txt" <<'PY'
import json, sys
from pathlib import Path
out, tables, build_s, run_s, size, base, commit, compare_rc, compare_txt = sys.argv[1:]
rec = dict(base=base, commit=commit, build_seconds=int(build_s), replication_seconds=int(run_s),
           image_bytes=int(size), **json.loads(Path(tables).read_text()),
           actionable_compare=dict(exit_code=int(compare_rc), output=Path(compare_txt).read_text().splitlines()[-4:]))
Path(out).write_text(json.dumps(rec, indent=1) + "\n")
print(json.dumps(rec, indent=1))
PY
