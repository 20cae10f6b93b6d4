"""The paper's model of the gain from personalization (Sections 3-4, Algorithms 1 and 2).

Notation follows the paper: ``sigma`` (within-treatment heterogeneity), ``rho`` (cross-treatment
correlation), ``s`` (SD of arm means), ``sigma_eps`` (SD of prediction errors), ``m`` arms,
``n`` people, ``reps`` Monte Carlo repetitions.

Three ways to get the same number, used to check each other:

* ``gain_two_arm``: the closed form of Eq. 7 for two arms with known means.
* ``expected_gain``: the exact expectation of Algorithm 1/2 over the arm-mean distribution F
  (normal or the spike-and-slab of Eq. 8), for infinitely many people, by 1-D quadrature.
* ``simulate_gain``: Algorithms 1 and 2 as vectorized Monte Carlo with common random numbers.

Why one block of normals per repetition is enough. With equicorrelated outcomes,
Y_ia = mu_a + sigma * (sqrt(1-rho) * (e_ia - ebar_i) + sqrt(1+(m-1)rho) * ebar_i), and noisy
predictions Yhat = Y + eps have the same structure with lambda = sigma^2(1-rho) + sigma_eps^2 in
place of sigma^2(1-rho). The component shared by all arms of a person (ebar_i) moves every arm
alike, so it changes no argmax and cancels from V_t - V_u. Conditioning the true outcome on the
prediction (Rao-Blackwell) then gives, with one n x m block e of standard normals,

    a*(i) = argmax_a  mu_a + sqrt(lambda) * e_ia
    gain  = mean_i [mu_{a*(i)} + c * e_{i,a*(i)}]  -  (uniform policy's value)
    c     = sigma^2 (1 - rho) / sqrt(lambda)

whose expectation equals Algorithm 2's exactly (Algorithm 1 is sigma_eps = 0, where c =
sqrt(lambda) and the formula is Algorithm 1 draw for draw). ``simulate_gain_literal`` runs the
algorithms as printed (multivariate normal outcomes plus separate noise) and is kept as the
reference the tests and the benchmark compare against.
"""

from __future__ import annotations

import functools
import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from scipy import integrate, stats

from .params import check_int, check_nonnegative, check_positive, check_probability, check_rho

UNIFORM_MODES = ("sample", "population")


# --------------------------------------------------------------------------- Eq. 7 (two arms)
def rectified_normal_mean(mean, sd):
    """E[max(X, 0)] for X ~ N(mean, sd^2); sd = 0 gives max(mean, 0). Vectorized."""
    mean, sd = np.broadcast_arrays(np.asarray(mean, float), np.asarray(sd, float))
    out = np.maximum(mean, 0.0).astype(float)
    pos = sd > 0
    z = np.divide(mean, sd, out=np.zeros_like(mean), where=pos)
    val = mean * stats.norm.cdf(z) + sd * stats.norm.pdf(z)
    out = np.where(pos, val, out)
    return out[()] if out.ndim == 0 else out


def gain_two_arm(mu_a, mu_b, sigma, rho):
    """Eq. 7: expected gain of personalizing between two arms over the better uniform arm.

    The paper assumes mu_b >= mu_a; for mu_a > mu_b the roles swap (the gain is measured over the
    best uniform arm either way). Broadcasts over all arguments.
    """
    sigma = check_positive("sigma", sigma)
    rho = check_rho(rho, 2)
    mu_a = np.asarray(mu_a, float)
    mu_b = np.asarray(mu_b, float)
    d = np.abs(mu_b - mu_a)
    v = sigma * np.sqrt(2.0 * (1.0 - rho))
    return rectified_normal_mean(-d, v)


def expected_gain_two_arm_normal(sigma, rho, s):
    """E over mu_A, mu_B ~ iid N(M, s^2) of Eq. 7 (the quantity of Proposition 3), closed form.

    max(Y^A, Y^B) - max(mu_A, mu_B) has expectation phi(0) * (sd(Y^A - Y^B) - sd(mu_A - mu_B)),
    i.e. (sqrt(s^2 + sigma^2 (1 - rho)) - s) / sqrt(pi).
    """
    sigma = check_positive("sigma", sigma)
    rho = check_rho(rho, 2)
    s = check_nonnegative("s", s)
    return (np.sqrt(s**2 + sigma**2 * (1.0 - rho)) - s) / math.sqrt(math.pi)


