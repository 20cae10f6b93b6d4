"""Tables 5 and 6: Section 6's swaps and 1% changes, from the studies' estimates and from the
paper's published ones (paper-parameter mode), laid out beside the paper's printed tables.

Every cell is Algorithm 2's Monte Carlo mean with its SE (common random numbers), computed as
configured (as printed: the uniform arm chosen from n simulated people's noisy means); beneath it
the exact n -> infinity value, where the uniform arm is worth its true mean.
"""

from __future__ import annotations

import pandas as pd

from . import published as paper
from ..stats import prediction_error, sensitivity
from ..stats.moments import chosen_s
from .markdown import to_markdown
from . import parameters

T5_COLUMNS = ["Original", *sensitivity.SWAPS]
T6_COLUMNS = ["Original", *sensitivity.CHANGES]
FOREST_NOTE = ("extension_forest: the extension for the causal forest's predictions: the same corrected sigma and rho, "
               "sigma_eps the arm-specific part of the forest's error sqrt(E(e^a - e^b)^2 / 2), the part that moves its "
               "choice of arm (actionable.stats.prediction_error.arm_specific); its 'n -> infinity' rows are its definition.")


def _modes(estimated: dict, extension: dict | None, n: int, paper: dict | None = None,
           extension_forest: dict | None = None) -> dict:
    """Each mode's parameters {study: dict(s, sigma, rho, sigma_eps, m, n)}: estimated, the paper's
    published ones when given, this package's extension (for the T-learner, for the forest) when given."""
    modes = {"estimated": {k: dict(v, n=n) for k, v in estimated.items()}}
    if paper is not None:
        modes["paper"] = paper
    for name, params in (("extension", extension), ("extension_forest", extension_forest)):
        if params:
            modes[name] = {k: dict(v, n=n) for k, v in params.items()}
    return modes


def _table(fn, modes: dict, settings: dict, seed: int, threads: int) -> pd.DataFrame:
    """``fn`` (sensitivity.swaps or .elasticities) in every mode, rows labelled by mode, with the
    sigma_eps each used (and in paper mode how it was chosen)."""
    out = []
    for mode, params in modes.items():
        f = fn(params, settings["reps"], seed, settings["uniform"], threads)
        f.insert(1, "mode", mode)
        f["sigma_eps_used"] = [params[s]["sigma_eps"] for s in f["study"]]
        if mode == "paper":
            f["sigma_eps_solved"] = [params[s]["sigma_eps_solved"] for s in f["study"]]
            f["sigma_eps_floor"] = [params[s]["sigma_eps_floor"] for s in f["study"]]
        out.append(f)
    return pd.concat(out, ignore_index=True)


