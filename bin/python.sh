# Sourced by the bin/ scripts: the Python that runs the project.
#   $ACTIONABLE_PYTHON, else the active virtualenv's or conda environment's python3, else Debian's
#   /usr/bin/python3 (which has the Debian packages bin/setup.sh installs), else python3 on PATH.
if [ -n "${ACTIONABLE_PYTHON:-}" ]; then
  PY="$ACTIONABLE_PYTHON"
elif [ -n "${VIRTUAL_ENV:-}${CONDA_PREFIX:-}" ] && command -v python3 >/dev/null; then
  PY="$(command -v python3)"
elif [ -x /usr/bin/python3 ]; then
  PY=/usr/bin/python3
else
  PY="$(command -v python3 || echo python3)"
fi
export ACTIONABLE_PYTHON="$PY"
