"""Acting on a study's answer: which arm each holdout person gets under every Table 4 policy, the
depth-2 policy tree (PT-CF) as readable rules, and the fitted policies applied to new people.

    actionable policy export --study NAME [--method M] [--results results] [-o FILE.csv]
    actionable policy apply --study NAME --data new.csv [--method PT-CF|MACF] [-o FILE.csv]

The tree's record (``rules.json``) carries what applying it needs: the covariates as the spec
declares them, the id column, the arms, the categorical levels seen in training, the cut points
of the binned continuous covariates and the training medians that stand in for missing values.
New people pass the same checks as the study's data (``datasets.check_covariate``,
``datasets.check_ids``), plus one a fitted policy needs: no category the training data lacked.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from ..paper.table4 import table4_policies
from ..stats import forests, policy_search
from ..stats.features import FeatureEncoder
from ..stats.policy_tree import apply_bins
from ..studies import forest_files
from ..studies.datasets import DatasetError, check_covariate, check_ids, read_columns

METHODS = ("PT-CF", "MACF")


# --------------------------------------------------------------------------- the tree's record
def _owner(feature: str, covariates: list) -> dict:
    return next(c for c in covariates if feature == c["name"] or feature.startswith(c["name"] + "="))


def _conditions(feature: str, value: float, cov: dict, edges) -> tuple[str, str]:
    """(left, right) in words: left is x <= value on the binned covariate, which for a cut point is
    x <= value on the covariate itself."""
    name = cov["name"]
    if cov["type"] == "categorical":
        level = feature.split("=", 1)[1]
        return f"{name} is not {level}", f"{name} is {level}"
    if cov["type"] == "binary" and 0 <= value < 1:
        return f"{name} = 0", f"{name} = 1"
    if edges is not None and value > edges[-1]:
        return f"any {name}", f"{name} above every value (none)"
    return f"{name} ≤ {value:.6g}", f"{name} > {value:.6g}"


def _node(tree: policy_search.Tree, x: np.ndarray, names: list, covariates: list, arms: list, edges: list) -> dict:
    if tree.action is not None:
        return dict(arm=arms[tree.action], training_rows=int(len(x)))
    cov = _owner(names[tree.feature], covariates)
    left, right = _conditions(names[tree.feature], tree.value, cov, edges[tree.feature])
    go_left = x[:, tree.feature] <= tree.value
    return dict(feature=names[tree.feature], covariate=cov["name"], value=float(tree.value), left_if=left, right_if=right,
                left=_node(tree.left, x[go_left], names, covariates, arms, edges),
                right=_node(tree.right, x[~go_left], names, covariates, arms, edges))


def tree_record(fit: dict, x_train: np.ndarray, encoder: FeatureEncoder, dataset, settings: dict) -> dict:
    """rules.json: the fitted tree (``policy_tree.fit``'s output) with conditions in words, and what
    applying it to new people needs. ``x_train``: the encoded training rows it was fit on."""
    xb = apply_bins(x_train[fit["rows"]], fit["edges"], fit["fill"])
    return dict(
        study=dataset.name, method="PT-CF", implementation=fit["implementation"], depth=settings["depth"],
        bins=settings["bins"], training_rows=int(len(fit["rows"])), id=dataset.spec.get("id"),
        covariates=[dict(name=c["name"], type=c["type"]) for c in dataset.covariates], arms=list(dataset.arms),
        arm_labels=dict(dataset.arm_labels), features=list(encoder.names), levels=encoder.levels,
        edges=[None if e is None else [float(v) for v in e] for e in fit["edges"]],
        fill=[float(v) for v in fit["fill"]],
        tree=_node(fit["rules"], xb, encoder.names, dataset.covariates, dataset.arms, fit["edges"]))


def _tree(node: dict, features: list, arms: list) -> policy_search.Tree:
    """The record's tree as a ``policy_search.Tree`` on the encoded features, actions as arm indices."""
    if "arm" in node:
        return policy_search.Tree(reward=float("nan"), action=arms.index(node["arm"]))
    return policy_search.Tree(reward=float("nan"), feature=features.index(node["feature"]), value=node["value"],
                              left=_tree(node["left"], features, arms), right=_tree(node["right"], features, arms))


def _leaves(node: dict, path=()):
    if "arm" in node:
        yield path, node
        return
    yield from _leaves(node["left"], path + (node["left_if"],))
    yield from _leaves(node["right"], path + (node["right_if"],))


def rules_markdown(record: dict) -> str:
    """The tree as one row per leaf: the conditions that lead there, the arm, the training people."""
    rows = [f"**The policy tree (PT-CF) of {record['study']}: depth {record['depth']}, fit on "
            f"{record['training_rows']:,} training people ({record['implementation']})**", "",
            "| who | arm | training people sent there |", "|---|---|---|"]
    labels = record.get("arm_labels") or {}
    for path, leaf in _leaves(record["tree"]):
        arm = leaf["arm"] + (f" ({labels[leaf['arm']]})" if leaf["arm"] in labels else "")
        rows.append(f"| {' and '.join(path) or 'everyone'} | {arm} | {leaf['training_rows']:,} |")
    used = {n["feature"] for n in _splits(record["tree"])}
    fills = [f"{f} counts as {v:.6g}" for f, v in zip(record["features"], record["fill"])
             if f in used and "=" not in f]
    if fills:
        rows += ["", "A missing value takes the training median: " + "; ".join(fills) + "."]
    rows += ["", "A missing category counts as none of the levels; a category the training data did not have is "
             "refused when the policy is applied."]
    return "\n".join(rows) + "\n"


def _splits(node: dict):
    if "arm" not in node:
        yield node
        yield from _splits(node["left"])
        yield from _splits(node["right"])


# --------------------------------------------------------------------------- export
def ids(dataset, rows: np.ndarray) -> np.ndarray:
    """The id of each row selected by the mask ``rows``: the spec's id column, else the 1-based row
    of the data file."""
    if dataset.spec.get("id"):
        return dataset.frame[dataset.spec["id"]].to_numpy()[rows]
    return np.flatnonzero(rows) + 1


def assignments(dataset, split: pd.DataFrame, rates: pd.DataFrame, predictions: dict) -> pd.DataFrame:
    """Every holdout person's arm under every Table 4 policy (long: id, method, arm), from the same
    predictions and the same ``table4_policies`` the evaluation uses."""
    test = (split["set"] == "test").to_numpy()
    best = dataset.arms.index(rates.loc[rates["mean"].idxmax(), "arm"])
    policies = table4_policies(best, int(test.sum()), *(predictions[k] for k in ("ols", "sxgb", "txgb", "tau", "pt")))
    person = ids(dataset, test)
    id_name = dataset.spec.get("id") or "row"
    arms = np.asarray(dataset.arms, dtype=object)
    return pd.concat([pd.DataFrame({id_name: person, "method": method, "arm": arms[policy]})
                      for method, policy in policies.items()], ignore_index=True)


# --------------------------------------------------------------------------- apply
def read_people(record: dict, data: str | Path, fmt: str | None = None) -> pd.DataFrame:
    """New people's covariates (and id), checked as the study's data were: every declared covariate
    present with its type, ids unique, and no category the training data did not have."""
    data = Path(data)
    columns = ([record["id"]] if record.get("id") else []) + [c["name"] for c in record["covariates"]]
    frame = read_columns(data, fmt, columns, data)
    where = str(data)
    if frame.empty:
        raise DatasetError(f"{where}: has column names but no data rows")
    if record.get("id"):
        check_ids(frame, record["id"], where)
    for cov in record["covariates"]:
        check_covariate(frame, cov, where, constant_ok=True)
        if cov["type"] == "categorical":
            known = set(record["levels"][cov["name"]])
            unseen = sorted({v for v in frame[cov["name"]].dropna() if v not in known})
            if unseen:
                rows = int(frame[cov["name"]].isin(unseen).sum())
                raise DatasetError(f"{where}: covariate {cov['name']!r} has {len(unseen)} categor"
                                   f"{'y' if len(unseen) == 1 else 'ies'} the study's training data did not have "
                                   f"({', '.join(map(repr, unseen[:5]))}; {rows} row(s)); the fitted policies know "
                                   f"only: {', '.join(map(repr, sorted(known)))}")
    return frame


def _encoder(record: dict) -> FeatureEncoder:
    return FeatureEncoder(record["covariates"], levels=record["levels"], names=record["features"])


def apply_tree(record: dict, frame: pd.DataFrame) -> tuple[np.ndarray, list]:
    """(arm index per person, notes): the tree on the training bins, a missing value at the training
    median (each such use counted in the notes)."""
    x = _encoder(record).transform(frame)
    edges = [None if e is None else np.asarray(e) for e in record["edges"]]
    fill = np.asarray(record["fill"])
    used = {n["feature"] for n in _splits(record["tree"])}
    notes = [f"{int(np.isnan(x[:, j]).sum())} person(s) without {f}: placed at the training median {fill[j]:.6g}"
             for j, f in enumerate(record["features"]) if f in used and np.isnan(x[:, j]).any()]
    tree = _tree(record["tree"], record["features"], record["arms"])
    return tree.predict(apply_bins(x, edges, fill)), notes


def apply_forest(record: dict, frame: pd.DataFrame, chunks: list, threads: int = 1) -> np.ndarray:
    """The forest's policy (argmax of tau-hat, control 0) for new people, from the saved chunks."""
    missing = [str(c) for c in chunks if not Path(c).exists()]
    if not chunks or missing:
        raise DatasetError(f"the forest of {record['study']} was not kept ({', '.join(missing[:2]) or 'no chunks'} "
                           "missing; forests.temp_chunks deletes them after the merge): apply PT-CF, or rerun "
                           "fit_macf with forests.temp_chunks: false")
    forest = forest_files.merge_files(chunks, threads, oob=False)
    return np.argmax(forests.predict_tau(forest, _encoder(record).transform(frame), threads), axis=1)


def apply(record: dict, data: str | Path, method: str = "PT-CF", chunks: list | None = None,
          threads: int = 1) -> tuple[pd.DataFrame, list]:
    """(id, method, arm) for every person of ``data`` and the notes, or DatasetError before anything
    is computed when the file does not pass the checks."""
    if method not in METHODS:
        raise DatasetError(f"--method {method!r}: expected one of {', '.join(METHODS)}")
    frame = read_people(record, data)
    if method == "PT-CF":
        arm, notes = apply_tree(record, frame)
    else:
        arm, notes = apply_forest(record, frame, chunks or [], threads), []
    id_name = record.get("id") or "row"
    person = frame[id_name].to_numpy() if record.get("id") else np.arange(1, len(frame) + 1)
    labels = np.asarray(record["arms"], dtype=object)
    return pd.DataFrame({id_name: person, "method": method, "arm": labels[arm]}), notes


def load_record(results: str | Path, study: str) -> dict:
    path = Path(results) / "policies" / study / "rules.json"
    if not path.exists():
        raise DatasetError(f"{path} does not exist: run the workflow for study {study!r} first (its "
                           f"results/policies/{study}/ holds the fitted tree's rules)")
    return json.loads(path.read_text())


def forest_chunks(results: str | Path, study: str) -> list:
    info = json.loads((Path(results) / "forests" / study / "macf" / "info.json").read_text())
    return [Path(results) / "forests" / study / "macf" / "chunks" / f"macf{i}.rds" for i in range(info["chunks"])]


__all__ = ["METHODS", "tree_record", "rules_markdown", "assignments", "read_people", "apply_tree", "apply_forest",
           "apply", "load_record", "forest_chunks", "ids"]
