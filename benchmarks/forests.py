"""Benchmark: grf's MACF per stand-in (from the default run's Snakemake benchmark files) and
policytree's depth-2 tree on walmart_like's doubly robust scores at 10k (default), 20k, 50k rows.

Rerun after `bash bin/replicate.sh` with:

    /usr/bin/python3 -m benchmarks.forests

Writes benchmarks/results/forests.json; the last result is copied into RESULTS.md.
"""

import csv
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import json, resource, sys, time
import numpy as np, yaml
from actionable.stats import forests
from actionable.studies.study import load_study, training_matrices
from actionable.stats import policy_tree
cfg = yaml.safe_load(open({root!r} + "/config.yaml"))["forests"]["policy_tree"]
ds, split = load_study({root!r} + "/results/simulated/walmart_like/spec.yaml", {root!r} + "/results/data/walmart_like/split.csv", 50)
x_tr, *_ , enc = training_matrices(ds, split)
gamma = np.load({root!r} + "/results/forests/walmart_like/macf/dr_scores.npy").astype(float)
continuous = np.array([f in ds.covariate_names("continuous") for f in enc.names])
edges = policy_tree.bin_columns(x_tr, cfg["bins"], continuous)
rows = np.sort(np.random.default_rng(1).choice(len(x_tr), {rows}, replace=False))
xb = policy_tree.apply_bins(x_tr[rows], edges, np.nanmedian(x_tr, axis=0))
t0 = time.perf_counter()
policy_tree.fit_policy_tree(xb, gamma[rows], cfg["depth"], cfg["split_step"], cfg["min_node_size"], 1)
print(json.dumps(dict(rows={rows}, seconds=time.perf_counter() - t0, bins=cfg["bins"], actions=gamma.shape[1],
                      peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)))
"""


def main():
    macf = []
    for study in ("walmart_like", "penn_geisinger_like"):
        with open(ROOT / "logs" / "benchmarks" / "forests" / study / "macf.tsv") as fh:
            row = next(csv.DictReader(fh, delimiter="\t"))
        info = json.load(open(ROOT / "results" / "forests" / study / "macf" / "info.json"))
        macf.append(dict(study=study, seconds=float(row["s"]), max_rss_mb=float(row["max_rss"]),
                         num_trees=info["settings"]["num_trees"], sample_fraction=info["sample_fraction"],
                         fit_seconds=info["fit_seconds"]))
    trees = []
    for rows in (10_000, 20_000, 50_000):
        out = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT), rows=rows)], cwd=ROOT, capture_output=True,
                             text=True, check=True)
        trees.append(json.loads(out.stdout.strip().splitlines()[-1]))
    (ROOT / "benchmarks" / "results" / "forests.json").write_text(json.dumps(dict(macf=macf, policy_tree=trees), indent=2) + "\n")
    print("| study | trees | sample.fraction | forest fit s | rule wall s (fit + predict + DR scores) | max RSS MB |")
    print("|---|---|---|---|---|---|")
    for r in macf:
        print(f"| {r['study']} | {r['num_trees']} | {r['sample_fraction']:.3f} | {r['fit_seconds']:.0f} | {r['seconds']:.0f} | {r['max_rss_mb']:.0f} |")
    print()
    print("| policy_tree rows | depth | bins | actions | seconds | peak MB |")
    print("|---|---|---|---|---|---|")
    for r in trees:
        print(f"| {r['rows']:,} | 2 | {r['bins']} | {r['actions']} | {r['seconds']:.1f} | {r['peak_mb']:.0f} |")


if __name__ == "__main__":
    main()
