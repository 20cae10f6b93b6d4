"""Table 4: personalization results laid out as in the paper."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from ..stats import diagnostics, evaluation, gain_curves, sensitivity
from ..stats.learners import policy
from ..studies.datasets import load_truth
from ..studies.study import holdout, training_matrices
from .parameters import published_parameters
from .markdown import to_markdown
from .published import OUR_MODEL_PP, TABLE4, TABLE4_POLICIES as POLICIES

log = logging.getLogger(__name__)


def render(evals: pd.DataFrame, our_model: dict, paper_names: dict, percent: dict, our_model_inf: dict | None = None,
           paper_mode: dict | None = None, settings: dict | None = None, extension: dict | None = None,
           not_alike: dict | None = None, checks: dict | None = None) -> str:
    """Rows per study: value, (bootstrap SE), relative improvement, and the paper's row beneath.

    our_model: Algorithm 2's gain as configured (printed: a finite n); our_model_inf: its n -> infinity
    value; paper_mode: the printed algorithm's and n -> infinity gains for the paper's published
    parameters ({paper study: (gain, gain_inf)}), shown on the paper's row; extension: this package's
    Our Model with de-attenuated sigma, rho and a prediction-error sigma_eps ({study: {gain, sigma, ...}});
    not_alike: this package's model for arms that are not alike ({study: our_model.json's arms_not_alike});
    checks: the model-versus-data warnings ({study: [warning]}).
    """
    extension = extension or {}
    not_alike = not_alike or {}
    checks = checks or {}
    our_model_inf = our_model_inf or {}
    paper_mode = paper_mode or {}
    settings = settings or {}
    rows, warnings, disagree = [], [], []
    for study, g in evals.groupby("study", sort=False):
        g = g.set_index("policy")
        k = 100.0 if percent.get(study, True) else 1.0
        base = g.loc["Best Uniform", "ipw"]
        value = {p: f"{g.loc[p, 'ipw'] * k:.1f}" for p in POLICIES}
        value["Our Model"] = f"{(base + our_model[study]) * k:.1f}" if pd.notna(our_model[study]) else "n/a"
        rows.append({"": study, **value})
        rows.append({"": "Bootstrap SE", **{p: f"({g.loc[p, 'ipw_se'] * k:.1f})" for p in POLICIES}, "Our Model": ""})
        rows.append({"": "Rel. Improvement", "Best Uniform": "",
                     **{p: f"{(g.loc[p, 'ipw'] / base - 1) * 100:.0f}%" for p in POLICIES[1:]}, "Our Model": ""})
        inf = our_model_inf.get(study)
        rows.append({"": "Gain (SE), pp" if k == 100 else "Gain (SE)", "Best Uniform": "",
                     **{p: f"{g.loc[p, 'gain'] * k:.2f} ({g.loc[p, 'gain_se'] * k:.2f})" for p in POLICIES[1:]},
                     "Our Model": "n/a" if pd.isna(our_model[study]) else f"{our_model[study] * k:.2f}"})
        if inf is not None:
            rows.append({"": "Our Model as n -> infinity", **{p: "" for p in POLICIES},
                         "Our Model": "n/a" if pd.isna(inf) else f"{(base + inf) * k:.1f} (gain {inf * k:.2f})"})
        ext = extension.get(study)
        if ext is not None:
            rows.append({"": "Our Model, prediction-error sigma_eps (extension)", **{p: "" for p in POLICIES},
                         "Our Model": "n/a" if pd.isna(ext["gain"]) else
                         f"{(base + ext['gain']) * k:.1f} (gain {ext['gain'] * k:.2f}; sigma {ext['sigma']:.3f}, "
                         f"rho {ext['rho']:.2f}, sigma_eps {ext['sigma_eps']:.3f})"})
            fx = ext.get("forest")
            if fx is not None:
                rows.append({"": "Our Model for the forest's predictions (extension)", **{p: "" for p in POLICIES},
                             "Our Model": "n/a" if pd.isna(fx["gain"]) else
                             f"{(base + fx['gain']) * k:.1f} (gain {fx['gain'] * k:.2f}; arm-specific sigma_eps "
                             f"{fx['sigma_eps']:.3f})"})
        na = not_alike.get(study) or {}
        for key in NOT_ALIKE_ROWS:
            v = (na.get("variants") or {}).get(key)
            if v is not None and k == 100 and not 0 <= base + v["gain"] <= 1:  # a noisy covariance can say so
                rows.append({"": v["label"] + " (this package's)", **{p: "" for p in POLICIES},
                             "Our Model": f"n/a (gain {v['gain'] * k:.1f}: beyond the outcome's range; the covariance "
                                          "estimate is too noisy for this form)"})
            elif v is not None:
                spread = na.get("structure") or {}
                rows.append({"": v["label"] + " (this package's)", **{p: "" for p in POLICIES},
                             "Our Model": f"{(base + v['gain']) * k:.1f} (gain {v['gain'] * k:.2f}"
                                          + (f", holdout SE {v['holdout_se'] * k:.2f}" if v.get("holdout_se") else "")
                                          + f"; Monte Carlo ± {v['se'] * k:.2f}; effective arms "
                                          f"{spread.get('effective_arms', float('nan')):.1f} of {spread.get('m', '?')})"})
        disagree += [f"{study}: {w}" for w in checks.get(study, [])]
        if "oracle" in g and g["oracle"].notna().all():  # the truth exists for simulated studies only
            rows.append({"": "True value (oracle)", **{p: f"{g.loc[p, 'oracle'] * k:.1f}" for p in POLICIES},
                         "Our Model": ""})
        if "hajek" in g and g["hajek"].notna().all():
            rows.append({"": "Hajek (normalized IPW)", **{p: f"{g.loc[p, 'hajek'] * k:.1f}" for p in POLICIES},
                         "Our Model": ""})
        if "aipw" in g and g["aipw"].notna().all():
            rows.append({"": "AIPW", **{p: f"{g.loc[p, 'aipw'] * k:.1f}" for p in POLICIES}, "Our Model": ""})
        if "warning" in g and g["warning"].fillna("").astype(bool).any():
            marks = {p: _marks(g.loc[p, "warning"]) for p in POLICIES}
            rows.append({"": "Warning", **marks, "Our Model": ""})
            warnings += [f"{study}, {p}: {g.loc[p, 'warning']}" for p in POLICIES if marks[p]]
        pub = TABLE4.get(paper_names.get(study, ""))
        if pub:
            rows.append({"": f"[paper: {paper_names[study]}]", **{p: f"[{pub[p]:.1f}]" for p in POLICIES},
                         "Our Model": f"[{pub['our_model']:.1f}]"})
            pm = paper_mode.get(paper_names[study])
            if pm:
                rows.append({"": "Our Model from the paper's parameters", **{p: "" for p in POLICIES},
                             "Our Model": f"{pub['Best Uniform'] + pm[0] * 100:.1f} (gain {pm[0] * 100:.2f}); "
                                          f"n -> infinity {pub['Best Uniform'] + pm[1] * 100:.1f} (gain {pm[1] * 100:.2f})"})
    notes = [
        "Values: IPW (Eq. 9) on the 30% holdout, % for binary outcomes; SE from the bootstrap of the holdout; "
        "Best Uniform = the arm with the highest training mean.",
        "Hajek: the normalized IPW value (weights divided by their realised sum instead of n), which stays inside the "
        "outcome's range; the evaluation CSVs carry its SE and gain.",
        "Gain: policy minus Best Uniform, SE from the same bootstrap draws. Oracle: mean of the true E[Y^a | x] "
        "of the arm each holdout person is assigned (stand-ins only). AIPW: doubly robust value with per-arm "
        "XGBoost cross-fitted within the holdout.",
        "Our Model: Best Uniform + Algorithm 2's predicted gain with the study's estimated moments"
        + (f", as printed (the uniform arm chosen from the noisy mean predictions of n = {settings['n']:,} simulated "
           "people; the Gain row is its Monte Carlo mean)" if settings.get("uniform") == "sample" else
           " (the uniform arm valued at its true mean)")
        + "; 'as n -> infinity' is the exact value when the uniform arm is valued at its true mean.",
    ]
    if extension:
        notes.append("Our Model, prediction-error sigma_eps: this package's extension, not the paper's procedure. "
                     "Algorithm 2 (uniform arm at its true mean) with sigma and rho corrected for the predictions' noise "
                     "and sigma_eps = SD(y_hat - E[Y | x]), all estimated from two extra T-learners fit on halves of "
                     "the training split (actionable.stats.prediction_error; docs/methods.md). For the forest's predictions: the same "
                     "sigma and rho, sigma_eps the arm-specific part of the forest's error (the part that moves its "
                     "choice of arm; most of a forest's error is common to all arms).")
    if paper_mode:
        notes.append("Our Model from the paper's parameters: the exact expectation of Algorithm 2 with the paper's "
                     "published sigma, rho, s, m and the sigma_eps of Tables 5-6's paper mode, added to the paper's Best "
                     "Uniform; the paper printed {0[our_model]} (gain {1:.1f}) and {2[our_model]} (gain {3:.1f})."
                     .format(TABLE4["Walmart"], OUR_MODEL_PP["Walmart"], TABLE4["Penn-Geisinger"],
                             OUR_MODEL_PP["Penn-Geisinger"]))
    if not_alike:
        notes.append("Our Model, arms not alike: this package's model, not the paper's procedure: Algorithm 2's thought "
                     "experiment (arm means drawn from a normal F with the corrected s-hat, everyone sent to the arm with "
                     "the highest prediction, the uniform arm at its true mean) for a learner described by its own "
                     "holdout predictions instead of one sigma, rho and sigma_eps: their profiles and their covariance "
                     "with the outcome in each arm (the holdout identifies it). First row (chosen once for every "
                     "study): the highest of OLS's, S-XGB's, T-XGB's and the forest's, with its SE over bootstrap "
                     "draws of the holdout (learners held fixed); then the forest's; then, for comparison, the "
                     "Gaussian model with the de-attenuated m x m covariance and errors independent of it, which "
                     "overstates what a learner that shrinks its predictions achieves. Monte Carlo ± its own SE. "
                     "Effective arms: how many arms carry the arm-specific heterogeneity (m when spread evenly). "
                     "docs/methods.md.")
    if warnings:
        notes += ["WARNING (the values marked in the Warning row may mislead): " + w for w in warnings]
    notes += ["MODEL VERSUS DATA: " + w for w in disagree]
    return to_markdown(pd.DataFrame(rows), title="Table 4: Personalization results", notes=notes)


NOT_ALIKE_ROWS = ("best_profiles", "profiles_macf", "independent_macf")  # Table 4's rows; our_model.json has more


def model_checks(evals: pd.DataFrame, our_model: dict, not_alike: dict, percent: dict) -> dict:
    """{study: the model-versus-data warnings} (``diagnostics.model_versus_data``): the learners'
    gains by IPW and Hajek, and their own predictions valued by the model for arms not alike, against
    Our Model's prediction."""
    out = {}
    for study, g in evals.groupby("study", sort=False):
        g = g.set_index("policy").drop(index="Best Uniform")
        gains = {p: {k: float(g.loc[p, k]) for k in ("gain", "gain_se", "hajek_gain", "hajek_gain_se")} for p in g.index}
        na = not_alike.get(study) or {}
        out[study] = diagnostics.model_versus_data(gains, our_model[study], 100.0 if percent.get(study, True) else 1.0,
                                                   na.get("structure"), na.get("versus_printed"))
        for w in out[study]:
            log.warning("%s: %s", study, w)
    return out


