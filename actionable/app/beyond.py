"""Beyond the paper, for the report: repeated splits of a study (config splits.count; the per-split
estimates, their aggregate, the table across studies, the figure per study) and the gain curves'
figure. The statistics are in ``stats.splits`` and ``stats.gain_curves``."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from ..paper.figures import COLOR_A, COLOR_B, GREY, METHOD_COLORS  # noqa: E402
from ..paper.figures import style as _style  # noqa: E402
from ..paper.markdown import to_markdown  # noqa: E402
from ..stats.splits import aggregate, split_estimates  # noqa: E402

__all__ = ["study_splits", "robustness_table", "robustness_figure", "gain_curves_figure"]

GAIN_ROWS = ("our_model", "extension", "arms_not_alike", "gain_ipw", "gain_hajek", "gain_aipw")
LABELS = {"sigma": "sigma-hat", "rho": "rho-hat", "s": "s-hat", "sigma_eps": "sigma_eps-hat",
          "our_model": "Our Model (as printed)", "extension": "Our Model, prediction-error sigma_eps (extension)",
          "extension_sigma": "extension's sigma", "extension_rho": "extension's rho",
          "extension_sigma_eps": "extension's sigma_eps",
          "arms_not_alike": "Our Model, arms not alike (best own profiles)",
          "gain_ipw": "gain over Best Uniform, IPW", "gain_hajek": "gain over Best Uniform, Hajek",
          "gain_aipw": "gain over Best Uniform, AIPW"}


def study_splits(seeds: list[int], policies: list, moments: list, our_model: list) -> tuple[pd.DataFrame, pd.DataFrame, bool]:
    """A study's splits (files in split order, split 1 first; ``seeds`` their base seeds): the
    per-split estimates, their aggregate, and whether the outcome is binary (gains in pp)."""
    parts = []
    for k, (seed, p, m, o) in enumerate(zip(seeds, policies, moments, our_model), start=1):
        mom = json.loads(Path(m).read_text())
        parts.append(split_estimates(k, seed, pd.read_csv(p), mom, json.loads(Path(o).read_text())))
    per_split = pd.concat(parts, ignore_index=True)
    return per_split, aggregate(per_split), bool(mom["binary"])


def robustness_table(summaries: dict, binary: dict) -> tuple[pd.DataFrame, str]:
    """Every study's aggregate in one table (csv: the outcome's scale) and its Markdown (gains in pp
    for binary outcomes)."""
    table = pd.concat([s.assign(study=name) for name, s in summaries.items()], ignore_index=True)
    table = table[["study"] + [c for c in table.columns if c != "study"]]
    blocks = []
    for name, s in summaries.items():
        show = s.copy()
        scale = 100.0 if binary[name] else 1.0
        gains = show["estimate"].isin(GAIN_ROWS)
        for col in ("median", "sd", "q25", "q75", "min", "max", "split1"):
            show.loc[gains, col] = show.loc[gains, col] * scale
        show["estimate"] = show["estimate"].map(LABELS).fillna(show["estimate"])
        show = show.rename(columns={"beats_2se": "share > +2 SE", "loses_2se": "share < -2 SE",
                                    "split1": "split 1"})
        show = show.astype(object).where(show.notna(), "–")
        unit = "pp" if binary[name] else "outcome units"
        blocks.append(to_markdown(show, floatfmt="{:.3f}", title=f"{name}: {int(s['splits'].max())} splits "
                                                                f"(gains in {unit}; median = the aggregate)"))
    notes = ("Median over splits (GenericML's aggregation); sd, quartiles and range across splits; split 1 is "
             "the paper's single split (Table 4). 'share > +2 SE': splits in which the method's holdout gain "
             "over Best Uniform exceeds twice its own SE. The spread measures what the split and the learners' "
             "seeds change given this sample, not the sampling variability of a new study "
             "(docs/methods.md, \"Repeated splits\").")
    md = "**Robustness across repeated 70/30 splits**\n\n" + "\n".join(blocks) + "\n" + notes + "\n"
    return table, md


def gain_curves_figure(curves: pd.DataFrame, our_model: dict, study: str, percent: bool):
    """Each method's AIPW gain over Best Uniform against the share of the holdout it moves (ranked
    by its predicted improvement), with 95% bootstrap bands; the true curve where the study has a
    truth (dotted); Our Model's predicted gain of full personalization, as printed and this package's
    model for arms not alike, as horizontal lines."""
    _style()
    scale = 100.0 if percent else 1.0
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for method, g in curves.groupby("method", sort=False):
        color = METHOD_COLORS.get(method, GREY)
        ax.fill_between(g["share"], g["lower"] * scale, g["upper"] * scale, color=color, alpha=0.15, lw=0)
        ax.plot(g["share"], g["gain"] * scale, "-", color=color, lw=1.4, label=method)
        if "true_gain" in g and g["true_gain"].notna().all():
            ax.plot(g["share"], g["true_gain"] * scale, ":", color=color, lw=1.0)
    lines = [("Our Model (as printed)", our_model.get("gain"), "--"),
             ("Our Model, arms not alike", (((our_model.get("arms_not_alike") or {}).get("variants") or {})
                                            .get("best_profiles") or {}).get("gain"), "-.")]
    for label, value, style in lines:
        if value is not None and np.isfinite(value):
            ax.axhline(value * scale, color="black", lw=0.9, ls=style, label=f"{label}: {value * scale:.2f}")
    ax.axhline(0, color=GREY, lw=0.5)
    ax.set_xlabel("share of the holdout moved off the best uniform arm (largest predicted improvement first)")
    ax.set_ylabel("gain over Best Uniform, AIPW" + (" (pp)" if scale == 100.0 else ""))
    truth = "true_gain" in curves and curves["true_gain"].notna().all()
    ax.set_title(f"{study}: gain curves with 95% bootstrap bands" + ("; dotted: the truth" if truth else ""), fontsize=9)
    ax.legend(frameon=False, fontsize=7, loc="best")
    fig.tight_layout()
    return fig


def robustness_figure(per_split: pd.DataFrame, study: str, percent: bool):
    """Each method's holdout gain over Best Uniform in every split (IPW, with +-2 SE bars; the median
    as a bar) beside Our Model's predictions in the same splits (printed, extension, arms not alike)."""
    _style()
    scale = 100.0 if percent else 1.0
    ipw = per_split[per_split["estimate"] == "gain_ipw"]
    methods = list(dict.fromkeys(ipw["method"]))
    models = [e for e in ("our_model", "extension", "arms_not_alike") if e in set(per_split["estimate"])]
    splits = sorted(per_split["split"].unique())
    fig, ax = plt.subplots(figsize=(1.1 * (len(methods) + len(models)) + 2, 4))
    offsets = np.linspace(-0.25, 0.25, len(splits)) if len(splits) > 1 else np.zeros(1)
    for i, method in enumerate(methods):
        g = ipw[ipw["method"] == method].set_index("split").loc[splits]
        ax.errorbar(i + offsets, g["value"] * scale, yerr=2 * g["se"] * scale, fmt="o", ms=3, lw=0.7,
                    color=METHOD_COLORS.get(method, COLOR_B), alpha=0.8,
                    label="IPW gain, each split (+-2 SE)" if i == 0 else None)
        ax.hlines(np.median(g["value"]) * scale, i - 0.35, i + 0.35, color="black", lw=1.5,
                  label="median over splits" if i == 0 else None)
    for j, name in enumerate(models):
        x = len(methods) + j
        v = per_split.loc[per_split["estimate"] == name].set_index("split").loc[splits, "value"] * scale
        ax.plot(x + offsets, v, "D", ms=3.5, color=COLOR_A, label="Our Model, each split" if j == 0 else None)
        ax.hlines(np.nanmedian(v), x - 0.35, x + 0.35, color="black", lw=1.5)
    ax.axhline(0, color=GREY, lw=0.6)
    ax.set_xticks(range(len(methods) + len(models)))
    ax.set_xticklabels(methods + [{"our_model": "Our Model\n(printed)", "extension": "Our Model\n(extension)",
                                   "arms_not_alike": "Our Model\n(arms not alike)"}[m] for m in models], fontsize=8)
    ax.set_ylabel("gain over Best Uniform" + (" (pp)" if percent else ""))
    ax.set_title(f"{study}: {len(splits)} splits; the learners' holdout gains beside Our Model's predictions",
                 fontsize=9)
    ax.legend(frameon=False, fontsize=7, loc="best")
    fig.tight_layout()
    return fig
