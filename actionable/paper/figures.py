"""The paper's figures. Each plotting function takes computed data and returns a matplotlib Figure;
``figure12_markers`` and ``forest_panels`` gather a figure's data from a run's records."""

from __future__ import annotations

import logging

import matplotlib
import matplotlib.font_manager
import matplotlib.ticker

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from . import illustrations, motivating  # noqa: E402
from ..stats import descriptives  # noqa: E402
from ..stats.moments import chosen_s  # noqa: E402
from ..studies.study import load_study  # noqa: E402

log = logging.getLogger(__name__)

# One palette for every figure, seaborn's colour-blind-safe set: the paper's arms (A red and solid,
# B blue and dashed, as printed; the control arm as A), the five methods, the studies in order,
# series such as the rho levels, and grey for what is neither.
_CB = sns.color_palette("colorblind").as_hex()
COLOR_A, COLOR_B, GREY = _CB[3], _CB[0], _CB[7]
METHOD_COLORS = {"OLS": _CB[2], "S-XGB": _CB[1], "T-XGB": _CB[4], "MACF": _CB[9], "PT-CF": _CB[5],
                 "Our Model": COLOR_A}
SERIES_COLORS = [_CB[i] for i in (0, 3, 2, 4, 1, 5, 9, 6, 8)]
RHO_COLORS = SERIES_COLORS


# Glyph fallback, in order, among the fonts installed (bin/setup.sh installs Noto CJK and Symbola):
# accented Latin, CJK and symbols or emoji in a spec's arm labels render instead of empty boxes.
FONTS = ("DejaVu Sans", "Noto Sans CJK JP", "Symbola")


def style():
    """The figures' one look: seaborn's ticks theme and the palette above, the font fallback, no top
    or right spines, fixed SVG hashes."""
    sns.set_theme(context="paper", style="ticks", palette=SERIES_COLORS, font_scale=1.2)
    have = {f.name for f in matplotlib.font_manager.fontManager.ttflist}
    plt.rcParams.update({"axes.spines.top": False, "axes.spines.right": False, "svg.hashsalt": "actionable",
                         "font.family": [f for f in FONTS if f in have] or ["sans-serif"]})


_style = style


def arm_names(df: pd.DataFrame) -> list:
    """An arm's name on an axis: the label its spec declares (``arm.labels``), else its code."""
    labels = df["label"].fillna("").astype(str) if "label" in df else pd.Series([""] * len(df), index=df.index)
    return [lab if lab else str(arm) for arm, lab in zip(df["arm"], labels)]


def _arm_ticks(ax, df: pd.DataFrame) -> None:
    names = arm_names(df)
    turn = len(names) >= 25 or max((len(n) for n in names), default=0) > 12
    ax.set_xticks(np.arange(len(names)))
    ax.set_xticklabels(names, rotation=60 if turn else 0, ha="right" if turn else "center", fontsize=8)


def hte_distributions(samples: dict):
    """Figure 1: distributions of tau(x) = Y^B(x) - Y^A(x) per experiment, dashed line at 0."""
    _style()
    fig, axes = plt.subplots(1, len(samples), figsize=(9, 3.4), sharey=True)
    for ax, (exp, df) in zip(np.atleast_1d(axes), sorted(samples.items())):
        ax.hist(df["tau"], bins=60, density=True, color=GREY, alpha=0.8)
        ax.axvline(0, ls="--", color="black", lw=1)
        share = float((df["tau"] < 0).mean())
        ax.set_title(f"Experiment {exp}: {share:.1%} prefer A")
        ax.set_xlabel(r"$\tau(x) = Y^B(x) - Y^A(x)$")
    np.atleast_1d(axes)[0].set_ylabel("density")
    fig.suptitle("Figure 1: heterogeneous treatment effects in Experiments 1 and 2")
    fig.tight_layout()
    return fig


