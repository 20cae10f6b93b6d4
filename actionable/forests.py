"""grf's multi-arm causal forest and policytree's policy tree (Appendix A.2), through rpy2.

MACF: ``grf::multi_arm_causal_forest`` on the training split with W.hat set to the known
assignment probabilities (a randomized experiment needs no propensity model) and Y.hat from a
``grf::regression_forest`` grown as grf grows it inside the forest (``yhat_settings``) on the same
data (its out-of-bag predictions are grf's own Y.hat; fitting it here also predicts the holdout,
which the arm-level outcomes need).
pi_MACF(x) = argmax over arms of tau_hat^a(x), with tau_hat = 0 for the control (Eq. 20).

Policy tree: ``policytree::policy_tree`` on doubly robust scores of the training forest, with
continuous covariates binned to quantiles and an optional training subsample so that depth 2
stays feasible on large studies.
"""

from __future__ import annotations

import numpy as np

from . import rbridge

MACF_KEYS = {"num_trees": "num.trees", "min_node_size": "min.node.size", "honesty": "honesty",
             "honesty_fraction": "honesty.fraction", "alpha": "alpha", "imbalance_penalty": "imbalance.penalty",
             "mtry": "mtry", "ci_group_size": "ci.group.size"}


def study_settings(config: dict, study: str | None = None) -> dict:
    """MACF settings for one study: forests.macf with that study's own ``studies[].macf`` over it
    (the default run grows the paper's 2,000 trees on Penn-Geisinger); without ``study``, forests.macf."""
    settings = dict(config["forests"]["macf"])
    if study is not None:
        entry = next((s for s in config["studies"] if s["name"] == study), None)
        if entry is None:
            raise KeyError(f"config studies: no study named {study!r}")
        settings.update(entry.get("macf") or {})
    return settings


def sample_fraction(settings: dict, n_train: int) -> float:
    """grf's sample.fraction: the configured one, capped so each tree draws at most max_rows_per_tree rows."""
    frac = float(settings.get("sample_fraction", 0.5))
    cap = settings.get("max_rows_per_tree")
    if cap:
        frac = min(frac, float(cap) / n_train)
    return frac


def _grf_args(settings: dict, n_train: int, seed: int, threads: int) -> dict:
    args = {MACF_KEYS[k]: v for k, v in settings.items() if k in MACF_KEYS}
    args.update({"sample.fraction": sample_fraction(settings, n_train), "seed": rbridge.r_seed(seed),
                 "num.threads": int(threads)})
    return args


def fit_macf(x_train, arm_train, y_train, propensity, arms: list, settings: dict, seed: int, threads: int):
    """The training forest and its regression forest for Y.hat. ``propensity``: probabilities in arm order."""
    y_forest = fit_yhat_forest(x_train, y_train, settings, seed, threads)
    forest = fit_macf_forest(x_train, arm_train, y_train, oob_predictions(y_forest), propensity, arms, settings, seed,
                             threads)
    return forest, y_forest