# --------------------------------------------------------------------------- F, the arm means
@dataclass(frozen=True)
class ArmMeans:
    """Distribution F of the arm means: N(M, s^2), or Eq. 8's spike-and-slab.

    Eq. 8: mu_T = M with probability ``spike_prob`` (the spike), else N(M, s^2) (the slab);
    its variance is (1 - spike_prob) s^2. ``s`` is always an SD (Eq. 8 writes N(M, s) but the
    text's variance (1 - pi) s^2 fixes s as the SD).
    """

    s: float
    spike_prob: float = 0.0
    M: float = 0.0

    def __post_init__(self):
        check_nonnegative("s", self.s)
        check_probability("spike_prob", self.spike_prob, upper_open=False)
        if not math.isfinite(self.M):
            raise ValueError(f"M must be finite, got {self.M!r}")

    @classmethod
    def normal(cls, s: float, M: float = 0.0) -> "ArmMeans":
        return cls(s=float(s), spike_prob=0.0, M=float(M))

    @classmethod
    def spike_and_slab(cls, variance: float, spike_prob: float, M: float = 0.0) -> "ArmMeans":
        """Spike-and-slab with total variance (1 - spike_prob) s^2 held at ``variance`` (Figure 6)."""
        check_nonnegative("variance", variance)
        p = check_probability("spike_prob", spike_prob)
        return cls(s=math.sqrt(variance / (1.0 - p)), spike_prob=p, M=float(M))

    @property
    def variance(self) -> float:
        return (1.0 - self.spike_prob) * self.s**2

    def components(self):
        """(weight, SD) of the mixture's normal components around M (the spike has SD 0)."""
        if self.spike_prob == 0:
            return [(1.0, self.s)]
        if self.spike_prob == 1:
            return [(1.0, 0.0)]
        return [(self.spike_prob, 0.0), (1.0 - self.spike_prob, self.s)]

    def mu_from_draws(self, u: np.ndarray, z: np.ndarray) -> np.ndarray:
        """Arm means from uniforms u (spike indicator) and normals z: fixed draws, any parameters."""
        slab = self.M + self.s * z
        return np.where(u < self.spike_prob, self.M, slab)

    def draw(self, rng: np.random.Generator, m: int) -> np.ndarray:
        u = rng.random(m)
        z = rng.standard_normal(m)
        return self.mu_from_draws(u, z)


def _check_model(sigma, rho, m, sigma_eps):
    m = check_int("m", m, 2)
    sigma = float(check_positive("sigma", sigma))
    rho = float(check_rho(rho, m))
    sigma_eps = float(check_nonnegative("sigma_eps", sigma_eps))
    return sigma, rho, m, sigma_eps


def _check_mu(mu, m: int):
    if mu is None:
        return None
    mu = np.asarray(mu, dtype=float)
    if mu.shape != (m,) or not np.all(np.isfinite(mu)):
        raise ValueError(f"mu must be {m} finite arm means (one per arm), got {mu!r}")
    return mu


def _check_run(n, reps, uniform):
    if uniform not in UNIFORM_MODES:
        raise ValueError(f"uniform must be one of {UNIFORM_MODES}, got {uniform!r}")
    return check_int("n", n, 1), check_int("reps", reps, 1)


def _settings(F, sigma, rho, m, n, reps, sigma_eps, seed, uniform, fixed_mu) -> dict:
    """What produced a simulation, stored with its gains."""
    return dict(F=dict(s=F.s, spike_prob=F.spike_prob, M=F.M), sigma=sigma, rho=rho, m=m, n=n, reps=reps,
                sigma_eps=sigma_eps, seed=seed, uniform=uniform,
                mu=None if fixed_mu is None else fixed_mu.tolist())


def _check_F(F) -> ArmMeans:
    if not isinstance(F, ArmMeans):
        raise TypeError(f"F must be an ArmMeans (normal or spike-and-slab), got {type(F).__name__}")
    return F


# --------------------------------------------------------------------------- exact expectation
def expected_max_std_normal(m: int) -> float:
    """E[max of m iid N(0, 1)]."""
    return _expected_max_std_normal(check_int("m", m, 1))