def crossover_lines(experiments=(1, 2)):
    """Figure 2: Y^A (red solid) and Y^B (blue dashed) against x, dotted lines at the averages."""
    _style()
    x = np.linspace(motivating.X_MEAN - 3 * motivating.X_SD, motivating.X_MEAN + 3 * motivating.X_SD, 200)
    fig, axes = plt.subplots(1, len(experiments), figsize=(9, 3.6), sharey=True)
    for ax, exp in zip(np.atleast_1d(axes), experiments):
        y_a, y_b = motivating.potential_outcomes(exp, x)
        exact = motivating.closed_form(exp)
        ax.plot(x, y_a, color=COLOR_A, lw=2, label="$Y^A$")
        ax.plot(x, y_b, color=COLOR_B, lw=2, ls="--", label="$Y^B$")
        ax.axhline(exact["A"], color=COLOR_A, ls=":", lw=1)
        ax.axhline(exact["B"], color=COLOR_B, ls=":", lw=1)
        xc = motivating.crossover_x(exp)
        verdict = "actionable" if xc < x.max() else "not actionable (no crossover in the data)"
        ax.set_title(f"Experiment {exp}: {verdict}\ngain of personalizing = {exact['gain']:.3f}", fontsize=9)
        ax.set_xlabel("x (income percentile covariate)")
    np.atleast_1d(axes)[0].set_ylabel("outcome")
    np.atleast_1d(axes)[0].legend(frameon=False)
    fig.suptitle("Figure 2: actionable vs non-actionable interactions")
    fig.tight_layout()
    return fig


def illustration(number: int):
    """Figures 3-5: three two-arm tests differing in one factor; Eq. 7's gain in each title."""
    _style()
    spec = illustrations.FIGURES[number]
    panels = spec["panels"]
    x = np.linspace(*illustrations.X_RANGE, 200)
    fig, axes = plt.subplots(1, len(panels), figsize=(11, 3.6), sharey=True)
    for ax, p in zip(np.atleast_1d(axes), panels):
        y_a, y_b = p.lines(x)
        ax.fill_between(x, y_b - p.band, y_b + p.band, color=COLOR_B, alpha=0.08, lw=0)
        ax.plot(x, y_a, color=COLOR_A, lw=2, label="$E[Y^A|x]$")
        ax.plot(x, y_b, color=COLOR_B, lw=2, ls="--", label="$E[Y^B|x]$")
        ax.axhline(p.mu_a, color=COLOR_A, ls=":", lw=1)
        ax.axhline(p.mu_b, color=COLOR_B, ls=":", lw=1)
        ax.set_title(f"{p.title}\nsigma={p.sigma:g}, rho={p.rho:g}, gap={p.mu_b - p.mu_a:g}: gain={p.gain:.3f}",
                     fontsize=8.5)
        ax.set_xlabel("covariate x (observed range)")
    np.atleast_1d(axes)[0].set_ylabel("potential outcome")
    np.atleast_1d(axes)[0].legend(frameon=False, fontsize=8)
    fig.suptitle(f"Figure {number}: {spec['title']}")
    fig.tight_layout()
    return fig