def compute(estimated: dict, settings: dict, seed: int, threads: int = 1, extension: dict | None = None,
            extension_forest: dict | None = None) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Tables 5 and 6 in both modes. ``estimated``: {study: dict(s, sigma, rho, sigma_eps, m)} in
    the paper's row order; ``settings``: the config's sensitivity section; ``extension``: the same
    for this package's extension (corrected sigma, rho; prediction-error sigma_eps), a third mode;
    ``extension_forest``: the extension for the forest's predictions (its arm-specific error), a fourth.
    Returns (t5, t6, the paper-mode parameters)."""
    n = settings["n"]
    pub = parameters.published_parameters(n, settings.get("paper_sigma_eps", "solved_or_floor"), settings["uniform"])
    modes = _modes(estimated, extension, n, paper=pub, extension_forest=extension_forest)
    return (_table(sensitivity.swaps, modes, settings, seed, threads),
            _table(sensitivity.elasticities, modes, settings, seed, threads), pub)


def _label(row, names) -> str:
    return f"{names.get(row['study'], row['study'])} ({row['mode']})"


def _rows(frame: pd.DataFrame, cols: list, published: dict, names: dict, settings: dict, cell, cell_inf) -> list:
    algo = (f"n = {settings['n']:,}" if settings["uniform"] == "sample" else "uniform at its true mean")
    shown = []
    for _, row in frame.iterrows():
        label = _label(row, names)
        shown.append({"": f"{label}, {algo}", **{c: cell(row, c) for c in cols}})
        shown.append({"": f"{label}, n -> infinity", **{c: cell_inf(row, c) for c in cols}})
        if row["mode"] == "paper" and row["study"] in published:
            shown.append({"": f"[paper's table: {row['study']}]",
                          **{c: f"[{published[row['study']][c]:.3f}]" for c in cols}})
    return shown


def _common_notes(t5: pd.DataFrame, settings: dict) -> list[str]:
    how = (f"the uniform arm chosen as Algorithm 2 prints it, from the mean predictions of n = {settings['n']:,} "
           "simulated people" if settings["uniform"] == "sample" else "the uniform arm valued at its true mean")
    pm = t5[t5["mode"] == "paper"].set_index("study")
    eps = "; ".join(
        f"{s}: {r['sigma_eps_used']:.4f} (solved from its Original gain {r['sigma_eps_solved']:.4f}, binary floor "
        f"{r['sigma_eps_floor']:.4f} at base rate {parameters.base_rate(s):.3f})" for s, r in pm.iterrows())
    ext = (["extension: this package's, not the paper's procedure: sigma and rho corrected for the predictions' "
            "noise and sigma_eps = the prediction error SD(y_hat - E[Y | x]) (actionable.stats.prediction_error); its "
            "definition values the uniform arm at its true mean, i.e. its 'n -> infinity' rows."]
           if (t5["mode"] == "extension").any() else [])
    ext += ([FOREST_NOTE] if (t5["mode"] == "extension_forest").any() else [])
    return ext + [
        f"Gains in percentage points: Algorithm 2, normal F, {how}; Monte Carlo mean (SE) over {settings['reps']:,} "
        "repetitions with common random numbers. 'n -> infinity': the exact expectation with the uniform arm valued "
        "at its true mean.",
        "estimated: each study's estimated moments (results/tables/moments.csv). paper: the paper's published "
        f"sigma, rho, s and m, with sigma_eps by rule '{settings.get('paper_sigma_eps', 'solved_or_floor')}' ({eps}). "
        "The binary floor sqrt(p (1 - p) - sigma^2) is the smallest SD(y - yhat) (Section 5.2's sigma_eps) a binary "
        "outcome with mean p and heterogeneity sigma allows; the paper states neither its F nor its sigma_eps.",
    ]


def render_table5(t5: pd.DataFrame, names: dict, settings: dict) -> str:
    def cell(row, c):
        return f"{row[c] * 100:.3f} ({row[c + '_se'] * 100:.3f})"

    def cell_inf(row, c):
        return f"{row[c + '_inf'] * 100:.3f}"

    shown = _rows(t5, T5_COLUMNS, paper.TABLE5, names, settings, cell, cell_inf)
    pm = t5[t5["mode"] == "paper"].set_index("study")
    worst = max(((abs(pm.loc[s, c] * 100 - paper.TABLE5[s][c]), s, c) for s in pm.index if s in paper.TABLE5
                 for c in T5_COLUMNS), default=None)
    notes = _common_notes(t5, settings)
    if worst:
        notes.append(f"Paper mode against the paper's printed cells: the largest difference is {worst[0]:.3f} pp "
                     f"({worst[1]}, {worst[2]}).")
    return to_markdown(pd.DataFrame(shown), title="Table 5: Gain from personalization, parameters exchanged between "
                       "the studies", notes=notes)


def table6_findings(t6: pd.DataFrame) -> list[str]:
    """Largest increase, sign checks, and where the paper's printed row differs from ours beyond 2 MC SEs."""
    out = []
    pm = t6[t6["mode"] == "paper"].set_index("study")
    for study, row in pm.iterrows():
        printed = paper.TABLE6.get(study)
        if printed is None:
            continue
        pub_largest = max((k for k in printed if k != "Original"), key=lambda k: printed[k])
        out.append(f"{study} (paper mode): largest increase from '{row['largest']}' (the paper: '{pub_largest}'"
                   f"{'' if row['largest'] == pub_largest else ', which differs'}); entries whose change has the "
                   f"opposite sign to Propositions 1-3 beyond 2 MC SEs: {row['contradictions']}.")
        diffs = []
        for label in sensitivity.CHANGES:
            theirs = printed[label] - printed["Original"]
            ours, se = row[f"{label} change"] * 100, row[f"{label} change_se"] * 100
            if abs(theirs - ours) > 2 * se + 0.001:  # 0.001: the printed values' rounding
                diffs.append(f"'{label}' {theirs:+.3f} printed vs {ours:+.4f} ± {se:.2g} here "
                             f"(exact {row[f'{label} change_exact'] * 100:+.4f})")
        out.append(f"{study}: changes that differ from the paper's printed row beyond 2 MC SEs: "
                   + ("; ".join(diffs) if diffs else "none") + ".")
    contra = [f"{s}: {k}" for s, d in paper.TABLE6.items() for k, v in d.items() if k != "Original" and v < d["Original"]]
    if contra:
        out.append("The paper's printed Table 6 has changes of the sign Propositions 1-3 rule out: " + "; ".join(contra)
                   + ". The exact values of the printed algorithm have none, so these are the paper's Monte Carlo noise.")
    return out