@functools.lru_cache(maxsize=256)
def _expected_max_std_normal(m: int) -> float:
    f = lambda x: x * m * stats.norm.pdf(x) * stats.norm.cdf(x) ** (m - 1)  # noqa: E731
    return integrate.quad(f, -np.inf, np.inf)[0]


def _mixture_cdf(x, comps):
    return sum(w * (stats.norm.cdf(x / sd) if sd > 0 else (x >= 0).astype(float)) for w, sd in comps)


def _expected_max(comps, m: int) -> float:
    """E[max of m iid draws from a centered normal mixture (SD 0 = point mass at 0)]."""
    scale = max(sd for _, sd in comps)
    if scale == 0:
        return 0.0
    unit = [(w, sd / scale) for w, sd in comps]  # integrate in units of the widest component
    upper = integrate.quad(lambda t: 1 - _mixture_cdf(np.asarray(t), unit) ** m, 0, 12, limit=200)[0]
    lower = integrate.quad(lambda t: _mixture_cdf(np.asarray(t), unit) ** m, -12, 0, limit=200)[0]
    return scale * (upper - lower)


def _value_of_best_score(comps, m: int, H: float, L: float) -> float:
    """E[mu_a* + (true arm-specific part)_a*] for a* = argmax_a of scores u_a = mu_a + sqrt(L) e_a.

    H is the variance of the true arm-specific part that the score carries (its covariance with
    the score's noise), L the score noise's variance. Given the score, the chosen arm's true value
    is linear within each component k of F: E[. | u, k] = (s_k^2 + H) / (s_k^2 + L) u (centered
    at M). Personalization scores each person (H = h, L = lambda); Algorithm 2's uniform policy
    scores each arm by its mean over n people (H = h / n, L = lambda / n); L = 0 is E[max mu].
    """
    if len(comps) == 1:
        s = comps[0][1]
        if s**2 + L == 0:
            return 0.0
        return expected_max_std_normal(m) * (s**2 + H) / math.sqrt(s**2 + L)
    if L == 0:
        return _expected_max(comps, m)
    score_comps = [(w, math.sqrt(sd**2 + L)) for w, sd in comps]

    def integrand(u):
        cdf = _mixture_cdf(np.asarray(u), score_comps)
        val = sum(w * stats.norm.pdf(u, scale=v) * (sd**2 + H) / v**2 * u
                  for (w, sd), (_, v) in zip(comps, score_comps))
        return m * val * cdf ** (m - 1)

    # Break points at each component's scale: a narrow spike component (small L) sits inside a wide one.
    # Widths equal to 1e-6 relative are one break point: near-duplicate points make quad fail.
    widths = []
    for v in sorted(v for _, v in score_comps):
        if not widths or v > widths[-1] * (1 + 1e-6):
            widths.append(v)
    points = sorted({0.0, *[k * v for v in widths for k in (-3, -1, 1, 3)]})
    lim = 12 * widths[-1]
    return integrate.quad(integrand, -lim, lim, points=points, limit=400)[0]


def expected_gain(F: ArmMeans, sigma: float, rho: float, m: int, sigma_eps: float = 0.0,
                  n: int | None = None) -> float:
    """Exact expected gain of Algorithm 2 (Algorithm 1 when sigma_eps = 0).

    n = None is the n -> infinity limit: the uniform arm is worth E[max_a mu_a]. A finite n is the
    algorithm as printed (step 6): the uniform arm is the argmax of the n simulated people's mean
    predicted outcome, valued at their mean true outcome, so it is chosen from arm means blurred
    by noise of variance lambda / n. The personalized value does not depend on n. For normal F,
    with h = sigma^2 (1 - rho) and lambda = h + sigma_eps^2,

        E[max of m N(0,1)] * ((s^2 + h) / sqrt(s^2 + lambda) - (s^2 + h/n) / sqrt(s^2 + lambda/n)),

    whose n -> infinity limit replaces the second term by s. Eq. 8's F goes through 1-D quadrature.
    """
    F = _check_F(F)
    sigma, rho, m, sigma_eps = _check_model(sigma, rho, m, sigma_eps)
    if n is not None:
        n = check_int("n", n, 1)
    h = sigma**2 * (1.0 - rho)  # actionable part of the heterogeneity
    lam = h + sigma_eps**2  # variance of a score's arm-specific part
    if lam == 0:
        return 0.0  # rho = 1 and perfect predictions: everyone's best arm is the best uniform arm
    comps = F.components()
    personalized = _value_of_best_score(comps, m, h, lam)
    uniform = _expected_max(comps, m) if n is None else _value_of_best_score(comps, m, h / n, lam / n)
    return personalized - uniform


