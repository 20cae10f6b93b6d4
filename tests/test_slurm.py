"""Batch execution on a real single-node SLURM cluster (started here, stopped at the end).

The small configuration runs through profiles/slurm-smk7 (Snakemake 7's --slurm): every job must
be a SLURM job (its log names the job id, which the controller's job-completion record lists) and
every CSV table must be byte-identical to the local run of the same configuration.
"""
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, run_snakemake

START, STOP = ROOT / ".ci" / "slurm" / "start-slurm.sh", ROOT / ".ci" / "slurm" / "stop-slurm.sh"


def _cluster_up() -> bool:
    res = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True) if shutil.which("sinfo") else None
    return bool(res and res.returncode == 0 and re.search(r"idle|mix|alloc", res.stdout))


@pytest.fixture(scope="module")
def slurm(tmp_path_factory):
    if _cluster_up():  # a cluster that is already running is used as it is, and left running
        yield None
        return
    if os.geteuid() != 0 and not os.environ.get("CI"):
        pytest.skip("starting a local SLURM cluster needs root (CI runs this test as root)")
    env = dict(os.environ, BASE=str(tmp_path_factory.mktemp("slurm")), WITH_DBD="0")
    res = subprocess.run(["bash", str(START)], env=env, capture_output=True, text=True, timeout=900)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-3000:]
    try:
        yield env["BASE"]
    finally:
        subprocess.run(["bash", str(STOP)], env=env, capture_output=True, timeout=300)


def _tables(results: Path) -> dict:
    return {p.relative_to(results): p.read_bytes() for p in sorted(results.rglob("*.csv"))
            if p.parts[-2] != "runtime"}


def test_small_run_through_slurm_matches_the_local_run(slurm, small_run, tmp_path):
    os.environ["USER"] = os.environ.get("USER") or "root"  # 7.21's --slurm reads $USER
    res = run_snakemake("--profile", ROOT / "profiles" / "slurm-smk7", "--jobs", 4,
                        "--default-resources", "slurm_partition=debug", "mem_mb=1000", "runtime=30",
                        "-d", tmp_path, "--configfile", ROOT / ".test" / "config.yaml", timeout=1800)
    assert res.returncode == 0, res.stderr[-4000:]
    # every job ran inside SLURM: its log names the job id, and the controller recorded that job
    logs = [p for p in (tmp_path / "logs").rglob("*.log")]
    ids = {}
    for log in logs:
        m = re.search(r"SLURM job (\d+) on ", log.read_text())
        assert m, f"{log} was not written by a SLURM job"
        ids[log] = m.group(1)
    assert len(set(ids.values())) == len(logs) > 50
    comp = re.search(r"JobCompLoc\s*=\s*(\S+)", subprocess.run(["scontrol", "show", "config"], capture_output=True,
                                                               text=True).stdout).group(1)
    completed = set(re.findall(r"JobId=(\d+) .*?JobState=COMPLETED", Path(comp).read_text()))
    assert set(ids.values()) <= completed
    # the same tables, byte for byte, as the local run of the same configuration
    local, batch = _tables(small_run), _tables(tmp_path / "results")
    assert local.keys() == batch.keys() and len(local) > 20
    assert [k for k in local if local[k] != batch[k]] == []
