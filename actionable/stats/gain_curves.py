"""Gain curves of multi-arm policies (this package's, not the paper's procedure; in the spirit of
grf-labs/maq's Qini curves): how a method's gain over Best Uniform builds up as it moves more
people off the best uniform arm.

For a method with arms pi(x) and a score matrix (its predicted outcomes, or the forest's effects),
each holdout person's predicted improvement is score[pi(x)] - score[best]; the policy at share q
sends the q n people with the largest predicted improvement to pi(x) and everyone else to the best
arm. Its value is estimated with AIPW scores from the known propensities,
Gamma_i(a) = mu_a(x_i) + 1{A_i = a} (Y_i - mu_a(x_i)) / e_a(x_i) (mu cross-fitted within the
holdout, as Table 4's AIPW row), so the gain at q is the mean over people of
1{i among the top q} (Gamma_i(pi_i) - Gamma_i(best)); at q = 1 it is the method's AIPW gain in
Table 4. Bands: +-1.96 bootstrap SEs (people resampled, the ranking held fixed).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .evaluation import bootstrap_means

__all__ = ["GRID", "aipw_scores", "improvements", "gain_curves"]

GRID = np.round(np.linspace(0.0, 1.0, 21), 10)


def aipw_scores(arm: np.ndarray, y: np.ndarray, e_assigned: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """Gamma (n x m): every arm's doubly robust score for every person."""
    gamma = np.array(mu, float)
    rows = np.arange(len(arm))
    gamma[rows, arm] += (y - gamma[rows, arm]) / e_assigned
    return gamma


def improvements(policy: np.ndarray, score: np.ndarray, best: int) -> np.ndarray:
    """Each person's predicted improvement of the method's arm over the best uniform arm."""
    rows = np.arange(len(policy))
    return score[rows, policy] - score[:, best]


def _masks(improvement: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """n x len(grid): who is moved at each share (the largest predicted improvements first; ties in
    the people's order)."""
    order = np.argsort(-improvement, kind="stable")
    rank = np.empty(len(order), int)
    rank[order] = np.arange(len(order))
    return rank[:, None] < np.round(grid * len(order))[None, :]


def gain_curves(policies: dict, scores: dict, best: int, gamma: np.ndarray, reps: int, seed: int,
                grid: np.ndarray = GRID, truth: np.ndarray | None = None) -> pd.DataFrame:
    """The gain curve of every method in ``policies`` ({name: arms}; ``scores`` {name: n x m} ranks
    its people): per share of the holdout moved, the share actually moved to another arm, the AIPW
    gain over Best Uniform, its bootstrap SE and 95% band, and with a truth (E[Y^a | x], n x m)
    the true gain of the same people's moves."""
    rows_idx = np.arange(len(gamma))
    terms, truths, meta = [], [], []
    for name, arms in policies.items():
        arms = np.asarray(arms)
        masks = _masks(improvements(arms, scores[name], best), grid)
        delta = gamma[rows_idx, arms] - gamma[:, best]
        terms.append(masks * delta[:, None])
        if truth is not None:
            truths.append((masks * (truth[rows_idx, arms] - truth[:, best])[:, None]).mean(axis=0))
        moved = (masks & (arms != best)[:, None]).mean(axis=0)
        meta += [(name, q, mv) for q, mv in zip(grid, moved)]
    terms = np.hstack(terms)
    boot = bootstrap_means(terms, reps, seed)
    gain, se = terms.mean(axis=0), boot.std(axis=0, ddof=1)
    out = pd.DataFrame(meta, columns=["method", "share", "moved"])
    out["gain"], out["se"] = gain, se
    out["lower"], out["upper"] = gain - 1.959963984540054 * se, gain + 1.959963984540054 * se
    if truth is not None:
        out["true_gain"] = np.concatenate(truths)
    return out
