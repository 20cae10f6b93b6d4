"""The forest jobs' peak memory, projected from a study's size and its forest settings, and the
config check's plan: how many chunks a node of a given memory needs.

A job's peak is linear in a few sizes, in MB: the covariates (rows x features doubles), the trees it
holds (trees x rows drawn per tree x bytes per drawn row, which grows with the leaf values a
multi-arm causal forest stores per leaf, m^2 + 1 for m arms) and, for the chunk-wise statistics,
the summed leaf values (rows x (2 + 2k + k(k+1)/2) doubles, k = m - 1). The coefficients are the
least-squares fit of peaks measured on a grid of rows, arms and trees per chunk
(benchmarks/forest_memory.py, benchmarks/results/forest_memory.json; tests/test_memory.py checks
that they are that record's).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

__all__ = ["Shape", "JOBS", "COEFFICIENTS", "rows_per_tree", "leaf_values", "shape_of", "terms", "job_peaks_mb",
           "node_mem_mb", "plan", "MARGIN", "YHAT_BYTES_PER_TREE_ROW", "request_mb"]

# job -> what it is in the workflow
JOBS = {"fit": "fit_macf_chunk: grows one chunk of the causal forest",
        "statistics": "macf_chunk_statistics: one chunk's sums for the holdout and its out-of-bag rows",
        "reduce": "fit_macf (combine statistics): the chunks' sums added and solved",
        "merge": "fit_macf (combine merge): the chunks merged by grf, out-of-bag and holdout predictions"}

# benchmarks/results/forest_memory.json's "coefficients" (MB per term of ``terms``)
COEFFICIENTS = {
    'tree_bytes_per_row': [34.97602513266882, 0.05369442869740487],
    'fit': [288.907335069444, 9.19377054606987, 1.0945131842400126],
    'statistics': [324.5353732638906, 3.1123357119987247, 1.0395930790160772, 1.0753871177727583],
    'reduce': [349.4813368055556, 3.6455966490436387, 1.2411017654964875],
    'merge': [292.3334418402777, 12.29320243490124, 1.1980969627512312],
}


@dataclass(frozen=True)
class Shape:
    rows: int             # the study's rows (training 70%, holdout 30%)
    features: int
    arms: int
    trees_per_chunk: int  # the largest chunk's
    chunks: int
    rows_per_tree: int    # rows each tree draws
    yhat_trees: int = 0   # the Y.hat forest's (merge_yhat holds them all, or with statistics one chunk's)


def rows_per_tree(rows: int, settings: dict) -> int:
    """Rows a tree draws: sample_fraction of the 70% training split, capped by max_rows_per_tree."""
    drawn = settings.get("sample_fraction", 0.5) * int(0.7 * rows)
    cap = settings.get("max_rows_per_tree")
    return int(min(drawn, cap) if cap else drawn)


def leaf_values(arms: int) -> int:
    """Values grf stores per leaf of a multi-arm causal forest with one outcome: (k+1)^2 + 1, k = m - 1."""
    return arms * arms + 1


def shape_of(rows: int, features: int, arms: int, settings: dict) -> Shape:
    chunks = int(settings.get("chunks", 1))
    per_chunk = -(-int(settings["num_trees"]) // chunks)
    yhat = max(50, int(settings["num_trees"]) // 4)  # grf's recipe (stats.forests.yhat_settings)
    return Shape(rows, features, arms, per_chunk, chunks, rows_per_tree(rows, settings), yhat)


def terms(job: str, shape: Shape, tree_bytes_per_row) -> list[float]:
    """The sizes (MB) a job's peak is linear in: 1, the covariates, then the trees or the sums."""
    a, b = tree_bytes_per_row
    k = shape.arms - 1
    data = shape.rows * shape.features * 8 / 1e6
    chunk = shape.trees_per_chunk * shape.rows_per_tree * (a + b * leaf_values(shape.arms)) / 1e6
    sums = shape.rows * (2 + 2 * k + k * (k + 1) / 2) * 8 / 1e6
    return {"fit": [1.0, data, chunk], "statistics": [1.0, data, chunk, sums], "reduce": [1.0, data, sums],
            "merge": [1.0, data, chunk * shape.chunks]}[job]