def yhat_settings(settings: dict) -> dict:
    """grf's own recipe for the Y.hat forest of multi_arm_causal_forest (its args.orthog): a
    quarter of the trees (at least 50), min.node.size 5, honesty with fraction 0.5, and the
    forest's sample.fraction, mtry, alpha and imbalance.penalty."""
    out = {k: v for k, v in settings.items()
           if k in ("sample_fraction", "max_rows_per_tree", "mtry", "alpha", "imbalance_penalty")}
    out.update(num_trees=max(50, int(settings["num_trees"]) // 4), min_node_size=5, honesty=True, honesty_fraction=0.5)
    return out


def chunk_settings(settings: dict, kind: str) -> dict:
    """The settings a chunk job of ``kind`` grows trees by: yhat (the regression forest) or macf."""
    return yhat_settings(settings) if kind == "yhat" else settings


# Scattered training: a forest of T trees as k chunks of T/k trees, each its own job with its own
# seed, combined by grf::merge_forests. Y.hat must be the same in every MACF chunk, so the
# regression forest is scattered and merged first and its out-of-bag predictions are shared.


def chunk_trees(settings: dict, chunks: int, index: int) -> int:
    """Trees in chunk ``index`` (0-based): num_trees split as evenly as possible in whole groups of
    ci_group_size (grf rounds each forest up to a multiple of it, so 2 x 25 trees would give 52)."""
    group = int(settings.get("ci_group_size", 2))
    units = -(-int(settings["num_trees"]) // group)
    if units < chunks:
        raise ValueError(f"{chunks} chunks leave a chunk without trees: num_trees "
                         f"{settings['num_trees']} makes only {units} groups of ci_group_size {group}")
    return group * (units // chunks + (1 if index < units % chunks else 0))


def fit_yhat_forest(x_train, y_train, settings: dict, seed: int, threads: int, trees: int | None = None,
                    oob: bool = True):
    """grf::regression_forest for Y.hat, by ``yhat_settings(settings)`` (``trees``: a chunk's share;
    ``oob`` False skips the out-of-bag predictions, which ``merge`` computes for the whole forest)."""
    grf = rbridge.importr("grf")
    args = _grf_args(yhat_settings(settings), len(y_train), seed, threads)
    if trees is not None:
        args["num.trees"] = int(trees)
    return rbridge.call(grf.regression_forest, rbridge.matrix(x_train), rbridge.vector(y_train), **args,
                        **{"compute.oob.predictions": bool(oob)})


def fit_macf_forest(x_train, arm_train, y_train, y_hat, propensity, arms: list, settings: dict, seed: int,
                    threads: int, trees: int | None = None, oob: bool = True):
    """grf::multi_arm_causal_forest with the given Y.hat and the known assignment probabilities as W.hat."""
    grf = rbridge.importr("grf")
    n = len(y_train)
    args = _grf_args(settings, n, seed, threads)
    if trees is not None:
        args["num.trees"] = int(trees)
    propensity = np.asarray(propensity, float)  # one probability per arm, or n x m per row (blocked designs)
    W_hat = rbridge.matrix(propensity if propensity.ndim == 2 else np.tile(propensity, (n, 1)))
    return rbridge.call(grf.multi_arm_causal_forest, rbridge.matrix(x_train), rbridge.vector(y_train),
                        rbridge.factor(arm_train, arms), **{"Y.hat": rbridge.vector(y_hat), "W.hat": W_hat,
                                                                             "compute.oob.predictions": bool(oob)},
                        **args)


def merge(forests_list, threads: int):
    """One forest from chunks fit on the same data (grf::merge_forests), with the out-of-bag
    predictions of all its trees computed on ``threads`` threads (merge_forests alone would use
    every core of the node, whatever the job reserved). One chunk: just its OOB predictions."""
    grf = rbridge.importr("grf")
    forest = rbridge.call(grf.merge_forests, rbridge.r_function("list")(*forests_list),
                          **{"compute.oob.predictions": False})
    return rbridge.call(rbridge.r_eval(_WITH_OOB), forest, int(threads))


def merge_files(paths, threads: int):
    """``merge`` of chunks saved as RDS, read in R so that no reference to them outlives
    merge_forests: they are freed before the out-of-bag predictions, which would otherwise run
    with the chunks and the merged forest in memory at once (the merge job's peak)."""
    return rbridge.call(rbridge.r_eval(_MERGE_FILES), rbridge.r_function("c")(*map(str, paths)), int(threads))


# What merge_forests(compute.oob.predictions = TRUE) stores, with the thread count given.
_WITH_OOB = """function(forest, threads) {
  oob <- predict(forest, num.threads = threads)
  for (name in c("predictions", "debiased.error", "excess.error")) forest[[name]] <- oob[[name]]
  forest
}"""

_MERGE_FILES = f"""function(paths, threads) {{
  forest <- grf::merge_forests(lapply(paths, readRDS), compute.oob.predictions = FALSE)
  invisible(gc())
  ({_WITH_OOB})(forest, threads)
}}"""


def oob_predictions(forest) -> np.ndarray:
    return rbridge.to_numpy(forest.rx2("predictions")).reshape(-1)


def num_trees(forest) -> int:
    return int(rbridge.to_numpy(forest.rx2("_num_trees")).reshape(-1)[0])


def save_forest(forest, path) -> None:
    """saveRDS to a temporary name, renamed into place (atomic like every other result).
    Uncompressed: gzip took 8.6 s for a 100-tree walmart_like chunk (52 MB; raw 255 MB in 0.5 s),
    the disk space is temporary, and the merge reads raw files faster (benchmarks/forest_steps.py)."""
    from .io import atomic_path

    with atomic_path(path) as tmp:
        rbridge.r_function("saveRDS")(forest, str(tmp), compress=False)


def read_forest(path):
    return rbridge.r_function("readRDS")(str(path))


def predict_tau(forest, x, threads: int) -> np.ndarray:
    """tau_hat^a(x) for every arm, control first (= 0): n x m."""
    pred = rbridge.call(rbridge.r_function("predict"), forest, rbridge.matrix(x), **{"num.threads": int(threads)})
    tau = rbridge.to_numpy(pred.rx2("predictions"))
    tau = tau.reshape(tau.shape[0], -1)  # n x (m-1) x 1 outcome -> n x (m-1)
    return np.column_stack([np.zeros(len(tau)), tau])


def predict_y(y_forest, x, threads: int) -> np.ndarray:
    pred = rbridge.call(rbridge.r_function("predict"), y_forest, rbridge.matrix(x), **{"num.threads": int(threads)})
    return rbridge.to_numpy(pred.rx2("predictions")).reshape(-1)


def arm_outcomes(tau: np.ndarray, y_hat: np.ndarray, propensity) -> np.ndarray:
    """mu_hat_a(x): with m(x) = sum_a e_a mu_a(x) and tau_a = mu_a - mu_0, mu_0 = m(x) - sum_a e_a tau_a
    (``propensity``: per arm, or n x m per row)."""
    propensity = np.asarray(propensity, float)
    mu0 = y_hat - (tau @ propensity if propensity.ndim == 1 else np.sum(tau * propensity, axis=1))
    return mu0[:, None] + tau


def variable_importance(forest) -> np.ndarray:
    grf = rbridge.importr("grf")
    return rbridge.to_numpy(rbridge.call(grf.variable_importance, forest)).reshape(-1)


def bin_columns(x_train: np.ndarray, bins: int, continuous: np.ndarray):
    """Cut points per column: quantiles for continuous ones with more than ``bins`` values, else none."""
    edges = []
    for j in range(x_train.shape[1]):
        col = x_train[:, j]
        col = col[~np.isnan(col)]
        if continuous[j] and len(np.unique(col)) > bins:
            edges.append(np.unique(np.quantile(col, np.linspace(0, 1, bins + 1)[1:-1])))
        else:
            edges.append(None)
    return edges


def apply_bins(x: np.ndarray, edges, fill: np.ndarray) -> np.ndarray:
    """Replace each binned value by its bin's upper cut point (the top bin by the last one + 1).

    Missing values take ``fill`` (the training median): policy_tree needs complete covariates.
    """
    out = np.where(np.isnan(x), fill[None, :], x)
    for j, e in enumerate(edges):
        if e is not None:
            idx = np.searchsorted(e, out[:, j], side="left")
            reps = np.append(e, e[-1] + 1.0)
            out[:, j] = reps[idx]
    return out


def exact_policy_tree(x_train: np.ndarray, gamma: np.ndarray, x_apply: np.ndarray, continuous: np.ndarray,
                      settings: dict):
    """The workflow's exact policy tree on every training row (config ``forests.policy_tree``: bins,
    depth, min_node_size): continuous columns binned at the training quantiles, missing values at the
    training median. Returns the tree and its policy on ``x_apply``."""
    from . import policy_search

    edges, fill = bin_columns(x_train, settings["bins"], continuous), np.nanmedian(x_train, axis=0)
    tree = policy_search.policy_tree(apply_bins(x_train, edges, fill), gamma, settings["depth"],
                                     settings["min_node_size"])
    return tree, tree.predict(apply_bins(x_apply, edges, fill))


def double_robust_scores(forest) -> np.ndarray:
    pt = rbridge.importr("policytree")
    return rbridge.to_numpy(rbridge.call(pt.double_robust_scores, forest))


def fit_policy_tree(x_binned: np.ndarray, gamma: np.ndarray, depth: int, split_step: int, min_node_size: int, seed: int,
                    names=None, arms=None):
    pt = rbridge.importr("policytree")
    rbridge.set_seed(seed)
    return rbridge.call(pt.policy_tree, rbridge.matrix(x_binned, names), rbridge.matrix(gamma, arms), depth=int(depth),
                        verbose=False, **{"split.step": int(split_step), "min.node.size": int(min_node_size)})


def predict_policy_tree(tree, x_binned: np.ndarray, names=None) -> np.ndarray:
    """Arm index 0..m-1 (policy_tree's actions are 1-based columns of the scores)."""
    pred = rbridge.call(rbridge.r_function("predict"), tree, rbridge.matrix(x_binned, names))
    return rbridge.to_numpy(pred).astype(int).reshape(-1) - 1