def gain_by_arms(curves: dict, labels: dict):
    """Figure 6: Algorithm 1's gain against the number of arms, one panel per F, one line per rho.

    Points: Monte Carlo mean with a 95% band; thin line: the exact expectation.
    """
    _style()
    cases = sorted(curves)
    ncol = 2 if len(cases) > 1 else 1
    nrow = int(np.ceil(len(cases) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(10, 3.6 * nrow), squeeze=False)
    for ax, case in zip(axes.ravel(), cases):
        df = curves[case]
        for color, (rho, g) in zip(RHO_COLORS, df.groupby("rho")):
            g = g.sort_values("m")
            ax.fill_between(g["m"], g["gain"] - 1.96 * g["se"], g["gain"] + 1.96 * g["se"],
                            color=color, alpha=0.2, lw=0)
            ax.plot(g["m"], g["gain"], "o-", color=color, ms=3, lw=1.2, label=f"rho = {rho:g}")
            ax.plot(g["m"], g["exact"], color="black", lw=0.6, ls=":")
        ax.set_title(f"({case}) {labels.get(case, '')}", fontsize=9)
        ax.set_xlabel("number of arms m")
        ax.set_ylabel("gain from personalization")
        ax.set_ylim(bottom=0)
    for ax in axes.ravel()[len(cases):]:
        ax.axis("off")
    axes.ravel()[0].legend(frameon=False, fontsize=8)
    fig.suptitle("Figure 6: effect of the number of arms (sigma = 10); dotted: exact expectation")
    fig.tight_layout()
    return fig


def arm_rates(rates, title: str, outcome_label: str = "mean outcome", percent: bool = True):
    """Figures 7 and 8: each arm's training-sample mean, best first, 95% interval, control in red."""
    _style()
    k = 100.0 if percent else 1.0
    fig, ax = plt.subplots(figsize=(max(6, 0.38 * len(rates) + 2), 3.8))
    colors = np.where(rates["control"], COLOR_A, COLOR_B)
    x = np.arange(len(rates))
    ax.errorbar(x, rates["mean"] * k, yerr=[(rates["mean"] - rates["lower"]) * k, (rates["upper"] - rates["mean"]) * k],
                fmt="none", ecolor=GREY, elinewidth=1, capsize=2)
    ax.scatter(x, rates["mean"] * k, c=colors, s=28, zorder=3)
    _arm_ticks(ax, rates)
    ax.set_xlabel("arm (ordered by training-sample mean; control in red)")
    ax.set_ylabel(outcome_label + (" (%)" if percent else ""))
    ctrl = [n for n, c in zip(arm_names(rates), rates["control"]) if c]
    ax.set_title(f"{title}  [control: {ctrl[0] if ctrl else '?'}; bars: 95% CI, n = {int(rates['n'].sum()):,}]",
                 fontsize=9)
    fig.tight_layout()
    return fig


def covariate_distributions(samples: dict, xlabel: str, title: str, money: bool = False):
    """Figures 13 and 14: a covariate's distribution in each study, as overlaid densities."""
    _style()
    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    values = {k: np.asarray(v, float)[~np.isnan(np.asarray(v, float))] for k, v in samples.items()}
    lo = min(np.percentile(v, 0.5) for v in values.values())
    hi = max(np.percentile(v, 99.5) for v in values.values())
    if all(np.all(v == np.round(v)) for v in values.values()) and hi - lo <= 200:
        width = max(1, int(np.ceil((hi - lo) / 50)))  # whole-unit bins: no aliasing of integer data
        bins = np.arange(np.floor(lo) - 0.5, np.ceil(hi) + width, width)
    else:
        bins = np.linspace(lo, hi, 60)
    for color, (name, v) in zip(SERIES_COLORS, sorted(values.items())):
        fmt = (lambda x: f"{x:,.0f}") if money else (lambda x: f"{x:.1f}")
        ax.hist(v, bins=bins, density=True, histtype="step", lw=1.8, color=color,
                label=f"{name} (mean {fmt(v.mean())}, SD {fmt(v.std())})")
    if money:
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda x, _: f"${x / 1000:,.0f}k"))
    ax.set_xlabel(xlabel)
    ax.set_ylabel("density")
    ax.legend(frameon=False, fontsize=8)
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


def assignment_shares(panels: dict):
    """Figure 9: share of people assigned to each arm by the MACF policy, arms by training mean."""
    _style()
    fig, axes = plt.subplots(len(panels), 1, figsize=(9, 3.2 * len(panels)), squeeze=False)
    for ax, (title, df) in zip(axes[:, 0], panels.items()):
        colors = np.where(df["control"], COLOR_A, COLOR_B)
        ax.bar(np.arange(len(df)), df["share"] * 100, color=colors)
        _arm_ticks(ax, df)
        ax.set_ylabel("% of holdout assigned")
        c = descriptives.concentration(df["share"])
        ax.set_title(f"{title}: {c['arms_used']} of {len(df)} arms used; {c['arms_to_cover']} cover 80% "
                     "(control in red)", fontsize=9)
    axes[-1, 0].set_xlabel("arm (ordered by training-sample mean outcome, best first)")
    fig.suptitle("Figure 9: arm assignment by the multi-arm causal forest policy")
    fig.tight_layout()
    return fig


def importance(panels: dict):
    """Figure 10: grf variable importance (share of splits), sorted."""
    _style()
    fig, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 0.28 * max(len(d) for d in panels.values()) + 1.6),
                             squeeze=False)
    for ax, (title, df) in zip(axes[0], panels.items()):
        df = df.sort_values("importance")
        ax.barh(df["covariate"], df["importance"], color=COLOR_B)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("variable importance (weighted split frequency)")
        ax.tick_params(axis="y", labelsize=8)
    fig.suptitle("Figure 10: variable importance of the multi-arm causal forest")
    fig.tight_layout()
    return fig


