"""Table 4: personalization results laid out as in the paper."""

from __future__ import annotations

import pandas as pd

from .tables import to_markdown

POLICIES = ["Best Uniform", "OLS", "S-XGB", "T-XGB", "MACF", "PT-CF"]
# The paper's Table 4: value (%), bootstrap SE, and "Our Model"
PAPER = {
    "Walmart": dict(zip(POLICIES, [31.2, 31.5, 31.4, 31.7, 32.4, 32.2]), se=dict(zip(POLICIES, [0.5, 0.6, 0.6, 0.6, 0.6, 0.6])),
                    our_model=31.6),
    "Penn-Geisinger": dict(zip(POLICIES, [31.5, 32.5, 34.9, 34.8, 37.3, 34.1]),
                           se=dict(zip(POLICIES, [1.4, 1.7, 1.8, 1.7, 1.8, 1.6])), our_model=37.2),
}


def render(evals: pd.DataFrame, our_model: dict, paper_names: dict, percent: dict, our_model_inf: dict | None = None,
           paper_mode: dict | None = None, settings: dict | None = None, extension: dict | None = None) -> str:
    """Rows per study: value, (bootstrap SE), relative improvement, and the paper's row beneath.

    our_model: Algorithm 2's gain as configured (printed: a finite n); our_model_inf: its n -> infinity
    value; paper_mode: the printed algorithm's and n -> infinity gains for the paper's published
    parameters ({paper study: (gain, gain_inf)}), shown on the paper's row; extension: this package's
    Our Model with de-attenuated sigma, rho and a prediction-error sigma_eps ({study: {gain, sigma, ...}}).
    """
    extension = extension or {}
    our_model_inf = our_model_inf or {}
    paper_mode = paper_mode or {}
    settings = settings or {}
    rows, warnings = [], []
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
        pub = PAPER.get(paper_names.get(study, ""))
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
                     "the training split (actionable.prediction_error; README). For the forest's predictions: the same "
                     "sigma and rho, sigma_eps the arm-specific part of the forest's error (the part that moves its "
                     "choice of arm; most of a forest's error is common to all arms).")
    if paper_mode:
        notes.append("Our Model from the paper's parameters: the exact expectation of Algorithm 2 with the paper's "
                     "published sigma, rho, s, m and the sigma_eps of Tables 5-6's paper mode, added to the paper's Best "
                     "Uniform; the paper printed 31.6 (gain 0.4) and 37.2 (gain 5.7).")
    if warnings:
        notes += ["WARNING (the values marked in the Warning row may mislead): " + w for w in warnings]
    return to_markdown(pd.DataFrame(rows), title="Table 4: Personalization results", notes=notes)


def _marks(warning) -> str:
    """Short marks for the Warning row: 'range' (outside the outcome's range), 'ESS' (few outcomes)."""
    warning = warning if isinstance(warning, str) else ""
    return ", ".join(m for m, key in (("range", "range"), ("ESS", "effective sample size")) if key in warning)
