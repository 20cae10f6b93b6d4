"""How much of a default run's Table 4 is the holdout's draw: the run's policies held fixed, the
holdout's arms and outcomes drawn afresh from the stand-in's truth.

A default run values each policy once, by IPW on one holdout (Eq. 9). On the synthetic stand-ins
the truth E[Y^a | x] is stored, so the same holdout people can be re-randomized (each person's arm
drawn from the design's propensities) and their outcomes redrawn (Bernoulli at the truth of the
drawn arm). Each draw gives a Table 4 of the run's own policies (fitted on the training sample,
unchanged), and over the draws this program reports, for each method, the IPW value's mean (the
policy's value at the truth) and SD, and how often it lands within the target's tolerance of the
paper's printed value (Best Uniform 1 pp; every other method 2 of the paper's bootstrap SEs), and
how often every method does at once. The recorded run's own values and whether they land are
beside them. Reads results/ of a finished run (or RESULTS=path) and writes
analyses/records/table4_holdout_draws.json (seconds).

    RESULTS=/tmp/rerecord/results /usr/bin/python3 -m analyses.table4_holdout_draws
"""
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

from actionable.studies.config import read_yaml
from actionable.studies.datasets import load_truth
from actionable.stats.seeds import stream_seed
from actionable.studies.study import load_study
from actionable.paper.published import TABLE4
from actionable.paper import table4

ROOT = Path(__file__).resolve().parent.parent

ROLE = {"walmart_like": "Walmart", "penn_geisinger_like": "Penn-Geisinger"}
DRAWS = 2000


def run_policies(res: Path, study: str, ds, n_test: int, table: pd.DataFrame) -> dict:
    """The run's policies on its holdout (its policies.csv ``table`` names the best uniform arm)."""
    paths = ("learners/{}/ols/predictions.npy", "learners/{}/sxgb/predictions.npy",
             "learners/{}/txgb_all/predictions.npy", "forests/{}/macf/tau.npy", "forests/{}/policy_tree/policy.npy")
    best = ds.arms.index(str(table["best_uniform_arm"].iloc[0]))
    return table4.table4_policies(best, n_test, *(np.load(res / p.format(study)) for p in paths))


def draws(res: Path, study: str, seed: int, n_draws: int = DRAWS) -> dict:
    ds, split = load_study(res / "simulated" / study / "spec.yaml", res / "data" / study / "split.csv", 50)
    test = (split["set"] == "test").to_numpy()
    h = load_truth(ds)[test].astype(float)
    e = ds.propensity_matrix()[test]
    run = pd.read_csv(res / "evaluation" / study / "policies.csv", dtype={"best_uniform_arm": str}).set_index("policy")
    pol = run_policies(res, study, ds, len(h), run)
    names = list(pol)
    rng = np.random.default_rng(stream_seed(seed, f"table4_holdout_draws/{study}"))
    cum = e.cumsum(axis=1)
    values = np.empty((n_draws, len(names)))
    rows = np.arange(len(h))
    for d in range(n_draws):
        arm = (rng.random(len(h))[:, None] > cum).sum(axis=1).clip(max=h.shape[1] - 1)
        y = (rng.random(len(h)) < h[rows, arm]).astype(float)
        w = y / e[rows, arm]
        values[d] = [np.mean(w * (pol[p] == arm)) for p in names]
    pub = TABLE4[ROLE[study]]
    tol = np.array([1.0 if p == "Best Uniform" else 2 * pub["se"][p] for p in names])
    within = np.abs(100 * values - np.array([pub[p] for p in names])) <= tol
    run_within = {p: bool(abs(100 * run.loc[p, "ipw"] - pub[p]) <= t) for p, t in zip(names, tol)}
    return dict(
        draws=n_draws, n_test=int(len(h)), best_uniform_arm=str(run["best_uniform_arm"].iloc[0]),
        methods={p: dict(paper=pub[p], tolerance=float(t), at_truth_pct=float(100 * h[rows, pol[p]].mean()),
                         mean_pct=float(100 * values[:, i].mean()), sd_pct=float(100 * values[:, i].std(ddof=1)),
                         share_within=float(within[:, i].mean()), run_pct=float(100 * run.loc[p, "ipw"]),
                         run_within=run_within[p])
                 for i, (p, t) in enumerate(zip(names, tol))},
        share_all_within=float(within.all(axis=1).mean()),
        share_all_but_one_within=float((within.sum(axis=1) >= len(names) - 1).mean()),
        run_all_within=all(run_within.values()))


def main():
    res = Path(os.environ.get("RESULTS", ROOT / "results"))
    cfg = read_yaml(ROOT / "config.yaml")
    about = json.loads((ROOT / "benchmarks" / "results" / "default_run" / "about.json").read_text())
    out = dict(results=str(res), seed=cfg["seed"], default_run_commit=about["commit"],
               spec_digests=about["spec_digests"], studies={s: draws(res, s, cfg["seed"]) for s in ROLE})
    path = ROOT / "analyses" / "records" / "table4_holdout_draws.json"
    path.write_text(json.dumps(out, indent=1) + "\n")
    for study, r in out["studies"].items():
        print(f"{study}: every method within its tolerance in {r['share_all_within']:.0%} of draws "
              f"(all but one {r['share_all_but_one_within']:.0%}); the run's: {r['run_all_within']}")
        for p, v in r["methods"].items():
            print(f"  {p:12s} truth {v['at_truth_pct']:5.1f}  draws {v['mean_pct']:5.1f} (SD {v['sd_pct']:.2f})  "
                  f"paper {v['paper']:5.1f} +/- {v['tolerance']:.1f}  within {v['share_within']:.0%}  "
                  f"run {v['run_pct']:5.1f} ({'in' if v['run_within'] else 'out'})")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
