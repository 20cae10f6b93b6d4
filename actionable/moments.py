"""The paper's moment estimates (Section 5.2, Proposition 4): sigma, rho, s and sigma_eps.

All on the holdout, from predictions yhat (n_test x m, arms in the dataset's order) of a model
fit on the training split, the assigned arms and the observed outcomes.

* sigma (stratified): for each arm a, the holdout people assigned a are cut into ``groups``
  quantile groups of yhat^a; sigma_a is the SD of the groups' mean observed outcomes (weighted
  by group size: the between-group part of the law of total variance, Eq. 12). The estimate is
  the average of sigma_a over arms.
* rho (stratified): every holdout person gets, for each arm a, the mean observed outcome of the
  arm-a group their yhat^a falls in (cut points from arm a's assigned people); rho is the mean
  off-diagonal correlation of these m columns.
* s: SD of the arm means of the observed outcome; sigma_eps: SD of y - yhat of the assigned arm.
* naive: SD of yhat^a and correlation of yhat^a across arms, which prediction error inflates and
  deflates respectively (the paper's warning).

SDs across arms or groups are population SDs (ddof = 0), the same convention as the model's s.
"""

from __future__ import annotations

import numpy as np


def quantile_edges(values: np.ndarray, groups: int) -> np.ndarray:
    """Inner cut points of ``groups`` quantile groups."""
    return np.quantile(values, np.linspace(0, 1, groups + 1)[1:-1])


def assign_groups(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    return np.searchsorted(edges, values, side="right")


def _group_means(y: np.ndarray, g: np.ndarray, groups: int):
    counts = np.bincount(g, minlength=groups).astype(float)
    sums = np.bincount(g, weights=y, minlength=groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / counts
    return means, counts


def stratified(yhat: np.ndarray, arm: np.ndarray, y: np.ndarray, groups: int = 10) -> dict:
    """Stratified sigma (per arm and average) and rho (matrix and off-diagonal mean)."""
    n, m = yhat.shape
    if groups < 2:
        raise ValueError(f"groups must be >= 2, got {groups}")
    sigma_a = np.empty(m)
    assigned_means = np.empty((n, m))
    for a in range(m):
        sel = arm == a
        if sel.sum() < groups:
            raise ValueError(f"arm index {a} has {int(sel.sum())} holdout rows, fewer than {groups} quantile groups")
        edges = quantile_edges(yhat[sel, a], groups)
        means, counts = _group_means(y[sel], assign_groups(yhat[sel, a], edges), groups)
        ok = counts > 0
        w = counts[ok] / counts[ok].sum()
        mu = np.sum(w * means[ok])
        sigma_a[a] = np.sqrt(np.sum(w * (means[ok] - mu) ** 2))
        # everyone's group for arm a; a group empty among assigned people (ties) borrows its
        # nearest non-empty neighbour's mean
        filled = np.interp(np.arange(groups), np.flatnonzero(ok), means[ok])
        assigned_means[:, a] = filled[assign_groups(yhat[:, a], edges)]
    corr = _corr(assigned_means)
    return dict(sigma=float(sigma_a.mean()), sigma_by_arm=sigma_a, rho=off_diagonal_mean(corr), rho_matrix=corr,
                assigned_means=assigned_means)


def _corr(cols: np.ndarray) -> np.ndarray:
    sd = cols.std(axis=0)
    c = np.corrcoef(cols, rowvar=False) if np.all(sd > 0) else np.full((cols.shape[1],) * 2, np.nan)
    return np.atleast_2d(c)


def off_diagonal_mean(corr: np.ndarray) -> float:
    m = corr.shape[0]
    return float(np.nanmean(corr[~np.eye(m, dtype=bool)])) if m > 1 else float("nan")


def naive(yhat: np.ndarray) -> dict:
    """SD of the predictions within each arm and their correlation across arms."""
    corr = _corr(yhat)
    sd = yhat.std(axis=0)
    return dict(sigma=float(sd.mean()), sigma_by_arm=sd, rho=off_diagonal_mean(corr), rho_matrix=corr)


def s_hat(arm: np.ndarray, y: np.ndarray, m: int) -> float:
    """SD of the arms' mean observed outcomes (the paper's estimate of s)."""
    means = np.array([y[arm == a].mean() for a in range(m)])
    return float(means.std())


def s_hat_corrected(arm: np.ndarray, y: np.ndarray, m: int) -> float:
    """SD of the arms' true means: the plain SD's variance less the arm means' sampling variance.

    With a few thousand people per arm, sampling noise in the arm means is as large as their
    true spread (Penn-Geisinger: SE about 0.008 per arm against s = 0.007), so the plain SD
    overstates s. Var(means) = s^2 + mean(SE_a^2) (1 - 1/m) for independent arms.
    """
    means = np.array([y[arm == a].mean() for a in range(m)])
    se2 = np.array([y[arm == a].var(ddof=1) / (arm == a).sum() for a in range(m)])
    return float(np.sqrt(max(0.0, means.var() - se2.mean() * (1 - 1 / m))))


def sigma_eps_hat(yhat: np.ndarray, arm: np.ndarray, y: np.ndarray) -> float:
    """SD of y - yhat of the arm each person was assigned."""
    return float(np.std(y - yhat[np.arange(len(y)), arm]))


def true_moments(truth: np.ndarray) -> dict:
    """sigma, rho, s of the true E[Y^a | x] of the same people (synthetic studies)."""
    corr = _corr(truth)
    sd = truth.std(axis=0)
    return dict(sigma=float(sd.mean()), sigma_by_arm=sd, rho=off_diagonal_mean(corr), rho_matrix=corr,
                s=float(truth.mean(axis=0).std()))


def estimate(yhat: np.ndarray, arm: np.ndarray, y: np.ndarray, groups: int = 10, truth=None) -> dict:
    """All of Section 5.2's estimates from one set of holdout predictions."""
    m = yhat.shape[1]
    st = stratified(yhat, arm, y, groups)
    nv = naive(yhat)
    out = dict(sigma=st["sigma"], rho=st["rho"], s=s_hat(arm, y, m), sigma_eps=sigma_eps_hat(yhat, arm, y),
               naive_sigma=nv["sigma"], naive_rho=nv["rho"], m=m, n_test=len(y), groups=groups,
               sigma_by_arm=st["sigma_by_arm"].tolist(), naive_sigma_by_arm=nv["sigma_by_arm"].tolist(),
               rho_matrix=st["rho_matrix"].tolist())
    if truth is not None:
        tr = true_moments(truth)
        rows = np.arange(len(y))
        # what Algorithm 2's epsilon models: the error of yhat about E[Y|x], without the
        # outcome's own noise that SD(y - yhat) also contains
        out.update(true_sigma=tr["sigma"], true_rho=tr["rho"], true_s=tr["s"],
                   true_sigma_by_arm=tr["sigma_by_arm"].tolist(),
                   true_sigma_eps=float(np.std(yhat[rows, arm] - truth[rows, arm])))
    return out
