"""Benchmark: the merge job with grf's merged forest against the chunk-wise sufficient statistics.

On a finished run's forest chunks (kept: forests.temp_chunks false), for one study, each step in its
own process so that its peak memory (max RSS) is its own:

- merge: what the merge job does with forests.combine merge (``forest_files.combine_chunks``: read
  and merge the chunks, out-of-bag predictions of all trees, holdout predictions);
- statistics: each chunk's record (``forest_stats.chunk_record``, one process per chunk, as the
  macf_chunk_statistics jobs), then the merge job with forests.combine statistics;

and the two paths' outputs compared (tau_hat, arm outcomes, DR scores, importance).

    RESULTS=/path/to/results /usr/bin/python3 -m benchmarks.forest_combine [walmart_like]

Writes benchmarks/results/forest_combine_{study}.json.
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
import json, resource, time
import numpy as np
from actionable.stats import forest_stats
from actionable.studies import forest_files
from actionable.studies.study import load_study, training_matrices
args = json.loads({args!r})
res = args["results"]
ds, split = load_study(res + "/simulated/" + args["study"] + "/spec.yaml", res + "/data/" + args["study"] + "/split.csv", 50)
x_tr, a_tr, y_tr, x_te, *_ = training_matrices(ds, split)
test = (split["set"] == "test").to_numpy()
macf = res + "/forests/" + args["study"] + "/macf/"
t0 = time.perf_counter()
if args["step"] == "chunk":
    forest_files.save_chunk_record(forest_stats.chunk_record(forest_files.read_forest(args["chunk"]), x_te, x_tr), args["out"])
    out = dict()
else:
    w = ds.propensity_matrix()
    tau, mu, gamma, imp, trees = forest_files.combine_chunks(args["paths"], args["step"], x_te, y_tr, a_tr,
        np.load(macf + "yhat.npy"), w[~test], w[test], np.load(macf + "yhat_holdout.npy"), 1)
    np.savez(args["out"], tau=tau, mu=mu, gamma=gamma, imp=imp)
    out = dict(trees=trees)
out.update(seconds=time.perf_counter() - t0, peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
           holdout_rows=int(test.sum()), training_rows=int((~test).sum()))
print(json.dumps(out))
"""


def step(**args) -> dict:
    return run_child(CHILD.format(args=json.dumps(args)), f"{args['step']} {args.get('chunk', '')}")


def main() -> int:
    import numpy as np

    study = sys.argv[1] if len(sys.argv) > 1 else "walmart_like"
    results = Path(os.environ.get("RESULTS", ROOT / "results")).resolve()
    chunks = sorted((results / "forests" / study / "macf" / "chunks").glob("macf*.rds"))
    if not chunks:
        sys.exit(f"{results}/forests/{study}/macf/chunks/: no macf*.rds (run with forests.temp_chunks false)")
    with tempfile.TemporaryDirectory() as tmp:
        common = dict(results=str(results), study=study)
        merged = step(step="merge", paths=[str(c) for c in chunks], out=f"{tmp}/merge.npz", **common)
        records = [step(step="chunk", chunk=str(c), out=f"{tmp}/{c.stem}.npz", **common) for c in chunks]
        reduced = step(step="statistics", paths=[f"{tmp}/{c.stem}.npz" for c in chunks], out=f"{tmp}/stats.npz", **common)
        a, b = np.load(f"{tmp}/merge.npz"), np.load(f"{tmp}/stats.npz")
        agree = {k: float(np.nanmax(np.abs(a[k] - b[k]))) for k in ("tau", "mu", "gamma", "imp")}
        record_mb = [os.path.getsize(f"{tmp}/{c.stem}.npz") / 1e6 for c in chunks]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    rec = dict(commit=commit, machine=platform.machine(), study=study, chunks=len(chunks), merge=merged,
               chunk_statistics=records, chunk_record_mb=record_mb, reduce=reduced, max_abs_difference=agree)
    out = ROOT / "benchmarks" / "results" / f"forest_combine_{study}.json"
    out.write_text(json.dumps(rec, indent=1) + "\n")
    print(json.dumps(rec, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
