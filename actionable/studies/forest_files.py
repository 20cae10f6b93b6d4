"""Forests on disk: a study's forest settings from the config, and grf forests saved and read as
RDS files (the scattered chunks and the merged forest)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from ..stats import forest_stats, forests, policy_tree, rbridge
from ..stats.forests import WITH_OOB_R
from .io import atomic_path


def study_settings(config: dict, study: str | None = None) -> dict:
    """MACF settings for one study: forests.macf with that study's own ``studies[].macf`` over it
    (the default run grows the paper's 2,000 trees on Penn-Geisinger); without ``study``, forests.macf."""
    settings = dict(config["forests"]["macf"])
    if study is not None:
        entry = next((s for s in config["studies"] if s["name"] == study), None)
        if entry is None:
            raise KeyError(f"config studies: no study named {study!r}")
        settings.update(entry.get("macf") or {})
    return settings


def save_forest(forest, path) -> None:
    """saveRDS to a temporary name, renamed into place (atomic like every other result).
    Uncompressed: gzip took 8.6 s for a 100-tree walmart_like chunk (52 MB; raw 255 MB in 0.5 s),
    the disk space is temporary, and the merge reads raw files faster (benchmarks/forest_steps.py)."""
    with atomic_path(path) as tmp:
        rbridge.r_function("saveRDS")(forest, str(tmp), compress=False)


def read_forest(path):
    return rbridge.r_function("readRDS")(str(path))


def merge_files(paths, threads: int, oob: bool = True):
    """``merge`` of chunks saved as RDS, read in R so that no reference to them outlives
    merge_forests: they are freed before the out-of-bag predictions, which would otherwise run
    with the chunks and the merged forest in memory at once (the merge job's peak). ``oob=False``:
    the merged forest alone, enough to predict for new people."""
    return rbridge.call(rbridge.r_eval(_MERGE_FILES), rbridge.r_function("c")(*map(str, paths)), int(threads), bool(oob))


_MERGE_FILES = f"""function(paths, threads, oob) {{
  forest <- grf::merge_forests(lapply(paths, readRDS), compute.oob.predictions = FALSE)
  invisible(gc())
  if (oob) ({WITH_OOB_R})(forest, threads) else forest
}}"""


def save_chunk_record(record: dict, path) -> None:
    """A chunk's sufficient statistics (stats.forest_stats.chunk_record), float64, compressed."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            np.savez_compressed(fh, **record)


def sum_chunk_records(paths, block_rows: int = 50_000, keys=None) -> dict:
    """The chunks' statistics added up (``keys``: only those): what the merged forest would have.
    Each chunk's arrays are streamed from its file in blocks of rows, so memory holds the total and
    one block."""
    total = {}
    for path in paths:
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                key = name.removesuffix(".npy")
                if keys is None or key in keys:
                    with zf.open(name) as fh:
                        _add_streamed(total, key, fh, block_rows)
    return total


class SummedRecords(Mapping):
    """The chunks' summed statistics, each added up when it is read and not kept: the holdout's and
    the out-of-bag sums are never in memory together."""

    def __init__(self, paths):
        self.paths = list(paths)
        with zipfile.ZipFile(self.paths[0]) as zf:
            self.keys_ = [name.removesuffix(".npy") for name in zf.namelist()]

    def __getitem__(self, key):
        if key not in self.keys_:
            raise KeyError(key)
        return sum_chunk_records(self.paths, keys=(key,))[key]

    def __iter__(self):
        return iter(self.keys_)

    def __len__(self):
        return len(self.keys_)


def _add_streamed(total: dict, key: str, fh, block_rows: int) -> None:
    version = np.lib.format.read_magic(fh)
    shape, fortran, dtype = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                             else np.lib.format.read_array_header_2_0)(fh)
    out = total.setdefault(key, np.zeros(shape, dtype))
    if fortran or not shape:  # never written by save_chunk_record in blocks; read whole
        out += np.frombuffer(fh.read(), dtype).reshape(shape, order="F" if fortran else "C")
        return
    row = int(np.prod(shape[1:], dtype=np.int64))
    for start in range(0, shape[0], block_rows):
        rows = min(block_rows, shape[0] - start)
        out[start:start + rows] += np.frombuffer(fh.read(rows * row * dtype.itemsize), dtype).reshape(rows, *shape[1:])


def yhat_from_chunks(paths, combine: str, x_test, x_train, threads: int) -> tuple[np.ndarray, np.ndarray]:
    """The Y.hat regression forest's out-of-bag predictions for the training rows and its predictions
    for the holdout, from its chunks' RDS files. ``combine`` merge: the chunks merged by grf;
    statistics: each chunk's summed leaf values in turn, so no more than one chunk is ever in memory."""
    if combine == "statistics":
        total = _regression_sums_by_chunk(paths, x_test, x_train)
        oob, holdout = (forest_stats.regression_predictions(total[f"{rows}_sums"], total[f"{rows}_counts"])
                        for rows in ("oob", "holdout"))
        # every tree votes on a new point (grf prunes empty honest leaves): a NaN means broken statistics,
        # which would pass silently into the causal forest's splits
        if not np.isfinite(holdout).all():
            raise ValueError(f"Y.hat from {len(paths)} chunks ({paths[0]} ...): {int((~np.isfinite(holdout)).sum())} of "
                             f"{len(holdout)} holdout predictions are not finite; expected all finite")
        return oob, holdout
    forest = merge_files(paths, threads)
    return forests.oob_predictions(forest), forests.predict_y(forest, x_test, threads)


def _regression_sums_by_chunk(paths, x_test, x_train) -> dict:
    """``forest_stats.regression_sums`` over the chunks in order, each chunk in a fresh process that
    adds its trees to the running total: one process reading the chunks in turn kept growing with
    each (benchmarks/yhat_memory.py), a process per chunk keeps the job's peak at one chunk's. The
    totals pass through float64 files, so the sums are bit for bit those of one process."""
    package_root = str(Path(__file__).resolve().parents[2])
    with tempfile.TemporaryDirectory(prefix="yhat_sums.") as tmp:
        np.save(f"{tmp}/x_test.npy", np.asarray(x_test, float))
        np.save(f"{tmp}/x_train.npy", np.asarray(x_train, float))
        for path in paths:
            run = subprocess.run([sys.executable, "-c", f"from {__name__} import _add_chunk_sums; "
                                  f"_add_chunk_sums({str(path)!r}, {tmp!r})"],
                                 capture_output=True, text=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(
                                     filter(None, [package_root, os.environ.get("PYTHONPATH")]))})
            if run.returncode:
                raise RuntimeError(f"Y.hat chunk {path}: its leaf values could not be added (exit {run.returncode})\n"
                                   f"{run.stderr[-3000:]}")
        with np.load(f"{tmp}/total.npz") as total:
            return dict(total)


