"""The paper's moment estimates (Section 5.2, Proposition 4): sigma, rho, s and sigma_eps.

All on the holdout, from predictions yhat (n_test x m, arms in the dataset's order) of a model
fit on the training split, the assigned arms and the observed outcomes.

* sigma (stratified): for each arm a, the holdout people assigned a are cut into ``groups``
  quantile groups of yhat^a; sigma_a is "the standard deviation of these 10 averages" (Section
  5.2): by default their sample SD (ddof = 1, as R's sd() and pandas compute it); ``sigma_sd=
  "weighted_population"`` gives the group-size-weighted population SD instead, the between-group
  part of the law of total variance (Eq. 12). The estimate is the average of sigma_a over arms.
* rho (stratified): every holdout person gets, for each arm a, the mean observed outcome of the
  arm-a group their yhat^a falls in (cut points from arm a's assigned people); rho is the mean
  off-diagonal correlation of these m columns, over the pairs where both columns vary (a constant
  column has no correlation; the number of skipped pairs is reported).
* s: the sample SD of the arm means of the observed outcome (the paper's "standard deviation of
  the average outcome levels"); sigma_eps: SD of y - yhat of the assigned arm.
* naive: SD of yhat^a and correlation of yhat^a across arms, which prediction error inflates and
  deflates respectively (the paper's warning).
"""

from __future__ import annotations

import logging

import numpy as np

log = logging.getLogger(__name__)


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


SIGMA_SD = ("sample", "weighted_population")


def _group_sds(means: np.ndarray, counts: np.ndarray) -> dict:
    """The SD of the non-empty groups' means, in each convention of SIGMA_SD."""
    ok = counts > 0
    w = counts[ok] / counts[ok].sum()
    return dict(sample=float(np.std(means[ok], ddof=1)) if ok.sum() > 1 else 0.0,
                weighted_population=float(np.sqrt(np.sum(w * (means[ok] - np.sum(w * means[ok])) ** 2))))


def stratified(yhat: np.ndarray, arm: np.ndarray, y: np.ndarray, groups: int = 10, sigma_sd: str = "sample") -> dict:
    """Stratified sigma (per arm and average, in the ``sigma_sd`` convention; ``sigma_by_sd`` holds
    the average in each) and rho (matrix and off-diagonal mean)."""
    n, m = yhat.shape
    if groups < 2:
        raise ValueError(f"groups must be >= 2, got {groups}")
    if sigma_sd not in SIGMA_SD:
        raise ValueError(f"sigma_sd must be one of {SIGMA_SD}, got {sigma_sd!r}")
    sigma_a = {sd: np.empty(m) for sd in SIGMA_SD}
    assigned_means = np.empty((n, m))
    for a in range(m):
        sel = arm == a
        if sel.sum() < groups:
            raise ValueError(f"arm index {a} has {int(sel.sum())} holdout rows, fewer than {groups} quantile groups")
        edges = quantile_edges(yhat[sel, a], groups)
        means, counts = _group_means(y[sel], assign_groups(yhat[sel, a], edges), groups)
        for sd, value in _group_sds(means, counts).items():
            sigma_a[sd][a] = value
        # everyone's group for arm a; a group empty among assigned people (ties) borrows its
        # nearest non-empty neighbour's mean
        ok = counts > 0
        filled = np.interp(np.arange(groups), np.flatnonzero(ok), means[ok])
        assigned_means[:, a] = filled[assign_groups(yhat[:, a], edges)]
    corr = _corr(assigned_means)
    return dict(sigma=float(sigma_a[sigma_sd].mean()), sigma_by_arm=sigma_a[sigma_sd],
                sigma_by_sd={sd: float(v.mean()) for sd, v in sigma_a.items()}, rho=off_diagonal_mean(corr),
                rho_matrix=corr, rho_pairs_skipped=skipped_pairs(corr), assigned_means=assigned_means)


def _corr(cols: np.ndarray) -> np.ndarray:
    """Correlation matrix; a pair involving a constant column is NaN (it has no correlation)."""
    m = cols.shape[1]
    sd = cols.std(axis=0)
    out = np.full((m, m), np.nan)
    vary = np.flatnonzero(sd > 1e-12 * (np.abs(cols.mean(axis=0)) + 1))  # rounding leaves ~1e-17 on a constant
    if len(vary) > 1:
        out[np.ix_(vary, vary)] = np.corrcoef(cols[:, vary], rowvar=False)
    elif len(vary) == 1:
        out[vary[0], vary[0]] = 1.0
    return out


def off_diagonal_mean(corr: np.ndarray) -> float:
    """Mean correlation over the pairs of distinct arms that have one (NaN if none has)."""
    m = corr.shape[0]
    vals = corr[~np.eye(m, dtype=bool)]
    vals = vals[np.isfinite(vals)]
    return float(vals.mean()) if len(vals) else float("nan")


def skipped_pairs(corr: np.ndarray) -> int:
    """Pairs of distinct arms left out of rho because one of their columns is constant."""
    m = corr.shape[0]
    return int(np.sum(~np.isfinite(corr[np.triu_indices(m, 1)])))


def naive(yhat: np.ndarray) -> dict:
    """SD of the predictions within each arm and their correlation across arms."""
    corr = _corr(yhat)
    sd = yhat.std(axis=0)
    return dict(sigma=float(sd.mean()), sigma_by_arm=sd, rho=off_diagonal_mean(corr), rho_matrix=corr)


