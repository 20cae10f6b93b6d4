"""Policy tree on the training forest's doubly robust scores (Appendix A.2); holdout policy.

backend exact: actionable.stats.policy_search (same objective and splits as policytree, every row);
backend policytree: the CRAN package, on a seeded subsample when train_rows is set.
"""
import numpy as np

from actionable.app.policy import tree_record
from actionable.stats import policy_tree
from actionable.studies.io import save_npy, script_log, write_json, write_text
from actionable.studies.study import load_study, training_matrices

with script_log(snakemake) as log:
    ds, split = load_study(snakemake.input.spec, snakemake.input.split, snakemake.params.min_arm_rows)
    cfg, seed = snakemake.params.settings, snakemake.params.seed
    x_tr, _, _, x_te, _, _, enc = training_matrices(ds, split)
    gamma = np.load(snakemake.input.gamma).astype(float)
    continuous = np.isin(enc.names, ds.covariate_names("continuous"))
    fit = policy_tree.fit(x_tr, gamma, x_te, continuous, cfg, seed, names=enc.names, arms=ds.arms)
    write_text(fit["text"] + "\n", snakemake.output.tree)
    write_json(tree_record(fit, x_tr, enc, ds, cfg), snakemake.output.rules)
    save_npy(fit["policy"], snakemake.output.policy)
    write_json(dict(learner="policy_tree", backend=cfg.get("backend", "exact"), implementation=fit["implementation"],
                    depth=cfg["depth"], train_rows=len(fit["rows"]), bins=cfg["bins"], seed=seed,
                    seconds=fit["seconds"], train_reward=policy_tree.reward(gamma[fit["rows"]], fit["train_policy"]),
                    arms_used=[ds.arms[a] for a in np.unique(fit["policy"])]), snakemake.output.info)
    log.info("%s on %d rows: %.1f s\n%s", fit["implementation"], len(fit["rows"]), fit["seconds"], fit["text"])
