"""Benchmark: merge_yhat's peak memory: with forests.combine statistics, reading its Y.hat chunks one
after another in one process against one fresh process per chunk (what the workflow does), and
with combine merge (grf's merged Y.hat forest).

The Y.hat chunks of a finished paper-scale run (benchmarks/paper_scale_slurm.sh; config.yaml with
config/paper_scale.yaml) are grown again with the workflow's seeds, two at a time, then combined
each way in its own process:

- one_process: ``forest_stats.regression_sums`` over the chunks in one process, its peak (kernel
  high-water mark) after each chunk;
- by_chunk: ``forest_files.yhat_from_chunks``, a child process per chunk: the peak of the job's
  process tree (its own and its children's resident memory summed, sampled every 0.1 s as
  Snakemake's benchmark does), its own high-water mark and the largest child's;
- merge: ``forest_files.yhat_from_chunks`` with combine merge, measured the same way.

All three must give the run's results/forests/{study}/macf/yhat.npy bit for bit (checked). The record
fits the projection's Y.hat term per mode (actionable.studies.memory.YHAT_BYTES_PER_TREE_ROW) to
the by_chunk and merge peaks.

    RESULTS=/var/tmp/paper_scale_walmart_like/results /usr/bin/python3 -m benchmarks.yhat_memory [study]

walmart_like (the default): 10 chunks of 50 trees on 241,392 rows each, ~40 min and 3.6 GB of disk
in $TMPDIR (default /var/tmp). Writes benchmarks/results/yhat_memory.json.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.child import run_child

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import json, resource, threading, time
import numpy as np
import psutil
from actionable.stats import forest_stats, forests
from actionable.studies import forest_files
from actionable.studies.study import load_study, training_matrices
a = json.loads({args!r})
ds, split = load_study(a["results"] + "/simulated/" + a["study"] + "/spec.yaml",
                       a["results"] + "/data/" + a["study"] + "/split.csv", 1)
x_tr, a_tr, y_tr, x_te, *_ = training_matrices(ds, split)
def hwm():
    return int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]) / 1024
out = dict()
if a["step"] == "fit":
    t = time.time()
    f = forests.fit_yhat_forest(x_tr, y_tr, a["settings"], a["seed"], 1, a["trees"], oob=False)
    forest_files.save_forest(f, a["chunk"])
    out.update(fit_s=round(time.time() - t, 1))
elif a["step"] == "one_process":
    total, peaks = None, []
    t = time.time()
    for path in a["chunks"]:
        total = forest_stats.regression_sums(forest_files.read_forest(path), x_te, x_tr, total)
        peaks.append(round(hwm()))
    oob = forest_stats.regression_predictions(total["oob_sums"], total["oob_counts"])
    out.update(peaks_mb=peaks, peak_mb=max(peaks), seconds=round(time.time() - t, 1),
               equals_the_run=bool(np.array_equal(oob, np.load(a["run_yhat"]), equal_nan=True)))
else:
    me, tree_peak, done = psutil.Process(), [0.0], threading.Event()
    def sample():
        while not done.is_set():
            rss = 0
            for p in [me, *me.children(recursive=True)]:
                try:
                    rss += p.memory_info().rss
                except psutil.Error:
                    pass
            tree_peak[0] = max(tree_peak[0], rss / 2**20)
            time.sleep(0.1)
    threading.Thread(target=sample, daemon=True).start()
    t = time.time()
    oob, _ = forest_files.yhat_from_chunks(a["chunks"], a["combine"], x_te, x_tr, 1)
    done.set()
    out.update(peak_mb=round(tree_peak[0]), parent_peak_mb=round(hwm()), seconds=round(time.time() - t, 1),
               largest_child_mb=round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
               equals_the_run=bool(np.array_equal(oob, np.load(a["run_yhat"]), equal_nan=True)))
print(json.dumps(out))
"""


