#!/usr/bin/env bash
# The README's main command: set up the machine if needed, then run the whole replication on
# the embedded default (config.yaml). Extra arguments go to snakemake (e.g. --configfile X).
# Afterwards reports/replication.html shows every table and figure, and results/runtime/ (runtime.md)
# every job's wall time and memory and the DAG's critical path.
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
  *) PYTHONPATH="$here" "$PY" -m actionable.app.runtime --wall "$wall" "$@" \
       || echo "[replicate] runtime summary skipped (see the message above)" >&2 ;;
esac