# --------------------------------------------------------------------------- Monte Carlo
@dataclass
class GainSimulation:
    """Per-repetition gains of Algorithm 1/2 and their mean with its Monte Carlo SE."""

    gains: np.ndarray
    settings: dict = field(default_factory=dict)

    @property
    def mean(self) -> float:
        return float(np.mean(self.gains))

    @property
    def se(self) -> float:
        r = len(self.gains)
        return float(np.std(self.gains, ddof=1) / math.sqrt(r)) if r > 1 else float("nan")

    def difference(self, other: "GainSimulation") -> tuple[float, float]:
        """Mean and SE of (self - other) using the paired repetitions (common random numbers)."""
        if len(self.gains) != len(other.gains):
            raise ValueError("paired difference needs simulations with the same number of repetitions")
        d = self.gains - other.gains
        return float(d.mean()), float(d.std(ddof=1) / math.sqrt(len(d)))


def _rep_seeds(seed: int, reps: int) -> list[np.random.SeedSequence]:
    # Child r depends only on (seed, r): results do not depend on chunking, threads or on reps.
    return np.random.SeedSequence(seed).spawn(reps)


def _draw_rep(seq: np.random.SeedSequence, m: int, n: int, out: np.ndarray):
    """One repetition's draws in a fixed order: spike uniforms, slab normals, n x m outcome normals."""
    rng = np.random.Generator(np.random.PCG64(seq))
    u = rng.random(m)
    z = rng.standard_normal(m)
    rng.standard_normal(out=out, dtype=out.dtype)
    return u, z


def _gains_chunk(seqs, F, m, n, sqrt_lam, c, uniform, dtype, fixed_mu=None):
    k = len(seqs)
    e = np.empty((k, n, m), dtype=dtype)
    mu = np.empty((k, m))
    for j, seq in enumerate(seqs):
        u, z = _draw_rep(seq, m, n, e[j])
        # A common shift of all arm means moves both policies alike, so work around 0.
        mu[j] = fixed_mu - fixed_mu.mean() if fixed_mu is not None else F.mu_from_draws(u, z) - F.M
    rows = np.arange(k)
    if uniform == "sample":
        col = e.mean(axis=1, dtype=np.float64)  # (k, m): each arm's mean of e over people
        best = np.argmax(mu + sqrt_lam * col, axis=1)
        v_u = mu[rows, best] + c * col[rows, best]
    else:
        v_u = mu.max(axis=1)
    if sqrt_lam == 0:  # no arm-specific variation: everyone gets the best mean
        return mu.max(axis=1) - v_u
    # Score in place, e_ia + mu_a / sqrt(lambda), which ranks arms like mu_a + sqrt(lambda) e_ia
    # and saves a second n x m array.
    shift = (mu / sqrt_lam).astype(dtype)
    e += shift[:, None, :]
    pick = np.argmax(e, axis=2)  # (k, n): a*(i)
    score_pick = np.take_along_axis(e, pick[..., None], axis=2)[..., 0]
    del e
    shift_pick = np.take_along_axis(shift, pick, axis=1).astype(np.float64)
    mu_pick = np.take_along_axis(mu, pick, axis=1)
    e_pick_mean = score_pick.mean(axis=1, dtype=np.float64) - shift_pick.mean(axis=1)
    v_t = mu_pick.mean(axis=1) + c * e_pick_mean
    return v_t - v_u


