"""Parameter sweeps of the model: Figure 6 (gain against the number of arms)."""

from __future__ import annotations

import pandas as pd

from .model import ArmMeans, expected_gain, simulate_gain


def arm_means(spike_prob: float, variance: float) -> ArmMeans:
    """F for one Figure 6 panel: Eq. 8 with (1 - pi) s^2 = variance (pi = 0 is the normal)."""
    return ArmMeans.spike_and_slab(variance, spike_prob)


def gain_by_arms(F: ArmMeans, sigma: float, rhos, arms, n: int, reps: int, seed: int,
                 uniform: str = "population", chunk_mb: float = 128.0,
                 threads: int = 1) -> pd.DataFrame:
    """Algorithm 1's gain for every (rho, m): Monte Carlo mean and SE beside the exact value.

    The same seed is used at every point, so curves share their random numbers (common random
    numbers across rho; across m the draws of the first arms coincide too).
    """
    rows = []
    for rho in rhos:
        for m in arms:
            sim = simulate_gain(F, sigma, rho, m, n, reps, seed=seed, uniform=uniform, chunk_mb=chunk_mb,
                                 threads=threads)
            rows.append(dict(rho=float(rho), m=int(m), gain=sim.mean, se=sim.se,
                             exact=expected_gain(F, sigma, rho, m), n=n, reps=reps))
    return pd.DataFrame(rows)


def peak_arms(curve: pd.DataFrame, column: str = "gain") -> int:
    """Number of arms at which a single curve (one rho) peaks."""
    return int(curve.loc[curve[column].idxmax(), "m"])
