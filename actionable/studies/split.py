"""The 70/30 training/holdout split, stratified by arm and seeded."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .datasets import Dataset, DatasetError


def stratified_split(dataset: Dataset, train_share: float, seed: int) -> pd.DataFrame:
    """One row per person: row (position in the data file), id, arm, set in {train, test}.

    Within each arm a fixed share goes to training (rounded), so every arm's share is within
    half a person of ``train_share``; the permutation is drawn from ``seed`` arm by arm in the
    dataset's arm order.
    """
    if not 0 < train_share < 1:
        raise ValueError(f"train_share must lie in (0, 1), got {train_share!r}")
    arms = dataset.frame[dataset.arm_column].to_numpy()
    rng = np.random.default_rng(seed)
    is_train = np.zeros(len(arms), dtype=bool)
    for a in dataset.arms:
        rows = np.flatnonzero(arms == a)
        k = int(round(train_share * len(rows)))
        if k < 1 or len(rows) - k < 1:
            raise DatasetError(
                f"{dataset.data_path}: study too small to split: arm {a!r} has {len(rows)} row(s), "
                f"a {train_share:.0%}/{1 - train_share:.0%} split needs at least one person on each side"
            )
        is_train[rng.permutation(rows)[:k]] = True
    out = pd.DataFrame({"row": np.arange(len(arms)), "arm": arms,
                        "set": np.where(is_train, "train", "test")})
    if dataset.spec.get("id"):
        out.insert(1, "id", dataset.frame[dataset.spec["id"]].to_numpy())
    return out
