"""Atomic writes: a killed attempt's temporary is removed by the next attempt at the same target only."""
import os
import signal
import subprocess
import sys

import numpy as np

from actionable.studies.io import atomic_dir, atomic_path
from conftest import ROOT


def _killed_mid_write(target, folder=False):
    """The temporary a process left when SIGKILL stopped it inside ``atomic_path``/``atomic_dir``."""
    code = (f"import os, signal, sys; sys.path.insert(0, {str(ROOT)!r});"
            "from actionable.studies.io import atomic_path, atomic_dir;"
            f"cm = ({'atomic_dir' if folder else 'atomic_path'})({str(target)!r});"
            "tmp = cm.__enter__(); print(tmp, flush=True); os.kill(os.getpid(), signal.SIGKILL)")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.returncode == -signal.SIGKILL, res.stderr
    return type(target)(res.stdout.strip())


def test_the_next_attempt_removes_a_killed_attempts_temporary_and_nothing_else(tmp_path):
    target = tmp_path / "macf1.stats.npz"
    stale = _killed_mid_write(target)
    assert stale.exists() and stale.name.startswith(".macf1.stats.npz.")
    # temporaries of other targets whose names share the prefix, and an ordinary hidden file
    others = [tmp_path / ".macf1.stats.npz.gz.abcdefgh.gz", tmp_path / ".macf1.stats.npz.notes",
              tmp_path / ".macf1.stats.npz.abcdefgh.csv", tmp_path / "macf1.stats.npz.abcdefgh.npz"]
    for p in others:
        p.write_text("keep")

    with atomic_path(target) as tmp:
        np.savez(tmp, a=np.arange(3))
    assert not stale.exists()
    assert all(p.read_text() == "keep" for p in others)
    assert np.load(target)["a"].tolist() == [0, 1, 2]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([target.name, *(p.name for p in others)])


def test_a_killed_folder_write_is_removed_by_the_next_attempt(tmp_path):
    target = tmp_path / "macf"
    stale = _killed_mid_write(target, folder=True)
    (stale / "part.npy").write_text("half")
    neighbour = tmp_path / ".macf_old.abcdefgh"
    neighbour.mkdir()

    with atomic_dir(target) as tmp:
        (tmp / "done.txt").write_text("ok")
    assert not stale.exists() and neighbour.is_dir()
    assert (target / "done.txt").read_text() == "ok"
