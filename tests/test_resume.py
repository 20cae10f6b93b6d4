"""A run killed mid-job (SIGKILL) resumes with --rerun-incomplete and gives byte-identical tables."""
import os
import signal
import subprocess
import time

from conftest import ROOT, SNAKEMAKE
import pytest

pytestmark = pytest.mark.workflow

TABLES = ["theory/table1.csv", "theory/figure6.csv", "tables/table2.csv", "tables/moments.csv",
          "data/walmart_like/split.csv", "learners/walmart_like/txgb_all/predictions.npy"]
TARGETS = ["results/tables/moments.csv", "results/tables/table2.csv", "results/theory/figure6.csv",
           "results/theory/table1.csv"]


def _cmd(workdir, *extra):
    return [*SNAKEMAKE, "-s", str(ROOT / "Snakefile"), *TARGETS, "--cores", "2", "-d", str(workdir),
            "--configfile", str(ROOT / ".test" / "config.yaml"), *extra]


def test_killed_run_resumes_to_identical_tables(small_run, tmp_path):
    clean = small_run.parent  # an uninterrupted run of the same config

    killed = tmp_path / "killed"
    proc = subprocess.Popen(_cmd(killed), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    # wait until the learners are under way, then kill snakemake and every job it started
    deadline = time.time() + 600
    while not list((killed / "results" / "learners").glob("*/txgb_all/group*.npy")) and time.time() < deadline:
        time.sleep(0.2)
    assert proc.poll() is None, "the run finished before it could be interrupted"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (killed / "results" / "tables" / "moments.csv").exists()

    # what bin/replicate.sh does after a crash: unlock (no snakemake is running), then resume
    subprocess.run(_cmd(killed, "--unlock"), check=True, capture_output=True, timeout=120)
    res = subprocess.run(_cmd(killed, "--rerun-incomplete"), capture_output=True, text=True, timeout=900)
    assert res.returncode == 0, res.stderr[-3000:]
    for f in TABLES:
        assert (clean / "results" / f).read_bytes() == (killed / "results" / f).read_bytes(), f
    # no temporary files from the atomic writes (.snakemake_timestamp: Snakemake's mark in directory outputs)
    leftovers = [p for p in (killed / "results").rglob(".*") if p.is_file() and p.name != ".snakemake_timestamp"]
    assert not leftovers, leftovers
