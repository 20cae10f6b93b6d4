#!/usr/bin/env bash
# The README's computational requirements, every row measured at one commit (HEAD, committed), each
# step alone on the machine:
#   setup    bin/setup.sh in a fresh minimal Debian 12 root (benchmarks/debian_check.sh with
#            SETUP_ONLY=1): Debian's packages, R included, then grf and policytree from CRAN
#   smoke    the small config (.test/config.yaml) in a clean clone: time, largest job, results/ size
#   tests    the test suite in a clean clone as CI runs it (CI=true bash .ci/run) under /usr/bin/time:
#            time, tests passed, largest process, the tests' temporary folders
#   quick    the unit lane (bash bin/test.sh --quick) in that clone
#   default  the default replication in a fresh clone (bash bin/replicate.sh), kept in
#            results/default_run/ by benchmarks.record_default_run
# -> benchmarks/results/requirements.json.  Run as root on the r machine kind (about 70 minutes).
#   STEPS="smoke tests" bash benchmarks/requirements.sh   # some steps (the others keep their record)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK=${WORK:-/var/tmp/actionable-requirements}
STEPS=${STEPS:-setup smoke tests quick default}
out="$here/benchmarks/results/requirements.json"
[ -z "$(git -C "$here" status --porcelain --untracked-files=no)" ] || { echo "requirements.sh: commit first (the record names HEAD)" >&2; exit 1; }
commit=$(git -C "$here" rev-parse --short HEAD)
mkdir -p "$WORK"
log() { printf '[requirements %s] %s\n' "$(date +%T)" "$*" >&2; }
clone() { rm -rf "$1" && git clone -q "$here" "$1"; }
record() {  # record KEY JSON [JSON ...]: one step's measurements into the record
  /usr/bin/python3 - "$out" "$commit" "$@" <<'PY'
import json, sys
from pathlib import Path
out, commit, key = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
rec = json.loads(out.read_text()) if out.exists() else {}
rec[key] = {k: v for part in sys.argv[4:] for k, v in json.loads(part).items()} | {"commit": commit}
out.write_text(json.dumps(rec, indent=1, sort_keys=True) + "\n")
PY
}
mb() { du -sm "$1" | cut -f1; }
run_figures() {  # run_figures SUMMARY RESULTS: a run's jobs, largest job and results/ size (actionable.app.runtime's summary)
  /usr/bin/python3 - "$1" "$(mb "$2")" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
top = max(s["by_rule"], key=lambda r: r["max_rss_mb"])
print(json.dumps(dict(jobs=s["jobs"], largest_job_mb=round(top["max_rss_mb"]), largest_job=top["rule"],
                      results_mb=int(sys.argv[2]))))
PY
}

for step in $STEPS; do
  log "$step at $commit"
  case $step in
  setup)
    root=/var/tmp/actionable-requirements-root
    if grep -q " $root/" /proc/mounts; then echo "requirements.sh: $root still has mounts" >&2; exit 1; fi
    rm -rf "$root"
    ROOTFS=$root WORK="$WORK/setup" SETUP_ONLY=1 bash "$here/benchmarks/debian_check.sh" bookworm > /dev/null
    record setup "$(cat "$WORK/setup/setup.json")"
    ;;
  smoke)
    clone "$WORK/smoke_clone"; rm -rf "$WORK/smoke"
    t0=$(date +%s)
    (cd "$WORK/smoke_clone" && /usr/bin/python3 -m snakemake --cores 2 --configfile .test/config.yaml -d "$WORK/smoke") \
      > "$WORK/smoke.log" 2>&1
    wall=$(( $(date +%s) - t0 ))
    (cd "$WORK/smoke" && PYTHONPATH="$WORK/smoke_clone" /usr/bin/python3 -m actionable.app.runtime --wall "$wall" \
      --out "$WORK/smoke/runtime" -s "$WORK/smoke_clone/Snakefile" --configfile "$WORK/smoke_clone/.test/config.yaml") > /dev/null
    record smoke "$(run_figures "$WORK/smoke/runtime/summary.json" "$WORK/smoke/results")" "{\"wall_seconds\": $wall}"
    ;;
  tests)
    clone "$WORK/tests_clone"; rm -rf "$WORK/tests_tmp"; mkdir -p "$WORK/tests_tmp"
    t0=$(date +%s)
    set +e
    (cd "$WORK/tests_clone" && CI=true TMPDIR="$WORK/tests_tmp" /usr/bin/time -v bash .ci/run) > "$WORK/tests.log" 2>&1
    rc=$?
    set -e
    wall=$(( $(date +%s) - t0 ))
    record tests "$(/usr/bin/python3 - "$WORK/tests.log" "$wall" "$rc" "$(mb "$WORK/tests_tmp")" <<'PY'
import json, re, sys
text, wall, rc, tmp_mb = open(sys.argv[1]).read(), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
summary = re.findall(r"^=* ?(\d+ passed.*?) in ", text, re.M)
rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
print(json.dumps(dict(wall_seconds=wall, exit_code=rc, summary=summary[-1] if summary else "",
                      passed=int(re.match(r"(\d+)", summary[-1]).group(1)) if summary else 0,
                      largest_process_mb=round(rss_kb / 1024), tmp_mb=tmp_mb)))
PY
)"
    [ "$rc" = 0 ] || { echo "requirements.sh: the test suite failed (see $WORK/tests.log)" >&2; exit 1; }
    ;;
  quick)  # the unit lane, in the test suite's clone
    [ -d "$WORK/tests_clone" ] || clone "$WORK/tests_clone"
    t0=$(date +%s)
    (cd "$WORK/tests_clone" && bash bin/test.sh --quick) > "$WORK/quick.log" 2>&1
    wall=$(( $(date +%s) - t0 ))
    record quick "$(/usr/bin/python3 - "$WORK/quick.log" "$wall" <<'PY'
import json, re, sys
text, wall = open(sys.argv[1]).read(), int(sys.argv[2])
print(json.dumps(dict(wall_seconds=wall, passed=int(re.findall(r"(\d+) passed", text)[-1]))))
PY
)"
    ;;
  default)
    clone "$WORK/default_clone"
    t0=$(date +%s)
    (cd "$WORK/default_clone" && bash bin/replicate.sh) > "$WORK/default.log" 2>&1
    wall=$(( $(date +%s) - t0 ))
    (cd "$here" && RESULTS="$WORK/default_clone/results" NOTE="benchmarks/requirements.sh: a fresh clone, alone on the machine" \
      /usr/bin/python3 -m benchmarks.record_default_run) > /dev/null
    summary="$WORK/default_clone/results/runtime/summary.json"  # written by bin/replicate.sh
    record default "$(run_figures "$summary" "$WORK/default_clone/results")" "$(/usr/bin/python3 -c 'import json, sys
s = json.load(open(sys.argv[1]))
print(json.dumps(dict(command_seconds=int(sys.argv[2]), workflow_seconds=s["wall_seconds"],
                      critical_path_seconds=round(s["critical_path_seconds"]))))' "$summary" "$wall")"
    ;;
  *) echo "requirements.sh: unknown step '$step' (setup, smoke, tests, quick, default)" >&2; exit 1 ;;
  esac
done
log "wrote $out"
