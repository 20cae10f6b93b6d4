"""Policy evaluation on the holdout (Section 5.2, Eq. 9): IPW with bootstrap SEs, AIPW, oracle.

Every policy is a vector of arm indices for the holdout people. Values are computed for all
policies at once, from the same bootstrap draws, so the gain of a policy over the best uniform
one has its own bootstrap SE (the paper reports levels only).
"""

from __future__ import annotations

import numpy as np

from . import learners


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


def assigned_propensity(propensity: np.ndarray, arm: np.ndarray) -> np.ndarray:
    """e(T_i | x_i): ``propensity`` is one probability per arm (fixed design) or an n x m matrix
    (per-row or per-block designs)."""
    propensity = np.asarray(propensity, float)
    if propensity.ndim == 1:
        return propensity[arm]
    return propensity[np.arange(len(arm)), arm]


def policy_weights(policy: np.ndarray, arm: np.ndarray, e_assigned: np.ndarray) -> np.ndarray:
    """IPW weights 1{pi(x_i) = T_i} / e(T_i | x_i): Eq. 9's terms are these times y_i."""
    return (policy == arm) / e_assigned


def effective_sizes(w: np.ndarray, arm: np.ndarray, m: int) -> np.ndarray:
    """Kish effective sample size (sum w)^2 / sum w^2 of the outcomes behind each arm's part of a
    policy's value, with a policy's weights ``w`` (``policy_weights``); with fixed probabilities it
    is the count of holdout people who both got arm a and are sent to it."""
    s1 = np.bincount(arm, weights=w, minlength=m)
    s2 = np.bincount(arm, weights=w ** 2, minlength=m)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(s2 > 0, s1 ** 2 / s2, 0.0)


def evaluate(policies: dict, arm: np.ndarray, y: np.ndarray, propensity: np.ndarray, reps: int, seed: int,
             baseline: str, mu: np.ndarray | None = None, truth: np.ndarray | None = None,
             bounds: tuple | None = None, min_ess: float = 30.0, ess_share: float = 0.05,
             labels: list | None = None) -> list:
    """IPW value (Eq. 9, Horvitz-Thompson), bootstrap SE, gain over ``baseline`` with its SE, the
    normalized (Hajek) value and gain with theirs, AIPW and oracle per policy, and warnings.

    ``propensity``: assignment probability of each arm (index order), or n x m per person;
    ``mu``: cross-fitted outcome predictions n x m for AIPW; ``truth``: E[Y^a | x] n x m for the
    oracle value; ``bounds``: the outcome's possible range (a value outside it is flagged);
    ``min_ess``: the smallest effective sample size accepted in an arm to which the policy sends at
    least ``ess_share`` of the holdout; ``labels``: arm names for the warnings. Hajek divides by
    the realised sum of weights instead of n, so it stays inside the outcome's range whatever the
    weights.
    """
    names = list(policies)
    n, m = len(y), np.shape(propensity)[-1]
    e = assigned_propensity(propensity, arm)
    ipw = np.column_stack([ipw_terms(policies[k], arm, y, e) for k in names])
    wts = np.column_stack([policy_weights(policies[k], arm, e) for k in names])
    boot = bootstrap_means(np.hstack([ipw, wts]), reps, seed)
    P = len(names)
    with np.errstate(invalid="ignore", divide="ignore"):
        hajek_boot = boot[:, :P] / boot[:, P:]
    boot = boot[:, :P]
    base = names.index(baseline)
    point = ipw.mean(axis=0)
    hajek = ipw.sum(axis=0) / wts.sum(axis=0)
    rows = []
    for j, k in enumerate(names):
        row = dict(policy=k, ipw=float(point[j]), ipw_se=float(boot[:, j].std(ddof=1)),
                   gain=float(point[j] - point[base]), gain_se=float((boot[:, j] - boot[:, base]).std(ddof=1)),
                   hajek=float(hajek[j]), hajek_se=float(np.nanstd(hajek_boot[:, j], ddof=1)),
                   hajek_gain=float(hajek[j] - hajek[base]),
                   hajek_gain_se=float(np.nanstd(hajek_boot[:, j] - hajek_boot[:, base], ddof=1)),
                   arms_used=int(len(np.unique(policies[k]))))
        if mu is not None:
            row["aipw"] = float(aipw_terms(policies[k], arm, y, e, mu).mean())
        if truth is not None:
            row["oracle"] = float(truth[np.arange(n), policies[k]].mean())
        share = np.bincount(policies[k], minlength=m) / n
        ess = effective_sizes(wts[:, j], arm, m)
        big = np.flatnonzero(share >= ess_share)
        worst = big[np.argmin(ess[big])] if len(big) else int(np.argmax(share))
        row["ess_min"], row["ess_arm"] = float(ess[worst]), int(worst)
        notes = []
        if bounds is not None and not bounds[0] - 1e-12 <= point[j] <= bounds[1] + 1e-12:
            notes.append(f"IPW value {point[j]:.4g} outside the outcome's range "
                         f"[{bounds[0]:.4g}, {bounds[1]:.4g}]; use the Hajek value")
        if ess[worst] < min_ess and share[worst] >= ess_share:
            name = f"arm {labels[worst]!r}" if labels is not None else f"arm index {worst}"
            notes.append(f"effective sample size {ess[worst]:.0f} < {min_ess:g} in {name}, to which the "
                         f"policy sends {share[worst]:.0%} of the holdout")
        row["warning"] = "; ".join(notes)
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


def crossfit_outcomes(x: np.ndarray, arm: np.ndarray, y: np.ndarray, m: int, folds: int, settings: dict,
                      binary: bool, seed: int, threads: int = 1) -> np.ndarray:
    """AIPW's outcome model: mu_hat_a(x) for every holdout person and arm, per-arm XGBoost
    cross-fitted within the holdout (fit on the other folds, predicted on the person's own)."""
    fold = crossfit_folds(arm, folds, seed)
    mu = np.empty((len(y), m))
    for k in range(folds):
        fit, pred = fold != k, fold == k
        for a in range(m):
            sel = fit & (arm == a)
            mu[pred, a] = learners.fit_predict_tlearner_arm(x[sel], y[sel], x[pred], settings, binary,
                                                            seed + 31 * k + a, threads)[0]
    return mu
