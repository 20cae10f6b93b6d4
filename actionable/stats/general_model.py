"""The paper's model for arms that are not alike (this package's extension, labelled as such).

Algorithm 2 gives every arm the same heterogeneity: potential outcomes with one SD sigma and one
correlation rho, Sigma = sigma^2 [(1 - rho) I + rho 11'], and predictions with independent noise of
one SD sigma_eps per arm. When the arm-specific heterogeneity sits in a few arms with large effects,
that spreads it over all m arms, where the noise swamps it. The generalizations here keep the
paper's thought experiment (arm means mu_a ~ N(0, s^2) drawn i.i.d. from F, each person sent to the
arm with the highest prediction mu + z, the uniform arm valued at its true mean, infinitely many
people) and value the chosen arm at its expected outcome given the prediction (Rao-Blackwell),
by Monte Carlo:

* ``gaussian_gain``: h ~ N(0, Sigma_h) with a general m x m covariance (the de-attenuated covariance
  of the arms' predictions) and prediction errors e ~ N(0, Sigma_e) independent of h, z = h + e.
  With Sigma_h equicorrelated and Sigma_e = sigma_eps^2 I this is Algorithm 2 (the uniform arm at its
  true mean).
* ``learner_gain``: a learner described by its own predictions instead of an error model: z ~ N(0,
  Cov(y_hat)) and the covariance of the heterogeneity with them, Cov(h^a, y_hat^k), which a
  randomized holdout identifies as Cov(y, y_hat^k) among arm a's people. Errors independent of h are
  the special case above; a learner that shrinks its predictions (a forest, boosting) has errors
  correlated with h, which the independent-error model misreads.
* ``learner_profile_gain``: the same with the learner's own predicted profiles for z (no normality).
* ``profile_gain``: profiles recoloured to Sigma_h plus independent Gaussian errors.

Only the prediction error's contrasts (e^a - e^b) move the argmax, and only they are identified
(``prediction_error.arm_specific``); ``error_contrasts`` turns the estimated variances of the
differences into a covariance with no common part, which is all the independent-error models need.

``structure`` describes how the arm-specific heterogeneity (h^a less the person's mean over arms)
is spread over the arms: each arm's share of its variance, the effective number of arms carrying
it, and the spectrum of its covariance.
"""

from __future__ import annotations

import numpy as np

__all__ = ["equicorrelated", "contrast", "error_contrasts", "fill_unidentified", "fill_differences", "structure",
           "gaussian_gain",
           "learner_gain", "learner_profile_gain", "profile_gain"]


def equicorrelated(sigma: float, rho: float, m: int) -> np.ndarray:
    """Algorithm 2's Sigma = sigma^2 [(1 - rho) I + rho 11']."""
    return sigma ** 2 * ((1 - rho) * np.eye(m) + rho * np.ones((m, m)))


def contrast(m: int) -> np.ndarray:
    """C = I - 11'/m: C x is x less its mean over arms."""
    return np.eye(m) - np.ones((m, m)) / m


def error_contrasts(var_differences: np.ndarray) -> np.ndarray:
    """The covariance of the errors less their mean over arms, -C D C / 2, from D[a, b] =
    Var(e^a - e^b) (the classical scaling identity; a negative eigenvalue from sampling noise is
    set to 0)."""
    d = np.asarray(var_differences, float)
    c = contrast(len(d))
    cov = -0.5 * c @ d @ c
    return _psd(cov)


def fill_unidentified(cov_h: np.ndarray) -> tuple[np.ndarray, int]:
    """Arms whose heterogeneity is not identified (NaN rows: no positive split-half covariance) get
    the identified arms' mean variance and mean correlation; returns the matrix and how many arms
    were filled."""
    cov = np.array(cov_h, float)
    bad = ~np.isfinite(np.diag(cov))
    if bad.all():
        raise ValueError("no arm's heterogeneity is identified")
    good = ~bad
    var = float(np.mean(np.diag(cov)[good]))
    sd = np.sqrt(np.where(bad, var, np.clip(np.diag(cov), 0, None)))
    sub = cov[np.ix_(good, good)] / np.outer(sd[good], sd[good])
    rho = float(sub[~np.eye(good.sum(), dtype=bool)].mean()) if good.sum() > 1 else 0.0
    fill = rho * np.outer(sd, sd)
    np.fill_diagonal(fill, sd ** 2)
    return np.where(np.isfinite(cov), cov, fill), int(bad.sum())


