"""Covariate encoding shared by the learners, fit on the training split and reused on the holdout.

Continuous and binary covariates enter as numbers; a categorical covariate becomes one indicator
per level seen in training (a level first met in the holdout, or a missing value, sets none of
them). Missing values stay NaN for XGBoost, which learns where to send them. OLS cannot take
NaN: ``impute=True`` replaces a missing value by the training mean and adds a 0/1 "missing"
indicator for every covariate that had missing values in training, so the regression can give
those people their own level.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass
class FeatureEncoder:
    covariates: list  # [{name, type}]
    impute: bool = False
    levels: dict = field(default_factory=dict)
    means: dict = field(default_factory=dict)
    missing_cols: list = field(default_factory=list)
    names: list = field(default_factory=list)

    def fit(self, frame: pd.DataFrame) -> "FeatureEncoder":
        self.levels = {c["name"]: sorted(frame[c["name"]].dropna().unique().tolist(), key=str)
                       for c in self.covariates if c["type"] == "categorical"}
        raw = self._raw(frame)
        self.means = {k: float(np.nanmean(v)) if np.any(~np.isnan(v)) else 0.0 for k, v in raw.items()}
        self.missing_cols = [c["name"] for c in self.covariates if frame[c["name"]].isna().any()] if self.impute else []
        self.names = list(raw) + [f"{c}_missing" for c in self.missing_cols]
        return self

    def _raw(self, frame: pd.DataFrame) -> dict:
        cols = {}
        for c in self.covariates:
            name = c["name"]
            if c["type"] == "categorical":
                vals = frame[name].to_numpy(dtype=object)
                for lv in self.levels[name]:
                    cols[f"{name}={lv}"] = (vals == lv).astype(float)
            else:
                cols[name] = frame[name].to_numpy(dtype=float)
        return cols

    def transform(self, frame: pd.DataFrame) -> np.ndarray:
        raw = self._raw(frame)
        if self.impute:
            raw = {k: np.where(np.isnan(v), self.means[k], v) for k, v in raw.items()}
            for c in self.missing_cols:
                raw[f"{c}_missing"] = frame[c].isna().to_numpy(dtype=float)
        if not raw:
            return np.zeros((len(frame), 0))
        return np.column_stack([raw[k] for k in self.names])
