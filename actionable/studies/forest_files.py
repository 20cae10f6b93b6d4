"""Forests on disk: a study's forest settings from the config, and grf forests saved and read as
RDS files (the scattered chunks and the merged forest)."""

from __future__ import annotations

from ..stats import rbridge
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
