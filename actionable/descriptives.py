"""Descriptive outputs of Section 5.1: Table 2 and the arm outcome rates of Figures 7 and 8."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .datasets import Dataset

# Table 2 as printed: observations, arms, covariates total / continuous / discrete
PAPER_TABLE2 = {
    "Walmart": (689_693, 23, 12, 5, 7),
    "Penn-Geisinger": (74_811, 20, 22, 7, 15),
}
TABLE2_COLUMNS = ["observations", "arms", "covariates_total", "covariates_continuous", "covariates_discrete"]


def table2_row(summary: dict) -> dict:
    """Table 2's counts from a dataset summary (``Dataset.summary()``)."""
    return dict(study=summary["study"], observations=summary["n"], arms=summary["m"],
                covariates_total=summary["covariates_total"],
                covariates_continuous=summary["covariates_continuous"],
                covariates_discrete=summary["covariates_discrete"])


def arm_rates(dataset: Dataset, split: pd.DataFrame, part: str = "train", z: float = 1.96) -> pd.DataFrame:
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
