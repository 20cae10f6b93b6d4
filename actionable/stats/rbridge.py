"""The bridge to R: numpy and pandas to R objects with local converters, R errors as Python ones.

No global activation of converters: inputs are converted explicitly, and R functions are
called outside any converter block, so the objects they return stay R objects (a forest
converted to a Python OrdDict is refused by grf's predict).
"""

from __future__ import annotations

import numpy as np


class RError(RuntimeError):
    """An error raised inside R; the message is R's."""


def _ro():
    from rpy2 import robjects as ro

    return ro


def importr(name: str):
    from rpy2.robjects.packages import importr as _importr

    return _importr(name)


def matrix(x, names=None) -> "object":
    """A numeric R matrix (NaN becomes a missing value), with column ``names`` if given."""
    ro = _ro()
    from rpy2.robjects import numpy2ri
    from rpy2.robjects.conversion import localconverter

    x = np.ascontiguousarray(np.asarray(x, dtype=float))
    if x.ndim != 2:
        raise ValueError(f"matrix() needs a 2-D array, got shape {x.shape}")
    with localconverter(ro.default_converter + numpy2ri.converter):
        out = ro.conversion.get_conversion().py2rpy(x)
    if names is not None:
        out = ro.r["colnames<-"](out, ro.StrVector([str(n) for n in names]))
    return out


def vector(y) -> "object":
    """A numeric R vector (grf refuses a 1-D numpy array converted by numpy2ri)."""
    return _ro().FloatVector(np.asarray(y, dtype=float).tolist())


def factor(index, levels: list) -> "object":
    """An R factor of arm indices 0..m-1 whose levels, in order, are ``levels`` (control first)."""
    ro = _ro()
    index = np.asarray(index, dtype=int)
    labels = ro.StrVector([str(levels[i]) for i in index])
    return ro.r["factor"](labels, levels=ro.StrVector([str(v) for v in levels]))


def to_numpy(obj) -> np.ndarray:
    """A copy of an R vector or matrix: ``np.asarray`` would be a view of R's memory, which R reuses
    once the object is collected (garbage values, not an error)."""
    return np.array(obj)


def call(fn, *args, **kwargs):
    """Call an R function; an R error becomes RError carrying R's message."""
    from rpy2.rinterface_lib.embedded import RRuntimeError

    try:
        return fn(*args, **kwargs)
    except RRuntimeError as exc:
        raise RError(str(exc).strip()) from exc


def r_seed(seed: int) -> int:
    """A seed R accepts: R integers are signed 32-bit, derived seeds use the unsigned range."""
    return int(seed) % 2_147_483_647


def set_seed(seed: int) -> None:
    """R's own RNG (used by policytree and any R-side sampling); grf takes its seed as an argument."""
    _ro().r["set.seed"](r_seed(seed))


def r_function(name: str):
    return _ro().r[name]


def r_eval(code: str):
    """The value of R code (e.g. a small function written in R)."""
    return _ro().r(code)


def capture_print(obj) -> str:
    """What R's print() shows for an object."""
    return "\n".join(r_eval("function(x) capture.output(print(x))")(obj))


def package_version(name: str) -> str:
    return str(_ro().r(f'as.character(packageVersion("{name}"))')[0])
