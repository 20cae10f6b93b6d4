"""Benchmark: fit all three outcome-model learners on the full walmart_like stand-in.

Uses the default config's XGBoost settings, the full-size stand-in written by the default run
(results/simulated/walmart_like/) and its split. Each learner runs in a fresh process (OLS;
S-learner on 2 threads; T-learner: 23 arms one after another on 1 thread, as 23 separate jobs
would) so its max RSS is its own. Rerun after `bash bin/replicate.sh` with:

    /usr/bin/python3 -m benchmarks.learners_walmart

Writes benchmarks/results/learners_walmart.json; the last result is copied into RESULTS.md.
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import json, resource, sys, time
import numpy as np, pandas as pd, yaml
from actionable.stats import learners
from actionable.studies.study import load_study, training_matrices
cfg = yaml.safe_load(open({root!r} + "/config.yaml"))
xgb = cfg["learners"]["xgboost"]
ds, split = load_study({root!r} + "/results/simulated/walmart_like/spec.yaml", {root!r} + "/results/data/walmart_like/split.csv", 50)
m = len(ds.arms)
t0 = time.perf_counter()
if {learner!r} == "ols":
    x_tr, a_tr, y_tr, x_te, *_ = training_matrices(ds, split, impute=True)
    learners.fit_predict_ols(x_tr, a_tr, y_tr, x_te, m)
elif {learner!r} == "sxgb":
    x_tr, a_tr, y_tr, x_te, *_ = training_matrices(ds, split)
    learners.fit_predict_slearner(x_tr, a_tr, y_tr, x_te, m, xgb, True, 1, 2)
else:
    x_tr, a_tr, y_tr, x_te, *_ = training_matrices(ds, split)
    for a in range(m):
        learners.fit_predict_tlearner_arm(x_tr[a_tr == a], y_tr[a_tr == a], x_te, xgb, True, 1 + a, 1)
secs = time.perf_counter() - t0
print(json.dumps(dict(learner={learner!r}, seconds=secs, peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      n_train=int((split["set"] == "train").sum()), n_test=int((split["set"] == "test").sum()))))
"""


def main():
    rows = []
    for learner in ("ols", "sxgb", "txgb"):
        out = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT), learner=learner)], cwd=ROOT,
                             capture_output=True, text=True, check=True)
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    (ROOT / "benchmarks" / "results" / "learners_walmart.json").write_text(json.dumps(rows, indent=2) + "\n")
    print(f"walmart_like: {rows[0]['n_train']:,} training rows, {rows[0]['n_test']:,} holdout rows, 23 arms")
    print("| learner | wall s | peak MB |")
    print("|---|---|---|")
    for r in rows:
        print(f"| {r['learner']} | {r['seconds']:.1f} | {r['peak_mb']:.0f} |")
    print(f"| all three, one after another | {sum(r['seconds'] for r in rows):.1f} | {max(r['peak_mb'] for r in rows):.0f} |")


if __name__ == "__main__":
    main()
