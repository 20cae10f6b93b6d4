"""Depth-2 policy tree (policytree) on the training forest's doubly robust scores; holdout policy."""
import time

import numpy as np

from actionable import forests, rbridge
from actionable.io import save_npy, script_log, write_json, write_text
from actionable.study import load_study, training_matrices

with script_log(snakemake) as log:
    ds, split = load_study(snakemake.input.spec, snakemake.input.split, snakemake.params.min_arm_rows)
    cfg, seed = snakemake.params.settings, snakemake.params.seed
    x_tr, _, _, x_te, _, _, enc = training_matrices(ds, split)
    gamma = np.load(snakemake.input.gamma).astype(float)
    continuous = np.array([f in ds.covariate_names("continuous") for f in enc.names])
    edges = forests.bin_columns(x_tr, cfg["bins"], continuous)
    fill = np.nanmedian(x_tr, axis=0)
    rows = np.arange(len(x_tr))
    if cfg.get("train_rows") and cfg["train_rows"] < len(rows):
        rows = np.sort(np.random.default_rng(seed).choice(len(rows), cfg["train_rows"], replace=False))
    xb = forests.apply_bins(x_tr[rows], edges, fill)
    names = [f.replace("=", "_") for f in enc.names]
    t0 = time.perf_counter()
    tree = forests.fit_policy_tree(xb, gamma[rows], cfg["depth"], cfg["split_step"], cfg["min_node_size"], seed,
                                   names=names, arms=ds.arms)
    secs = time.perf_counter() - t0
    text = rbridge.capture_print(tree)
    write_text(text + "\n", snakemake.output.tree)
    pi = forests.predict_policy_tree(tree, forests.apply_bins(x_te, edges, fill), names)
    save_npy(pi, snakemake.output.policy)
    write_json(dict(learner="policy_tree", depth=cfg["depth"], train_rows=len(rows), bins=cfg["bins"], seed=seed,
                    seconds=secs, arms_used=[ds.arms[a] for a in np.unique(pi)],
                    policytree=rbridge.package_version("policytree")), snakemake.output.info)
    log.info("policy_tree on %d rows, depth %d: %.1f s\n%s", len(rows), cfg["depth"], secs, text)