def fill_differences(var_differences: np.ndarray) -> np.ndarray:
    """Error contrasts Var(e^a - e^b) of pairs with an unidentified arm: the identified pairs' mean."""
    d = np.array(var_differences, float)
    known = ~np.eye(len(d), dtype=bool) & np.isfinite(d)
    d = np.where(np.isfinite(d), d, np.mean(d[known]) if known.any() else 0.0)
    np.fill_diagonal(d, 0.0)
    return d


def _psd(cov: np.ndarray) -> np.ndarray:
    w, v = np.linalg.eigh((cov + cov.T) / 2)
    return (v * np.maximum(w, 0.0)) @ v.T


def structure(cov_h: np.ndarray) -> dict:
    """How the arm-specific heterogeneity is spread: its covariance C Sigma_h C, each arm's share of
    its variance, the effective number of arms (1 / sum of squared shares: m when spread evenly, k
    when k arms carry it equally), and the spectrum (eigenvalues of C Sigma_h C as shares of their
    sum, largest first) with its participation ratio (sum^2 / sum of squares; m - 1 when even)."""
    cov_h = _psd(np.asarray(cov_h, float))
    m = len(cov_h)
    spec = contrast(m) @ cov_h @ contrast(m)
    var = np.clip(np.diag(spec), 0.0, None)
    share = var / var.sum() if var.sum() > 0 else np.full(m, np.nan)
    eig = np.clip(np.linalg.eigvalsh(spec)[::-1], 0.0, None)
    eig_share = eig / eig.sum() if eig.sum() > 0 else np.full(m, np.nan)
    return dict(arm_share=share.tolist(), effective_arms=float(1.0 / np.sum(share ** 2)),
                spectrum=eig_share.tolist(), participation_ratio=float(eig.sum() ** 2 / np.sum(eig ** 2)),
                arm_specific_sd=float(np.sqrt(var.mean())), m=m)


def _root(cov: np.ndarray) -> np.ndarray:
    """The symmetric root R = V sqrt(W) V' of cov (PSD, possibly singular), R R' = cov. Unlike
    V sqrt(W), it does not depend on which eigenvectors eigh returns for (nearly) equal
    eigenvalues, so a change of cov in its last digits (another BLAS, the forest's chunk-wise
    statistics) moves the Monte Carlo draws by as little."""
    w, v = np.linalg.eigh((cov + cov.T) / 2)
    return (v * np.sqrt(np.maximum(w, 0.0))) @ v.T


def _sym_power(cov: np.ndarray, power: float) -> np.ndarray:
    """cov^power by its eigenvalues (symmetric); for a negative power, directions without variance stay 0."""
    w, v = np.linalg.eigh((cov + cov.T) / 2)
    keep = w > 1e-12 * max(float(w.max()), 1e-300)
    out = np.zeros_like(w)
    out[keep] = w[keep] ** power
    return (v * out) @ v.T


def _summary(values: np.ndarray, **extra) -> dict:
    values = np.asarray(values, float)
    return dict(gain=float(values.mean()), se=float(values.std(ddof=1) / np.sqrt(len(values))), reps=len(values), **extra)


def _value(s: float, draw, k: np.ndarray, m: int, reps: int, seed: int) -> np.ndarray:
    """Gains over the best arm of choosing argmax(mu + z) per person, each valued at mu + K z (the
    expected outcome given the prediction): ``draw(rng)`` gives the people's z (people x m)."""
    rng = np.random.default_rng(seed)
    gains = np.empty(reps)
    for r in range(reps):
        mu = rng.normal(0.0, s, m)
        z = draw(rng)
        pick = np.argmax(mu + z, axis=1)
        gains[r] = np.mean(mu[pick] + np.einsum("ij,ij->i", z, k[pick])) - mu.max()
    return gains


