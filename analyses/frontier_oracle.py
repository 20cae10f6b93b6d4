"""What a depth-2 policy tree and a per-arm linear policy can reach at the truth (penn_geisinger_like).

The frontier of the calibration (README): PT-CF gains more than the paper's (+7.9 pp at the truth
on average against the paper's +2.6 by IPW) and more than the forest it is built on. This program
asks how much of the perfect-knowledge gain the two policy classes can represent at all, for the
stand-in's knobs and variants of its arm-specific parts, with no learner in the way:

- perfect: each person's best arm (the truth's argmax), gain over the best uniform arm;
- tree: the best depth-2 tree (the workflow's exact search, continuous covariates binned as the
  workflow does) fitted to the true potential outcomes of the training rows;
- linear: each arm's true outcome regressed on the features (per-arm OLS, fitted to the truth);

all valued on the holdout at the truth, with the perfect policy's top-6 arms' share (Figure 9).
A learner's policy of either class cannot beat its oracle here beyond sampling noise, so the
oracle shares bound PT-CF and OLS. Each point takes seconds.

With ``--learners LABEL ...`` the named variants also get the calibration's inner loop with the
forest (analyses/calibrate_standins.py: sigma-hat, rho-hat, T-XGB, OLS, MACF and Figure 9's share)
and PT-CF, valued at the truth (about 3 min a point).

    /usr/bin/python3 -m analyses.frontier_oracle   # writes analyses/records/frontier_oracle.json
    /usr/bin/python3 -m analyses.frontier_oracle --learners "first stand-in" "interactions 0.9" \
        "15 discrete, interactions 0.8" "15 discrete, interactions 0.9" "bumps 0.9 on 7 continuous" \
        "bumps 0.9 on 7 continuous, arm_spread 1.6" \
        "bumps 0.9 on 7 continuous, arm_spread 1.6, 2,000 trees" "cell means 0.9 on 4 binaries" \
        "cell means 0.9 on 4 binaries, 2,000 trees" "first stand-in, 2,000 trees" \
        "interactions 0.25 + cell means 0.55 on 4 binaries" "interactions 0.25 + cell means 0.55 on 4 binaries, 2,000 trees" \
        "interactions 0.3 + cell means 0.55 on 4 binaries" "interactions 0.3 + cell means 0.55 on 4 binaries, 2,000 trees"
        # the record, 95 min

A variant not named keeps the learner values the record holds for it (same knobs); a 2,000-tree
row alone: ``--learners "bumps 0.9 on 7 continuous, arm_spread 1.6, 2,000 trees"`` (14-16 min each;
a 200-tree row, 1.5-3 min).
"""

from __future__ import annotations

import argparse
import copy
import json
import time
from pathlib import Path

import numpy as np

from actionable.studies.config import read_yaml
from actionable.stats.descriptives import concentration
from actionable.studies import simulator
from actionable.stats import policy_tree as ptree
from analyses.calibrate_standins import (FOUR_BINARIES, FIRST_STANDIN, PENN_CELLS, _set, forest_settings,
                                         inner_loop, measured, objective, simulate_and_split)

ROOT = Path(__file__).resolve().parent.parent

STUDY = "penn_geisinger_like"
OUT = ROOT / "analyses" / "records" / "frontier_oracle.json"
# every binary or categorical covariate of the stand-in: arm-specific cells spread over many
# covariates, so that a 4-leaf tree reaches fewer of them
ALL_DISCRETE = PENN_CELLS + ["female", "diabetes", "asthma", "copd", "heart_disease", "flu_vax_two_years_ago",
                             "hispanic", "marital_status", "insurance"]
# bumps (arm_specific.bumps) need continuous covariates: a forest learns them, a 4-leaf tree holds few
CONTINUOUS = ["age", "zip_median_income", "height_cm", "weight_kg", "send_day", "prior_visits_12m", "distance_km"]
BUMPS = {"heterogeneity.arm_specific.covariates": CONTINUOUS, "heterogeneity.arm_specific.nonlinearity": 0.0,
         "heterogeneity.arm_specific.interactions": 0.0, "heterogeneity.arm_specific.bumps": 0.9}


def cell_means(binaries: list) -> dict:
    return {"heterogeneity.arm_specific.covariates": binaries, "heterogeneity.arm_specific.interactions": 0.0,
            "heterogeneity.arm_specific.cells": 0.9, "heterogeneity.arm_specific.cell_covariates": binaries}


