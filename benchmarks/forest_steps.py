"""Benchmark: where a scattered forest's time and memory go, step by step, on walmart_like.

- default: the default config's forest (200 trees, rows per tree capped at 50,000) as its jobs
  grow it: a Y.hat chunk, two MACF chunks without out-of-bag predictions (saved uncompressed, and
  gzipped for comparison), then the merge job's steps (read, merge_forests, out-of-bag
  predictions, holdout predictions), every job on one thread;
- paper: per-tree cost at paper scale (sample.fraction 0.5 on all ~483k training rows): MACF
  chunks of 4 and 12 trees, a 12-tree Y.hat chunk, their merge, and the slopes projected to the
  paper's 2,000 trees (500 for Y.hat).

Rerun after `bash bin/replicate.sh` (it needs the simulated study and its split) with:

    /usr/bin/python3 -m benchmarks.forest_steps [default] [paper]      (default: both; ~20 min)

Each step runs in its own process, so its peak memory (max RSS) is its own.
Writes benchmarks/results/forest_steps.json.
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from actionable.stats import forests  # the chunk sizes the workflow uses

ROOT = Path(__file__).resolve().parent.parent
STUDY = "walmart_like"

CHILD = """
import json, os, resource, sys, time
import numpy as np
from actionable.stats import forests, rbridge
from actionable.studies.study import load_study, training_matrices
from actionable.studies import forest_files
ds, split = load_study({root!r} + "/results/simulated/{study}/spec.yaml", {root!r} + "/results/data/{study}/split.csv", 50)
x_tr, a_tr, y_tr, x_te, *_ = training_matrices(ds, split)
args = json.loads({args!r})
settings = args["settings"]
out = dict(rows=len(y_tr))
def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
if args["step"] == "fit":
    t0 = time.perf_counter()
    if args["kind"] == "yhat":
        forest = forests.fit_yhat_forest(x_tr, y_tr, settings, args["seed"], 1, args["trees"], oob=False)
    else:
        y_hat = np.load(args["yhat"]) if args.get("yhat") else np.full(len(y_tr), y_tr.mean())
        forest = forests.fit_macf_forest(x_tr, a_tr, y_tr, y_hat, [ds.propensity[a] for a in ds.arms], ds.arms,
                                         settings, args["seed"], 1, args["trees"], oob=False)
    out["fit_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    forest_files.save_forest(forest, args["out"])
    out["save_raw_s"] = time.perf_counter() - t0
    out["raw_mb"] = os.path.getsize(args["out"]) / 1e6
    if args.get("gzip"):
        t0 = time.perf_counter()
        rbridge.r_function("saveRDS")(forest, args["out"] + ".gz", compress=True)
        out["save_gzip_s"] = time.perf_counter() - t0
        out["gzip_mb"] = os.path.getsize(args["out"] + ".gz") / 1e6
else:
    # forest_files.merge_files, instrumented: read, merge_forests, free the chunks, out-of-bag predictions
    timed = rbridge.r_eval('''function(paths) {{
      t <- c(proc.time()[[3]])
      fs <- lapply(paths, readRDS); t <- c(t, proc.time()[[3]])
      forest <- grf::merge_forests(fs, compute.oob.predictions = FALSE); t <- c(t, proc.time()[[3]])
      rm(fs); invisible(gc())
      oob <- predict(forest, num.threads = 1); t <- c(t, proc.time()[[3]])
      list(forest = forest, oob = oob$predictions, seconds = diff(t), mb = as.numeric(object.size(forest)) / 1e6)
    }}''')(rbridge.r_function("c")(*args["paths"]))
    out.update(zip(("read_s", "merge_s", "oob_s"), rbridge.to_numpy(timed.rx2("seconds")).tolist()))
    out["merged_object_mb"] = float(rbridge.to_numpy(timed.rx2("mb"))[0])
    if args.get("oob_out"):
        np.save(args["oob_out"], rbridge.to_numpy(timed.rx2("oob")).reshape(-1))
    out["peak_mb_before_holdout"] = peak_mb()
    t0 = time.perf_counter()
    forests.predict_tau(timed.rx2("forest"), x_te, 1)
    out["holdout_predict_s"] = time.perf_counter() - t0
    out["holdout_rows"] = len(x_te)
out["peak_mb"] = peak_mb()
print(json.dumps(out))
"""


def step(**args) -> dict:
    code = CHILD.format(root=str(ROOT), study=STUDY, args=json.dumps(args))
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    if run.returncode:
        sys.exit(f"step {args} failed:\n{run.stderr[-3000:]}")
    res = json.loads(run.stdout.strip().splitlines()[-1])
    print(args.get("label", args["step"]), res, flush=True)
    return res


def default_scale(tmp: Path) -> dict:
    """The default config's jobs: Y.hat chunk, 2 MACF chunks, merge (every step on one thread)."""
    macf = yaml.safe_load(open(ROOT / "config.yaml"))["forests"]["macf"]
    chunks = int(macf["chunks"])
    ysizes = [forests.chunk_trees(forests.yhat_settings(macf), chunks, i) for i in range(chunks)]
    msizes = [forests.chunk_trees(macf, chunks, i) for i in range(chunks)]
    # Y.hat chunks
    yfits = [step(step="fit", kind="yhat", settings=macf, trees=t, seed=10 + i, out=str(tmp / f"y{i}.rds"),
                  label=f"default yhat chunk {i}") for i, t in enumerate(ysizes)]
    # merged, their out-of-bag predictions are every MACF chunk's Y.hat (the workflow's merge_yhat)
    ymerge = step(step="merge", settings=macf, paths=[str(tmp / f"y{i}.rds") for i in range(chunks)],
                  oob_out=str(tmp / "yhat.npy"), label="default merge_yhat")
    mfits = [step(step="fit", kind="macf", settings=macf, trees=t, seed=20 + i, yhat=str(tmp / "yhat.npy"),
                  out=str(tmp / f"m{i}.rds"), gzip=(i == 0), label=f"default macf chunk {i}")
             for i, t in enumerate(msizes)]
    merge = step(step="merge", settings=macf, paths=[str(tmp / f"m{i}.rds") for i in range(chunks)],
                 label="default fit_macf")
    grow = sum(f["fit_s"] for f in mfits)
    return dict(settings=macf, chunks=chunks, yhat_trees=ysizes, macf_trees=msizes, yhat_chunks=yfits,
                yhat_merge=ymerge, macf_chunks=mfits, macf_merge=merge, macf_grow_s=grow,
                oob_share_of_grow_plus_oob=merge["oob_s"] / (grow + merge["oob_s"]),
                gzip_share_of_chunk_job=mfits[0]["save_gzip_s"] / (mfits[0]["fit_s"] + mfits[0]["save_gzip_s"]))


def paper_scale(tmp: Path) -> dict:
    """Per-tree cost on all training rows at sample.fraction 0.5, projected to 2,000 trees. The
    MACF chunks take Y.hat = the mean outcome: the trees' cost does not depend on it."""
    macf = dict(yaml.safe_load(open(ROOT / "config.yaml"))["forests"]["macf"])
    macf.update(yaml.safe_load(open(ROOT / "config" / "paper_scale.yaml"))["forests"]["macf"])
    small, large = 4, 12
    fits = {t: step(step="fit", kind="macf", settings=macf, trees=t, seed=30 + t, out=str(tmp / f"p{t}.rds"),
                    label=f"paper macf {t} trees") for t in (small, large)}
    yfit = step(step="fit", kind="yhat", settings=macf, trees=large, seed=40, out=str(tmp / "py.rds"),
                label=f"paper yhat {large} trees")
    merge = step(step="merge", settings=macf, paths=[str(tmp / f"p{t}.rds") for t in (small, large)],
                 label=f"paper merge {small}+{large} trees")
    trees = small + large
    per_tree = dict(fit_s=(fits[large]["fit_s"] - fits[small]["fit_s"]) / (large - small),
                    raw_mb=(fits[large]["raw_mb"] - fits[small]["raw_mb"]) / (large - small),
                    yhat_fit_s=yfit["fit_s"] / large, oob_s=merge["oob_s"] / trees,
                    holdout_predict_s=merge["holdout_predict_s"] / trees)
    data_mb = fits[large]["raw_mb"] - large * per_tree["raw_mb"]  # what a chunk stores besides its trees
    n_trees, y_trees = int(macf["num_trees"]), max(50, int(macf["num_trees"]) // 4)
    projected = dict(num_trees=n_trees, yhat_trees=y_trees,
                     macf_grow_cpu_h=per_tree["fit_s"] * n_trees / 3600,
                     yhat_grow_cpu_h=per_tree["yhat_fit_s"] * y_trees / 3600,
                     oob_cpu_h=per_tree["oob_s"] * n_trees / 3600,
                     holdout_predict_cpu_h=per_tree["holdout_predict_s"] * n_trees / 3600,
                     merged_forest_gb=(data_mb + per_tree["raw_mb"] * n_trees) / 1e3,
                     chunks_in_memory_gb=(int(macf["chunks"]) * data_mb + per_tree["raw_mb"] * n_trees) / 1e3)
    return dict(settings=macf, macf_chunks=fits, yhat_chunk=yfit, merge=merge, per_tree=per_tree,
                chunk_data_mb=data_mb, projected=projected)


def main():
    parts = sys.argv[1:] or ["default", "paper"]
    out_path = ROOT / "benchmarks" / "results" / "forest_steps.json"
    results = json.loads(out_path.read_text()) if out_path.exists() else {}
    with tempfile.TemporaryDirectory() as tmp:
        if "default" in parts:
            results["default"] = default_scale(Path(tmp))
        if "paper" in parts:
            results["paper"] = paper_scale(Path(tmp))
    out_path.write_text(json.dumps(results, indent=1) + "\n")
    print(f"wrote {out_path}")


if __name__ == "__main__":
    main()
