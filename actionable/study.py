"""Loading a validated study and its split in a workflow step (shared by the scripts)."""

from __future__ import annotations

import pandas as pd

from .datasets import load_dataset


def load_study(spec_path, split_path, min_arm_rows: int):
    """The study's Dataset and its 70/30 split, rows in the data file's order."""
    dataset = load_dataset(spec_path, min_arm_rows=min_arm_rows)
    split = pd.read_csv(split_path)
    if len(split) != len(dataset.frame):
        raise ValueError(f"{split_path}: {len(split)} rows, but {dataset.data_path} has {len(dataset.frame)}; rerun split_study")
    return dataset, split
