import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SNAKEMAKE = shutil.which("snakemake")


def run_snakemake(*args, cwd=ROOT, timeout=900):
    """Run the workflow's Snakefile with the given arguments; returns the CompletedProcess."""
    cmd = [SNAKEMAKE, "-s", str(ROOT / "Snakefile"), *map(str, args)]
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="session")
def root():
    return ROOT
