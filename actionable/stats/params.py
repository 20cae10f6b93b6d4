"""Checks at the door for the model's parameters: each error names the parameter and its valid range."""

from __future__ import annotations

import math
import numbers

import numpy as np


def _finite(name: str, value) -> np.ndarray:
    arr = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return arr


def check_positive(name: str, value) -> np.ndarray:
    arr = _finite(name, value)
    if np.any(arr <= 0):
        raise ValueError(f"{name} must be > 0 (valid range: (0, inf)), got {value!r}")
    return arr


def check_nonnegative(name: str, value) -> np.ndarray:
    arr = _finite(name, value)
    if np.any(arr < 0):
        raise ValueError(f"{name} must be >= 0 (valid range: [0, inf)), got {value!r}")
    return arr


def check_int(name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_rho(value, m: int) -> np.ndarray:
    """rho must keep the equicorrelated m x m covariance positive definite: (-1/(m-1), 1]."""
    arr = _finite("rho", value)
    lower = -1.0 / (m - 1)
    if np.any(arr <= lower) or np.any(arr > 1):
        raise ValueError(
            f"rho must lie in (-1/(m-1), 1] = ({lower:.6g}, 1] for m = {m} arms, got {value!r}"
        )
    return arr


def check_probability(name: str, value, *, upper_open: bool = True) -> float:
    v = float(_finite(name, value))
    if v < 0 or (v >= 1 if upper_open else v > 1):
        rng = "[0, 1)" if upper_open else "[0, 1]"
        raise ValueError(f"{name} must lie in {rng}, got {value!r}")
    return v


def is_integer_like(x) -> bool:
    return isinstance(x, numbers.Integral) or (isinstance(x, float) and math.isfinite(x) and x.is_integer())