# The Y.hat forest's trees held by merge_yhat, bytes per tree and drawn row, by forests.combine: with
# statistics one chunk's trees (each chunk in a process of its own), with merge all of them. Fitted
# by benchmarks/yhat_memory.py (benchmarks/results/yhat_memory.json) on walmart_like's paper-scale
# run's own 10 Y.hat chunks (241,392 rows per tree); not on the grid.
YHAT_BYTES_PER_TREE_ROW = {"statistics": 80.0, "merge": 118.6}
# The plan compares the projection times this with the memory (measured peaks were up to 35% above it)
MARGIN = 1.4


def job_peaks_mb(shape: Shape, coefficients: dict | None = None, combine: str = "statistics") -> dict:
    """Projected peak (MB) of each grid job and of merge_yhat ("yhat") under ``combine``: the fit job's
    constant and covariates plus the Y.hat trees it holds (all of them with merge, one chunk's with
    statistics) and, with statistics, the holdout's and training rows' two summed leaf values."""
    coef = coefficients or COEFFICIENTS
    peaks = {job: float(sum(c * t for c, t in zip(coef[job], terms(job, shape, coef["tree_bytes_per_row"]))))
             for job in JOBS}
    held = shape.yhat_trees if combine == "merge" else -(-shape.yhat_trees // shape.chunks)
    base, data = terms("fit", shape, coef["tree_bytes_per_row"])[:2]
    sums = 2 * shape.rows * 2 * 8 / 1e6 if combine == "statistics" else 0.0
    peaks["yhat"] = float(coef["fit"][0] * base + coef["fit"][1] * data + sums
                          + held * shape.rows_per_tree * YHAT_BYTES_PER_TREE_ROW[combine] / 1e6)
    return peaks


def request_mb(data_mb: float, chunk_mb: list, combine: str, attempt: int = 1) -> int:
    """A forest job's ``mem_mb`` (what SLURM enforces), from the files it reads: 2,000 MB, 150 MB per
    MB of the study's data file (walmart_like: 41 MB of CSV, 3.2 GB at 200 trees) and 3 MB per MB of
    the forest chunks it holds (penn_geisinger_like at paper scale: 1.2 GB of MACF chunks merged,
    3.2 GB max RSS), doubled on each retry so a job killed for lack of memory comes back bigger.
    With ``combine`` statistics a job holds one chunk at a time (merge_yhat reads its chunks in turn),
    so the largest counts; with merge, all of them."""
    held = max(chunk_mb, default=0.0) if combine == "statistics" else sum(chunk_mb)
    return int((2000 + 150 * data_mb + 3 * held) * attempt)


def node_mem_mb() -> int:
    """This machine's physical memory, MB."""
    return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20)


def _jobs(combine: str) -> tuple:
    return ("fit", "statistics", "reduce", "yhat") if combine == "statistics" else ("fit", "merge", "yhat")


def plan(shape: Shape, num_trees: int, combine: str, limit_mb: float, coefficients: dict | None = None) -> str | None:
    """None when every forest job of ``combine`` fits in ``limit_mb``; else the projected peaks and
    the fewest chunks (with forests.combine statistics, if merging cannot fit) that would fit."""
    limit_mb = limit_mb / MARGIN
    peaks = job_peaks_mb(shape, coefficients, combine)
    over = [j for j in _jobs(combine) if peaks[j] > limit_mb]
    if not over:
        return None
    said = (f"projected peak of {', '.join(f'{j} {peaks[j]:,.0f} MB' for j in over)} above {limit_mb:,.0f} MB "
            f"(the memory over a margin of {MARGIN:g}; "
            f"{shape.rows:,} rows, {shape.arms} arms, {shape.trees_per_chunk} trees per chunk, "
            f"{shape.rows_per_tree:,} rows per tree)")
    for how in dict.fromkeys([combine, "statistics"]):
        for chunks in range(shape.chunks, max(shape.chunks, num_trees // 2) + 1):
            p = job_peaks_mb(replace(shape, chunks=chunks, trees_per_chunk=-(-num_trees // chunks)), coefficients, how)
            if all(p[j] <= limit_mb for j in _jobs(how)):
                change = [f"chunks: {chunks}"] * (chunks != shape.chunks) + [f"combine: {how}"] * (how != combine)
                return f"{said}; {' and '.join(change)} would fit (largest job {max(p[j] for j in _jobs(how)):,.0f} MB)"
    return (f"{said}; no number of chunks fits: the combining job holds every row's summed leaf values "
            f"({peaks['reduce']:,.0f} MB); use a node with more memory")
