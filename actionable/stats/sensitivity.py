"""Section 6's model-based analyses: Figure 12 (sensitivity curves), Table 5 (swapping parameters
between studies), Table 6 (1% changes), all with Algorithm 2 and common random numbers.

A study's parameters are a dict with s, sigma, rho, sigma_eps, m and n (Algorithm 2's simulated
people). Every simulation of one analysis uses the same seed, so differences between parameter
points are measured on the same draws: a 1% change shows as a precise paired difference, not as
noise. Beside each Monte Carlo value: the exact expectation of the same algorithm (``_exact``)
and its n -> infinity limit (``_inf``), where the uniform arm is worth its true mean.
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


def exact(p: dict, uniform: str = "sample") -> float:
    """Exact expected gain: Algorithm 2 as printed with p's n people (sample), or n -> infinity."""
    return expected_gain(ArmMeans.normal(p["s"]), p["sigma"], p["rho"], int(p["m"]), p["sigma_eps"],
                         n=int(p["n"]) if uniform == "sample" else None)


def _point(p: dict, reps: int, seed: int, uniform: str, threads: int):
    """One parameter point: the simulation and its exact and n -> infinity values."""
    return simulate(p, reps, seed, uniform, threads), exact(p, uniform), exact(p, "population")


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
                       threads: int = 1, progress: dict | None = None) -> pd.DataFrame:
    """Figure 12's data: predicted gain as each parameter moves, the others fixed at ``p``.
    ``progress`` (optional) gets 'done' and 'total' points as the sweep goes, for the job's log."""
    grids = grids or curve_grid(p)
    rows = []
    progress = {} if progress is None else progress
    progress.update(done=0, total=sum(len(grids[name]) for name in PARAMS))
    for name in PARAMS:
        for v in grids[name]:
            q = dict(p, **{name: float(v)})
            sim, ex, inf = _point(q, reps, seed, uniform, threads)
            rows.append(dict(parameter=name, value=float(v), gain=sim.mean, se=sim.se, gain_exact=ex, gain_inf=inf,
                             estimate=p[name]))
            progress["done"] += 1
    return pd.DataFrame(rows)


def swaps(params: dict, reps: int, seed: int, uniform: str = "sample", threads: int = 1) -> pd.DataFrame:
    """Table 5: each study's gain, and with one of sigma, rho, sigma_eps, m taken from the other study."""
    (a, pa), (b, pb) = list(params.items())
    rows = []
    for study, own, other in ((a, pa, pb), (b, pb, pa)):
        base, ex, inf = _point(own, reps, seed, uniform, threads)
        row = dict(study=study, Original=base.mean, Original_se=base.se, Original_exact=ex, Original_inf=inf)
        for name in SWAPS:
            q = dict(own, **{name: other[name]})
            if name == "m" and q["rho"] <= -1 / (q["m"] - 1):
                row.update({name: math.nan, f"{name}_se": math.nan, f"{name}_exact": math.nan, f"{name}_inf": math.nan})
                continue
            sim, ex, inf = _point(q, reps, seed, uniform, threads)
            row.update({name: sim.mean, f"{name}_se": sim.se, f"{name}_exact": ex, f"{name}_inf": inf})
        rows.append(row)
    return pd.DataFrame(rows)


def elasticities(params: dict, reps: int, seed: int, uniform: str = "sample", threads: int = 1) -> pd.DataFrame:
    """Table 6: the gain after a 1% favourable change of one parameter, with the paired SE of the change."""
    rows = []
    for study, p in params.items():
        base, ex0, inf0 = _point(p, reps, seed, uniform, threads)
        row = dict(study=study, Original=base.mean, Original_se=base.se, Original_exact=ex0, Original_inf=inf0)
        for label, (name, factor) in CHANGES.items():
            sim, ex, inf = _point(dict(p, **{name: p[name] * factor}), reps, seed, uniform, threads)
            diff, se = sim.difference(base)
            row.update({label: sim.mean, f"{label} change": diff, f"{label} change_se": se,
                        f"{label}_exact": ex, f"{label} change_exact": ex - ex0,
                        f"{label}_inf": inf, f"{label} change_inf": inf - inf0})
        changes = {label: row[f"{label} change"] for label in CHANGES}
        row["largest"] = max(changes, key=changes.get)
        row["contradictions"] = "; ".join(
            label for label in CHANGES
            if EXPECTED_SIGN[label] * row[f"{label} change"] < -2 * row[f"{label} change_se"]) or "none"
        rows.append(row)
    return pd.DataFrame(rows)