def mix(interactions: float, cells: float) -> dict:
    """The stand-in's products of binaries (interactions) beside cell means on four binaries."""
    return {"heterogeneity.arm_specific.covariates": PENN_CELLS + ["female"],
            "heterogeneity.arm_specific.interactions": interactions, "heterogeneity.arm_specific.cells": cells,
            "heterogeneity.arm_specific.cell_covariates": FOUR_BINARIES}


# (label, knob changes) on top of calibrate_standins.py's first stand-in (FIRST_STANDIN: arm-specific parts on
# six binaries, 65% products of two); the stand-in since 2026-12-02 is a row below
VARIANTS = [
    ("first stand-in", {}),
    ("interactions 0.8", {"heterogeneity.arm_specific.interactions": 0.8}),
    ("interactions 0.9", {"heterogeneity.arm_specific.interactions": 0.9}),
    ("arm_spread 0.3", {"heterogeneity.arm_specific.arm_spread": 0.3}),
    ("15 discrete covariates", {"heterogeneity.arm_specific.covariates": ALL_DISCRETE}),
    ("15 discrete, interactions 0.8", {"heterogeneity.arm_specific.covariates": ALL_DISCRETE,
                                       "heterogeneity.arm_specific.interactions": 0.8}),
    ("15 discrete, interactions 0.9", {"heterogeneity.arm_specific.covariates": ALL_DISCRETE,
                                       "heterogeneity.arm_specific.interactions": 0.9}),
    ("15 discrete, arm_spread 0.3", {"heterogeneity.arm_specific.covariates": ALL_DISCRETE,
                                     "heterogeneity.arm_specific.arm_spread": 0.3}),
    ("every covariate", {"heterogeneity.arm_specific.covariates": None}),
    ("bumps 0.9 on 7 continuous", BUMPS),
    ("bumps 0.9 on 7 continuous, arm_spread 1.6", BUMPS | {"heterogeneity.arm_specific.arm_spread": 1.6}),
    # the paper's forest size: does a forest of 2,000 trees concentrate on bumps as on cells?
    ("bumps 0.9 on 7 continuous, arm_spread 1.6, 2,000 trees", BUMPS | {"heterogeneity.arm_specific.arm_spread": 1.6}),
    # cell means (arm_specific.cells): every combination of a few binaries has its own best arm, more
    # cells than a depth-2 tree's 4 leaves; the perfect policy stays on few arms
    ("cell means 0.9 on 3 binaries", cell_means(FOUR_BINARIES[:3])),
    ("cell means 0.9 on 4 binaries", cell_means(FOUR_BINARIES)),
    ("cell means 0.9 on 5 binaries", cell_means(FOUR_BINARIES + ["black"])),
    ("cell means 0.9 on 4 binaries, 2,000 trees", cell_means(FOUR_BINARIES)),
    ("first stand-in, 2,000 trees", {}),
    # the stand-in's cells and cell means together: a tree holds less, the forest still concentrates
    # (the 0.25 mix at 2,000 trees is the stand-in since 2026-12-02: calibrate_standins.py's 2,000-tree calibration)
    ("interactions 0.25 + cell means 0.55 on 4 binaries", mix(0.25, 0.55)),
    ("interactions 0.25 + cell means 0.55 on 4 binaries, 2,000 trees", mix(0.25, 0.55)),
    ("interactions 0.3 + cell means 0.55 on 4 binaries", mix(0.3, 0.55)),
    ("interactions 0.3 + cell means 0.55 on 4 binaries, 2,000 trees", mix(0.3, 0.55)),
    # the paper's plain s-hat of 0.007 (analyses/s_hat_noise.py): the stand-in with its true s at the
    # floor the control's lead allows, and with the messages' base rate raised to keep Best Uniform
    ("the stand-in, s 0.004, 2,000 trees", mix(0.25, 0.55) | {"arm_means.s": 0.004}),
    ("the stand-in, s 0.004, base_rate 0.313, 2,000 trees",
     mix(0.25, 0.55) | {"arm_means.s": 0.004, "arm_means.base_rate": 0.313}),
]
# forest settings that differ from config.yaml's, by variant (the oracle rows do not depend on them)
FOREST = {label: {"num_trees": 2000} for label, _ in VARIANTS if label.endswith("2,000 trees")}