def covariate_heatmap(panels: dict, labels: dict | None = None):
    """Figure 11: standardized covariate means of the people assigned to each arm (red above, blue below)."""
    _style()
    heights = [0.32 * len(d) + 1.8 for d in panels.values()]
    width = max(0.32 * d.shape[1] + 3.5 for d in panels.values())
    fig, axes = plt.subplots(len(panels), 1, figsize=(width, sum(heights)), squeeze=False,
                             gridspec_kw={"height_ratios": heights})
    for ax, (title, z) in zip(axes[:, 0], panels.items()):
        lim = max(1.0, float(np.nanmax(np.abs(z.to_numpy()))))
        im = ax.imshow(z.to_numpy(), cmap="RdBu_r", vmin=-lim, vmax=lim, aspect="auto")
        ax.set_xticks(np.arange(z.shape[1]))
        ax.set_xticklabels(z.columns, rotation=90, fontsize=7)
        rows = [f"{a}: {(labels or {}).get(title, {}).get(a, '')}".rstrip(": ") for a in z.index]
        ax.set_yticks(np.arange(z.shape[0]))
        ax.set_yticklabels(rows, fontsize=7)
        ax.set_title(title, fontsize=10)
        fig.colorbar(im, ax=ax, fraction=0.02, pad=0.01, label="SDs from the arms' average")
    fig.suptitle("Figure 11: covariate profile of the people the causal forest assigns to each arm")
    fig.tight_layout()
    return fig


def sensitivity_curves(curves, markers: dict, ipw_gain: dict, percent: bool = True):
    """Figure 12: predicted gain as s, sigma, rho, sigma_eps move (others at the estimates),
    95% MC band, a dot at the estimate, the MACF's IPW gain as a dotted line, and (when the curves
    carry it) the n -> infinity value as a thin dashed line."""
    _style()
    k = 100.0 if percent else 1.0
    params = ["s", "sigma", "rho", "sigma_eps"]
    fig, axes = plt.subplots(2, 2, figsize=(10, 7))
    colors = dict(zip(sorted(curves["study"].unique()), SERIES_COLORS))
    for ax, name in zip(axes.ravel(), params):
        for study, g in curves[curves["parameter"] == name].groupby("study"):
            g = g.sort_values("value")
            c = colors[study]
            ax.fill_between(g["value"], (g["gain"] - 1.96 * g["se"]) * k, (g["gain"] + 1.96 * g["se"]) * k,
                            color=c, alpha=0.2, lw=0)
            ax.plot(g["value"], g["gain"] * k, color=c, lw=1.6, label=study)
            if "gain_inf" in g:
                ax.plot(g["value"], g["gain_inf"] * k, color=c, lw=0.9, ls="--",
                        label=f"{study}, n -> infinity")
            est, gain = markers[study][name], markers[study]["gain"]
            ax.plot([est], [gain * k], "o", color=c, ms=6)
            ext = markers[study].get("extension")
            if ext:  # this package's extension: corrected sigma, rho and prediction-error sigma_eps
                ax.plot([ext[name]], [ext["gain"] * k], "*", color=c, mec="black", mew=0.6, ms=11,
                        label=f"{study}, extension" if name == "s" else None)
                fx = ext.get("forest")
                if fx:  # the same model for the forest's predictions: its arm-specific error
                    ax.plot([fx[name]], [fx["gain"] * k], "D", color=c, mec="black", mew=0.6, ms=6,
                            label=f"{study}, extension for the forest" if name == "s" else None)
            if study in ipw_gain:
                ax.axhline(ipw_gain[study] * k, color=c, ls=":", lw=1.2)
        ax.axhline(0, color="black", lw=0.5)
        ax.set_xlabel(name)
        ax.set_ylabel("predicted gain" + (" (pp)" if percent else ""))
    axes[0, 0].legend(frameon=False, fontsize=8)
    has_ext = any(m.get("extension") for m in markers.values())
    fig.suptitle("Figure 12: sensitivity of the predicted gain (dots: estimates; dotted: MACF's IPW gain;\n"
                 "dashed: uniform arm valued at its true mean, n -> infinity"
                 + ("; stars: this package's extension, corrected moments\nand prediction-error sigma_eps, "
                    "uniform arm at its true mean; diamonds: the same for the forest's predictions)" if has_ext else ")"))
    fig.tight_layout()
    return fig


