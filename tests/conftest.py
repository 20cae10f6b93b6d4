import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SNAKEMAKE = shutil.which("snakemake")


def run_snakemake(*args, cwd=ROOT, timeout=900, env=None):
    """Run the workflow's Snakefile with the given arguments (``env``: extra environment
    variables); returns the CompletedProcess."""
    cmd = [SNAKEMAKE, "-s", str(ROOT / "Snakefile"), *map(str, args)]
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env=None if env is None else {**os.environ, **env})


@pytest.fixture(scope="session")
def root():
    return ROOT


def run_small(workdir, *extra):
    """The whole DAG on .test/config.yaml in ``workdir``; returns its results folder."""
    res = run_snakemake("--cores", 2, "-d", workdir, "--configfile", ROOT / ".test" / "config.yaml", *extra)
    assert res.returncode == 0, res.stderr[-3000:]
    return workdir / "results"


@pytest.fixture(scope="session")
def small_run(tmp_path_factory):
    """One end-to-end run of the small config, shared by the workflow and report tests."""
    return run_small(tmp_path_factory.mktemp("run1"))