def s_hat(arm: np.ndarray, y: np.ndarray, m: int) -> float:
    """Sample SD (ddof = 1) of the arms' mean observed outcomes (the paper's estimate of s)."""
    means = np.array([y[arm == a].mean() for a in range(m)])
    return float(means.std(ddof=1))


def s_hat_corrected(arm: np.ndarray, y: np.ndarray, m: int) -> float:
    """SD of the arms' true means: the plain SD's variance less the arm means' sampling variance.

    With a few thousand people per arm, sampling noise in the arm means is as large as their
    true spread (Penn-Geisinger: SE about 0.008 per arm against s = 0.007), so the plain SD
    overstates s. For independent arms E[sample variance of the means] = s^2 + mean(SE_a^2).
    """
    means = np.array([y[arm == a].mean() for a in range(m)])
    se2 = np.array([y[arm == a].var(ddof=1) / (arm == a).sum() for a in range(m)])
    return float(np.sqrt(max(0.0, means.var(ddof=1) - se2.mean())))


def sigma_eps_hat(yhat: np.ndarray, arm: np.ndarray, y: np.ndarray) -> float:
    """SD of y - yhat of the arm each person was assigned."""
    return float(np.std(y - yhat[np.arange(len(y)), arm]))


def chosen_s(estimates: dict, choice: str = "plain") -> float:
    """The s Algorithm 2 takes from a study's moments record: the plain SD of the arm means (the
    paper's) or, with ``choice`` "corrected", the one less their sampling noise."""
    return estimates["s_corrected"] if choice == "corrected" else estimates["s"]


def true_moments(truth: np.ndarray) -> dict:
    """sigma, rho, s of the true E[Y^a | x] of the same people (synthetic studies)."""
    corr = _corr(truth)
    sd = truth.std(axis=0)
    return dict(sigma=float(sd.mean()), sigma_by_arm=sd, rho=off_diagonal_mean(corr), rho_matrix=corr,
                s=float(truth.mean(axis=0).std(ddof=1)))


def estimate(yhat: np.ndarray, arm: np.ndarray, y: np.ndarray, groups: int = 10, truth=None,
             sigma_sd: str = "sample") -> dict:
    """All of Section 5.2's estimates from one set of holdout predictions."""
    m = yhat.shape[1]
    st = stratified(yhat, arm, y, groups, sigma_sd)
    nv = naive(yhat)
    out = dict(sigma=st["sigma"], rho=st["rho"], s=s_hat(arm, y, m), sigma_eps=sigma_eps_hat(yhat, arm, y),
               naive_sigma=nv["sigma"], naive_rho=nv["rho"], m=m, n_test=len(y), groups=groups, sigma_sd=sigma_sd,
               **{f"sigma_{sd}": v for sd, v in st["sigma_by_sd"].items()},
               rho_pairs_skipped=st["rho_pairs_skipped"],
               sigma_by_arm=st["sigma_by_arm"].tolist(), naive_sigma_by_arm=nv["sigma_by_arm"].tolist(),
               rho_matrix=[[v if np.isfinite(v) else None for v in row] for row in st["rho_matrix"].tolist()])
    if truth is not None:
        tr = true_moments(truth)
        rows = np.arange(len(y))
        # what Algorithm 2's epsilon models: the error of yhat about E[Y|x], without the
        # outcome's own noise that SD(y - yhat) also contains
        out.update(true_sigma=tr["sigma"], true_rho=tr["rho"], true_s=tr["s"],
                   true_sigma_by_arm=tr["sigma_by_arm"].tolist(),
                   true_sigma_eps=float(np.std(yhat[rows, arm] - truth[rows, arm])))
    return out


def study_moments(yhat: np.ndarray, arm: np.ndarray, y: np.ndarray, test: np.ndarray, groups: int = 10, truth=None,
                  sigma_sd: str = "sample") -> dict:
    """Section 5.2's estimates for a study: ``estimate`` on the holdout (``test``) predictions ``yhat``,
    s from the whole study (the paper's; ``s_holdout`` from the holdout alone; ``s_corrected`` less the
    arm means' sampling noise), and every arm's mean outcome with its SE. ``arm``, ``y``, ``truth``:
    every person's."""
    m = yhat.shape[1]
    est = estimate(yhat, arm[test], y[test], groups, truth=None if truth is None else truth[test], sigma_sd=sigma_sd)
    est.update(s_holdout=est.pop("s"), s=s_hat(arm, y, m), s_corrected=s_hat_corrected(arm, y, m),
               arm_means=[float(y[arm == a].mean()) for a in range(m)],
               arm_mean_se=[float(y[arm == a].std(ddof=1) / np.sqrt((arm == a).sum())) for a in range(m)])
    if est["rho_pairs_skipped"]:
        log.warning("%d arm pairs left out of rho: an arm's assigned group means are constant", est["rho_pairs_skipped"])
    log.info("sigma=%.4f rho=%.3f s=%.4f (corrected %.4f) sigma_eps=%.4f; naive sigma=%.4f rho=%.3f%s", est["sigma"],
             est["rho"], est["s"], est["s_corrected"], est["sigma_eps"], est["naive_sigma"], est["naive_rho"],
             "" if truth is None else f"; true sigma={est['true_sigma']:.4f} rho={est['true_rho']:.3f}")
    return est