def solve_sigma_eps(target_gain: float, p: dict, uniform: str = "sample") -> float:
    """sigma_eps at which the exact expected gain (Algorithm 2 with p's n people, or n -> infinity
    for uniform="population") equals ``target_gain``; the smallest such value if there are several.

    The paper does not state the sigma_eps of its Tables 5-6; this recovers what its "Original"
    gains imply under a normal F.
    """
    f = lambda e: exact(dict(p, sigma_eps=e), uniform) - target_gain  # noqa: E731
    if f(0.0) < 0:
        raise ValueError(f"even sigma_eps = 0 gives a gain {f(0.0) + target_gain:.5g} below the target {target_gain:.5g}")
    # With a finite n the gain need not fall monotonically in sigma_eps (a noisier uniform choice
    # helps), so scan for the first sign change before bracketing.
    grid = np.concatenate([np.linspace(0.0, 2.0, 201)[1:], 2.0 * 2.0 ** np.arange(1, 20)])
    prev = 0.0
    for e in grid:
        if f(e) <= 0:
            return float(optimize.brentq(f, prev, e, xtol=1e-12))
        prev = e
    raise ValueError("no sigma_eps reaches the target gain")


def binary_floor(base_rate: float, sigma: float) -> float:
    """The smallest SD of y - yhat for a binary outcome with mean ``base_rate`` whose explainable part
    E[Y | x] has SD ``sigma``: sqrt(p (1 - p) - sigma^2), reached only by the true E[Y | x].

    Section 5.2 defines sigma_eps as SD(y - yhat); for a binary outcome it can be no lower.
    """
    v = base_rate * (1 - base_rate) - sigma**2
    if not 0 < base_rate < 1 or v < 0:
        raise ValueError(f"no binary outcome with mean {base_rate} has heterogeneity sigma = {sigma}")
    return math.sqrt(v)


SIGMA_EPS_RULES = ("solved_or_floor", "solved", "floor")


def rel_change(a: float, b: float) -> float:
    return (a / b - 1) if b else math.nan


def paper_parameters(original_gain_pp: dict, moments: dict, n: dict, base_rate: dict | None = None,
                     rule: str = "solved_or_floor", uniform: str = "sample") -> dict:
    """The paper's published estimates with a sigma_eps per study.

    solved: the sigma_eps at which the exact gain reproduces the study's Original gain; floor: the
    binary floor at the study's base rate (Section 5.2's SD(y - yhat) with error-free predictions);
    solved_or_floor: the solved value, but never below the floor a binary residual can reach.
    Each study's dict keeps both candidates (sigma_eps_solved, sigma_eps_floor) and the rule used.
    """
    if rule not in SIGMA_EPS_RULES:
        raise ValueError(f"rule must be one of {SIGMA_EPS_RULES}, got {rule!r}")
    if rule != "solved" and base_rate is None:
        raise ValueError(f"rule {rule!r} needs each study's base rate")
    out = {}
    for study, mom in moments.items():
        p = dict(mom, n=n[study])
        solved = solve_sigma_eps(original_gain_pp[study] / 100.0, dict(p, sigma_eps=0.0), uniform)
        floor = binary_floor(base_rate[study], p["sigma"]) if base_rate is not None else math.nan
        p.update(sigma_eps_solved=solved, sigma_eps_floor=floor, sigma_eps_rule=rule,
                 sigma_eps={"solved": solved, "floor": floor, "solved_or_floor": max(solved, floor)}[rule])
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