def oracle(spec: dict, seed: int, policy_tree: dict) -> dict:
    sim, _, _, _, _, train, x = simulate_and_split(spec, seed)
    truth = sim.truth
    best = int(np.argmax(truth[train].mean(axis=0)))
    hold = truth[~train]
    rows = np.arange(len(hold))
    uniform = hold[:, best].mean()

    def gain(policy):
        return 100 * float(hold[rows, policy].mean() - uniform)

    design = np.column_stack([np.ones(len(x)), np.nan_to_num(x)])
    beta = np.linalg.lstsq(design[train], truth[train], rcond=None)[0]
    # columns with more values than bins are binned (bin_columns' own test): the continuous ones
    _, tree = ptree.exact_policy_tree(x[train], truth[train], x[~train], np.ones(x.shape[1], bool), policy_tree)
    perfect = gain(hold.argmax(axis=1))
    tree_gain = gain(tree)
    linear = gain((design[~train] @ beta).argmax(axis=1))
    share = np.bincount(hold.argmax(axis=1), minlength=truth.shape[1]) / len(hold)
    return dict(perfect_pp=perfect, tree_pp=tree_gain, tree_share=tree_gain / perfect,
                linear_pp=linear, linear_share=linear / perfect,
                perfect_top6_share=concentration(share)["top_share"])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--learners", nargs="*", default=[], help="variants (labels) to fit the learners on")
    ap.add_argument("--rescore", action="store_true",
                    help="recompute the stored learner rows' objective with calibrate_standins.objective (no runs)")
    args = ap.parse_args(argv)
    if args.rescore:
        rec = json.loads(OUT.read_text())
        for p in rec["points"]:
            if "learners" in p:
                p["learners"]["objective"] = objective(STUDY, measured(p["learners"]))
        OUT.write_text(json.dumps(rec, indent=1) + "\n")
        print(f"rescored {OUT}")
        return
    unknown = set(args.learners) - {label for label, _ in VARIANTS}
    if unknown:
        ap.error(f"unknown variant(s) {sorted(unknown)}; known: {[label for label, _ in VARIANTS]}")
    cfg = read_yaml(ROOT / "config.yaml")
    pt = cfg["forests"]["policy_tree"]
    base = simulator.load_simulator_spec(ROOT / "data" / "simulators" / f"{STUDY}.yaml")
    base["heterogeneity"].pop("arm_specific")
    for key, value in FIRST_STANDIN.items():
        _set(base, key, copy.deepcopy(value))
    # learner rows not asked for keep their stored values, so one variant can be (re)fitted alone
    stored = {p["label"]: p for p in json.loads(OUT.read_text())["points"]} if OUT.exists() else {}
    points = []
    for label, changes in VARIANTS:
        spec = copy.deepcopy(base)
        for key, value in changes.items():
            if value is None:
                spec["heterogeneity"]["arm_specific"].pop(key.rsplit(".", 1)[1], None)
            else:
                _set(spec, key, value)
        t0 = time.time()
        got = oracle(spec, cfg["seed"], pt)
        print(f"{label:32s} perfect {got['perfect_pp']:+6.2f}  tree {got['tree_pp']:+6.2f} ({got['tree_share']:.2f})  "
              f"linear {got['linear_pp']:+6.2f} ({got['linear_share']:.2f})  perfect top 6 "
              f"{got['perfect_top6_share']:.2f}  [{time.time() - t0:.0f} s]", flush=True)
        forest = forest_settings(cfg) | FOREST.get(label, {})
        if label in args.learners:
            t0 = time.time()
            learned = inner_loop(spec, dict(cfg["learners"]["xgboost"]), cfg["seed"], forest, pt)
            got["learners"] = learned | dict(objective=objective(STUDY, learned), forest=forest)
            print("  learners at the truth (pp): " + ", ".join(
                f"{k} {learned[k]:+.2f}" for k in ("txgb_gain", "ols_gain", "macf_gain", "pt_cf_gain"))
                + f"; sigma-hat {learned['sigma_hat']:.3f}, rho-hat {learned['rho_hat']:.3f}, MACF top 6 "
                f"{learned['macf_top6_share']:.2f}, Best Uniform {learned['best_uniform']:.1f}% "
                f"[{time.time() - t0:.0f} s]", flush=True)
        elif "learners" in stored.get(label, {}) and stored[label]["changes"] == changes:
            got["learners"] = stored[label]["learners"]
        points.append(dict(label=label, changes=changes, **got))
    OUT.write_text(json.dumps(dict(study=STUDY, seed=cfg["seed"], policy_tree=pt, points=points), indent=1) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