def gaussian_gain(s: float, cov_h: np.ndarray, cov_e: np.ndarray, reps: int = 400, people: int = 4000,
                  seed: int = 0) -> dict:
    """The expected gain over the best arm (valued at its true mean) of choosing each person's arm
    with the highest prediction, in the Gaussian model with general covariances and errors
    independent of the heterogeneity; Monte Carlo mean and SE over ``reps`` draws of the arm means,
    ``people`` per draw."""
    cov_h, cov_e = np.asarray(cov_h, float), np.asarray(cov_e, float)
    return learner_gain(s, cov_h + cov_e, cov_h, reps, people, seed) | dict(model="gaussian, independent errors")


def learner_gain(s: float, cov_yhat: np.ndarray, cross: np.ndarray, reps: int = 400, people: int = 4000,
                 seed: int = 0) -> dict:
    """As ``gaussian_gain`` for a learner described by its predictions rather than by an error model:
    predictions mu + z, z ~ N(0, ``cov_yhat``), and ``cross`` = Cov(h, z) (m x m: row a the
    covariance of arm a's heterogeneity with every arm's prediction), so E[h | z] = cross
    cov_yhat^+ z. Errors independent of h are cross = Sigma_h, cov_yhat = Sigma_h + Sigma_e; a learner
    that shrinks its predictions (errors correlated with h) is neither."""
    cov_yhat, cross = np.asarray(cov_yhat, float), np.asarray(cross, float)
    m, root, k = len(cov_yhat), _root(cov_yhat), cross @ np.linalg.pinv(cov_yhat)
    gains = _value(s, lambda rng: rng.standard_normal((people, m)) @ root.T, k, m, reps, seed)
    return _summary(gains, model="gaussian, the learner's prediction covariances")


def learner_profile_gain(s: float, predictions: np.ndarray, cross: np.ndarray, reps: int = 400,
                         people: int | None = None, seed: int = 0) -> dict:
    """As ``learner_gain`` with the learner's own predicted profiles (n x m, centred) for z, no
    normality assumed: every profile, or ``people`` drawn with replacement, per draw of the arm
    means; the value is the linear projection E[h | z] = cross Cov(z)^+ z."""
    z = np.asarray(predictions, float)
    z = z - z.mean(axis=0)
    m, k = z.shape[1], np.asarray(cross, float) @ np.linalg.pinv(np.cov(z, rowvar=False))
    draw = (lambda rng: z) if people is None else (lambda rng: z[rng.integers(0, len(z), people)])
    return _summary(_value(s, draw, k, m, reps, seed), model="the learner's own predicted profiles")


def profile_gain(s: float, profiles: np.ndarray, cov_h: np.ndarray, cov_e: np.ndarray, reps: int = 400,
                 seed: int = 0, people: int | None = None) -> dict:
    """As ``gaussian_gain``, with the heterogeneity drawn from a learner's predicted outcome profiles
    (n x m) recoloured to covariance ``cov_h`` (x Sigma_x^(-1/2) Sigma_h^(1/2), symmetric roots), plus
    Gaussian prediction noise with covariance ``cov_e``; per draw of the arm means, every profile, or
    ``people`` of them drawn with replacement."""
    x = np.asarray(profiles, float)
    x = x - x.mean(axis=0)
    m = x.shape[1]
    # symmetric roots: the least change to the profiles that gives them covariance cov_h (none if
    # they have it already); profiles of lower rank than m keep it
    h = x @ _sym_power(np.cov(x, rowvar=False), -0.5) @ _sym_power(np.asarray(cov_h, float), 0.5)
    noise_root = _root(np.asarray(cov_e, float))
    rng = np.random.default_rng(seed)
    gains = np.empty(reps)
    size = len(h) if people is None else people
    rows = np.arange(size)
    for r in range(reps):
        mu = rng.normal(0.0, s, m)
        y = mu + (h if people is None else h[rng.integers(0, len(h), people)])
        pick = np.argmax(y + rng.standard_normal((size, m)) @ noise_root.T, axis=1)
        gains[r] = np.mean(y[rows, pick]) - mu.max()
    return _summary(gains, model="empirical profiles recoloured to the covariance")
