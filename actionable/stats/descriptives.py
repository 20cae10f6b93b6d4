"""Descriptive statistics of Section 5.1 (the arm outcome rates of Figures 7 and 8) and of a
policy's assignments (Figures 9-11)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def arm_rates(dataset, split: pd.DataFrame, part: str = "train", z: float = 1.96) -> pd.DataFrame:
    """Mean outcome per arm on one part of the split, with a normal 95% interval, best first."""
    mask = (split["set"] == part).to_numpy()
    df = dataset.frame.loc[mask, [dataset.arm_column, dataset.outcome]]
    g = df.groupby(dataset.arm_column)[dataset.outcome]
    out = pd.DataFrame({"n": g.size(), "mean": g.mean(), "sd": g.std(ddof=1)}).reindex(dataset.arms)
    out["se"] = out["sd"] / np.sqrt(out["n"])
    out["lower"], out["upper"] = out["mean"] - z * out["se"], out["mean"] + z * out["se"]
    out["control"] = out.index == dataset.control
    out["label"] = [dataset.arm_labels.get(a, "") for a in out.index]
    out = out.rename_axis("arm").reset_index()
    out = out.sort_values(["mean", "arm"], ascending=[False, True], kind="mergesort").reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    out.insert(0, "study", dataset.name)
    return out.drop(columns="sd")


# --------------------------------------------------------------------------- Figures 9-11
def assignment_shares(policy: np.ndarray, arms: list, order: list, labels: dict | None = None,
                      control: str | None = None) -> pd.DataFrame:
    """Share of people a policy assigns to each arm (Figure 9), arms in ``order`` (by training mean)."""
    counts = np.bincount(policy, minlength=len(arms))
    share = pd.Series(counts / counts.sum(), index=arms)
    out = pd.DataFrame({"arm": order, "share": [float(share[a]) for a in order]})
    out["label"] = [(labels or {}).get(a, "") for a in order]
    out["control"] = out["arm"] == control
    return out


def concentration(shares, top: int = 6, cover: float = 0.8) -> dict:
    """Figure 9's summary of a policy's arm shares (any order; they sum to 1): the share of people
    on the ``top`` most used arms, how many arms (most used first) reach ``cover`` of the people,
    and how many arms are used at all."""
    ranked = np.sort(np.asarray(shares, float))[::-1]
    # 1e-12: shares summing to exactly ``cover`` in floating point still count as reaching it
    reach = int(np.searchsorted(np.cumsum(ranked), cover - 1e-12) + 1)
    return dict(top_share=float(ranked[:top].sum()), arms_to_cover=min(reach, len(ranked)),
                arms_used=int((ranked > 0).sum()))


def importance_by_covariate(features: pd.DataFrame) -> pd.DataFrame:
    """Figure 10: grf's split-frequency importance summed over a covariate's indicator columns."""
    out = features.groupby("covariate", sort=False)["importance"].sum().sort_values(ascending=False)
    return out.rename_axis("covariate").reset_index()


def covariate_profile(frame: pd.DataFrame, covariates: list, policy: np.ndarray, arms: list,
                      min_share: float = 0.01) -> pd.DataFrame:
    """Figure 11: mean of each covariate among the people assigned to each arm, standardized by
    the column's mean and SD across arms (categorical covariates as one column per level).

    Arms receiving less than ``min_share`` of people are left out (their means are noise).
    """
    cols = {}
    for c in covariates:
        v = frame[c["name"]]
        if c["type"] == "categorical":
            for lv in sorted(v.dropna().unique(), key=str):
                cols[f"{c['name']}={lv}"] = (v == lv).astype(float).where(v.notna())
        else:
            cols[c["name"]] = v.astype(float)
    x = pd.DataFrame(cols)
    x["_arm"] = np.asarray(arms, dtype=object)[policy]
    shares = x["_arm"].value_counts(normalize=True)
    keep = [a for a in arms if shares.get(a, 0) >= min_share]
    means = x[x["_arm"].isin(keep)].groupby("_arm").mean().reindex(keep)
    sd = means.std(axis=0).replace(0, np.nan)
    z = (means - means.mean(axis=0)) / sd
    z.index.name = "arm"
    return z.fillna(0.0)
