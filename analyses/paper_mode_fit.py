"""Which n did the paper's Algorithm 2 simulate? The fit of the paper-parameter mode over n.

The paper prints neither Algorithm 2's number of simulated people n nor its sigma_eps values. With
its published sigma, rho, s and m, a normal F and the printed algorithm's exact expectation
(actionable.stats.model.expected_gain with n), this program computes for each n on a grid:

- each study's sigma_eps solved from its Original gain (Table 5) and the binary floor
  sqrt(p (1 - p) - sigma^2) at the base rate the paper implies (actionable.paper.parameters.base_rate);
- the n at which Walmart's solved sigma_eps meets its floor;
- Table 5's eight swapped cells and Table 6's eight 1% changes under each sigma_eps rule
  (solved, floor, solved_or_floor), and their largest and RMS differences from the printed cells.

Exact expectations only (no Monte Carlo), so it runs in seconds:

    /usr/bin/python3 -m analyses.paper_mode_fit

Writes analyses/records/paper_mode_fit.csv and prints it as a Markdown table (RESULTS.md).
"""

import math
from pathlib import Path

import numpy as np
import pandas as pd

from actionable.paper import published as paper
from actionable.stats import sensitivity
from actionable.paper import parameters

ROOT = Path(__file__).resolve().parent.parent

GRID = [250, 500, 750, 900, 925, 950, 975, 1000, 1025, 1050, 1100, 1250, 1500, 2000, 5000, 20000]


def floor_crossing() -> float:
    """The n at which Walmart's solved sigma_eps equals its binary floor (below it for larger n)."""
    from scipy import optimize

    def gap(n):
        w = parameters.published_parameters(int(round(n)), "solved")["Walmart"]
        return w["sigma_eps_solved"] - w["sigma_eps_floor"]
    return optimize.brentq(gap, 500, 2000, xtol=0.5)


def cells(pub: dict) -> tuple[dict, dict]:
    """Table 5's ten cells and Table 6's eight changes (pp) from paper-mode parameters."""
    t5, t6 = {}, {}
    (a, pa), (b, pb) = pub.items()
    for study, own, other in ((a, pa, pb), (b, pb, pa)):
        base = sensitivity.exact(own) * 100
        t5[(study, "Original")] = base
        for name in sensitivity.SWAPS:
            t5[(study, name)] = sensitivity.exact(dict(own, **{name: other[name]})) * 100
        for label, (name, factor) in sensitivity.CHANGES.items():
            t6[(study, label)] = sensitivity.exact(dict(own, **{name: own[name] * factor})) * 100 - base
    return t5, t6


def main() -> pd.DataFrame:
    rows = []
    for n in GRID:
        for rule in sensitivity.SIGMA_EPS_RULES:
            pub = parameters.published_parameters(n, rule)
            t5, t6 = cells(pub)
            d5 = [t5[k] - paper.TABLE5[k[0]][k[1]] for k in t5 if k[1] != "Original"]
            d6 = [t6[(s, lab)] - (paper.TABLE6[s][lab] - paper.TABLE6[s]["Original"]) for s, lab in t6]
            orig = {s: t5[(s, "Original")] - paper.TABLE5[s]["Original"] for s in pub}
            rows.append(dict(
                n=n, rule=rule,
                sigma_eps_pg=pub["Penn-Geisinger"]["sigma_eps"], sigma_eps_w=pub["Walmart"]["sigma_eps"],
                solved_pg=pub["Penn-Geisinger"]["sigma_eps_solved"], solved_w=pub["Walmart"]["sigma_eps_solved"],
                floor_pg=pub["Penn-Geisinger"]["sigma_eps_floor"], floor_w=pub["Walmart"]["sigma_eps_floor"],
                original_diff_pg=orig["Penn-Geisinger"], original_diff_w=orig["Walmart"],
                t5_max_abs_diff=max(map(abs, d5)), t5_rms_diff=math.sqrt(np.mean(np.square(d5))),
                t6_max_abs_diff=max(map(abs, d6)), t6_rms_diff=math.sqrt(np.mean(np.square(d6))),
                our_model_w=t5[("Walmart", "Original")], our_model_pg=t5[("Penn-Geisinger", "Original")],
            ))
    return pd.DataFrame(rows)


if __name__ == "__main__":
    table = main()
    out = ROOT / "analyses" / "records" / "paper_mode_fit.csv"
    table.to_csv(out, index=False, float_format="%.5g")
    cols = ["n", "rule", "solved_w", "floor_w", "solved_pg", "floor_pg", "original_diff_w", "original_diff_pg",
            "t5_max_abs_diff", "t5_rms_diff", "t6_max_abs_diff"]
    print("| " + " | ".join(cols) + " |\n|" + "---|" * len(cols))
    for _, r in table[cols].iterrows():
        print("| " + " | ".join(f"{v:.3f}" if isinstance(v, float) else str(v) for v in r) + " |")
    print(f"Walmart's solved sigma_eps meets its binary floor at n = {floor_crossing():.0f}")
    print(f"written {out.relative_to(ROOT)}")
