#!/usr/bin/env bash
# The README's test command: set up the machine if needed, then run every test (unit,
# property, workflow end to end on .test/config.yaml, lint, and the real R stack).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$here/bin/setup.sh"
. "$here/bin/python.sh"
cd "$here"
exec "$PY" -m pytest -q -p no:cacheprovider --durations=12 tests "$@"
