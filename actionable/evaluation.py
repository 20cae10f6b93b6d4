"""Policy evaluation on the holdout (Section 5.2, Eq. 9): IPW with bootstrap SEs, AIPW, oracle.

Every policy is a vector of arm indices for the holdout people. Values are computed for all
policies at once, from the same bootstrap draws, so the gain of a policy over the best uniform
one has its own bootstrap SE (the paper reports levels only).
"""

from __future__ import annotations

import numpy as np


def ipw_terms(policy: np.ndarray, arm: np.ndarray, y: np.ndarray, e_assigned: np.ndarray) -> np.ndarray:
    """Per-person terms of Eq. 9: 1{pi(x_i) = T_i} y_i / e(T_i | x_i); their mean is the IPW value."""
    return (policy == arm) * y / e_assigned


def aipw_terms(policy: np.ndarray, arm: np.ndarray, y: np.ndarray, e_assigned: np.ndarray,
               mu: np.ndarray) -> np.ndarray:
    """Doubly robust terms: mu_pi(x) + 1{pi = T} (y - mu_T(x)) / e(T), with mu cross-fitted."""
    rows = np.arange(len(y))
    return mu[rows, policy] + (policy == arm) * (y - mu[rows, arm]) / e_assigned


def bootstrap_means(terms: np.ndarray, reps: int, seed: int, chunk: int = 50) -> np.ndarray:
    """Bootstrap replicates of the column means of ``terms`` (n x P): a reps x P array.

    Each replicate resamples the n people with replacement; all P columns use the same draws.
    Resampling counts come from one bincount per chunk of replicates and the means from one
    matrix product, so no Python loop runs over people or policies (memory: chunk x n).
    """
    terms = np.asarray(terms, dtype=float)
    if terms.ndim == 1:
        terms = terms[:, None]
    n = terms.shape[0]
    rng = np.random.default_rng(seed)
    out = np.empty((reps, terms.shape[1]))
    for start in range(0, reps, chunk):
        b = min(chunk, reps - start)
        idx = rng.integers(0, n, size=(b, n))
        idx += (np.arange(b) * n)[:, None]
        counts = np.bincount(idx.ravel(), minlength=b * n).reshape(b, n)
        out[start:start + b] = (counts @ terms) / n
    return out


def evaluate(policies: dict, arm: np.ndarray, y: np.ndarray, propensity: np.ndarray, reps: int, seed: int,
             baseline: str, mu: np.ndarray | None = None, truth: np.ndarray | None = None) -> list:
    """IPW value, bootstrap SE, gain over ``baseline`` with its SE, AIPW and oracle per policy.

    ``propensity``: assignment probability of each arm (index order); ``mu``: cross-fitted outcome
    predictions n x m for AIPW; ``truth``: E[Y^a | x] n x m for the oracle value.
    """
    names = list(policies)
    e = np.asarray(propensity, float)[arm]
    ipw = np.column_stack([ipw_terms(policies[k], arm, y, e) for k in names])
    boot = bootstrap_means(ipw, reps, seed)
    base = names.index(baseline)
    point = ipw.mean(axis=0)
    rows = []
    for j, k in enumerate(names):
        row = dict(policy=k, ipw=float(point[j]), ipw_se=float(boot[:, j].std(ddof=1)),
                   gain=float(point[j] - point[base]), gain_se=float((boot[:, j] - boot[:, base]).std(ddof=1)),
                   arms_used=int(len(np.unique(policies[k]))))
        if mu is not None:
            row["aipw"] = float(aipw_terms(policies[k], arm, y, e, mu).mean())
        if truth is not None:
            row["oracle"] = float(truth[np.arange(len(y)), policies[k]].mean())
        rows.append(row)
    return rows


def crossfit_folds(arm: np.ndarray, folds: int, seed: int) -> np.ndarray:
    """Fold of each holdout person, stratified by arm."""
    rng = np.random.default_rng(seed)
    fold = np.empty(len(arm), dtype=int)
    for a in np.unique(arm):
        rows = rng.permutation(np.flatnonzero(arm == a))
        fold[rows] = np.arange(len(rows)) % folds
    return fold
