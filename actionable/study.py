"""Loading a validated study and its split in a workflow step (shared by the scripts)."""

from __future__ import annotations

import pandas as pd

from .datasets import load_dataset
from .features import FeatureEncoder


def load_study(spec_path, split_path, min_arm_rows: int):
    """The study's Dataset and its 70/30 split, rows in the data file's order."""
    dataset = load_dataset(spec_path, min_arm_rows=min_arm_rows)
    split = pd.read_csv(split_path)
    if len(split) != len(dataset.frame):
        raise ValueError(f"{split_path}: {len(split)} rows, but {dataset.data_path} has {len(dataset.frame)}; rerun split_study")
    return dataset, split


def training_matrices(dataset, split, covariates=None, impute=False):
    """(x_train, arm_train, y_train, x_test, arm_test, y_test, encoder) for a study and its split.

    ``covariates`` restricts the features to a subset of names (the covariate-overlap analysis).
    Arms are indices into ``dataset.arms`` (control = 0).
    """
    covs = dataset.covariates if covariates is None else [c for c in dataset.covariates if c["name"] in covariates]
    is_train = (split["set"] == "train").to_numpy()
    frame = dataset.frame
    arm = dataset.arm_indices()
    y = frame[dataset.outcome].to_numpy(dtype=float)
    enc = FeatureEncoder(covs, impute=impute).fit(frame.loc[is_train])
    x_train, x_test = enc.transform(frame.loc[is_train]), enc.transform(frame.loc[~is_train])
    return x_train, arm[is_train], y[is_train], x_test, arm[~is_train], y[~is_train], enc
