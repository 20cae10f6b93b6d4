"""Monte Carlo check of the IPW estimate and its bootstrap SE on a study with a known policy value.

The study: 3 arms assigned with probabilities (0.5, 0.25, 0.25), x ~ U(-1, 1),
E[Y^a | x] = 0.3 + (0, 0.2 x, -0.2 x)_a, binary outcomes; the policy gives arm 1 where x > 0
and arm 2 elsewhere, so its population value is 0.3 + 0.2 E|x| = 0.4 exactly.
"""

from __future__ import annotations

import numpy as np

from .evaluation import bootstrap_means, ipw_terms

PROPENSITY = np.array([0.5, 0.25, 0.25])
TRUE_VALUE = 0.4


def one_study(n: int, reps: int, seed: int) -> tuple[float, float]:
    """(IPW value, bootstrap SE) of the policy on one simulated holdout of n people."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, n)
    arm = rng.choice(3, size=n, p=PROPENSITY)
    p = 0.3 + np.select([arm == 1, arm == 2], [0.2 * x, -0.2 * x], 0.0)
    y = (rng.random(n) < p).astype(float)
    policy = np.where(x > 0, 1, 2)
    terms = ipw_terms(policy, arm, y, PROPENSITY[arm])
    boot = bootstrap_means(terms, reps, seed + 1)[:, 0]
    return float(terms.mean()), float(boot.std(ddof=1))


def coverage(seeds: int, n: int, reps: int, z: float = 1.96) -> dict:
    """Share of seeds whose interval value +/- z SE covers the true value, and the bias."""
    est = np.array([one_study(n, reps, s) for s in range(seeds)])
    covered = np.abs(est[:, 0] - TRUE_VALUE) <= z * est[:, 1]
    return dict(seeds=seeds, n=n, reps=reps, coverage=float(covered.mean()), mean_estimate=float(est[:, 0].mean()),
                bias_se=float(est[:, 0].std(ddof=1) / np.sqrt(seeds)), mean_boot_se=float(est[:, 1].mean()),
                sd_estimates=float(est[:, 0].std(ddof=1)))