def render_table6(t6: pd.DataFrame, t5: pd.DataFrame, names: dict, settings: dict) -> str:
    def cell(row, c):
        if c == "Original":
            return f"{row[c] * 100:.3f} ({row[c + '_se'] * 100:.3f})"
        return f"{row[c] * 100:.3f} ({row[c + ' change'] * 100:+.4f} ± {row[c + ' change_se'] * 100:.2g})"

    def cell_inf(row, c):
        if c == "Original":
            return f"{row['Original_inf'] * 100:.3f}"
        return f"{row[c + '_inf'] * 100:.3f} ({row[c + ' change_inf'] * 100:+.4f})"

    shown = _rows(t6, T6_COLUMNS, paper.TABLE6, names, settings, cell, cell_inf)
    notes = (_common_notes(t5, settings)
             + ["Each changed entry: gain (change from Original ± its SE over the paired repetitions)."]
             + table6_findings(t6))
    return to_markdown(pd.DataFrame(shown), title="Table 6: Sensitivity of gains from personalization to a 1% change",
                       notes=notes)


# ---- the same analyses for any study (Table 6) and any pair of studies (Table 5)
def study_parameters(moments: dict, prediction_error_json: dict | None, s: str, estimator: str,
                     learner: str = "txgb") -> tuple[dict, dict | None]:
    """Algorithm 2's inputs from a study's moments JSON (``s``: plain or corrected), and the
    extension's (corrected sigma and rho, prediction-error sigma_eps by ``estimator`` of ``learner``'s
    predictions: txgb or macf), or None when a corrected moment is not identified."""
    est = dict(s=chosen_s(moments, s), sigma=moments["sigma"],
               rho=moments["rho"], sigma_eps=moments["sigma_eps"], m=moments["m"])
    if prediction_error_json is None:
        return est, None
    inputs = prediction_error.model_inputs(prediction_error_json, estimator, learner=learner)
    return est, None if inputs is None else dict(est, **inputs)


def extension_modes(moments: list[dict], prediction_errors: list[dict], s: str, estimator: str, log=None):
    """The studies' estimated parameters and both extensions' (None where a study's is not identified,
    so that no mode compares studies on different footing): ({study: est}, ext, ext_forest)."""
    est, ext, forest = {}, {}, {}
    for mom, pe in zip(moments, prediction_errors):
        est[mom["study"]], ext[mom["study"]] = study_parameters(mom, pe, s, estimator)
        forest[mom["study"]] = study_parameters(mom, pe, s, "arm_specific", learner="macf")[1]
    out = []
    for name, params in (("extension", ext), ("extension for the forest", forest)):
        usable = all(v is not None for v in params.values())
        if not usable and log is not None:
            log.warning("%s rows left out: not identified for %s", name, [k for k, v in params.items() if v is None])
        out.append(params if usable else None)
    return est, *out


