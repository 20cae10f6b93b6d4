"""The depth-2 policy tree (Appendix A.2): policytree's ``policy_tree`` on the forest's doubly
robust scores through rpy2, or this package's exact search (``policy_search``), with continuous
covariates binned to training quantiles so that depth 2 stays feasible on large studies."""

from __future__ import annotations

import time

import numpy as np

from . import policy_search, rbridge


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
    """``fit`` by the exact search on every training row (config ``forests.policy_tree``: bins, depth,
    min_node_size). Returns the tree and its policy on ``x_apply``."""
    out = fit(x_train, gamma, x_apply, continuous, dict(settings, backend="exact", train_rows=None))
    return out["tree"], out["policy"]


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


def tree_from_array(array: np.ndarray) -> policy_search.Tree:
    """policytree's ``_tree_array`` (one row per node: 1-based split column or -1 for a leaf, the
    split value or the leaf's 1-based action, the 1-based rows of the left and right children) as
    this package's Tree, which sends x <= value left as policytree does."""
    def node(i):
        var, value, left, right = array[i]
        if var < 0:
            return policy_search.Tree(reward=float("nan"), action=int(value) - 1)
        return policy_search.Tree(reward=float("nan"), feature=int(var) - 1, value=float(value),
                                  left=node(int(left) - 1), right=node(int(right) - 1))
    return node(0)


def fit(x_train: np.ndarray, gamma: np.ndarray, x_apply: np.ndarray, continuous: np.ndarray, settings: dict,
        seed: int = 0, names: list | None = None, arms: list | None = None) -> dict:
    """The depth-``settings["depth"]`` policy tree on the doubly robust scores ``gamma`` of the training
    rows (config ``forests.policy_tree``): continuous columns binned at the training quantiles, missing
    values at the training median, on every row or a seeded subsample of ``train_rows``; by this package's
    exact search (backend exact) or policytree (backend policytree). Returns the tree, its policy on
    ``x_apply`` and on the rows it was fit on, those rows, its text (``names``: feature names, ``arms``:
    arm labels), the implementation and the fit's seconds; ``rules``: the tree as a ``policy_search.Tree``
    (either backend) that, on covariates passed through ``apply_bins(x, edges, fill)``, gives its policy."""
    backend = settings.get("backend", "exact")
    edges, fill = bin_columns(x_train, settings["bins"], continuous), np.nanmedian(x_train, axis=0)
    rows = np.arange(len(x_train))
    if settings.get("train_rows") and settings["train_rows"] < len(rows):
        rows = np.sort(np.random.default_rng(seed).choice(len(rows), settings["train_rows"], replace=False))
    xb, xb_apply = apply_bins(x_train[rows], edges, fill), apply_bins(x_apply, edges, fill)
    t0 = time.perf_counter()
    if backend == "exact":
        tree = policy_search.policy_tree(xb, gamma[rows], settings["depth"], settings["min_node_size"])
        seconds = time.perf_counter() - t0
        text = tree.describe(names, arms) if names is not None else None
        policy, train_policy = tree.predict(xb_apply), tree.predict(xb)
        implementation = "actionable.stats.policy_search"
    else:
        r_names = None if names is None else [f.replace("=", "_") for f in names]
        tree = fit_policy_tree(xb, gamma[rows], settings["depth"], settings["split_step"], settings["min_node_size"],
                               seed, names=r_names, arms=arms)
        seconds = time.perf_counter() - t0
        text = rbridge.capture_print(tree)
        policy, train_policy = predict_policy_tree(tree, xb_apply, r_names), predict_policy_tree(tree, xb, r_names)
        implementation = "policytree " + rbridge.package_version("policytree")
    rules = tree if backend == "exact" else tree_from_array(rbridge.to_numpy(tree.rx2("_tree_array")))
    return dict(tree=tree, rules=rules, edges=edges, fill=fill, policy=policy, train_policy=train_policy, rows=rows,
                text=text, implementation=implementation, seconds=seconds)


def reward(gamma: np.ndarray, policy: np.ndarray) -> float:
    """The objective both backends maximize: the sum over rows of the chosen arm's score."""
    return float(gamma[np.arange(len(gamma)), policy].sum())
