"""Batch execution on a real single-node SLURM cluster (started by conftest's ``rerun``, stopped at
the end of the pytest session).

Part of the small configuration (conftest's RERUN_TARGETS: one study's whole chain, the theory and
the stand-ins' data) runs through the SLURM profile of the Snakemake found (profiles/slurm-smk7 for
7's --slurm, profiles/slurm for 8+'s executor plugin): every job must be a SLURM job (its log names the
job id, which the controller's job-completion record lists) and every table and array it writes must
be byte-identical to the local run of the whole configuration.
"""
import re
import subprocess
from pathlib import Path

import pytest

pytestmark = [pytest.mark.workflow, pytest.mark.slurm]


def _tables(results: Path) -> dict:
    return {p.relative_to(results): p.read_bytes() for p in sorted(results.rglob("*"))
            if p.suffix in (".csv", ".npy", ".txt") and p.parts[-2] != "runtime"}


def test_small_run_through_slurm_matches_the_local_run(rerun, small_run):
    work, executor = rerun
    if executor != "slurm":
        pytest.skip("starting a local SLURM cluster needs root (CI runs this test as root); ACTIONABLE_NO_SLURM skips it")
    # every job ran inside SLURM: its log names the job id, and the controller recorded that job
    logs = [p for p in (work / "logs").rglob("*.log")]
    ids = {}
    for log in logs:
        m = re.search(r"SLURM job (\d+) on ", log.read_text())
        assert m, f"{log} was not written by a SLURM job"
        ids[log] = m.group(1)
    assert len(set(ids.values())) == len(logs) > 30
    comp = re.search(r"JobCompLoc\s*=\s*(\S+)", subprocess.run(["scontrol", "show", "config"], capture_output=True,
                                                               text=True).stdout).group(1)
    completed = set(re.findall(r"JobId=(\d+) .*?JobState=COMPLETED", Path(comp).read_text()))
    assert set(ids.values()) <= completed
    # the same bytes as the local run of the same configuration, for everything the batch run wrote
    local, batch = _tables(small_run), _tables(work / "results")
    assert len(batch) > 30 and batch.keys() <= local.keys()
    assert [k for k in batch if local[k] != batch[k]] == []
