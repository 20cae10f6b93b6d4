"""Benchmark: the forest jobs' peak memory, measured on a grid and fitted to the projection the
config check uses (actionable.studies.memory).

Each cell of the grid (rows x arms x trees per chunk, 10 covariates, binary outcome) runs the forest
jobs' work each in its own process, so its max RSS is its own, as the workflow's jobs do:

- fit: one chunk of the multi-arm causal forest grown and saved (fit_macf_chunk);
- statistics: that chunk's sufficient statistics for the holdout and its out-of-bag rows
  (macf_chunk_statistics);
- reduce: two chunks' statistics summed and solved (fit_macf with forests.combine statistics; the
  holdout's Y.hat given, as merge_yhat writes it);
- merge: two chunks merged by grf, their out-of-bag and holdout predictions (fit_macf with merge).

The coefficients of actionable.studies.memory are the least-squares fit of these peaks on the
projection's terms (tests/test_memory.py checks that the package holds this record's fit). With
``RESULTS=/path/to/results`` (a finished run that recorded per-job benchmarks in logs/benchmarks/)
the fitted projection is also compared with that run's measured forest-job peaks, out of sample.

    /usr/bin/python3 -m benchmarks.forest_memory                       the grid and the fit (~10 min)
    RESULTS=/tmp/run/results[:/tmp/other/results] /usr/bin/python3 -m benchmarks.forest_memory [grid|check] [paper]

``paper``: also one 100-tree chunk of that run's walmart_like at the paper's scale (241k rows per
tree; ~20 min), each job's work measured against the projection.

Writes benchmarks/results/forest_memory.json.
"""

from __future__ import annotations

import csv
import itertools
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.child import run_child

ROOT = Path(__file__).resolve().parent.parent
GRID = dict(rows=(30_000, 300_000), arms=(3, 24), trees=(8, 32))
FEATURES = 10
SETTINGS = dict(num_trees=64, min_node_size=5, sample_fraction=0.5, honesty=True, max_rows_per_tree=None)

CHILD = """
import json, os, resource, time
import numpy as np
from actionable.stats import forest_stats, forests, rbridge
from actionable.studies import forest_files
a = json.loads({args!r})
if a.get("results"):  # a finished run's study, as the workflow's jobs read it
    from actionable.studies.study import load_study, training_matrices
    ds, split = load_study(a["results"] + "/simulated/" + a["study"] + "/spec.yaml",
                           a["results"] + "/data/" + a["study"] + "/split.csv", 1)
    x_tr, a_tr, y_tr, x_te, *_ = training_matrices(ds, split)
    n, m, n_tr = len(split), len(ds.arms), len(y_tr)
else:
    rng = np.random.default_rng(a["rows"] + a["arms"])
    n, m, p = a["rows"], a["arms"], a["features"]
    x = rng.normal(size=(n, p))
    arm = rng.integers(0, m, n)
    y = (rng.random(n) < 0.3 + 0.1 * np.tanh(x[:, 0]) * (arm % 2)).astype(float)
    n_tr = int(0.7 * n)
    x_tr, a_tr, y_tr, x_te = x[:n_tr], arm[:n_tr], y[:n_tr], x[n_tr:]
w = np.full((n_tr, m), 1 / m)
d = a["dir"]
out = dict()
if a["step"] == "fit":
    y_hat = np.full(n_tr, y_tr.mean())
    f = forests.fit_macf_forest(x_tr, a_tr, y_tr, y_hat, w, [f"a{{j}}" for j in range(m)], a["settings"], 7, 1,
                                a["trees"], oob=False)
    forest_files.save_forest(f, d + "/macf.rds")
    out["forest_mb"] = os.path.getsize(d + "/macf.rds") / 1e6
elif a["step"] == "statistics":
    forest_files.save_chunk_record(forest_stats.chunk_record(forest_files.read_forest(d + "/macf.rds"), x_te, x_tr),
                                   d + "/macf.stats.npz")
else:
    y_hat = np.full(n_tr, y_tr.mean())
    paths = [d + "/macf.stats.npz"] * 2 if a["step"] == "reduce" else [d + "/macf.rds"] * 2
    forest_files.combine_chunks(paths, "statistics" if a["step"] == "reduce" else "merge", x_te, y_tr, a_tr, y_hat, w,
                                np.full((n - n_tr, m), 1 / m), np.full(n - n_tr, y_tr.mean()), 1)
out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def run_step(**args) -> dict:
    return run_child(CHILD.format(args=json.dumps(args)), f"{args['step']} {({k: args.get(k) for k in ('rows', 'arms', 'trees')})}")


def job_of_benchmark(stem: str, combine: str) -> str | None:
    """The projected job a workflow benchmark file (logs/benchmarks/forests/{study}/{stem}.tsv) measured."""
    if stem.startswith("macf_chunk"):
        return "statistics" if stem.endswith("_statistics") else "fit"
    if stem == "merge_yhat":
        return "yhat"
    return ("reduce" if combine == "statistics" else "merge") if stem == "macf" else None


def measure_grid() -> list[dict]:
    cells = []
    for rows, arms, trees in itertools.product(*GRID.values()):
        with tempfile.TemporaryDirectory() as tmp:
            common = dict(rows=rows, arms=arms, trees=trees, features=FEATURES, settings=SETTINGS, dir=tmp)
            cell = dict(rows=rows, arms=arms, trees=trees, features=FEATURES)
            for step in ("fit", "statistics", "reduce", "merge"):
                got = run_step(step=step, **common)
                cell[f"{step}_peak_mb"] = got["peak_mb"]
                cell.update({k: v for k, v in got.items() if k != "peak_mb"})
            cells.append(cell)
    return cells


def fit(cells: list[dict]) -> dict:
    """Least squares of each job's peak on the projection's terms (actionable.studies.memory)."""
    import numpy as np
    from actionable.studies import memory

    shapes = [memory.Shape(rows=c["rows"], features=c["features"], arms=c["arms"], trees_per_chunk=c["trees"],
                           chunks=2, rows_per_tree=memory.rows_per_tree(c["rows"], SETTINGS)) for c in cells]
    # bytes per drawn row of one tree, against the pv width: fitted on the saved chunks' sizes
    size = np.array([c["forest_mb"] / c["trees"] / s.rows_per_tree * 1e6 for c, s in zip(cells, shapes)])
    design = np.column_stack([np.ones(len(cells)), [memory.leaf_values(s.arms) for s in shapes]])
    tree_coef = np.linalg.lstsq(design, size, rcond=None)[0]
    coef = dict(tree_bytes_per_row=list(map(float, tree_coef)))
    for job in memory.JOBS:
        terms = np.array([memory.terms(job, s, tree_coef) for s in shapes])
        peak = np.array([c[f"{job}_peak_mb"] for c in cells])
        coef[job] = list(map(float, np.linalg.lstsq(terms, peak, rcond=None)[0]))
    return coef


def compare_run(results: Path, coef: dict) -> list[dict]:
    """The projection against a finished run's measured forest-job peaks (logs/benchmarks/forests)."""
    from actionable.studies import memory
    from actionable.studies.config import read_yaml
    from actionable.studies.forest_files import study_settings
    from actionable.studies.study import load_study

    run_root = results.resolve().parent
    cfg = read_yaml(run_root / "config.yaml")
    out = []
    for entry in cfg["studies"]:
        study = entry["name"]
        settings = study_settings(cfg, study)
        ds, _ = load_study(results / "simulated" / study / "spec.yaml", results / "data" / study / "split.csv", 1)
        shape = memory.shape_of(len(ds.frame), len(ds.covariates), len(ds.arms), settings)
        logs = run_root / "logs" / "benchmarks" / "forests" / study
        combine = "statistics" if list(logs.glob("macf_chunk*_statistics.tsv")) else "merge"
        projected = memory.job_peaks_mb(shape, coef, combine)
        for tsv in sorted(logs.glob("*.tsv")):
            job = job_of_benchmark(tsv.stem, combine)
            if job in projected:
                rows = list(csv.DictReader(tsv.open(), delimiter="\t"))
                out.append(dict(study=study, job=tsv.stem, combine=combine, projected_mb=round(projected[job]),
                                measured_mb=round(float(rows[-1]["max_rss"]))))
    return out