def simulate_gain(
    F: ArmMeans,
    sigma: float,
    rho: float,
    m: int,
    n: int,
    reps: int,
    sigma_eps: float = 0.0,
    seed: int = 0,
    uniform: str = "sample",
    chunk_mb: float = 128.0,
    threads: int | None = None,
    float32: bool = True,
    mu=None,
) -> GainSimulation:
    """Algorithm 1 (sigma_eps = 0) or Algorithm 2 by vectorized Monte Carlo.

    uniform="sample" follows the algorithms as printed: the uniform arm is the argmax of the
    n people's mean predicted outcome, valued at their mean true outcome. uniform="population"
    values the best arm by its mean mu (the n -> infinity benchmark the propositions use).
    Common random numbers: repetition r's draws depend only on (seed, r, m, n), so sweeping
    sigma, rho, s, spike_prob or sigma_eps reuses the same draws. Work is done in chunks of
    repetitions of about ``chunk_mb`` MB each, spread over ``threads`` threads (default: all
    cores); neither changes the result. float32 draws halve the memory and time of the largest
    array; sums are accumulated in float64. ``mu``, if given, fixes the m arm means in every
    repetition instead of drawing them from F (for comparisons with Eq. 7).
    """
    F = _check_F(F)
    sigma, rho, m, sigma_eps = _check_model(sigma, rho, m, sigma_eps)
    n, reps = _check_run(n, reps, uniform)
    seed = check_int("seed", seed, 0)
    check_positive("chunk_mb", chunk_mb)
    threads = check_int("threads", threads if threads is not None else (os.cpu_count() or 1), 1)

    h = sigma**2 * (1.0 - rho)
    sqrt_lam = math.sqrt(h + sigma_eps**2)
    c = h / sqrt_lam if sqrt_lam > 0 else 0.0
    dtype = np.float32 if float32 else np.float64
    per_rep = n * m * np.dtype(dtype).itemsize * 1.3  # e (scored in place) and the gathers
    # At least one chunk per thread, so a job given two threads uses both.
    k = max(1, min(reps, int(chunk_mb * 2**20 / per_rep), -(-reps // threads)))
    seqs = _rep_seeds(seed, reps)
    chunks = [seqs[i : i + k] for i in range(0, reps, k)]
    fixed_mu = _check_mu(mu, m)
    run = lambda ch: _gains_chunk(ch, F, m, n, sqrt_lam, c, uniform, dtype, fixed_mu)  # noqa: E731
    if threads > 1 and len(chunks) > 1:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            parts = list(pool.map(run, chunks))
    else:
        parts = [run(ch) for ch in chunks]
    return GainSimulation(gains=np.concatenate(parts),
                          settings=_settings(F, sigma, rho, m, n, reps, sigma_eps, seed, uniform, fixed_mu))


def simulate_gain_literal(
    F: ArmMeans,
    sigma: float,
    rho: float,
    m: int,
    n: int,
    reps: int,
    sigma_eps: float = 0.0,
    seed: int = 0,
    uniform: str = "sample",
    mu=None,
) -> GainSimulation:
    """Algorithms 1 and 2 exactly as printed, one repetition at a time (the reference).

    Draws the m-variate normal outcomes with the full covariance and separate prediction noise,
    so it costs about twice the draws of ``simulate_gain`` plus an m x m transform per person.
    """
    F = _check_F(F)
    sigma, rho, m, sigma_eps = _check_model(sigma, rho, m, sigma_eps)
    n, reps = _check_run(n, reps, uniform)
    fixed_mu = _check_mu(mu, m)
    rng = np.random.default_rng(seed)
    cov = sigma**2 * ((1.0 - rho) * np.eye(m) + rho * np.ones((m, m)))
    gains = np.empty(reps)
    idx = np.arange(n)
    for r in range(reps):
        mu = F.draw(rng, m) if fixed_mu is None else fixed_mu  # step 1
        y = rng.multivariate_normal(mu, cov, size=n, method="cholesky" if rho < 1 else "eigh")  # 3
        y_hat = y + rng.normal(0.0, sigma_eps, size=(n, m)) if sigma_eps > 0 else y  # step 4
        v_t = y[idx, np.argmax(y_hat, axis=1)].mean()  # step 5
        if uniform == "sample":
            v_u = y[:, np.argmax(y_hat.mean(axis=0))].mean()  # step 6
        else:
            v_u = mu.max()
        gains[r] = v_t - v_u  # step 7
    return GainSimulation(gains=gains, settings=_settings(F, sigma, rho, m, n, reps, sigma_eps, seed, uniform, fixed_mu))
