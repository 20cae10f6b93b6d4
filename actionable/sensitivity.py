"""Section 6's model-based analyses: Figure 12 (sensitivity curves), Table 5 (swapping parameters
between studies), Table 6 (1% changes), all with Algorithm 2 and common random numbers.

A study's parameters are a dict with s, sigma, rho, sigma_eps, m and n. Every simulation of
one analysis uses the same seed, so differences between parameter points are measured on the
same draws: a 1% change shows as a precise paired difference, not as noise.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import optimize

from .model import ArmMeans, expected_gain, simulate_gain

PARAMS = ("s", "sigma", "rho", "sigma_eps")
SWAPS = ("sigma", "rho", "sigma_eps", "m")
CHANGES = {"1% lower s": ("s", 0.99), "1% higher sigma": ("sigma", 1.01), "1% lower rho": ("rho", 0.99),
           "1% lower sigma_eps": ("sigma_eps", 0.99)}
# Which direction Propositions 1-3 (and more noise hurting) predict for each change
EXPECTED_SIGN = {"1% lower s": +1, "1% higher sigma": +1, "1% lower rho": +1, "1% lower sigma_eps": +1}


def simulate(p: dict, reps: int, seed: int, uniform: str = "sample", threads: int = 1):
    return simulate_gain(ArmMeans.normal(p["s"]), p["sigma"], p["rho"], int(p["m"]), int(p["n"]), reps,
                         sigma_eps=p["sigma_eps"], seed=seed, uniform=uniform, threads=threads)


def curve_grid(p: dict, points: int = 15) -> dict:
    """Ranges for Figure 12: each parameter from 0 (or a floor) to about twice its estimate."""
    m = int(p["m"])
    rho_lo = max(-1 / (m - 1) + 1e-3, -0.2)
    return {
        "s": np.linspace(0.0, max(0.03, 3 * p["s"]), points),
        "sigma": np.linspace(max(p["sigma"] * 0.1, 1e-3), max(0.4, 2 * p["sigma"]), points),
        "rho": np.linspace(rho_lo, 0.99, points),
        "sigma_eps": np.linspace(0.0, max(0.6, 1.5 * p["sigma_eps"]), points),
    }


def sensitivity_curves(p: dict, reps: int, seed: int, grids: dict | None = None, uniform: str = "sample",
                       threads: int = 1) -> pd.DataFrame:
    """Figure 12's data: predicted gain as each parameter moves, the others fixed at ``p``."""
    grids = grids or curve_grid(p)
    rows = []
    for name in PARAMS:
        for v in grids[name]:
            q = dict(p, **{name: float(v)})
            sim = simulate(q, reps, seed, uniform, threads)
            rows.append(dict(parameter=name, value=float(v), gain=sim.mean, se=sim.se, estimate=p[name]))
    return pd.DataFrame(rows)


def swaps(params: dict, reps: int, seed: int, uniform: str = "sample", threads: int = 1) -> pd.DataFrame:
    """Table 5: each study's gain, and with one of sigma, rho, sigma_eps, m taken from the other study."""
    (a, pa), (b, pb) = list(params.items())
    rows = []
    for study, own, other in ((a, pa, pb), (b, pb, pa)):
        base = simulate(own, reps, seed, uniform, threads)
        row = dict(study=study, Original=base.mean, Original_se=base.se)
        for name in SWAPS:
            q = dict(own, **{name: other[name]})
            if name == "m" and q["rho"] <= -1 / (q["m"] - 1):
                row[name], row[f"{name}_se"] = float("nan"), float("nan")
                continue
            sim = simulate(q, reps, seed, uniform, threads)
            row[name], row[f"{name}_se"] = sim.mean, sim.se
        rows.append(row)
    return pd.DataFrame(rows)


def elasticities(params: dict, reps: int, seed: int, uniform: str = "sample", threads: int = 1) -> pd.DataFrame:
    """Table 6: the gain after a 1% favourable change of one parameter, with the paired SE of the change."""
    rows = []
    for study, p in params.items():
        base = simulate(p, reps, seed, uniform, threads)
        row = dict(study=study, Original=base.mean, Original_se=base.se)
        for label, (name, factor) in CHANGES.items():
            sim = simulate(dict(p, **{name: p[name] * factor}), reps, seed, uniform, threads)
            diff, se = sim.difference(base)
            row[label], row[f"{label} change"], row[f"{label} change_se"] = sim.mean, diff, se
        changes = {label: row[f"{label} change"] for label in CHANGES}
        row["largest"] = max(changes, key=changes.get)
        row["contradictions"] = "; ".join(
            label for label in CHANGES
            if EXPECTED_SIGN[label] * row[f"{label} change"] < -2 * row[f"{label} change_se"]) or "none"
        rows.append(row)
    return pd.DataFrame(rows)


def solve_sigma_eps(target_gain: float, p: dict) -> float:
    """sigma_eps at which the exact (n -> infinity) expected gain equals ``target_gain``.

    The paper does not state sigma_eps for its Tables 5-6; this recovers the value its
    "Original" gains imply under a normal F.
    """
    F = ArmMeans.normal(p["s"])
    f = lambda e: expected_gain(F, p["sigma"], p["rho"], int(p["m"]), e) - target_gain  # noqa: E731
    if f(0.0) < 0:
        raise ValueError(f"even sigma_eps = 0 gives a gain {f(0.0) + target_gain:.5g} below the target {target_gain:.5g}")
    hi = 1.0
    while f(hi) > 0:
        hi *= 2
        if hi > 1e6:
            raise ValueError("no sigma_eps reaches the target gain")
    return float(optimize.brentq(f, 0.0, hi, xtol=1e-12))


def rel_change(a: float, b: float) -> float:
    return (a / b - 1) if b else math.nan


def paper_parameters(original_gain_pp: dict, moments: dict, n: dict) -> dict:
    """The paper's published estimates with sigma_eps solved to reproduce its "Original" gains."""
    out = {}
    for study, mom in moments.items():
        p = dict(mom, n=n[study])
        p["sigma_eps"] = solve_sigma_eps(original_gain_pp[study] / 100.0, p)
        out[study] = p
    return out


def table(frame: pd.DataFrame, columns: list, scale: float) -> pd.DataFrame:
    """Rendered values with MC SEs, scaled (100 for percentage points)."""
    out = pd.DataFrame({"study": frame["study"]})
    for c in columns:
        se = frame.get(f"{c}_se")
        out[c] = [f"{v * scale:.3f}" + ("" if se is None or np.isnan(s) else f" ({s * scale:.3f})")
                  for v, s in zip(frame[c], se if se is not None else [np.nan] * len(frame))]
    return out
