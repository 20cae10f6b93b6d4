#!/usr/bin/env bash
# The README's main command: set up the machine if needed, then run the whole replication on
# the embedded default (config.yaml). Extra arguments go to snakemake (e.g. --configfile X).
# --slurm first: every job an sbatch job, through the profile for the Snakemake found
# (7: profiles/slurm-smk7, Snakemake's --slurm; 8 and later: profiles/slurm, the executor plugin).
# Afterwards reports/replication.html shows every table and figure, and results/runtime/ (runtime.md)
# every job's wall time and memory and the DAG's critical path.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$here/bin/setup.sh"
. "$here/bin/python.sh"
cd "$here"
snakemake() { "$PY" -m snakemake "$@"; }
profile=()
if [ "${1:-}" = --slurm ]; then
  shift
  version="$(snakemake --version)"
  if [ "${version%%.*}" -le 7 ]; then
    profile=(--profile "$here/profiles/slurm-smk7"); export USER="${USER:-$(id -un)}"  # 7's --slurm reads $USER
  else
    profile=(--profile "$here/profiles/slurm")
  fi
  echo "[replicate] Snakemake $version: every job an sbatch job through ${profile[1]#"$here"/}" >&2
fi
# A run killed outright leaves Snakemake's lock behind; remove it when no Snakemake runs here.
if [ -n "$(ls -A .snakemake/locks 2>/dev/null)" ] && ! pgrep -f -- "bin/snakemake|-m snakemake" >/dev/null; then
  echo "[replicate] removing the lock left by an interrupted run" >&2
  snakemake --unlock "$@" >/dev/null
fi
# Config files Snakemake itself cannot read (empty, a list, tabs) get a message naming the file.
PYTHONPATH="$here" "$PY" -m actionable.studies.config "$@" || exit 1
start=$(date +%s)
snakemake --cores "${CORES:-all}" --rerun-incomplete --printshellcmds "${profile[@]}" "$@"
wall=$(( $(date +%s) - start ))
case " $* " in
  *" -n "*|*" --dry-run "*|*" --dryrun "*) ;;
  *) PYTHONPATH="$here" "$PY" -m actionable.app.runtime --wall "$wall" "$@" \
       || echo "[replicate] runtime summary skipped (see the message above)" >&2 ;;
esac