def _marks(warning) -> str:
    """Short marks for the Warning row: 'range' (outside the outcome's range), 'ESS' (few outcomes)."""
    warning = warning if isinstance(warning, str) else ""
    return ", ".join(m for m, key in (("range", "range"), ("ESS", "effective sample size")) if key in warning)


def table4_policies(best_arm: int, n: int, ols: np.ndarray, sxgb: np.ndarray, txgb: np.ndarray, tau: np.ndarray,
                    pt: np.ndarray) -> dict:
    """Table 4's policies for ``n`` holdout people, in its order: the best uniform arm, the argmax of
    each learner's predicted outcomes (OLS, S-XGB, T-XGB) or the forest's effects (MACF), and the
    policy tree's arms (PT-CF)."""
    return {"Best Uniform": np.full(n, best_arm), "OLS": policy(ols), "S-XGB": policy(sxgb),
            "T-XGB": policy(txgb), "MACF": policy(tau), "PT-CF": np.asarray(pt)}


def evaluate_study(dataset, split, rates: pd.DataFrame, predictions: dict, our_model: dict, settings: dict,
                   xgb: dict, seed: int, threads: int = 1,
                   curve_seed: int | None = None) -> tuple[pd.DataFrame, dict, pd.DataFrame | None]:
    """Table 4's rows for one study: every policy's holdout value by IPW (Eq. 9) with bootstrap SEs,
    Hajek, AIPW (per-arm XGBoost cross-fitted within the holdout) and, with a truth, the oracle value.
    ``rates``: the arm rates of the training split (the best uniform arm is its best); ``predictions``:
    the learners' holdout predictions (ols, sxgb, txgb), the forest's tau and the policy tree's arms (pt);
    ``our_model``: the study's our_model.json; ``settings``: config evaluation. Returns the table, the
    run's record (info.json) and, given ``curve_seed``, every method's gain curve
    (``stats.gain_curves``, ranked by its own scores; PT-CF's by the forest's) from the same AIPW fit."""
    ds, cfg = dataset, settings
    x_tr, a_tr, y_tr, x_te, a_te, y_te, _ = training_matrices(ds, split)
    test, _, _, truth = holdout(ds, split, load_truth(ds))
    best = ds.arms.index(rates.loc[rates["mean"].idxmax(), "arm"])
    policies = table4_policies(best, len(y_te), *(predictions[k] for k in ("ols", "sxgb", "txgb", "tau", "pt")))
    mu = evaluation.crossfit_outcomes(x_te, a_te, y_te, len(ds.arms), cfg["aipw_folds"], xgb, ds.binary, seed, threads)
    # a policy value cannot leave the outcome's range: [0, 1] when binary, else the observed range
    y_all = np.concatenate([y_tr, y_te])
    bounds = (0.0, 1.0) if ds.binary else (float(y_all.min()), float(y_all.max()))
    rows = evaluation.evaluate(policies, a_te, y_te, ds.propensity_matrix()[test], cfg["bootstrap"], seed,
                               "Best Uniform", mu=mu, truth=truth, bounds=bounds, min_ess=cfg["min_ess"],
                               ess_share=cfg["ess_share"],
                               labels=[f"{a} ({ds.arm_labels[a]})" if ds.arm_labels.get(a) else a for a in ds.arms])
    table = pd.DataFrame(rows)
    table.insert(0, "study", ds.name)
    table["best_uniform_arm"] = ds.arms[best]
    for r in rows:
        if r["warning"]:
            log.warning("%s, %s: %s", ds.name, r["policy"], r["warning"])
    info = dict(study=ds.name, n_test=int(len(y_te)), bootstrap=cfg["bootstrap"], seed=seed, outcome_range=list(bounds),
                min_ess=cfg["min_ess"], ess_share=cfg["ess_share"], binary=ds.binary, best_uniform_arm=ds.arms[best],
                our_model_gain=our_model["gain"], our_model_se=our_model["se"], our_model_gain_inf=our_model["gain_inf"],
                our_model_extension=our_model.get("extension"), our_model_not_alike=our_model.get("arms_not_alike"),
                our_model_settings=dict(n=our_model["inputs"]["n"], uniform=our_model["inputs"]["uniform"]))
    curves = None
    if curve_seed is not None:
        gamma = gain_curves.aipw_scores(a_te, y_te, evaluation.assigned_propensity(ds.propensity_matrix()[test], a_te), mu)
        scores = dict(zip(POLICIES[1:], (predictions[k] for k in ("ols", "sxgb", "txgb", "tau", "tau"))))
        curves = gain_curves.gain_curves({k: policies[k] for k in scores}, scores, best, gamma, cfg["bootstrap"],
                                         curve_seed, truth=truth)
        curves.insert(0, "study", ds.name)
    return table, info, curves