def _add_chunk_sums(path: str, tmp: str) -> None:
    """The child of ``_regression_sums_by_chunk``: one chunk's leaf values added to ``tmp``'s total."""
    total = dict(np.load(f"{tmp}/total.npz")) if os.path.exists(f"{tmp}/total.npz") else None
    x_test, x_train = (np.load(f"{tmp}/{name}.npy", mmap_mode="r") for name in ("x_test", "x_train"))
    total = forest_stats.regression_sums(read_forest(path), x_test, x_train, total)
    np.savez(f"{tmp}/total.npz", **total)  # a child that fails stops the job, so no half-written total is read


def combine_chunks(paths, combine: str, x_test, y_train, arm_train, y_hat_train, w_hat_train, w_hat_test,
                   y_hat_test, threads: int) -> tuple:
    """The multi-arm causal forest's outputs from its chunk files: (holdout tau_hat n x m with control
    0, holdout arm outcomes, training DR scores, variable importance per feature, trees). ``combine``
    merge: the chunks' RDS files merged by grf; statistics: their sufficient statistics
    (``save_chunk_record``) summed and solved, the same numbers without the merged forest."""
    if combine == "statistics":
        total = SummedRecords(paths)
        out = forest_stats.macf_outputs(total, y_train, arm_train, y_hat_train, w_hat_train, y_hat_test, w_hat_test)
        return (*out, int(total["trees"]))
    forest = merge_files(paths, threads)  # computes the OOB predictions of all trees
    tau = forests.predict_tau(forest, x_test, threads)
    return (tau, forests.arm_outcomes(tau, y_hat_test, w_hat_test), policy_tree.double_robust_scores(forest),
            forests.variable_importance(forest), forests.num_trees(forest))