def main() -> int:
    from concurrent.futures import ThreadPoolExecutor

    import yaml

    from actionable.stats import forests, seeds
    from actionable.studies import memory
    from actionable.studies.study import load_study

    study = (sys.argv[1:] or ["walmart_like"])[0]
    results = Path(os.environ["RESULTS"]).resolve()
    config = yaml.safe_load((ROOT / "config.yaml").read_text())
    settings = dict(config["forests"]["macf"])
    settings.update(yaml.safe_load((ROOT / "config" / "paper_scale.yaml").read_text())["forests"]["macf"])
    ds, _ = load_study(results / "simulated" / study / "spec.yaml", results / "data" / study / "split.csv", 1)
    shape = memory.shape_of(len(ds.frame), len(ds.covariates), len(ds.arms), settings)
    chunks = int(settings["chunks"])
    trees = [forests.chunk_trees(forests.chunk_settings(settings, "yhat"), chunks, i) for i in range(chunks)]

    with tempfile.TemporaryDirectory(dir=os.environ.get("TMPDIR", "/var/tmp")) as tmp:
        common = dict(results=str(results), study=study, settings=settings, dir=tmp,
                      run_yhat=str(results / "forests" / study / "macf" / "yhat.npy"),
                      chunks=[f"{tmp}/yhat{i}.rds" for i in range(chunks)])
        jobs = [dict(common, step="fit", chunk=common["chunks"][i], trees=trees[i],
                     seed=seeds.stream_seed(config["seed"], f"yhat/{study}/chunk{i}")) for i in range(chunks)]
        with ThreadPoolExecutor(2) as pool:  # the two cores, as the run's chunk jobs
            fits = list(pool.map(lambda j: run_child(CHILD.format(args=json.dumps(j)), f"fit {j['chunk']}"), jobs))
        chunk_mb = max(os.path.getsize(c) for c in common["chunks"]) / 1e6
        one = run_child(CHILD.format(args=json.dumps(dict(common, step="one_process"))), "one_process")
        by_chunk, merge = (run_child(CHILD.format(args=json.dumps(dict(common, step=step, combine=combine))), step)
                           for step, combine in (("by_chunk", "statistics"), ("merge", "merge")))

    # the Y.hat term per combine mode: the peak over the fit job's constant and covariates (and with
    # statistics the summed leaf values), per tree held (one chunk's, or with merge all) and drawn row
    coef, held = memory.COEFFICIENTS, max(trees) * shape.rows_per_tree
    base, data = memory.terms("fit", shape, coef["tree_bytes_per_row"])[:2]
    rest, sums = coef["fit"][0] * base + coef["fit"][1] * data, 2 * shape.rows * 2 * 8 / 1e6
    rec = dict(commit=subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                     text=True).stdout.strip(),
               machine=platform.machine(), study=study, rows=shape.rows, rows_per_tree=shape.rows_per_tree,
               chunks=chunks, trees_per_chunk=max(trees), chunk_mb=round(chunk_mb),
               fit_s=[f["fit_s"] for f in fits], one_process=one, by_chunk=by_chunk, merge=merge,
               projection_rest_mb=dict(statistics=round(rest + sums), merge=round(rest)), yhat_bytes_per_tree_row=dict(
                   statistics=round((by_chunk["peak_mb"] - rest - sums) * 1e6 / held, 1),
                   merge=round((merge["peak_mb"] - rest) * 1e6 / (sum(trees) * shape.rows_per_tree), 1)))
    out = ROOT / "benchmarks" / "results" / "yhat_memory.json"
    out.write_text(json.dumps(rec, indent=1) + "\n")
    print(json.dumps(rec, indent=1))
    if not all(r["equals_the_run"] for r in (one, by_chunk, merge)):
        sys.exit(f"Y.hat differs from the run's: one_process {one['equals_the_run']}, by_chunk "
                 f"{by_chunk['equals_the_run']}, merge {merge['equals_the_run']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
