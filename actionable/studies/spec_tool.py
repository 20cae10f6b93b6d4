"""A researcher's first step: draft a dataset spec from a data file, and check a spec against its data.

    actionable spec init DATA --outcome COL --arm COL [--control LABEL] [-o SPEC]
    actionable spec check SPEC

``draft`` infers each column's type from its values (0/1 -> binary, other numbers -> continuous,
text -> categorical), takes a column with a different whole number or text in every row as the
id (not a covariate), notes missing shares, leaves out what the analysis cannot use (constant
columns, other ids, free text) with the reason as a comment, and asks for the observed arm shares
("probabilities: estimate") because only the researcher knows the design. The draft is checked as
``spec check`` checks it before it is written. ``summary`` validates a
spec exactly as the workflow does (``datasets.load_dataset``) and describes what it found.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from .datasets import OTHERS, DatasetError, _labels, _natural_key, _plain, arm_order, load_dataset, read_columns

ID_NAME = re.compile(r"(^|[_\W])(id|uuid|key)$|^id[_\W]", re.I)
MAX_TEXT_SHARE = 0.5  # a text column with a level for more than half the rows is an id or free text
MANY_LEVELS = 50
MIN_ID_ROWS = 20  # fewer rows are too few to tell an id from a covariate with distinct values


def _q(value) -> str:
    """A YAML scalar that reads back as the same string (JSON strings are valid YAML)."""
    return json.dumps(str(value))


def _is_binary(col: pd.Series) -> bool:
    vals = col.dropna()
    if pd.api.types.is_bool_dtype(vals):
        return True
    return pd.api.types.is_numeric_dtype(vals) and set(pd.unique(vals)) <= {0, 1}


def column_type(col: pd.Series) -> tuple[str | None, str]:
    """(type, reason): 'binary', 'continuous' or 'categorical', or None with why it is left out."""
    vals = col.dropna()
    if vals.nunique() < 2:
        return None, f"constant ({vals.nunique()} distinct non-missing value)"
    if _is_binary(col):
        return "binary", ""
    if pd.api.types.is_numeric_dtype(vals):
        return "continuous", ""
    levels = vals.nunique()
    if levels > MAX_TEXT_SHARE * len(col):
        return None, f"text with {levels:,} distinct values in {len(col):,} rows (an id or free text)"
    note = f"{levels:,} levels: merge rare ones before the OLS can use it" if levels > MANY_LEVELS else ""
    return "categorical", note


def guess_control(labels) -> tuple[str, bool]:
    """The label that names control, else the first in natural order; True when it is a guess."""
    named = [a for a in labels if re.search(r"control|placebo|baseline|status.?quo", a, re.I)]
    if len(named) == 1:
        return named[0], False
    return sorted(labels, key=_natural_key)[0], True


def id_reason(col: pd.Series) -> str | None:
    """Why a column looks like an identifier (no missing value, a different whole number or code
    without spaces in every row), else None. An id among the covariates is noise for every learner, and a leak
    of enrolment time where ids follow it."""
    if len(col) < MIN_ID_ROWS or col.isna().any() or not col.is_unique or pd.api.types.is_bool_dtype(col):
        return None
    if pd.api.types.is_numeric_dtype(col):
        values = col.to_numpy(float)
        if not np.all(np.isfinite(values)) or not np.all(values == np.round(values)):
            return None
        order = ("increasing" if col.is_monotonic_increasing else
                 "decreasing" if col.is_monotonic_decreasing else "in no order")
        return f"a different whole number in every row ({_plain(col.min())}..{_plain(col.max())}, {order})"
    if col.astype(str).str.contains(r"\s").any():  # words: free text, not a code
        return None
    return f"a different value in every row (e.g. {str(col.iloc[0])!r})"


def _pick_id(frame: pd.DataFrame, skip: tuple) -> tuple[str | None, str, dict]:
    """(id column, why, {other id-like column: why}): an id-like column whose name says id first."""
    like = {c: why for c in frame.columns if c not in skip and (why := id_reason(frame[c]))}
    named = [c for c in like if ID_NAME.search(str(c))]
    chosen = (named or list(like) or [None])[0]
    return chosen, like.pop(chosen, ""), like


def _render(head: list, covariates: list, tail: list, left_out: list) -> str:
    lines = head + ["covariates:"] + [line for _, line in covariates] + tail
    if left_out:
        lines += ["# Columns left out:", *left_out]
    return "\n".join(lines) + "\n"


def _checked(head: list, covariates: list, tail: list, left_out: list, out: Path) -> str:
    """The draft as ``spec check`` will see it: a covariate the check refuses is moved to the
    columns left out with the check's reason; any other refusal is raised, so no draft is written
    that the check would reject."""
    folder = Path(out).resolve().parent
    text = _render(head, covariates, tail, left_out)
    while True:
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", dir=folder, delete=False) as fh:
            fh.write(text)
        try:
            load_dataset(fh.name)
            return text
        except DatasetError as exc:
            message = str(exc).replace(fh.name, str(out))
            culprit = next((c for c, _ in covariates if f"covariate {c!r}" in message), None)
            if culprit is None:
                raise DatasetError(f"the data cannot be analysed as they are: {message}") from None
            covariates = [(c, line) for c, line in covariates if c != culprit]
            reason = message.split(": ", 1)[-1]  # the message without the file's path
            left_out = left_out + [f"#   {culprit}: refused by spec check: {reason}"]
            if not covariates:
                raise DatasetError(f"{message} (no other column can serve as a covariate)") from None
            text = _render(head, covariates, tail, left_out)
        finally:
            os.unlink(fh.name)


def draft(data: str | Path, outcome: str, arm: str, out: str | Path, control: str | None = None,
          name: str | None = None, id_column: str | None = None, fmt: str | None = None) -> str:
    """The text of a draft spec for ``data`` to be written at ``out`` (paths in it relative to
    ``out``), checked as ``spec check`` would check it."""
    data = Path(data)
    frame = read_columns(data, fmt, None, data)
    for role, col in (("outcome", outcome), ("arm", arm), ("id", id_column)):
        if col is not None and col not in frame.columns:
            raise DatasetError(f"{data}: no column {col!r} for the {role}; the file has: {', '.join(map(str, frame.columns))}")
    y = frame[outcome]
    if not pd.api.types.is_numeric_dtype(y):
        raise DatasetError(f"{data}: outcome column {outcome!r} is not numeric (e.g. {_plain(y.dropna().iloc[0])!r})")
    counts = _labels(frame[arm].dropna()).value_counts()
    labels = sorted(counts.index)
    if control is None:
        control, guessed = guess_control(labels)
    else:
        guessed = False
        if str(control) not in labels:
            raise DatasetError(f"{data}: control {control!r} is not a value of column {arm!r}; "
                               f"it has: {', '.join(labels[:30])}")
    id_why, other_ids = "", {}
    if id_column is None:
        id_column, id_why, other_ids = _pick_id(frame, (outcome, arm))
    name = name or re.sub(r"^[^A-Za-z]+", "", re.sub(r"\W+", "_", data.name.split(".")[0])) or "study"
    n = len(frame)
    rel = os.path.relpath(data.resolve(), Path(out).resolve().parent)
    head = [
        f"# Draft spec written by `actionable spec init` from {data.name} ({n:,} rows, {frame.shape[1]} columns).",
        "# Check every line, above all the control arm and the assignment probabilities, then run",
        f"#   actionable spec check {Path(out).name}",
        f"name: {name}",
        f"data: {_q(rel)}",
    ]
    if id_column:
        head.append(f"id: {_q(id_column)}" + (f"    # {id_why}: an identifier, not a covariate" if id_why else ""))
    ytype = "binary" if _is_binary(y) else "continuous"
    head += [f"outcome: {{column: {_q(outcome)}, type: {ytype}}}",
             "arm:",
             f"  column: {_q(arm)}",
             f"  control: {_q(control)}" + ("    # CHECK: guessed (no label names control)" if guessed else "")]
    covariates, left_out = [], []
    for c in frame.columns:
        if c in (outcome, arm, id_column):
            continue
        kind, why = column_type(frame[c])
        if c in other_ids:
            kind, why = None, f"{other_ids[c]}: another identifier? (add it back if it is a covariate)"
        if kind is None:
            left_out.append(f"#   {c}: {why}")
            continue
        miss = frame[c].isna().mean()
        notes = [f"{miss:.1%} missing"] if miss > 0 else []
        notes += [why] if why else []
        covariates.append((c, f"  - {{name: {_q(c)}, type: {kind}}}" + (f"    # {'; '.join(notes)}" if notes else "")))
    if not covariates:
        raise DatasetError(f"{data}: no column besides the outcome, arm and id can serve as a covariate")
    order = arm_order(counts.index, str(control))
    tail = ["assignment:",
            "  # 'estimate' takes the observed arm shares. If you know the design, give it instead: numbers,",
            "  # exact fractions or 'others: equal' for the arms not named, e.g.",
            f"  #   probabilities: {{{_q(order[0])}: \"1/4\", {OTHERS}: equal}}",
            "  # (observed shares: " + ", ".join(f"{a} {counts[a] / n:.3f}" for a in order[:6])
            + (", ..." if len(order) > 6 else "") + ")",
            "  probabilities: estimate"]
    return _checked(head, covariates, tail, left_out, out)


def _design(ds) -> str:
    asg = ds.spec["assignment"]
    if ds.design == "columns":
        return "probabilities per row from the data's probability columns; shown: their mean"
    how = asg["probabilities"] if isinstance(asg["probabilities"], str) else "declared"
    if ds.design == "blocks":
        blocks = ds.frame[asg["block"]].nunique()
        return f"randomized within {blocks} blocks of {asg['block']!r}, probabilities {how} per block; shown: their mean"
    return f"probabilities: {how}"


def summary(spec_path: str | Path, min_arm_rows: int = 1) -> str:
    """What the workflow will see: rows, arms with counts, shares and probabilities, covariates
    with type, levels and missing share, and the warnings; DatasetError when the spec or data is bad."""
    ds = load_dataset(spec_path, min_arm_rows)
    f, n = ds.frame, len(ds.frame)
    y = f[ds.outcome]
    out = [f"spec OK: {spec_path}",
           f"  study {ds.name!r}: {n:,} rows from {ds.data_path}",
           f"  outcome {ds.outcome!r} ({ds.spec['outcome']['type']}): mean {y.mean():.4g}, SD {y.std(ddof=1):.4g}"
           + ("" if ds.binary else f", range [{y.min():.4g}, {y.max():.4g}]"),
           f"  arms ({len(ds.arms)}; control {ds.control!r}; {_design(ds)}):"]
    counts = f[ds.arm_column].value_counts()
    width = max(len(a) for a in ds.arms)
    for a in ds.arms:
        out.append(f"    {a:<{width}}  {int(counts[a]):>9,} rows  share {counts[a] / n:.3f}  probability {ds.propensity[a]:.3f}"
                   f"  mean outcome {y[f[ds.arm_column] == a].mean():.4g}")
    out.append(f"  covariates ({len(ds.covariates)}):")
    width = max(len(c["name"]) for c in ds.covariates)
    for c in ds.covariates:
        col = f[c["name"]]
        detail = (f"{col.nunique():,} levels" if c["type"] == "categorical" else
                  f"mean {col.mean():.4g}" if c["type"] == "binary" else f"mean {col.mean():.4g}, SD {col.std():.4g}")
        out.append(f"    {c['name']:<{width}}  {c['type']:<11}  {col.isna().mean():6.1%} missing  {detail}")
    out.append("  warnings:" if ds.warnings else "  no warnings")
    out += [f"    - {w}" for w in ds.warnings]
    return "\n".join(out)

