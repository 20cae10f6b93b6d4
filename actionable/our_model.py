"""The "Our Model" column of Table 4: Algorithm 2 run with a study's estimated moments."""

from __future__ import annotations

from .model import ArmMeans, expected_gain, simulate_gain


def predicted_gain(s: float, sigma: float, rho: float, sigma_eps: float, m: int, n: int, reps: int, seed: int,
                   uniform: str = "sample", threads: int = 1, percent: bool = True) -> dict:
    """Algorithm 2's expected gain from personalization for estimated (s, sigma, rho, sigma_eps).

    F is normal with the estimated s; n is the holdout size, so the uniform benchmark carries the
    same finite-sample selection as the evaluation. Reported in outcome units and, for binary
    outcomes, percentage points; the exact n -> infinity expectation is given beside it.
    """
    if not sigma > 0:
        # Constant predictions (e.g. trees too constrained to split a small arm) show no
        # heterogeneity at all; Algorithm 2 needs sigma > 0, so the prediction is undefined.
        nan = float("nan")
        return dict(gain=nan, se=nan, gain_pp=nan, se_pp=nan, exact_gain=nan, inputs=dict(
            s=s, sigma=sigma, rho=rho, sigma_eps=sigma_eps, m=m, n=n, reps=reps, seed=seed, uniform=uniform),
            note=f"estimated sigma is {sigma}: the predictions show no heterogeneity, Algorithm 2 needs sigma > 0")
    F = ArmMeans.normal(s)
    sim = simulate_gain(F, sigma, rho, m, n, reps, sigma_eps=sigma_eps, seed=seed, uniform=uniform, threads=threads)
    scale = 100.0 if percent else 1.0
    return dict(gain=sim.mean, se=sim.se, gain_pp=sim.mean * scale, se_pp=sim.se * scale,
                exact_gain=expected_gain(F, sigma, rho, m, sigma_eps), inputs=sim.settings)
