"""Repeated 70/30 splits (this package's, not the paper's procedure): every estimate of a study on
S seeded splits, and their aggregate over splits.

The paper answers from one split. Rerunning the whole chain (split, learners, forest, moments, Our
Model, holdout evaluation) on other seeded splits shows how much of an answer is the particular
split: the aggregate is the median over splits, as in GenericML (Chernozhukov et al.), with the
spread (SD, quartiles, range) and, for each method, the share of splits in which its holdout gain
over Best Uniform exceeds 2 of its own SEs. The spread measures the variability from the split and
the learners' seeds given this one sample; it is not the sampling variability of a new study (the
splits share their people, so they are not independent draws).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["split_estimates", "aggregate", "MODEL_ROWS"]

# the study-level estimates: (estimate, where it is in the split's files)
MODEL_ROWS = {
    "sigma": ("moments", ("sigma",)),
    "rho": ("moments", ("rho",)),
    "s": ("moments", ("s",)),
    "sigma_eps": ("moments", ("sigma_eps",)),
    "our_model": ("our_model", ("gain",)),
    "extension": ("our_model", ("extension", "gain")),
    "extension_sigma": ("our_model", ("extension", "sigma")),
    "extension_rho": ("our_model", ("extension", "rho")),
    "extension_sigma_eps": ("our_model", ("extension", "sigma_eps")),
    "arms_not_alike": ("our_model", ("arms_not_alike", "variants", "best_profiles", "gain")),
}
# per method: (estimate, value column, SE column or None)
GAINS = [("gain_ipw", "gain", "gain_se"), ("gain_hajek", "hajek_gain", "hajek_gain_se"), ("gain_aipw", "aipw", None)]


def _get(doc: dict, path: tuple):
    for key in path:
        if not isinstance(doc, dict) or key not in doc:
            return np.nan
        doc = doc[key]
    return float(doc) if doc is not None else np.nan


def split_estimates(split: int, seed: int, policies: pd.DataFrame, moments: dict, our_model: dict) -> pd.DataFrame:
    """One split's estimates in long form (split, seed, estimate, method, value, se): the moments
    and Our Model's predictions (method empty), and each method's holdout gain over Best Uniform
    by HT (Eq. 9), Hajek and AIPW (the AIPW value less Best Uniform's; no SE)."""
    docs = dict(moments=moments, our_model=our_model)
    rows = [dict(estimate=name, method="", value=_get(docs[doc], path), se=np.nan)
            for name, (doc, path) in MODEL_ROWS.items()]
    table = policies.set_index("policy")
    uniform = table.loc["Best Uniform"]
    for policy, row in table.drop(index="Best Uniform").iterrows():
        for name, col, se in GAINS:
            value = row[col] - uniform[col] if name == "gain_aipw" else row[col]
            rows.append(dict(estimate=name, method=policy, value=float(value), se=float(row[se]) if se else np.nan))
    out = pd.DataFrame(rows)
    out.insert(0, "seed", seed)
    out.insert(0, "split", split)
    return out


def aggregate(per_split: pd.DataFrame) -> pd.DataFrame:
    """Per (estimate, method): the number of splits, the median (the headline), the SD over splits,
    quartiles and range, the value in split 1 (the paper's split), and for gains with an SE the
    share of splits in which the gain exceeds 2 SEs (beats Best Uniform) and is below -2 SEs."""
    out = []
    for (estimate, method), g in per_split.groupby(["estimate", "method"], sort=False):
        v = g["value"].to_numpy(float)
        ok = np.isfinite(v)
        row = dict(estimate=estimate, method=method, splits=int(ok.sum()),
                   median=float(np.median(v[ok])) if ok.any() else np.nan,
                   sd=float(np.std(v[ok], ddof=1)) if ok.sum() > 1 else np.nan,
                   q25=float(np.quantile(v[ok], 0.25)) if ok.any() else np.nan,
                   q75=float(np.quantile(v[ok], 0.75)) if ok.any() else np.nan,
                   min=float(v[ok].min()) if ok.any() else np.nan, max=float(v[ok].max()) if ok.any() else np.nan,
                   split1=float(g.loc[g["split"] == 1, "value"].iloc[0]) if (g["split"] == 1).any() else np.nan)
        se = g["se"].to_numpy(float)
        if np.isfinite(se).any():
            z = v / se
            row.update(beats_2se=float(np.mean(z > 2)), loses_2se=float(np.mean(z < -2)))
        else:
            row.update(beats_2se=np.nan, loses_2se=np.nan)
        out.append(row)
    return pd.DataFrame(out)
