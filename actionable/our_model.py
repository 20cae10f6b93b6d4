"""The "Our Model" column of Table 4: Algorithm 2 run with a study's estimated moments."""

from __future__ import annotations

import math

from .model import ArmMeans, expected_gain, simulate_gain


def predicted_gain(s: float, sigma: float, rho: float, sigma_eps: float, m: int, n: int, reps: int, seed: int,
                   uniform: str = "sample", threads: int = 1, percent: bool = True) -> dict:
    """Algorithm 2's expected gain from personalization for estimated (s, sigma, rho, sigma_eps).

    F is normal with the estimated s. With uniform="sample" (the algorithm as printed) n is the
    number of simulated people from whose noisy mean predictions the uniform arm is chosen; with
    "population" the uniform arm is valued at its true mean and n only sets the Monte Carlo
    precision. Returned: the Monte Carlo mean and SE, the exact expectation of the same algorithm
    (``exact_gain``) and the n -> infinity value (``gain_inf``); ``*_pp`` in percentage points
    when ``percent``.
    """
    inputs = dict(s=s, sigma=sigma, rho=rho, sigma_eps=sigma_eps, m=m, n=n, reps=reps, seed=seed, uniform=uniform)
    scale = 100.0 if percent else 1.0
    if not sigma > 0:
        # Constant predictions (e.g. trees too constrained to split a small arm) show no
        # heterogeneity at all; Algorithm 2 needs sigma > 0, so the prediction is undefined.
        nan = math.nan
        return dict(gain=nan, se=nan, gain_pp=nan, se_pp=nan, exact_gain=nan, gain_inf=nan, gain_inf_pp=nan,
                    inputs=inputs,
                    note=f"estimated sigma is {sigma}: the predictions show no heterogeneity, Algorithm 2 needs sigma > 0")
    F = ArmMeans.normal(s)
    sim = simulate_gain(F, sigma, rho, m, n, reps, sigma_eps=sigma_eps, seed=seed, uniform=uniform, threads=threads)
    exact = expected_gain(F, sigma, rho, m, sigma_eps, n=n if uniform == "sample" else None)
    inf = expected_gain(F, sigma, rho, m, sigma_eps)
    return dict(gain=sim.mean, se=sim.se, gain_pp=sim.mean * scale, se_pp=sim.se * scale, exact_gain=exact,
                gain_inf=inf, gain_inf_pp=inf * scale, inputs=sim.settings)
