#!/usr/bin/env bash
# The README's test command: set up the machine if needed, then run every test (unit, workflow end
# to end on .test/config.yaml, lint, the real R stack, SLURM, the committed records).
#   bash bin/test.sh            everything (what CI runs)
#   bash bin/test.sh --quick    the unit lane only (pytest -m unit), in about a minute
# Other arguments go to pytest, e.g. -m "r or records", -k moments.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$here/bin/setup.sh"
. "$here/bin/python.sh"
cd "$here"
args=()
for a in "$@"; do
  if [ "$a" = --quick ]; then args+=(-m unit); else args+=("$a"); fi
done
exec "$PY" -m pytest -q -p no:cacheprovider --durations=12 tests "${args[@]}"
