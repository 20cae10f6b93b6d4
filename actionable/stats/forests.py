"""grf's multi-arm causal forest (Appendix A.2) through rpy2.

MACF: ``grf::multi_arm_causal_forest`` on the training split with W.hat (the assignment
probabilities) set to the known ones (a randomized experiment needs no propensity model) and
Y.hat (the outcome's conditional mean) from a ``grf::regression_forest`` grown as grf grows it
inside the forest (``yhat_settings``) on the same data (its out-of-bag predictions are grf's own
Y.hat; fitting it here also predicts the holdout, which the arm-level outcomes need).
pi_MACF(x) = argmax over arms of tau_hat^a(x), with tau_hat = 0 for the control (Eq. 20).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from . import rbridge

log = logging.getLogger(__name__)

MACF_KEYS = {"num_trees": "num.trees", "min_node_size": "min.node.size", "honesty": "honesty",
             "honesty_fraction": "honesty.fraction", "alpha": "alpha", "imbalance_penalty": "imbalance.penalty",
             "mtry": "mtry", "ci_group_size": "ci.group.size"}


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
    return rbridge.call(rbridge.r_eval(WITH_OOB_R), forest, int(threads))


# What merge_forests(compute.oob.predictions = TRUE) stores, with the thread count given.
WITH_OOB_R = """function(forest, threads) {
  oob <- predict(forest, num.threads = threads)
  for (name in c("predictions", "debiased.error", "excess.error")) forest[[name]] <- oob[[name]]
  forest
}"""

def oob_predictions(forest) -> np.ndarray:
    return rbridge.to_numpy(forest.rx2("predictions")).reshape(-1)


def num_trees(forest) -> int:
    return int(rbridge.to_numpy(forest.rx2("_num_trees")).reshape(-1)[0])


def predict_tau(forest, x, threads: int) -> np.ndarray:
    """tau_hat^a(x) for every arm, control first (= 0): n x m."""
    pred = rbridge.call(rbridge.r_function("predict"), forest, rbridge.matrix(x), **{"num.threads": int(threads)})
    tau = rbridge.to_numpy(pred.rx2("predictions"))
    tau = tau.reshape(tau.shape[0], -1)  # n x (m-1) x 1 outcome -> n x (m-1)
    return np.column_stack([np.zeros(len(tau)), tau])


def predict_y(y_forest, x, threads: int) -> np.ndarray:
    rbridge.importr("grf")  # grf's predict methods, also where nothing else has loaded grf yet
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


def importance_table(features: list, covariates: list, importance: np.ndarray) -> pd.DataFrame:
    """grf's variable importance per encoded feature (``variable_importance``), with the covariate
    each feature encodes (a categorical covariate's dummies are named "covariate=level")."""
    owner = [next(c for c in covariates if f == c or f.startswith(c + "=")) for f in features]
    return pd.DataFrame({"feature": features, "covariate": owner, "importance": np.asarray(importance, float)})
