#!/usr/bin/env bash
# The README's main command: set up the machine if needed, then run the whole replication on
# the embedded default (config.yaml). Extra arguments go to snakemake (e.g. --configfile X).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$here/bin/setup.sh"
cd "$here"
exec snakemake --cores "${CORES:-all}" --rerun-incomplete --printshellcmds "$@"
