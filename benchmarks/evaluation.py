"""Benchmark: B = 1000 bootstrap of all policies on the walmart_like holdout, in a fresh process,
and the time of the model analyses (Figure 12 curves, Tables 5-6) from the default run's
Snakemake benchmark files. Rerun after `bash bin/replicate.sh` with:

    /usr/bin/python3 -m benchmarks.evaluation

Writes benchmarks/results/evaluation.json; the last result is copied into RESULTS.md.
"""

import csv
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import json, resource, sys, time
import numpy as np, pandas as pd
from actionable.stats import evaluation, learners
from actionable.studies.study import load_study
ds, split = load_study({root!r} + "/results/simulated/walmart_like/spec.yaml", {root!r} + "/results/data/walmart_like/split.csv", 50)
test = (split["set"] == "test").to_numpy()
arm = ds.arm_indices()[test]
y = ds.frame[ds.outcome].to_numpy(float)[test]
res = {root!r} + "/results"
pols = [np.zeros(len(y), int)] + [learners.policy(np.load(res + p)) for p in
        ("/learners/walmart_like/ols/predictions.npy", "/learners/walmart_like/sxgb/predictions.npy",
         "/learners/walmart_like/txgb_all/predictions.npy", "/forests/walmart_like/macf/tau.npy")]
pols.append(np.load(res + "/forests/walmart_like/policy_tree/policy.npy"))
pols.append(learners.policy(np.load(res + "/forests/walmart_like/macf/mu.npy")))
e = np.array([ds.propensity[a] for a in ds.arms])[arm]
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
t0 = time.perf_counter()
terms = np.column_stack([evaluation.ipw_terms(p, arm, y, e) for p in pols])
boot = evaluation.bootstrap_means(terms, 1000, 1)
secs = time.perf_counter() - t0
print(json.dumps(dict(n=len(y), policies=len(pols), reps=1000, seconds=secs, peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      peak_mb_before=before)))
"""


def main():
    out = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT))], cwd=ROOT, capture_output=True, text=True, check=True)
    boot = json.loads(out.stdout.strip().splitlines()[-1])
    analyses = {}
    for name, path in (("figure12 curves (2 studies)", ["sensitivity/walmart_like/curves.tsv", "sensitivity/penn_geisinger_like/curves.tsv"]),
                       ("tables 5-6 (estimated + paper mode)", ["sensitivity/tables56.tsv"])):
        analyses[name] = sum(float(next(csv.DictReader(open(ROOT / "logs" / "benchmarks" / p), delimiter="\t"))["s"]) for p in path)
    (ROOT / "benchmarks" / "results" / "evaluation.json").write_text(json.dumps(dict(bootstrap=boot, analyses=analyses), indent=2) + "\n")
    print(f"bootstrap: B = {boot['reps']}, {boot['policies']} policies, {boot['n']:,} holdout rows: "
          f"{boot['seconds']:.2f} s, peak {boot['peak_mb']:.0f} MB (process, {boot['peak_mb_before']:.0f} MB before the bootstrap)")
    for k, v in analyses.items():
        print(f"{k}: {v:.0f} s")


if __name__ == "__main__":
    main()
