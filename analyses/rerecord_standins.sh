#!/usr/bin/env bash
# After a change to a stand-in's spec (data/simulators/*.yaml): remake every record the tests read
# against the stand-ins' spec digests (tests/test_default_run.py::test_every_record_is_of_the_current_stand_ins
# and tests/test_calibration.py), in the order the README's claims depend on them. Commit the
# spec change first: the default run is made in a clean clone of HEAD and records its commit.
#
#   bash analyses/rerecord_standins.sh              # everything, about 2 h 30 min on 2 cores
#   STEPS="default anatomy pe s_hat" bash analyses/rerecord_standins.sh   # some steps
#
# Steps (each writes its record under analyses/records/, the default run's under benchmarks/results/):
#   default   bin/replicate.sh in $CLONE (default /tmp/rerecord), then record_default_run.py and
#             table4_holdout_draws.py on its results                                        ~40 min
#   anatomy   prediction_error_anatomy.py on that run's results                             ~1 min
#   pe        prediction_error_standins.py                                                   ~3 min
#   s_hat     s_hat_noise.py                                                                 seconds
#   fig9      figure9_draws.py (8 draws of a 200-tree forest)                                ~30 min
#   fig9_2000 figure9_draws.py --draws 3 --num-trees 2000                                    ~37 min
#   paper     STUDIES=penn_geisinger_like paper_scale_slurm.sh (local SLURM)                 ~42 min
# Each step's output goes to $LOGS/<step>.log (default /tmp/rerecord_logs); the first failure stops.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STEPS=${STEPS:-default anatomy pe s_hat fig9 fig9_2000 paper}
CLONE=${CLONE:-/tmp/rerecord}
LOGS=${LOGS:-/tmp/rerecord_logs}
PY=/usr/bin/python3
mkdir -p "$LOGS"
cd "$here"  # the programs run as modules of the project (python3 -m analyses.X)
if [ -n "$(git -C "$here" status --porcelain -- data/simulators config.yaml)" ]; then
  echo "rerecord_standins: commit the changes to data/simulators/ and config.yaml first (the default run is made from HEAD)" >&2
  exit 2
fi

step() {  # name, command...
  local name=$1; shift
  local t0; t0=$(date +%s)
  echo "[rerecord] $name: started $(date -u +%H:%M:%S)"
  if ! "$@" >"$LOGS/$name.log" 2>&1; then
    echo "[rerecord] $name FAILED after $(( $(date +%s) - t0 )) s; see $LOGS/$name.log" >&2
    exit 1
  fi
  echo "[rerecord] $name: done in $(( $(date +%s) - t0 )) s"
}

for s in $STEPS; do
  case "$s" in
    default)
      rm -rf "$CLONE" && git clone -q "$here" "$CLONE"
      step default bash "$CLONE/bin/replicate.sh"
      step record env RESULTS="$CLONE/results" NOTE="analyses/rerecord_standins.sh at $(git -C "$CLONE" rev-parse --short HEAD)" \
        $PY -m benchmarks.record_default_run
      step draws env RESULTS="$CLONE/results" $PY -m analyses.table4_holdout_draws ;;
    anatomy) step anatomy env RESULTS="$CLONE/results" $PY -m analyses.prediction_error_anatomy ;;
    pe) step pe $PY -m analyses.prediction_error_standins ;;
    s_hat) step s_hat $PY -m analyses.s_hat_noise ;;
    fig9) step fig9 $PY -m analyses.figure9_draws ;;
    fig9_2000) step fig9_2000 $PY -m analyses.figure9_draws --draws 3 --num-trees 2000 \
                 --out "$here/analyses/records/figure9_draws_2000.json" ;;
    paper) step paper env STUDIES=penn_geisinger_like bash "$here/benchmarks/paper_scale_slurm.sh" ;;
    *) echo "rerecord_standins: unknown step '$s' (known: default anatomy pe s_hat fig9 fig9_2000 paper)" >&2; exit 2 ;;
  esac
done
echo "[rerecord] all done: review git diff analyses/records benchmarks/results, then run the tests"