def compute_one(kind: str, params: dict, settings: dict, seed: int, threads: int = 1,
                extension: dict | None = None, extension_forest: dict | None = None) -> pd.DataFrame:
    """Table 6 (``kind`` 'elasticities', one or more studies) or Table 5 (``kind`` 'swaps', a pair)
    from estimated moments, with the extensions' rows when given; the same seed as Tables 5-6 gives
    the paper's studies the same numbers as there."""
    fn = sensitivity.elasticities if kind == "elasticities" else sensitivity.swaps
    return _table(fn, _modes(params, extension, settings["n"], extension_forest=extension_forest), settings, seed, threads)


def _scale_cells(percent: bool):
    k, unit = (100.0, "percentage points") if percent else (1.0, "the outcome's units")
    return k, unit


def render_study_table6(t6: pd.DataFrame, settings: dict, percent: bool) -> str:
    """One study's Table 6 (what a 1% change of each parameter does), with the answer in words."""
    k, unit = _scale_cells(percent)

    def cell(row, c):
        if c == "Original":
            return f"{row[c] * k:.4g} ({row[c + '_se'] * k:.2g})"
        return f"{row[c] * k:.4g} ({row[c + ' change'] * k:+.3g} ± {row[c + ' change_se'] * k:.2g})"

    def cell_inf(row, c):
        return f"{row['Original_inf'] * k:.4g}" if c == "Original" else \
            f"{row[c + '_inf'] * k:.4g} ({row[c + ' change_inf'] * k:+.3g})"

    shown = _rows(t6, T6_COLUMNS, {}, {}, settings, cell, cell_inf)
    notes = []
    for _, row in t6.iterrows():
        change = row[f"{row['largest']} change"] * k
        notes.append(f"{row['study']} ({row['mode']}): the gain rises most with a {row['largest']} "
                     f"({change:+.3g} {unit} of a predicted {row['Original'] * k:.4g}); changes against "
                     f"Propositions 1-3 beyond 2 MC SEs: {row['contradictions']}.")
    notes += [f"Gains in {unit}: Algorithm 2 with normal F, Monte Carlo mean (SE) over {settings['reps']:,} repetitions "
              "with common random numbers; each changed entry: gain (change ± its paired SE). 'n -> infinity': the "
              "exact value with the uniform arm at its true mean.",
              "estimated: the study's moments; extension: sigma and rho corrected for the predictions' noise and "
              "sigma_eps = the prediction error (this package's extension, not the paper's procedure)."]
    notes += [FOREST_NOTE] if (t6["mode"] == "extension_forest").any() else []
    study = t6["study"].iloc[0]
    return to_markdown(pd.DataFrame(shown), title=f"Table 6 for {study}: sensitivity of the gain to a 1% change",
                       notes=notes)


def render_pair_table5(t5: pd.DataFrame, settings: dict, percent: bool) -> str:
    """Table 5 for a pair: each study's gain with one of sigma, rho, sigma_eps, m taken from the other."""
    k, unit = _scale_cells(percent)

    def cell(row, c):
        return "n/a" if pd.isna(row[c]) else f"{row[c] * k:.4g} ({row[c + '_se'] * k:.2g})"

    def cell_inf(row, c):
        return "n/a" if pd.isna(row[c + "_inf"]) else f"{row[c + '_inf'] * k:.4g}"

    shown = _rows(t5, T5_COLUMNS, {}, {}, settings, cell, cell_inf)
    a, b = t5["study"].unique()[:2]
    notes = [f"Each column gives the row's study the other study's value of that parameter (its own otherwise). "
             f"Gains in {unit}: Algorithm 2 with normal F, Monte Carlo mean (SE) over {settings['reps']:,} repetitions "
             "with common random numbers; 'n -> infinity': the exact value with the uniform arm at its true mean.",
             "estimated: the studies' moments; extension: sigma and rho corrected for the predictions' noise and "
             "sigma_eps = the prediction error (this package's extension, not the paper's procedure)."]
    notes += [FOREST_NOTE] if (t5["mode"] == "extension_forest").any() else []
    return to_markdown(pd.DataFrame(shown), title=f"Table 5 for {a} and {b}: gain with parameters exchanged",
                       notes=notes)
