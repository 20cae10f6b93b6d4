import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SNAKEMAKE = [sys.executable, "-m", "snakemake"]  # the interpreter that runs the tests runs the workflow


def snakemake_major() -> int:
    res = subprocess.run([*SNAKEMAKE, "--version"], capture_output=True, text=True, check=True)
    return int(res.stdout.strip().split(".")[0])


def slurm_profile_args() -> list:
    """The SLURM profile for the Snakemake that runs the tests: 7's --slurm, or 8+'s executor plugin,
    which must poll squeue because the test cluster keeps no accounting (sacct answers but knows no job)."""
    if snakemake_major() <= 7:
        os.environ["USER"] = os.environ.get("USER") or "root"  # 7.21's --slurm reads $USER
        return ["--profile", ROOT / "profiles" / "slurm-smk7"]
    return ["--profile", ROOT / "profiles" / "slurm", "--slurm-status-command", "squeue",
            "--slurm-init-seconds-before-status-checks", 2]


def run_snakemake(*args, cwd=ROOT, timeout=900, env=None):
    """Run the workflow's Snakefile with the given arguments (``env``: extra environment
    variables); returns the CompletedProcess."""
    cmd = [*SNAKEMAKE, "-s", str(ROOT / "Snakefile"), *map(str, args)]
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env=None if env is None else {**os.environ, **env})


@pytest.fixture(scope="session")
def root():
    return ROOT


def run_small(workdir, *targets):
    """The whole DAG (or ``targets``) on .test/config.yaml in ``workdir``; returns its results folder."""
    # targets first: --configfile takes every word after it
    res = run_snakemake(*targets, "--cores", 2, "-d", workdir, "--configfile", ROOT / ".test" / "config.yaml")
    assert res.returncode == 0, res.stderr[-3000:]
    return workdir / "results"


@pytest.fixture(scope="session")
def small_run(tmp_path_factory):
    """One end-to-end run of the small config, shared by the workflow and report tests."""
    return run_small(tmp_path_factory.mktemp("run1"))


SLURM_START, SLURM_STOP = ROOT / ".ci" / "slurm" / "start-slurm.sh", ROOT / ".ci" / "slurm" / "stop-slurm.sh"


def slurm_cluster_up() -> bool:
    res = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True) if shutil.which("sinfo") else None
    return bool(res and res.returncode == 0 and re.search(r"idle|mix|alloc", res.stdout))


# The second run builds one study's whole chain (example_shop: data, every learner, the scattered
# forest, the policy tree, moments, Our Model, IPW, a Monte Carlo sweep), the theory tables and the
# stand-ins' simulation: 37 of the small config's 122 jobs, 22 of its rules.
RERUN_TARGETS = ["results/theory/table1.csv", "results/theory/figure6.csv", "results/tables/table2.csv",
                 "results/data/walmart_like/split.csv", "results/forests/example_shop/policy_tree/tree.txt",
                 "results/evaluation/example_shop/policies.csv", "results/sensitivity/example_shop/curves.csv"]


@pytest.fixture(scope="session")
def rerun(tmp_path_factory):
    """A second run of part of the small config (RERUN_TARGETS) in a fresh folder: through SLURM where
    a cluster is running or can be started (CI runs as root), else locally. One run serves two checks
    (same bytes from the same config; every job a SLURM job), which keeps CI under its time budget.
    Returns (workdir, executor)."""
    work = tmp_path_factory.mktemp("run2")
    stop_env = None
    use_slurm = not os.environ.get("ACTIONABLE_NO_SLURM")  # e.g. inside a chroot or container without systemd
    if use_slurm and not slurm_cluster_up() and (os.geteuid() == 0 or os.environ.get("CI")):
        stop_env = dict(os.environ, BASE=str(tmp_path_factory.mktemp("slurm")), WITH_DBD="0")
        res = subprocess.run(["bash", str(SLURM_START)], env=stop_env, capture_output=True, text=True, timeout=900)
        assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-3000:]
    try:
        if use_slurm and slurm_cluster_up():
            res = run_snakemake(*RERUN_TARGETS, *slurm_profile_args(), "--jobs", 4,
                                "--default-resources", "slurm_partition=debug", "mem_mb=1000", "runtime=30",
                                "-d", work, "--configfile", ROOT / ".test" / "config.yaml", timeout=1800)
            assert res.returncode == 0, res.stderr[-4000:]
            yield work, "slurm"
        else:
            run_small(work, *RERUN_TARGETS)
            yield work, "local"
    finally:
        if stop_env:
            subprocess.run(["bash", str(SLURM_STOP)], env=stop_env, capture_output=True, timeout=300)


# Test lanes (pyproject.toml registers the markers). A test without a lane marker is a unit test:
# fast, in-process, no Snakemake run, no R, no committed record, no full-size simulation.
# bin/test.sh --quick runs that lane.
LANES = ("workflow", "r", "slurm", "records", "simulation")


def pytest_collection_modifyitems(items):
    for item in items:
        if {"small_run", "rerun"} & set(item.fixturenames):
            item.add_marker(pytest.mark.workflow)
        if not any(item.get_closest_marker(lane) for lane in LANES):
            item.add_marker(pytest.mark.unit)
