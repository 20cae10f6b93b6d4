"""Figures 3-5: how sigma, rho and s move the crossover of two potential-outcome lines.

Each panel is one two-arm A/B test of the Eq. 3 model, drawn against an observed covariate x
(standardized, shown over its observed range [-2, 2]) that carries the heterogeneity:
E[Y^A | x] = mu_A + sigma x and E[Y^B | x] = mu_B + rho sigma x. B's remaining spread,
SD sigma sqrt(1 - rho^2), is shown as a band. The panel's gain is Eq. 7 for its
(mu_A, mu_B, sigma, rho), so the pictures and the closed form tell the same story.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..stats.model import gain_two_arm

X_RANGE = (-2.0, 2.0)


@dataclass(frozen=True)
class Panel:
    title: str
    mu_a: float
    mu_b: float
    sigma: float
    rho: float

    @property
    def gain(self) -> float:
        return float(gain_two_arm(self.mu_a, self.mu_b, self.sigma, self.rho))

    def lines(self, x):
        x = np.asarray(x, float)
        return self.mu_a + self.sigma * x, self.mu_b + self.rho * self.sigma * x

    @property
    def band(self) -> float:
        """SD of Y^B around its line: the part of B's heterogeneity x does not carry."""
        return self.sigma * float(np.sqrt(max(0.0, 1.0 - self.rho**2)))

    @property
    def crossover(self) -> float:
        """x where the two lines cross (inf when parallel)."""
        slope = self.sigma * (1.0 - self.rho)
        return (self.mu_b - self.mu_a) / slope if slope else float("inf")


# Each figure varies one factor and holds the others, as in the paper.
FIGURES = {
    3: dict(
        title="Effect of within-treatment heterogeneity (sigma)",
        panels=[
            Panel("low sigma = 0.25: crossover outside the data", 10.0, 11.0, 0.25, -0.5),
            Panel("medium sigma = 1.5: small crossover", 10.0, 11.0, 1.5, -0.5),
            Panel("high sigma = 4: large crossover", 10.0, 11.0, 4.0, -0.5),
        ],
    ),
    4: dict(
        title="Effect of cross-treatment correlation (rho)",
        panels=[
            Panel("positive rho = 0.8: crossover outside the data", 10.0, 11.0, 2.0, 0.8),
            Panel("zero rho = 0", 10.0, 11.0, 2.0, 0.0),
            Panel("negative rho = -0.8", 10.0, 11.0, 2.0, -0.8),
        ],
    ),
    5: dict(
        title="Effect of variation in average responses (s)",
        panels=[
            Panel("large mean gap: no crossover in the data", 10.0, 18.0, 2.0, -0.5),
            Panel("medium mean gap", 10.0, 13.0, 2.0, -0.5),
            Panel("small mean gap", 10.0, 10.5, 2.0, -0.5),
        ],
    ),
}
