"""Simulator specs in and out: reading and checking a stand-in's simulator spec, the dataset spec
a researcher would write for the simulated data, and a simulated study written to disk
(observed.csv, truth.npy and their spec)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..stats.simulate import arm_specific_shape
from .config import SCHEMAS, InputError, read_yaml, validate_document
from .io import save_npy, write_csv, write_text


class SimulatorSpecError(InputError):
    """A simulator spec the simulator cannot use; the message names the file and key."""


def spec_digest(spec: dict) -> str:
    """A fingerprint of a simulator spec's content (not its file's comments or layout), so a record
    of a stand-in's outputs can show which stand-in it was made on."""
    return hashlib.sha256(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest()[:16]


def load_simulator_spec(path, n: int | None = None) -> dict:
    """Read and check a simulator spec; ``n`` overrides its number of people (scale switch)."""
    spec = read_yaml(path, SimulatorSpecError)
    validate_document(spec, SCHEMAS / "simulator.schema.yaml", str(path), SimulatorSpecError, "simulator spec")
    arms = spec["arms"]
    m = arms["count"]
    if arms["control"] > m:
        raise SimulatorSpecError(f"{path}: arms.control = {arms['control']} but there are only {m} arms")
    for key in ("probabilities", "texts"):
        if arms.get(key) is not None and len(arms[key]) != m:
            raise SimulatorSpecError(f"{path}: arms.{key} has {len(arms[key])} entries, expected one per arm ({m})")
    het = spec["heterogeneity"]
    if het["nonlinearity"] + het["interactions"] + het.get("rough", 0) > 1:
        total = het["nonlinearity"] + het["interactions"] + het.get("rough", 0)
        raise SimulatorSpecError(f"{path}: heterogeneity.nonlinearity + interactions + rough must be <= 1, "
                                 f"found {total:g}")
    shape = arm_specific_shape(het)
    total = sum(shape[k] for k in ("nonlinearity", "interactions", "rough", "bumps", "cells"))
    if total > 1:
        raise SimulatorSpecError(f"{path}: heterogeneity.arm_specific: nonlinearity + interactions + rough + bumps "
                                 f"+ cells must be <= 1, found {total:g}")
    names = [c["name"] for c in spec["covariates"]]
    for i, rule in enumerate((het.get("segments") or {}).get("arms", [])):
        kinds = {c["name"]: c["type"] for c in spec["covariates"]}
        if kinds.get(rule["covariate"]) not in ("continuous", "binary") or rule["arm"] > m:
            raise SimulatorSpecError(f"{path}: heterogeneity.segments.arms[{i}]: found arm {rule['arm']} and covariate "
                                     f"{rule['covariate']!r}; expected an arm 1..{m} and a continuous or binary covariate")
    unknown = [c for c in shape["covariates"] or [] if c not in names]
    if unknown:
        raise SimulatorSpecError(f"{path}: heterogeneity.arm_specific.covariates names undeclared covariate(s) "
                                 f"{', '.join(map(repr, unknown))}; expected names from covariates")
    if shape["cells"] > 0:
        kinds = {c["name"]: c["type"] for c in spec["covariates"] if shape["covariates"] is None
                 or c["name"] in shape["covariates"]}
        cells = shape["cell_covariates"] or []
        bad = [c for c in cells if kinds.get(c) not in ("binary", "categorical")]
        if not cells or bad:
            raise SimulatorSpecError(
                f"{path}: heterogeneity.arm_specific.cell_covariates: cells = {shape['cells']:g} needs binary or "
                f"categorical covariates among arm_specific.covariates, found {bad or cells or 'none'}")
    need = {"normal": ("mean", "sd"), "lognormal": ("mean", "sd"), "uniform": ("min", "max")}
    for c in spec["covariates"]:
        if c["type"] == "continuous":
            missing = [k for k in need[c.get("dist", "normal")] if k not in c]
        elif c["type"] == "binary":
            missing = [k for k in ("p",) if k not in c]
        else:
            missing = [k for k in ("levels",) if k not in c]
            if c.get("probs") and len(c["probs"]) != len(c.get("levels", [])):
                raise SimulatorSpecError(f"{path}: covariate {c['name']}: probs must match levels")
        if missing:
            raise SimulatorSpecError(f"{path}: covariate {c['name']} ({c['type']}) needs {', '.join(missing)}")
    for c in spec.get("shared_covariates") or []:
        if c not in names:
            raise SimulatorSpecError(f"{path}: shared_covariates names undeclared covariate {c!r}")
    if spec["outcome"]["type"] == "continuous" and "noise_sd" not in spec["outcome"]:
        raise SimulatorSpecError(f"{path}: outcome.noise_sd is required for a continuous outcome")
    if n is not None:
        spec["n"] = int(n)
    spec["arms"]["control_index"] = arms["control"] - 1
    return spec


def dataset_spec(spec: dict, data_path: str, truth_path: str) -> dict:
    """The dataset spec of a simulated study: what a researcher would write for its data file."""
    arms = spec["arms"]
    out = dict(
        name=spec["name"],
        description=f"synthetic stand-in simulated from {spec['name']}'s simulator spec (seed {spec['seed']})",
        data=data_path,
        id="person_id",
        outcome=dict(column=spec["outcome"].get("column", "y"), type=spec["outcome"]["type"]),
        arm=dict(column=arms.get("column", "arm"), control=arms["control"]),
        covariates=[dict(name=c["name"], type=c["type"]) for c in spec["covariates"]],
        assignment=dict(probabilities="equal" if not arms.get("probabilities") else
                        {i + 1: p / sum(arms["probabilities"]) for i, p in enumerate(arms["probabilities"])}),
        truth=truth_path,
    )
    if arms.get("texts"):
        out["arm"]["labels"] = {i + 1: t for i, t in enumerate(arms["texts"])}
    if spec.get("shared_covariates"):
        out["covariate_sets"] = {"shared": list(spec["shared_covariates"])}
    if spec.get("display"):
        out["display"] = dict(spec["display"])
    return out


def write_study(sim, spec: dict, folder) -> None:
    """A simulated study as the workflow stores it in ``folder``: observed.csv, truth.npy (float32)
    with its arm order in truth.arms.yaml, and spec.yaml, the dataset spec naming both."""
    folder = Path(folder)
    write_csv(observed_for_csv(sim.observed, spec["covariates"]), folder / "observed.csv")
    save_npy(sim.truth.astype(np.float32), folder / "truth.npy")
    write_text(yaml.safe_dump([str(a) for a in sim.arms]), folder / "truth.arms.yaml")
    write_text(yaml.safe_dump(dataset_spec(spec, "observed.csv", "truth.npy"), sort_keys=False), folder / "spec.yaml")


def observed_for_csv(frame: pd.DataFrame, covariates: list) -> pd.DataFrame:
    """Binary covariates as integers (nullable where values are missing) for a clean CSV."""
    out = frame.copy()
    for c in covariates:
        if c["type"] == "binary":
            out[c["name"]] = out[c["name"]].astype("Int8" if out[c["name"]].isna().any() else np.int8)
    return out