def table4(evals: pd.DataFrame, infos: list, paper_names: dict, settings: dict, paper_sigma_eps: str):
    """Table 4 of every study: (rows with Our Model's gain, its markdown, {study: its own rows' markdown}).
    ``infos``: each study's evaluation record; ``paper_names``: {study: the paper's name of the study it
    stands in for}; ``settings``: config our_model. The paper's studies' rows also show Our Model from the
    paper's published parameters (``parameters.published_parameters``)."""
    our_model = {i["study"]: i["our_model_gain"] for i in infos}
    our_model_inf = {i["study"]: i["our_model_gain_inf"] for i in infos}
    extension = {i["study"]: i["our_model_extension"] for i in infos if i.get("our_model_extension")}
    not_alike = {i["study"]: i["our_model_not_alike"] for i in infos if i.get("our_model_not_alike")}
    percent = {i["study"]: i["binary"] for i in infos}
    checks = model_checks(evals, our_model, not_alike, percent)
    evals = evals.assign(our_model_gain=evals["study"].map(our_model))
    paper_mode = {}
    if paper_names:
        pub = published_parameters(settings["n"], paper_sigma_eps, settings["uniform"])
        paper_mode = {k: (sensitivity.exact(p, settings["uniform"]), sensitivity.exact(p, "population"))
                      for k, p in pub.items()}
    md = render(evals, our_model, paper_names, percent, our_model_inf, paper_mode, settings, extension, not_alike, checks)
    # each study's rows for its own section of the report; the paper's parameters belong to its studies' rows only
    per_study = {s: render(evals[evals["study"] == s], our_model, paper_names, percent, our_model_inf,
                           paper_mode if s in paper_names else {}, settings, extension, not_alike, checks)
                 for s in evals["study"].unique()}
    return evals, md, per_study
