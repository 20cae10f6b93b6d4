#!/usr/bin/env bash
# One-time, idempotent set-up of everything the pipeline needs on a Debian 12 machine
# with R 4.2: Debian's Python stack and Snakemake, then grf and policytree from CRAN.
# Each step is skipped when already satisfied, so the README commands may call it every time.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
log() { printf '[setup] %s\n' "$*" >&2; }

# Debian packages: the Python statistics stack, Snakemake 7, R's headers for compiling grf.
debs=(
  snakemake python3-numpy python3-pandas python3-scipy python3-matplotlib python3-seaborn
  python3-xgboost python3-rpy2 python3-jsonschema python3-yaml python3-pytest
  python3-hypothesis python3-sklearn python3-statsmodels python3-psutil python3-tables r-base-dev
  chromium
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

# CRAN packages (grf 2.x imports DiceKriging, which Debian lacks). Installed into the
# site library unless R_LIBS_USER points elsewhere.
Rscript "$here/bin/install_r_packages.R"

# The package itself: importable without installation by putting the project root first.
log "ready: $(/usr/bin/python3 --version), snakemake $(snakemake --version), $(R --version | head -n1)"
