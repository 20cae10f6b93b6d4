"""Atomic writes and script logging shared by the workflow's scripts.

Every result is written to a temporary file beside its target and renamed into place, so no
reader (or a resumed run) ever sees a half-written file.
"""

from __future__ import annotations

import contextlib
import glob
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

_UMASK = os.umask(0)
os.umask(_UMASK)


def _remove_stale_temporaries(path: Path, suffix: str = "") -> None:
    """Remove what a killed earlier attempt at ``path`` left: names exactly as ``mkstemp``/``mkdtemp``
    make them below (prefix, 8 random characters, suffix), so no other target's temporary matches."""
    pattern = re.compile(rf"\.{re.escape(path.name)}\.[a-z0-9_]{{8}}{re.escape(suffix)}")
    for old in path.parent.glob(f".{glob.escape(path.name)}.*"):
        if not pattern.fullmatch(old.name):
            continue
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old)
        else:
            old.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike):
    """Yield a temporary path in the target's folder; rename it onto ``path`` on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(path, path.suffix)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; results should read like any other file
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


@contextlib.contextmanager
def atomic_dir(path: str | os.PathLike):
    """Yield a new temporary folder beside ``path``; rename it onto ``path`` on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(path)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    os.chmod(tmp, 0o777 & ~_UMASK)
    try:
        yield tmp
        if path.exists():
            shutil.rmtree(path)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)


def write_csv(df, path, **kwargs):
    with atomic_path(path) as tmp:
        df.to_csv(tmp, index=False, float_format="%.10g", **kwargs)


def write_text(text: str, path):
    with atomic_path(path) as tmp:
        tmp.write_text(text)


def save_figure(fig, path, dpi: int = 150, vector: bool = True):
    """The figure at ``path`` and, for a PNG, a vector PDF beside it (for papers and slides).
    Fixed metadata so the same inputs give the same bytes."""
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi, bbox_inches="tight", format=Path(path).suffix.lstrip("."),
                    metadata={"Software": None} if str(path).endswith(".png") else None)
    if vector and str(path).endswith(".png"):
        pdf = Path(path).with_suffix(".pdf")
        with atomic_path(pdf) as tmp:
            fig.savefig(tmp, bbox_inches="tight", format="pdf", metadata={"CreationDate": None, "Producer": None})


@contextlib.contextmanager
def script_log(snakemake):
    """Send a script's stdout, stderr and logging to the rule's log file."""
    log_path = snakemake.log[0] if len(snakemake.log) else os.devnull
    Path(log_path).parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w") as fh, contextlib.redirect_stdout(fh), contextlib.redirect_stderr(fh):
        handler = logging.StreamHandler(fh)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        root = logging.getLogger()
        root.addHandler(handler)
        root.setLevel(logging.INFO)
        if os.environ.get("SLURM_JOB_ID"):  # batch runs: which cluster job made these outputs
            logging.getLogger("actionable").info("SLURM job %s on %s", os.environ["SLURM_JOB_ID"],
                                                 os.environ.get("SLURMD_NODENAME", "?"))
        try:
            yield logging.getLogger("actionable")
        except BaseException:
            logging.getLogger("actionable").exception("step failed")
            raise
        finally:
            root.removeHandler(handler)
            fh.flush()
            sys.stdout.flush()


def save_npy(array, path):
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:  # a file handle: np.save on a path would append ".npy"
            np.save(fh, array)


def save_boosters(models: dict, folder) -> None:
    """XGBoost boosters ({file name: booster}) saved into ``folder``, which appears whole or not at all."""
    with atomic_dir(folder) as tmp:
        for name, booster in models.items():
            booster.save_model(str(tmp / name))


def json_safe(obj):
    """``obj`` with NaN and infinities as None (null): bare NaN is not JSON, and strict readers refuse it."""
    if isinstance(obj, dict):
        return {k: json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_safe(v) for v in obj]
    if isinstance(obj, (float, np.floating)):
        return float(obj) if np.isfinite(obj) else None
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.ndarray):
        return json_safe(obj.tolist())
    return obj


def read_jsons(paths) -> list:
    """The JSON documents at ``paths``, in order."""
    out = []
    for path in paths:
        with open(path) as fh:
            out.append(json.load(fh))
    return out


def write_json(obj, path):
    """Valid JSON: NaN and infinities written as null."""
    write_text(json.dumps(json_safe(obj), indent=1, default=float, allow_nan=False) + "\n", path)


@contextlib.contextmanager
def heartbeat(what: str, every: float = 60.0, status=None):
    """Log '<what>: running for N s [status()]' every ``every`` seconds until the block ends, so a
    long job (a forest chunk, a merge, a Monte Carlo sweep) shows in its log that it is alive and
    how far it got. R code called through rpy2 lets this thread run."""
    log = logging.getLogger("actionable.progress")
    done = threading.Event()
    t0 = time.monotonic()

    def beat():
        while not done.wait(every):
            extra = status() if status is not None else ""
            log.info("%s: running for %.0f s%s", what, time.monotonic() - t0, f"; {extra}" if extra else "")

    thread = threading.Thread(target=beat, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
        log.info("%s: done in %.1f s", what, time.monotonic() - t0)
