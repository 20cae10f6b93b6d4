"""Benchmark: do the gain curves' 95% bootstrap bands cover the true curve?

On the penn_geisinger_like simulator (20 arms, binary outcome, known E[Y^a | x]): OLS and S-XGB
are fitted once on a training draw (the workflow's small-config XGBoost settings) and held fixed,
with the best uniform arm of that draw. The true curve of each policy is computed on a population
draw of 400,000 people (ranking thresholds at the population's quantiles). Then, for each of
``--draws`` independent holdout draws of ``--holdout`` people from the same design, the workflow's
own code builds the curves (``stats.gain_curves``: AIPW with per-arm XGBoost cross-fitted within
the holdout, as Table 4's AIPW row, and ``--reps`` bootstrap draws) and records whether each point's
band covers the true value. At share 0 the curve and its band are 0 by construction and are left
out of the rates.

    /usr/bin/python3 -m benchmarks.gain_curve_coverage [--draws 200] [--holdout 7000] [--reps 500]

Writes benchmarks/results/gain_curve_coverage.json (pointwise coverage per method and share, the
machine's time, the commit).
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from actionable.stats import evaluation, gain_curves, learners
from actionable.stats.features import FeatureEncoder
from actionable.stats.seeds import stream_seed
from actionable.stats.simulate import _Model, draw_covariates
from actionable.studies.config import read_yaml
from actionable.studies.simulator import load_simulator_spec

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "data" / "simulators" / "penn_geisinger_like.yaml"
OUT = ROOT / "benchmarks" / "results" / "gain_curve_coverage.json"
SEED = 20241205


def _draw(spec: dict, model: _Model, n: int, seed: int) -> tuple:
    """n people of the design: covariates, arm, outcome and truth."""
    frame = draw_covariates(spec["covariates"], n, np.random.default_rng(stream_seed(seed, "covariates")))
    truth = model.truth(frame)
    m = truth.shape[1]
    probs = np.asarray(spec["arms"].get("probabilities") or [1.0 / m] * m, float)
    probs = probs / probs.sum()
    arm = np.random.default_rng(stream_seed(seed, "assignment")).choice(m, size=n, p=probs)
    y = (np.random.default_rng(stream_seed(seed, "outcomes")).random(n) < truth[np.arange(n), arm]).astype(float)
    return frame, arm, y, truth, probs


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--draws", type=int, default=200)
    ap.add_argument("--holdout", type=int, default=7000)
    ap.add_argument("--train", type=int, default=16000)
    ap.add_argument("--reps", type=int, default=500)
    args = ap.parse_args()
    t0 = time.time()
    spec = load_simulator_spec(SPEC)
    calib = draw_covariates(spec["covariates"], 50_000, np.random.default_rng(stream_seed(int(spec["seed"]), "calibration")))
    model = _Model(spec, calib, int(spec["seed"]))
    xgb = read_yaml(ROOT / ".test" / "config.yaml")["learners"]["xgboost"]
    frame, arm, y, _, probs = _draw(spec, model, args.train, stream_seed(SEED, "train"))
    enc = FeatureEncoder(spec["covariates"]).fit(frame)
    x = enc.transform(frame)
    m = len(probs)
    best = int(np.argmax([y[arm == a].mean() for a in range(m)]))

    # every draw at once, so that each learner is fitted once and predicts everyone
    pop_frame, _, _, pop_truth, _ = _draw(spec, model, 400_000, stream_seed(SEED, "population"))
    draws = [_draw(spec, model, args.holdout, stream_seed(SEED, f"holdout{r}")) for r in range(args.draws)]
    x_all = enc.transform(pd.concat([pop_frame] + [d[0] for d in draws], ignore_index=True))
    fitted = {"OLS": learners.fit_predict_ols(x, arm, y, x_all, m),
              "S-XGB": learners.fit_predict_slearner(x, arm, y, x_all, m, xgb, True, stream_seed(SEED, "sxgb"))[0]}
    cuts = np.cumsum([len(pop_frame)] + [args.holdout] * args.draws)[:-1]
    parts = {k: np.split(v, cuts) for k, v in fitted.items()}
    pop = {k: v[0] for k, v in parts.items()}
    print(f"learners fitted, {time.time() - t0:.0f} s", file=sys.stderr)
    grid = gain_curves.GRID
    true_curve = {}
    for name, s in pop.items():
        pol = s.argmax(axis=1)
        masks = gain_curves._masks(gain_curves.improvements(pol, s, best), grid)
        rows = np.arange(len(pol))
        true_curve[name] = (masks * (pop_truth[rows, pol] - pop_truth[:, best])[:, None]).mean(axis=0)
    covered = {name: np.zeros(len(grid)) for name in pop}
    widths = {name: np.zeros(len(grid)) for name in pop}
    for r in range(args.draws):
        seed = stream_seed(SEED, f"holdout{r}")
        frame_h, arm_h, y_h, _, _ = draws[r]
        sc = {k: v[r + 1] for k, v in parts.items()}
        mu = evaluation.crossfit_outcomes(enc.transform(frame_h), arm_h, y_h, m, 2, xgb, True, seed)
        gamma = gain_curves.aipw_scores(arm_h, y_h, probs[arm_h], mu)
        curves = gain_curves.gain_curves({k: v.argmax(axis=1) for k, v in sc.items()}, sc, best, gamma, args.reps,
                                         stream_seed(seed, "bootstrap"), grid)
        for name, g in curves.groupby("method"):
            covered[name] += (g["lower"].to_numpy() <= true_curve[name]) & (true_curve[name] <= g["upper"].to_numpy())
            widths[name] += (g["upper"] - g["lower"]).to_numpy()
        if (r + 1) % 20 == 0:
            print(f"{r + 1} draws, {time.time() - t0:.0f} s", file=sys.stderr)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    rec = dict(commit=commit, machine=platform.machine(), design=str(SPEC.relative_to(ROOT)), arms=m, best_arm=best,
               train=args.train, holdout=args.holdout, draws=args.draws, bootstrap=args.reps,
               population=400_000, grid=grid.tolist(), seconds=round(time.time() - t0),
               methods={name: dict(true_curve=true_curve[name].tolist(),
                                   coverage=(covered[name] / args.draws).tolist(),
                                   mean_band_width=(widths[name] / args.draws).tolist()) for name in pop})
    rates = np.concatenate([np.array(v["coverage"])[1:] for v in rec["methods"].values()])
    rec.update(coverage_min=float(rates.min()), coverage_max=float(rates.max()),
               within_90_99=bool((rates >= 0.90).all() and (rates <= 0.99).all()))
    OUT.write_text(json.dumps(rec, indent=1) + "\n")
    print(json.dumps({k: rec[k] for k in ("coverage_min", "coverage_max", "within_90_99", "seconds")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
