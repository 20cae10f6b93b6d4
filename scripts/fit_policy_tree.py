"""Policy tree on the training forest's doubly robust scores (Appendix A.2); holdout policy.

backend exact: actionable.policy_search (same objective and splits as policytree, every row);
backend policytree: the CRAN package, on a seeded subsample when train_rows is set.
"""
import time

import numpy as np

from actionable import forests, policy_search
from actionable.io import save_npy, script_log, write_json, write_text
from actionable.study import load_study, training_matrices

with script_log(snakemake) as log:
    ds, split = load_study(snakemake.input.spec, snakemake.input.split, snakemake.params.min_arm_rows)
    cfg, seed = snakemake.params.settings, snakemake.params.seed
    backend = cfg.get("backend", "exact")
    x_tr, _, _, x_te, _, _, enc = training_matrices(ds, split)
    gamma = np.load(snakemake.input.gamma).astype(float)
    continuous = np.array([f in ds.covariate_names("continuous") for f in enc.names])
    edges = forests.bin_columns(x_tr, cfg["bins"], continuous)
    fill = np.nanmedian(x_tr, axis=0)
    rows = np.arange(len(x_tr))
    if cfg.get("train_rows") and cfg["train_rows"] < len(rows):
        rows = np.sort(np.random.default_rng(seed).choice(len(rows), cfg["train_rows"], replace=False))
    xb, xb_te = forests.apply_bins(x_tr[rows], edges, fill), forests.apply_bins(x_te, edges, fill)
    t0 = time.perf_counter()
    if backend == "exact":
        tree = policy_search.policy_tree(xb, gamma[rows], cfg["depth"], cfg["min_node_size"])
        secs = time.perf_counter() - t0
        text, version = tree.describe(enc.names, ds.arms), "actionable.policy_search"
        pi, pi_tr = tree.predict(xb_te), tree.predict(xb)
    else:
        from actionable import rbridge

        names = [f.replace("=", "_") for f in enc.names]
        tree = forests.fit_policy_tree(xb, gamma[rows], cfg["depth"], cfg["split_step"], cfg["min_node_size"], seed,
                                       names=names, arms=ds.arms)
        secs = time.perf_counter() - t0
        text, version = rbridge.capture_print(tree), "policytree " + rbridge.package_version("policytree")
        pi, pi_tr = forests.predict_policy_tree(tree, xb_te, names), forests.predict_policy_tree(tree, xb, names)
    train_reward = float(gamma[rows][np.arange(len(rows)), pi_tr].sum())  # the objective both backends maximize
    write_text(text + "\n", snakemake.output.tree)
    save_npy(pi, snakemake.output.policy)
    write_json(dict(learner="policy_tree", backend=backend, implementation=version, depth=cfg["depth"],
                    train_rows=len(rows), bins=cfg["bins"], seed=seed, seconds=secs, train_reward=train_reward,
                    arms_used=[ds.arms[a] for a in np.unique(pi)]), snakemake.output.info)
    log.info("%s on %d rows, depth %d: %.1f s, training reward %.3f\n%s", version, len(rows), cfg["depth"], secs,
             train_reward, text)
