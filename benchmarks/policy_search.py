"""Benchmark: the exact binned policy-tree search (actionable.stats.policy_search) on walmart_like's
doubly robust scores (continuous covariates binned to 64 quantiles, 23 actions):

- depth 2 on the whole training split (~483k rows), and depth 3 on it;
- depth 2 on seeded subsamples of 5k, 20k and 50k rows beside policytree::policy_tree and CRAN's
  fastpolicytree on identical inputs: time ratio and the total reward each tree attains.

Rerun after `bash bin/replicate.sh` (it needs the forest's scores) with:

    /usr/bin/python3 -m benchmarks.policy_search [full2] [subsamples] [full3]   (default: all three)

Each measurement runs in its own process (peak memory is that process's). fastpolicytree is
installed from CRAN when missing and run through Rscript. Writes benchmarks/results/policy_search.json.
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BINS = 64

PREP = """
import json, resource, sys, time
import numpy as np
from actionable.stats import forests, policy_search
from actionable.studies.study import load_study, training_matrices
from actionable.stats import policy_tree
ds, split = load_study({root!r} + "/results/simulated/walmart_like/spec.yaml", {root!r} + "/results/data/walmart_like/split.csv", 50)
x_tr, *_ , enc = training_matrices(ds, split)
gamma = np.load({root!r} + "/results/forests/walmart_like/macf/dr_scores.npy").astype(float)
continuous = np.array([f in ds.covariate_names("continuous") for f in enc.names])
edges = policy_tree.bin_columns(x_tr, {bins}, continuous)
rows = np.arange(len(x_tr)) if {rows} is None else np.sort(np.random.default_rng(1).choice(len(x_tr), {rows}, replace=False))
xb, g = policy_tree.apply_bins(x_tr[rows], edges, np.nanmedian(x_tr, axis=0)), gamma[rows]
def reward(pi):
    return float(g[np.arange(len(g)), pi].sum())
def done(**kw):
    print(json.dumps(dict(kw, rows=len(rows), actions=g.shape[1], features=xb.shape[1],
                          levels=max(len(np.unique(c)) for c in xb.T),
                          peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)))
"""
EXACT = """
t0 = time.perf_counter()
tree = policy_search.policy_tree(xb, g, {depth}, 1)
secs = time.perf_counter() - t0
done(method="exact", depth={depth}, seconds=secs, reward=reward(tree.predict(xb)), tree=tree.to_dict(enc.names, ds.arms))
"""
POLICYTREE = """
t0 = time.perf_counter()
tree = policy_tree.fit_policy_tree(xb, g, {depth}, 1, 1, 1)
secs = time.perf_counter() - t0
done(method="policytree", depth={depth}, seconds=secs, reward=reward(policy_tree.predict_policy_tree(tree, xb)))
"""
DUMP = """
np.savetxt({x!r}, xb, delimiter=",", fmt="%.10g"); np.savetxt({g!r}, g, delimiter=",", fmt="%.17g")
"""
FAST_R = """
suppressMessages(library(fastpolicytree)); library(policytree)
X <- as.matrix(read.csv("{x}", header = FALSE)); G <- as.matrix(read.csv("{g}", header = FALSE))
t0 <- proc.time()[["elapsed"]]
tree <- fastpolicytree(X, G, depth = {depth}, min.node.size = 1)
secs <- proc.time()[["elapsed"]] - t0
pi <- predict(tree, X)
cat(sprintf('{{"method": "fastpolicytree", "depth": {depth}, "seconds": %.3f, "reward": %.10g, "rows": %d}}\\n',
            secs, sum(G[cbind(seq_len(nrow(G)), pi)]), nrow(X)))
"""


def child(code: str, rows, **fmt) -> dict:
    src = PREP.format(root=str(ROOT), bins=BINS, rows=rows) + code.format(**fmt)
    out = subprocess.run([sys.executable, "-c", src], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def fastpolicytree(rows, depth) -> dict | None:
    have = subprocess.run(["Rscript", "-e", 'cat(requireNamespace("fastpolicytree", quietly=TRUE))'],
                          capture_output=True, text=True).stdout.strip() == "TRUE"
    if not have:
        subprocess.run(["Rscript", "-e", 'install.packages("fastpolicytree", repos="https://cloud.r-project.org")'],
                       capture_output=True)
    with tempfile.TemporaryDirectory() as tmp:
        x, g = f"{tmp}/x.csv", f"{tmp}/g.csv"
        child(DUMP + "done()", rows, x=x, g=g)
        res = subprocess.run(["Rscript", "-e", FAST_R.format(x=x, g=g, depth=depth)], capture_output=True, text=True)
        if res.returncode != 0:
            return dict(method="fastpolicytree", rows=rows, error=res.stderr[-300:])
        return json.loads(res.stdout.strip().splitlines()[-1])


def main(parts):
    """``parts``: any of full2, subsamples, full3; results of other parts are kept from the last run."""
    out = ROOT / "benchmarks" / "results" / "policy_search.json"
    results = json.loads(out.read_text()) if out.exists() else {}
    results.update(bins=BINS)
    if "full2" in parts:
        results["full_depth2"] = child(EXACT, None, depth=2)
        print(json.dumps(results["full_depth2"])[:300], flush=True)
    if "subsamples" in parts:
        results["subsamples"] = []
        for rows in (5_000, 20_000, 50_000):
            exact, pt = child(EXACT, rows, depth=2), child(POLICYTREE, rows, depth=2)
            entry = dict(rows=rows, exact_seconds=exact["seconds"], policytree_seconds=pt["seconds"],
                         policytree_over_exact=pt["seconds"] / exact["seconds"], exact_reward=exact["reward"],
                         policytree_reward=pt["reward"],
                         same_reward=abs(exact["reward"] - pt["reward"]) <= 1e-9 * abs(pt["reward"]),
                         fastpolicytree=fastpolicytree(rows, 2))
            results["subsamples"].append(entry)
            print(json.dumps(entry), flush=True)
    if "full3" in parts:
        results["full_depth3"] = child(EXACT, None, depth=3)
        print(json.dumps(results["full_depth3"])[:300], flush=True)
    out.write_text(json.dumps(results, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv[1:] or ["full2", "subsamples", "full3"])
