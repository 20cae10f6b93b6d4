#!/usr/bin/env bash
# One-time, idempotent set-up of everything the pipeline needs on a Debian 12 machine
# with R 4.2: Debian's Python stack and Snakemake, then grf and policytree from CRAN.
# Each step is skipped when already satisfied, so the README commands may call it every time.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
log() { printf '[setup] %s\n' "$*" >&2; }
. "$here/bin/python.sh"

if [ "${ACTIONABLE_SKIP_SETUP:-0}" = 1 ]; then
  log "skipped (ACTIONABLE_SKIP_SETUP=1); Python: $PY"
  exit 0
fi

# What the pipeline and its tests import, and the R packages of the forests. When all of it is
# there (any interpreter: Debian's, a virtualenv, a conda environment) nothing is installed and
# neither apt nor sudo is called, so a user without root can run everything.
modules=(numpy pandas scipy matplotlib seaborn xgboost rpy2 jsonschema yaml pytest hypothesis tables psutil setuptools snakemake)
missing_py="$("$PY" - "${modules[@]}" <<'PYCODE' 2>/dev/null || echo python
import importlib.util, sys
print(" ".join(m for m in sys.argv[1:] if importlib.util.find_spec(m) is None))
PYCODE
)"
r_ready() {
  command -v Rscript >/dev/null &&
    Rscript -e 'quit(status = !all(c("grf", "policytree") %in% rownames(installed.packages())))' >/dev/null 2>&1
}
# fonts for arm labels in CJK scripts and symbols (figures fall back to DejaVu Sans without them)
fonts_ready() { command -v fc-list >/dev/null && fc-list : family | grep -q "Noto Sans CJK" && fc-list : family | grep -q Symbola; }
if [ -z "$missing_py" ] && r_ready && ! fonts_ready && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  log "installing the figures' fonts: fonts-noto-cjk fonts-symbola"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    fonts-noto-cjk fonts-symbola >/dev/null
fi
if [ -z "$missing_py" ] && r_ready; then
  fonts_ready || log "without fonts-noto-cjk and fonts-symbola, CJK and symbol arm labels draw as empty boxes"
  log "ready without installing: $("$PY" --version) ($PY), snakemake $("$PY" -m snakemake --version), $(R --version | head -n1)"
  exit 0
fi

if ! command -v apt-get >/dev/null || ! command -v dpkg-query >/dev/null; then
  log "missing with $PY: ${missing_py:-none}; R packages grf/policytree: $(r_ready && echo present || echo missing)"
  log "this is not a Debian system: install them yourself (conda: envs/driver.yaml; pip: pip install -e .[learners,forests,test];"
  log "R: Rscript bin/install_r_packages.R), or set ACTIONABLE_PYTHON to an interpreter that has them"
  exit 1
fi

# Debian packages: the Python statistics stack, Snakemake 7, setuptools (building the package; Python 3.12
# and later come without it), R's headers for compiling grf, the
# figures' fonts, and R's recommended packages: grf needs Matrix, and CRAN's current Matrix no
# longer builds on Debian 12's R 4.2 (a minimal Debian without recommends has no Matrix: found building the container).
debs=(
  snakemake python3-numpy python3-pandas python3-scipy python3-matplotlib python3-seaborn
  python3-xgboost python3-rpy2 python3-jsonschema python3-yaml python3-pytest
  python3-hypothesis python3-sklearn python3-psutil python3-tables python3-setuptools r-base-dev
  r-recommended chromium fonts-noto-cjk fonts-symbola
)
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  log "Debian packages present"
fi

# CRAN packages (grf 2.x imports DiceKriging, which Debian lacks): into the site library, or the
# user's library when the site library is not writable.
Rscript "$here/bin/install_r_packages.R"

log "ready: $("$PY" --version) ($PY), snakemake $("$PY" -m snakemake --version), $(R --version | head -n1)"