def figure12_markers(moments: list, our_model: list, evals: list, s: str = "plain") -> tuple[dict, dict, bool]:
    """Figure 12's inputs besides the curves, per study: the estimates the curves pass through and Our
    Model's gain there (``markers``, with this package's extension and its forest variant where
    identified), the causal forest's IPW gain, and whether every outcome is binary. ``moments``,
    ``our_model``: each study's JSON records; ``evals``: its policies tables; ``s``: plain or corrected."""
    markers, ipw, binary = {}, {}, []
    for est, gain, ev in zip(moments, our_model, evals):
        s_used = chosen_s(est, s)
        marker = dict(s=s_used, sigma=est["sigma"], rho=est["rho"], sigma_eps=est["sigma_eps"], gain=gain["gain"])
        ext = gain.get("extension") or {}
        if pd.notna(ext.get("gain")):  # this package's extension, where identified
            marker["extension"] = dict(s=s_used, sigma=ext["sigma"], rho=ext["rho"], sigma_eps=ext["sigma_eps"],
                                       gain=ext["gain"])
            fx = ext.get("forest") or {}
            if pd.notna(fx.get("gain")):  # the same model for the forest's predictions (their arm-specific error)
                marker["extension"]["forest"] = dict(s=s_used, sigma=ext["sigma"], rho=ext["rho"],
                                                     sigma_eps=fx["sigma_eps"], gain=fx["gain"])
        markers[est["study"]] = marker
        ipw[est["study"]] = float(ev.set_index("policy").loc["MACF", "gain"])
        binary.append(est["binary"])
    return markers, ipw, all(binary)


def forest_panels(studies: list, specs: list, splits: list, taus: list, importances: list, rates: list,
                  titles: dict, min_arm_rows: int = 1) -> tuple[dict, dict, dict, dict]:
    """Figures 9-11's panels per study (keyed by ``titles[study]``): the forest policy's arm shares
    (arms in the order of the training arm rates), the variable importance by covariate, the
    holdout's covariate profile per assigned arm, and the arm labels. The lists run in parallel:
    each study's spec, split, tau.npy, importance.csv and arm_rates.csv."""
    shares, imps, profiles, labels = {}, {}, {}, {}
    for study, spec, split_path, tau_path, imp_path, rates_path in zip(studies, specs, splits, taus, importances, rates):
        ds, split = load_study(spec, split_path, min_arm_rows)
        policy = np.argmax(np.load(tau_path), axis=1)
        order = pd.read_csv(rates_path, dtype={"arm": str})["arm"].tolist()
        title = titles[study]
        shares[title] = descriptives.assignment_shares(policy, ds.arms, order, ds.arm_labels, ds.control)
        imps[title] = descriptives.importance_by_covariate(pd.read_csv(imp_path))
        test = ds.frame.loc[(split["set"] == "test").to_numpy()]
        profiles[title] = descriptives.covariate_profile(test, ds.covariates, policy, ds.arms)
        labels[title] = ds.arm_labels
        log.info("%s: arms used %d; top importance %s", study, int((shares[title]["share"] > 0).sum()),
                 imps[title]["covariate"].head(3).tolist())
    return shares, imps, profiles, labels


# Figures 13 and 14: the display covariate each shows (a spec's ``display``), its axis label, title, and
# whether it is money
COVARIATE_FIGURES = {"age": ("age (years)", "Figure 13: age distribution", False),
                     "income": ("zip-code median income", "Figure 14: zip-code median income distribution", True)}


def covariate_figures(datasets: list) -> dict:
    """Figures 13 and 14 for the paper's studies: {display role: Figure} of each study's age and
    zip-code income distributions (the covariates their specs name under ``display``)."""
    out = {}
    for role, (xlabel, title, money) in COVARIATE_FIGURES.items():
        samples = {ds.name: ds.frame[ds.spec["display"][role]].to_numpy(float) for ds in datasets}
        out[role] = covariate_distributions(samples, xlabel, title, money=money)
        log.info("%s: %s", role, {k: (round(v.mean(), 1), round(v.std(), 1)) for k, v in samples.items()})
    return out
