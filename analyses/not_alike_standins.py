"""The model for arms that are not alike on a finished run of the stand-ins, against the truth.

For each study of a run's results: each learner's own-profile model (OLS, S-XGB, T-XGB, the
forest; ``general_model.learner_profile_gain`` from its holdout predictions and their covariance
with the outcome) beside the learner's true gain over the best arm (Table 4's oracle rows), and the
independent-error Gaussian model fed the truth itself (the true covariance of E[Y^a | x] and the
forest's true error contrasts), which shows what assuming errors independent of the heterogeneity
costs for a learner that shrinks its predictions; and the run's model-versus-data check
(``diagnostics.model_versus_data``) with the achieved-gain route alone and with both routes, from
Table 4's IPW and Hajek gains and the headline's difference from Our Model as printed that the run's
our_model job drew (``arms_not_alike.versus_printed``).

    RESULTS=/path/to/results [SPARSE_RESULTS=/path/to/sparse/results] /usr/bin/python3 -m analyses.not_alike_standins

With SPARSE_RESULTS (a run of config/sparse_standin.yaml) it also records why the own-profile models
fall short there (``undershoot``).

Record: analyses/records/not_alike_standins.json (the run's commit from its checkout).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from actionable.stats import diagnostics, general_model
from actionable.stats.moments import chosen_s
from actionable.stats.our_model import holdout_se
from actionable.stats.prediction_error import outcome_covariances
from actionable.studies.datasets import load_truth
from actionable.studies.study import holdout, load_study

ROOT = Path(__file__).resolve().parent.parent
RECORD = ROOT / "analyses" / "records" / "not_alike_standins.json"
PREDICTIONS = {"OLS": "learners/{s}/ols/predictions.npy", "S-XGB": "learners/{s}/sxgb/predictions.npy",
               "T-XGB": "learners/{s}/txgb_all/predictions.npy", "MACF": "forests/{s}/macf/mu.npy"}


def _holdout(results: Path, study: str) -> tuple:
    """(arm, y, truth) of a finished run's holdout people, and the study's moments."""
    spec = json.loads((results / "data" / study / "summary.json").read_text())["spec"]
    spec = spec if Path(spec).is_absolute() else str(results.parent / spec)
    ds, split = load_study(spec, results / "data" / study / "split.csv", 1)
    _, arm, y, truth = holdout(ds, split, load_truth(ds))
    return arm, y, truth, json.loads((results / "moments" / study / "moments_all.json").read_text())


def study_record(results: Path, study: str, table4: pd.DataFrame, reps: int = 400, people: int = 4000) -> dict:
    arm, y, truth, mom = _holdout(results, study)
    s = chosen_s(mom, "corrected")  # as the workflow's model for arms not alike (our_model.arms_not_alike.s)
    rows = table4[table4["study"] == study].set_index("policy")
    best_arm = float(rows.loc["Best Uniform", "oracle"])
    out = dict(s=s, s_plain=chosen_s(mom, "plain"), learners={})
    profiles = {}
    for name, rel in PREDICTIONS.items():
        z = profiles[name] = np.load(results / rel.format(s=study))
        cross = outcome_covariances(z, arm, y)
        got = general_model.learner_profile_gain(s, z, cross, reps=reps, people=people, seed=1)
        plain = general_model.learner_profile_gain(out["s_plain"], z, cross, reps=reps, people=people, seed=1)
        out["learners"][name] = dict(model=got["gain"], model_mc_se=got["se"], model_plain_s=plain["gain"],
                                     true_gain=float(rows.loc[name, "oracle"]) - best_arm)
    # the headline's holdout SE, as the workflow draws it (our_model.holdout_se, config.yaml's settings)
    out["headline_holdout_se"] = holdout_se(s, profiles, arm, y, dict(reps=reps, people=people, bootstrap=50), 1)["se"]
    om = json.loads((results / "moments" / study / "our_model.json").read_text())
    gains = {p: {k: float(rows.loc[p, k]) for k in ("gain", "gain_se", "hajek_gain", "hajek_gain_se")}
             for p in rows.index if p != "Best Uniform"}
    out["versus_printed"] = om["arms_not_alike"]["versus_printed"]
    out["model_versus_data"] = dict(
        ipw_only=diagnostics.model_versus_data(gains, om["gain"], 100.0),
        both_routes=diagnostics.model_versus_data(gains, om["gain"], 100.0, None, out["versus_printed"]))
    forest = np.load(results / PREDICTIONS["MACF"].format(s=study))
    c = general_model.contrast(truth.shape[1])
    at_truth = general_model.gaussian_gain(s, np.cov(truth, rowvar=False), c @ np.cov(forest - truth, rowvar=False) @ c,
                                           reps=reps, people=people, seed=1)
    out.update(best_learner_true_gain=float(rows.drop(index="Best Uniform")["oracle"].max()) - best_arm,  # PT-CF's too
               best_of_models=max(v["model"] for v in out["learners"].values()),
               best_of_models_plain_s=max(v["model_plain_s"] for v in out["learners"].values()),
               independent_errors_at_the_truth=at_truth["gain"],
               effective_arms_at_the_truth=general_model.structure(np.cov(truth, rowvar=False))["effective_arms"])
    return out


def undershoot(results: Path, study: str, learner: str = "S-XGB", reps: int = 200) -> dict:
    """Why a learner's own-profile model can fall short of its true gain: the same model with other s
    (the paper's plain s-hat is inflated by the arm means' sampling noise), and the learner's own
    holdout choices valued by the linear E[h | y_hat] against their value at the truth."""
    arm, y, truth, mom = _holdout(results, study)
    z = np.load(results / PREDICTIONS[learner].format(s=study))
    cross = outcome_covariances(z, arm, y)
    by_s = {f"{s:.4f}": general_model.learner_profile_gain(s, z, cross, reps=reps, people=4000, seed=1)["gain"]
            for s in (chosen_s(mom, "plain"), chosen_s(mom, "corrected"), float(np.std(truth.mean(axis=0), ddof=1)))}
    k, pick, means = cross @ np.linalg.pinv(np.cov(z, rowvar=False)), z.argmax(axis=1), truth.mean(axis=0)
    rows = np.arange(len(z))
    return dict(learner=learner, gain_by_s=by_s, s_plain=chosen_s(mom, "plain"), s_true=float(np.std(means, ddof=1)),
                own_choices_linear=float(np.mean(((z - z.mean(axis=0)) @ k.T)[rows, pick] + means[pick]) - means.max()),
                own_choices_at_the_truth=float(np.mean(truth[rows, pick]) - means.max()))


def main() -> int:
    results = Path(os.environ.get("RESULTS", ROOT / "results"))
    table4 = pd.read_csv(results / "tables" / "table4.csv")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=results.resolve().parent, capture_output=True,
                            text=True).stdout.strip()
    record = dict(run_commit=commit, results=str(results), studies={})
    for study in table4["study"].unique():
        record["studies"][study] = study_record(results, study, table4)
        print(study, json.dumps(record["studies"][study], indent=1))
    if os.environ.get("SPARSE_RESULTS"):  # a run of config/sparse_standin.yaml
        record["sparse_k4_undershoot"] = undershoot(Path(os.environ["SPARSE_RESULTS"]), "sparse_k4")
        print(json.dumps(record["sparse_k4_undershoot"], indent=1))
    RECORD.write_text(json.dumps(record, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
