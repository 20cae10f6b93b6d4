#!/usr/bin/env bash
# The README's main command: set up the machine if needed, then run the whole replication on
# the embedded default (config.yaml). Extra arguments go to snakemake (e.g. --configfile X).
# Afterwards results/runtime/ holds every job's wall time and memory and the DAG's critical path,
# and reports/replication.html shows every table and figure with them.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$here/bin/setup.sh"
. "$here/bin/python.sh"
cd "$here"
snakemake() { "$PY" -m snakemake "$@"; }
# A run killed outright leaves Snakemake's lock behind; remove it when no Snakemake runs here.
if [ -n "$(ls -A .snakemake/locks 2>/dev/null)" ] && ! pgrep -f -- "bin/snakemake|-m snakemake" >/dev/null; then
  echo "[replicate] removing the lock left by an interrupted run" >&2
  snakemake --unlock "$@" >/dev/null
fi
# Config files Snakemake itself cannot read (empty, a list, tabs) get a message naming the file.
PYTHONPATH="$here" "$PY" -m actionable.studies.config "$@" || exit 1
start=$(date +%s)
snakemake --cores "${CORES:-all}" --rerun-incomplete --printshellcmds "$@"
wall=$(( $(date +%s) - start ))
case " $* " in
  *" -n "*|*" --dry-run "*|*" --dryrun "*) ;;
  *) if PYTHONPATH="$here" "$PY" -m actionable.app.runtime --wall "$wall" "$@"; then
       # the report shows this run's runtimes: rebuild it now that results/runtime/ has them
       # only that rule: a file edited since the run must not restart the workflow here, unseen
       snakemake reports/replication.html --cores 1 --forcerun replication_report --allowed-rules replication_report \
         "$@" >/dev/null 2>&1 \
         || echo "[replicate] report not rebuilt with the runtimes (see logs/report/)" >&2
     else
       echo "[replicate] runtime report skipped (see the message above)" >&2
     fi ;;
esac
