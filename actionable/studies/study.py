"""Loading a validated study and its split in a workflow step (shared by the scripts)."""

from __future__ import annotations

import re

import pandas as pd

from .datasets import DatasetError, load_dataset
from ..stats.features import FeatureEncoder
from .simulator import dataset_spec, load_simulator_spec


def load_named_study(spec_path, name: str, min_arm_rows: int):
    """A user's study checked against its data, and its spec's name against its config entry."""
    dataset = load_dataset(spec_path, min_arm_rows=min_arm_rows)
    if dataset.name != name:
        raise DatasetError(f"{spec_path}: spec name {dataset.name!r} differs from its config entry "
                           f"'studies: name: {name}'; use the same name in both")
    return dataset


def check_studies(studies: list, min_arm_rows: int, path=lambda p: p, overlap=(), sizes=None) -> list:
    """Every configured study, before any job: a user's spec against its data file, a simulator
    spec against its schema (its data do not exist until the workflow simulates them), and the
    covariate sets the overlap analyses (config moments.overlap) name. ``path`` turns a config
    path into a real one. Returns the data's warnings as "study: warning" lines; ``sizes``, a dict,
    gets each study's (rows, covariates, arms)."""
    sets, warnings = {}, []
    sizes = {} if sizes is None else sizes
    for entry in studies:
        if "spec" in entry:
            ds = load_named_study(path(entry["spec"]), entry["name"], min_arm_rows)
            sets[entry["name"]] = (ds.spec_path, set(ds.spec.get("covariate_sets") or {}))
            warnings += [f"{entry['name']}: {w}" for w in ds.warnings]
            sizes[entry["name"]] = (len(ds.frame), len(ds.covariates), len(ds.arms))
        else:
            # the sets of the spec simulate_study will write for it
            sim = load_simulator_spec(path(entry["simulator"]), entry.get("n"))
            spec = dataset_spec(sim, "", "")
            sets[entry["name"]] = (path(entry["simulator"]), set(spec.get("covariate_sets") or {}))
            sizes[entry["name"]] = (int(sim["n"]), len(sim["covariates"]), int(sim["arms"]["count"]))
    for o in overlap:
        where, have = sets[o["study"]]
        if o["covariate_set"] not in have:
            raise DatasetError(f"config key 'moments.overlap': study {o['study']!r} has no covariate set "
                               f"{o['covariate_set']!r} ({where} has: {', '.join(sorted(have)) or 'none'})")
    return warnings


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


def holdout(dataset, split, truth=None):
    """(test mask, arm indices, outcomes, truth rows or None) of the study's 30% holdout."""
    test = (split["set"] == "test").to_numpy()
    arm, y = dataset.arm_indices()[test], dataset.frame[dataset.outcome].to_numpy(float)[test]
    return test, arm, y, None if truth is None else truth[test]


def tlearner_covariates(dataset, covset: str):
    """A T-learner job's covariates (None: all) and half (0: every training row; 1 or 2: a seeded half of
    each arm's, the "<set>_half1" / "_half2" fits of the prediction-error estimates)."""
    base, _, half = covset.rpartition("_half") if re.search(r"_half[12]$", covset) else (covset, "", "0")
    return (None if base == "all" else dataset.covariate_set(base)), int(half)
