"""The paper-parameter mode: Algorithm 2's inputs for the paper's two studies, from its printed
moments (Section 5.2) and Table 5's original gains, with the finite-sample details the paper
leaves out (the base rate and the sigma_eps that reproduces each printed gain)."""

from __future__ import annotations

from ..stats.model import expected_max_std_normal
from ..stats.sensitivity import paper_parameters
from . import published


def base_rate(study: str) -> float:
    """The study's mean vaccination rate implied by the paper: its best arm's rate less the expected
    lead of the best of m arm means spread with SD s (E[max of m N(0, 1)] s; about 1.3 points).

    The paper prints no overall rate; this only sets the binary floor of sigma_eps, which moves by
    0.004 per point of base rate near 31%.
    """
    return published.BEST_ARM_RATE[study] - published.MOMENTS[study]["s"] * expected_max_std_normal(published.ARMS[study])


def published_parameters(n: int, rule: str = "solved_or_floor", uniform: str = "sample") -> dict:
    """paper_parameters for the paper's two studies, in its Table 5 row order (Penn-Geisinger, Walmart)."""
    names = ("Penn-Geisinger", "Walmart")
    mom = {k: dict(published.MOMENTS[k], m=published.ARMS[k]) for k in names}
    return paper_parameters(published.ORIGINAL_GAIN_PP, mom, {k: n for k in names},
                            {k: base_rate(k) for k in names}, rule, uniform)