def measure_study(results: Path, study: str, trees: int, coef: dict) -> list[dict]:
    """One chunk of ``trees`` trees of a finished run's study at the paper's scale (no cap on rows
    per tree), each job's work in its own process, against the projection."""
    import yaml
    from actionable.studies import memory
    from actionable.studies.study import load_study

    settings = dict(SETTINGS, **yaml.safe_load((ROOT / "config" / "paper_scale.yaml").read_text())["forests"]["macf"])
    settings.update(num_trees=2 * trees, chunks=2)
    ds, _ = load_study(results / "simulated" / study / "spec.yaml", results / "data" / study / "split.csv", 1)
    shape = memory.shape_of(len(ds.frame), len(ds.covariates), len(ds.arms), settings)
    projected = memory.job_peaks_mb(shape, coef)
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        common = dict(rows=shape.rows, arms=shape.arms, trees=trees, features=shape.features, settings=settings,
                      dir=tmp, results=str(results), study=study)
        for step in ("fit", "statistics", "reduce", "merge"):
            got = run_step(step=step, **common)
            out.append(dict(study=study, job=step, trees_per_chunk=trees, chunks=2, rows_per_tree=shape.rows_per_tree,
                            projected_mb=round(projected[step]), measured_mb=round(got["peak_mb"]), **{
                                k: v for k, v in got.items() if k != "peak_mb"}))
    return out


def main() -> int:
    parts = sys.argv[1:] or ["grid"]
    out = ROOT / "benchmarks" / "results" / "forest_memory.json"
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    if "grid" in parts:
        cells = measure_grid()
        rec = dict(commit=commit, machine=platform.machine(), grid=GRID, settings=SETTINGS, cells=cells,
                   coefficients=fit(cells))
    else:  # the recorded fit, checked again
        rec = json.loads(out.read_text())
    if os.environ.get("RESULTS"):  # one run's results/, or several joined by ':'
        runs = [Path(r) for r in os.environ["RESULTS"].split(os.pathsep)]
        rec["run_check"] = [row for r in runs for row in compare_run(r, rec["coefficients"])]
        results = runs[0]
        if "paper" in parts:
            rec["paper_scale_check"] = measure_study(results, "walmart_like", 100, rec["coefficients"])
            rec["paper_scale_check_commit"] = commit
    out.write_text(json.dumps(rec, indent=1) + "\n")
    print(json.dumps({k: rec.get(k) for k in ("coefficients", "run_check", "paper_scale_check")}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
