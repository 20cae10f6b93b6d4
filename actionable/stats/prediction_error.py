"""The learner's prediction error and the de-attenuated moments, without the truth (an extension).

Algorithm 2 models a prediction as Y_hat = Y + epsilon, Y = h^a(x) = E[Y^a | x] the part of the
outcome the covariates explain and epsilon the prediction's error about it. The paper estimates
sigma_eps as SD(y - y_hat), which also holds the outcome's own noise y - E[Y | x]: for a binary
outcome near 30% that is about 0.45, far above any prediction error. And its stratified sigma and
rho come from the same noisy predictions, so the noise pulls both down (a finding the stand-ins'
truth shows). This module estimates all three from two extra T-learners, each fit on a random
half of every arm's training rows, under one working model of a learner's predictions:

    y_hat^a = lambda_a h^a(x) + c_a + e^a(x),  e^a independent of h and across fits,

i.e. predictions shrunk towards a constant (lambda_a <= 1, as early-stopped boosting does) plus
noise from the training sample. On the holdout (people assigned to a, for anything with y):

* Var(h^a) = Cov(y, y_hat_1^a) Cov(y, y_hat_2^a) / Cov(y_hat_1^a, y_hat_2^a): the halves' noise is
  independent, so their covariance is lambda_h^2 Var(h), and Cov(y, y_hat_h) = lambda_h Var(h)
  (a split-half reliability correction); lambda_a = Cov(y, y_hat^a) / Var(h^a) for the full fit.
* rho: Cov(y_hat^a, y_hat^b) / (lambda_a lambda_b), over sqrt(Var(h^a) Var(h^b)); the T-learner fits
  each arm on its own people, so their noise is independent across arms.
* sigma_eps, two ways:
  ``noise_corrected``: E[(y - y_hat)^2] - (Var(y) - Var(h^a)) within arm a: the residual less the
  outcome's own noise (independent of a prediction made without it);
  ``split_half``: a half fit's error, its noise Var(y_hat_1 - y_hat_2) / 2 plus its shrinkage bias
  (1 - lambda_h)^2 Var(h^a), stepped to the full training size by the fall in the residuals'
  mean square from the halves to the full fit, E(y - y_hat_h)^2 - E(y - y_hat)^2, which the data
  identify because the outcome's own noise is in both. (Scaling the noise as 1 / n instead, the
  halves' disagreement / 4, is contradicted on the stand-ins: a half fit's error is about 1.35
  times the full fit's, not 2; benchmarks/RESULTS.md.)

Per-arm values are pooled as Section 5.2 pools sigma (mean of the arms' SDs) and as root mean
squares for sigma_eps.
"""

from __future__ import annotations

import logging

import numpy as np

from .moments import true_moments

log = logging.getLogger(__name__)


def half_masks(arm: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two disjoint halves of the training rows, each holding half of every arm (seeded)."""
    rng = np.random.default_rng(seed)
    first = np.zeros(len(arm), dtype=bool)
    for a in np.unique(arm):
        rows = rng.permutation(np.flatnonzero(arm == a))
        first[rows[: len(rows) // 2]] = True
    return first, ~first


def _cov(u, v) -> float:
    return float(np.cov(u, v, ddof=1)[0, 1])


def _cov_with(cols: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Cov(cols[:, k], v) for every column k (ddof 1)."""
    return (cols - cols.mean(axis=0)).T @ (v - v.mean()) / (len(v) - 1)


def reliability(yhat: np.ndarray, yhat_1: np.ndarray, yhat_2: np.ndarray, arm: np.ndarray, y: np.ndarray) -> dict:
    """Var(h^a), lambda_a, and the de-attenuated sigma and rho (see the module's working model)."""
    m = yhat.shape[1]
    var_h, lam = np.full(m, np.nan), np.full(m, np.nan)
    for a in range(m):
        sel = arm == a
        c12 = _cov(yhat_1[:, a], yhat_2[:, a])
        c1, c2 = _cov(y[sel], yhat_1[sel, a]), _cov(y[sel], yhat_2[sel, a])
        if c12 > 0 and c1 * c2 > 0:
            var_h[a] = c1 * c2 / c12
            lam[a] = _cov(y[sel], yhat[sel, a]) / var_h[a]
    cov_h = np.cov(yhat, rowvar=False, ddof=1) / np.outer(lam, lam)
    corr = cov_h / np.sqrt(np.outer(var_h, var_h))
    off = corr[~np.eye(m, dtype=bool)]
    off = off[np.isfinite(off)]
    cov_h[np.diag_indices(m)] = var_h
    return dict(sigma=float(np.nanmean(np.sqrt(var_h))), rho=float(off.mean()) if len(off) else float("nan"),
                var_h=var_h, lam=lam, cov_h=cov_h, arms_undefined=int(np.sum(~np.isfinite(var_h))))


def noise_corrected(yhat: np.ndarray, arm: np.ndarray, y: np.ndarray, var_h: np.ndarray) -> dict:
    """sigma_eps: the residuals' mean square less the outcome's own noise Var(y) - Var(h^a), per arm."""
    m = yhat.shape[1]
    resid2 = (y - yhat[np.arange(len(y)), arm]) ** 2
    var = np.array([resid2[arm == a].mean() - (y[arm == a].var(ddof=1) - var_h[a]) for a in range(m)])
    return _pool(var)


def arm_specific(yhat: np.ndarray, arm: np.ndarray, y: np.ndarray, cov_h: np.ndarray) -> dict:
    """sigma_eps of the error's arm-specific part, sqrt(E[(e^a - e^b)^2] / 2) over arm pairs, e = y_hat - h.

    Algorithm 2's errors are independent across arms. A learner whose errors share a part across
    arms (a causal forest's baseline, common to every arm's prediction) chooses as if only the rest
    were there: a shift common to all arms leaves the argmax where it was. Any learner's holdout
    predictions identify it given the covariance of h (``reliability``'s ``cov_h``): with
    d = y_hat^a - y_hat^b, E(e^a - e^b)^2 = Var(d) - 2 [Cov(d, y | a) - Cov(d, y | b)] + Var(h^a - h^b),
    Cov(d, h^a) read off arm a's people (randomized, so their x has everyone's law). Errors' means
    are left out, as Algorithm 2's own normal errors have none. A mean over pairs at or below zero
    (sampling noise larger than the error) gives NaN, not an error-free learner."""
    m = yhat.shape[1]
    yhat = np.asarray(yhat, float)
    cov_y = outcome_covariances(yhat, arm, y)

    def of_differences(c):  # [a, b]: the variance of u^a - u^b from a covariance matrix c of u
        return np.diag(c)[:, None] + np.diag(c)[None, :] - c - c.T

    # Cov(d, h^a) - Cov(d, h^b) with d = y_hat^a - y_hat^b is of_differences of cov_y, as Var(d) is of Cov(y_hat)
    total = (of_differences(np.cov(yhat, rowvar=False, ddof=1)) - 2 * of_differences(cov_y)
             + of_differences(np.asarray(cov_h, float)))
    pairs = total[np.triu_indices(m, 1)]
    ok = np.isfinite(pairs)
    mean = pairs[ok].mean() if ok.any() else float("nan")
    return dict(sigma_eps=float(np.sqrt(mean / 2)) if mean > 0 else float("nan"),
                pairs=int(ok.sum()), pairs_negative=int(np.sum(pairs[ok] < 0)), var_differences=total.tolist())


def split_half(yhat: np.ndarray, yhat_1: np.ndarray, yhat_2: np.ndarray, arm: np.ndarray, y: np.ndarray,
               var_h: np.ndarray) -> dict:
    """sigma_eps: a half fit's noise (the halves' disagreement) and shrinkage bias, less the fall in
    the residuals' mean square from the halves to the full fit, per arm."""
    m = yhat.shape[1]
    noise_half = (np.asarray(yhat_1, float) - np.asarray(yhat_2, float)).var(axis=0, ddof=1) / 2
    var = np.full(m, np.nan)
    for a in range(m):
        sel = arm == a
        if not np.isfinite(var_h[a]):
            continue
        halves = (yhat_1[sel, a], yhat_2[sel, a])
        bias_half = np.mean([(1 - _cov(y[sel], f) / var_h[a]) ** 2 for f in halves]) * var_h[a]
        step = np.mean([np.mean((y[sel] - f) ** 2) for f in halves]) - np.mean((y[sel] - yhat[sel, a]) ** 2)
        var[a] = noise_half[a] + bias_half - step
    return _pool(var)


def _pool(var: np.ndarray) -> dict:
    ok = np.isfinite(var)
    clipped = np.maximum(var[ok], 0.0)
    return dict(sigma_eps=float(np.sqrt(clipped.mean())) if ok.any() else float("nan"),
                by_arm=[float(np.sqrt(max(v, 0.0))) if np.isfinite(v) else None for v in var],
                arms_at_zero=int(np.sum(var[ok] <= 0)))


def model_inputs(estimates: dict, estimator: str, learner: str = "txgb") -> dict | None:
    """Algorithm 2's sigma, rho, sigma_eps for the extension from ``estimate``'s output (or its JSON),
    sigma_eps of the T-learner (``learner="txgb"``) or of the forest ("macf"); None where one is not
    identified. Sampling noise can put the corrected rho just above 1, which the model does not
    allow: it is capped at 0.999."""
    sigma, rho = estimates["sigma"], estimates["rho"]
    errors = estimates["sigma_eps"] if learner == "txgb" else (estimates.get("forest") or {}).get("sigma_eps", {})
    sigma_eps = (errors.get(estimator) or {}).get("sigma_eps")
    if not all(v is not None and np.isfinite(v) for v in (sigma, rho, sigma_eps)):
        return None
    return dict(sigma=sigma, rho=min(rho, 0.999), sigma_eps=sigma_eps)


def outcome_covariances(yhat: np.ndarray, arm: np.ndarray, y: np.ndarray) -> np.ndarray:
    """[a, k] = Cov(y, y_hat^k) among arm a's people, an estimate of Cov(h^a, y_hat^k) (randomized:
    their x has everyone's law, and y's own noise is independent of a prediction made without it);
    NaN for an arm with fewer than 2 people."""
    yhat = np.asarray(yhat, float)
    return np.array([_cov_with(yhat[arm == a], y[arm == a]) if np.sum(arm == a) > 1 else np.full(yhat.shape[1], np.nan)
                     for a in range(yhat.shape[1])])


def prediction_covariances(yhat: np.ndarray, arm: np.ndarray, y: np.ndarray) -> dict:
    """What ``general_model.learner_gain`` needs of a learner: Cov(y_hat) over the holdout, and
    Cov(h^a, y_hat^k) (``outcome_covariances``)."""
    return dict(cov_yhat=np.cov(np.asarray(yhat, float), rowvar=False, ddof=1).tolist(),
                cross=outcome_covariances(yhat, arm, y).tolist())


def true_error(yhat: np.ndarray, truth: np.ndarray) -> float:
    """SD(y_hat - E[Y | x]) pooled over arms (synthetic studies): what sigma_eps estimates."""
    err = np.asarray(yhat, float) - np.asarray(truth, float)
    return float(np.sqrt(np.mean(err.var(axis=0))))


def true_arm_specific(yhat: np.ndarray, truth: np.ndarray) -> float:
    """What ``arm_specific`` estimates (synthetic studies): the errors less each person's mean over arms."""
    err = np.asarray(yhat, float) - np.asarray(truth, float)
    m = err.shape[1]
    return float(np.sqrt(np.mean((err - err.mean(axis=1, keepdims=True)).var(axis=0)) * m / (m - 1)))


def estimate(yhat: np.ndarray, yhat_1: np.ndarray, yhat_2: np.ndarray, arm: np.ndarray, y: np.ndarray,
             truth: np.ndarray | None = None, forest: np.ndarray | None = None) -> dict:
    """Everything above from the holdout predictions of the full fit and of the two halves; with
    ``forest`` (the causal forest's holdout arm outcomes) also that learner's errors, whose
    arm-specific part feeds the extension's Our Model for the forest."""
    rel = reliability(yhat, yhat_1, yhat_2, arm, y)
    out = dict(sigma=rel["sigma"], rho=rel["rho"], arms_undefined=rel["arms_undefined"],
               lam=[float(v) for v in rel["lam"]], cov_h=rel["cov_h"].tolist(),
               sigma_eps=dict(noise_corrected=noise_corrected(yhat, arm, y, rel["var_h"]),
                              split_half=split_half(yhat, yhat_1, yhat_2, arm, y, rel["var_h"]),
                              arm_specific=arm_specific(yhat, arm, y, rel["cov_h"])))
    if forest is not None:
        out["forest"] = dict(sigma_eps=dict(noise_corrected=noise_corrected(forest, arm, y, rel["var_h"]),
                                            arm_specific=arm_specific(forest, arm, y, rel["cov_h"])))
    if truth is not None:
        tr = true_moments(truth)
        out.update(true_sigma=tr["sigma"], true_rho=tr["rho"], true_sigma_eps=true_error(yhat, truth),
                   true_arm_specific=true_arm_specific(yhat, truth))
        if forest is not None:
            out["forest"].update(true_sigma_eps=true_error(forest, truth), true_arm_specific=true_arm_specific(forest, truth))
    return out


def _estimates_of(est: dict) -> dict:
    """The scalar estimates of ``estimate``'s output, by dotted name (what ``bootstrap_se`` resamples)."""
    flat = {"sigma": est["sigma"], "rho": est["rho"]}
    for who, errors in (("", est["sigma_eps"]), ("forest.", (est.get("forest") or {}).get("sigma_eps", {}))):
        flat.update({f"{who}sigma_eps.{k}": v["sigma_eps"] for k, v in errors.items()})
    return flat


def bootstrap_se(yhat: np.ndarray, yhat_1: np.ndarray, yhat_2: np.ndarray, arm: np.ndarray, y: np.ndarray,
                 forest: np.ndarray | None = None, reps: int = 200, seed: int = 0) -> dict:
    """The holdout's sampling SE of sigma, rho and every sigma_eps estimate: the holdout's people drawn
    with replacement within arm (the split's arm sizes kept), the fitted learners held fixed, so the
    fits' own training noise is not in it. A draw where an estimate is not identified (NaN) is left
    out of that estimate's SE and counted."""
    arm, y = np.asarray(arm), np.asarray(y, float)
    groups = [np.flatnonzero(arm == a) for a in range(yhat.shape[1])]
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(reps):
        idx = np.concatenate([rng.choice(g, len(g)) for g in groups if len(g)])
        est = estimate(yhat[idx], yhat_1[idx], yhat_2[idx], arm[idx], y[idx],
                       forest=None if forest is None else forest[idx])
        draws.append(_estimates_of(est))
    out = {}
    for key in draws[0]:
        v = np.array([d[key] for d in draws], float)
        ok = np.isfinite(v)
        out[key] = dict(se=float(v[ok].std(ddof=1)) if ok.sum() > 1 else float("nan"), not_identified=int((~ok).sum()))
    return dict(reps=reps, estimates=out)


def study_estimates(yhat: np.ndarray, yhat_1: np.ndarray, yhat_2: np.ndarray, arm: np.ndarray, y: np.ndarray,
                    truth=None, forest=None, bootstrap: int = 0, seed: int = 0) -> dict:
    """``estimate`` for a study's holdout, with ``bootstrap_se`` over ``bootstrap`` holdout draws when
    positive, and the estimates that are not identified said in the log."""
    out = estimate(yhat, yhat_1, yhat_2, arm, y, truth=truth, forest=forest)
    if bootstrap:
        out["bootstrap"] = bootstrap_se(yhat, yhat_1, yhat_2, arm, y, forest=forest, reps=bootstrap, seed=seed)
        log.info("holdout bootstrap SEs (%d draws, fits fixed): %s", bootstrap,
                 ", ".join(f"{k} {v['se']:.4f}" for k, v in out["bootstrap"]["estimates"].items()))
    log.info("reliability sigma=%.4f rho=%.3f; prediction-error sigma_eps %s%s", out["sigma"], out["rho"],
             ", ".join(f"{k}={v['sigma_eps']:.4f}" for k, v in out["sigma_eps"].items()),
             "" if truth is None else f"; true {out['true_sigma_eps']:.4f}")
    errors = {"T-learner": out["sigma_eps"]}
    if forest is not None:
        errors["forest"] = out["forest"]["sigma_eps"]
        log.info("the forest's sigma_eps %s", ", ".join(f"{k}={v['sigma_eps']:.4f}" for k, v in errors["forest"].items()))
    for who, err in errors.items():
        if not err["arm_specific"]["sigma_eps"] > 0:
            log.warning("the %s's arm-specific error is not identified (its estimate over %d arm pairs is not "
                        "positive: sampling noise exceeds it); an extension row that would use it is left out", who,
                        err["arm_specific"]["pairs"])
    if out["arms_undefined"]:
        log.warning("%d arm(s) without a positive split-half covariance: Var(h) not identified there",
                    out["arms_undefined"])
    return out
