"""Does a run match a recorded one? Every table of the record against the run's, cell by cell:
exact where the value depends on the data and numpy alone, within stated tolerances where it
depends on the fitted learners, whose trees change across machines and versions.

    actionable compare RESULTS_DIR RECORD_DIR      (exit 0: every cell within its tolerance; 1: not)

A record (e.g. benchmarks/results/default_run/) holds table4.csv and moments.csv as a run writes
them under results/tables/, and macf_shares.csv (``macf_shares``: each forest policy's share of the
holdout per arm, Figure 9's bars).

What drifts, and why (docs/validation.md, "Checking your run"):
- the causal forest (MACF and PT-CF rows, Figure 9's shares, the forest's moments): grf grows its
  trees from the seed, but the same seed gives other trees on another machine or grf version;
- XGBoost (S-XGB and T-XGB rows, the moments from T-XGB's predictions, Our Model): other trees with
  another XGBoost version; one version on one machine repeats itself;
- BLAS and numpy's summation order move the last digits of anything else, hence a relative
  tolerance of 1e-9 where the value is otherwise machine-stable.
"""

from __future__ import annotations

import argparse
import math
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["compare", "compare_tables", "macf_shares", "write_record", "main", "Cell"]

EXACT_RTOL = 1e-9
SE_SHARE = 0.5  # a learner-dependent value may move by half its own recorded SE
RELATIVE = 0.05  # ... or, without an SE, by 5% (and 1e-4 absolute)
SHARE_TOL = 0.01  # a forest policy's share of people on an arm

STABLE_POLICIES = {"Best Uniform", "OLS"}  # numpy on the data alone (the best training arm; least squares)
TABLE4_SE = {"ipw": "ipw_se", "gain": "gain_se", "hajek": "hajek_se", "hajek_gain": "hajek_gain_se",
             "aipw": "ipw_se", "oracle": "ipw_se"}
# moments.csv: values of the data, the truth, the config and the paper (machine-stable)
MOMENTS_STABLE = {"m", "n_test", "binary", "best_arm_mean", "s", "s_corrected", "s_holdout", "true_sigma", "true_rho",
                  "true_s", "our_model_n", "our_model_uniform", "paper_sigma", "paper_rho", "paper_s",
                  "paper_sigma_shared", "paper_our_model_pp", "overlap_covariates", "paper_study"}
MOMENTS_SE = {"corrected_sigma": "corrected_sigma_se", "corrected_rho": "corrected_rho_se",
              "sigma_eps_noise_corrected": "sigma_eps_noise_corrected_se",
              "sigma_eps_split_half": "sigma_eps_split_half_se", "sigma_eps_arm_specific": "sigma_eps_arm_specific_se",
              "forest_sigma_eps_noise_corrected": "forest_sigma_eps_noise_corrected_se",
              "forest_sigma_eps_arm_specific": "forest_sigma_eps_arm_specific_se",
              "our_model_gain": "our_model_se"}
FILES = {"table4.csv": ("tables/table4.csv", ["study", "policy"]),
         "moments.csv": ("tables/moments.csv", ["study"]),
         "macf_shares.csv": (None, ["study", "arm_index"])}


@dataclass
class Cell:
    file: str
    row: str
    column: str
    run: object
    record: object
    allowed: str  # the tolerance in words
    ok: bool


def macf_shares(results: str | Path, studies) -> pd.DataFrame:
    """Each study's forest policy (argmax of tau-hat): its share of the holdout per arm."""
    rows = []
    for study in studies:
        tau = np.load(Path(results) / "forests" / study / "macf" / "tau.npy")
        share = np.bincount(tau.argmax(axis=1), minlength=tau.shape[1]) / len(tau)
        rows += [dict(study=study, arm_index=a, share=float(v)) for a, v in enumerate(share)]
    return pd.DataFrame(rows)


def write_record(results: str | Path, out: str | Path) -> list:
    """A record of a run, as ``compare`` reads it: its table4.csv and moments.csv, and the forest
    policies' shares (``macf_shares``); returns the studies."""
    results, out = Path(results), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for name in ("table4.csv", "moments.csv"):
        shutil.copy(results / "tables" / name, out / name)
    studies = list(pd.read_csv(results / "tables" / "table4.csv")["study"].unique())
    macf_shares(results, studies).to_csv(out / "macf_shares.csv", index=False)
    return studies


def _number(v) -> float | None:
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x


def _rule(file: str, key: tuple, column: str, record: pd.Series) -> tuple[str, float | None, str]:
    """(kind, allowed absolute difference or None, the reason in words) of one cell."""
    if file == "macf_shares.csv":
        return "tolerance", SHARE_TOL, f"within {SHARE_TOL:g} (the forest's trees)"
    if file == "table4.csv":
        stable = key[1] in STABLE_POLICIES or column in ("best_uniform_arm", "study", "policy")
        if stable:
            return "exact", None, "exact (the data and numpy alone)"
        if column in ("warning",):
            return "ignored", None, "a warning may come or go with the learners' drift"
        se = TABLE4_SE.get(column) or ("ipw_se" if column == "our_model_gain" else None)
        why = "the forest's trees" if key[1] in ("MACF", "PT-CF") else "XGBoost's trees"
    else:
        if column in MOMENTS_STABLE or column == "study":
            return "exact", None, "exact (the data, the truth, the config or the paper)"
        if column in ("model_warnings", "extension_sigma_eps_estimator"):
            return "ignored", None, "words that follow the learners' estimates"
        se = MOMENTS_SE.get(column)
        why = "the forest's trees" if column.startswith("forest_") else "XGBoost's trees (T-XGB's predictions)"
    if se and _number(record.get(se)) and math.isfinite(float(record[se])):
        return "tolerance", SE_SHARE * float(record[se]), f"within {SE_SHARE:g} recorded SE ({why})"
    return "relative", None, f"within {RELATIVE:.0%} relative or 1e-4 ({why})"


def _same(kind: str, tol, run, rec) -> bool:
    a, b = _number(run), _number(rec)
    if a is None or b is None:  # words: equal, or both empty
        return str(run) == str(rec)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    diff = abs(a - b)
    if kind == "exact":
        return diff <= EXACT_RTOL * max(abs(a), abs(b))
    if kind == "tolerance":
        return diff <= tol + EXACT_RTOL * abs(b)
    return diff <= max(RELATIVE * abs(b), 1e-4)


def compare_tables(file: str, run: pd.DataFrame, record: pd.DataFrame, keys: list) -> list[Cell]:
    """Every cell of ``record`` against ``run``'s cell with the same keys and column."""
    cells = []
    run_rows = {tuple(r[k] for k in keys): r for _, r in run.iterrows()}
    for _, rec in record.iterrows():
        key = tuple(rec[k] for k in keys)
        name = ", ".join(map(str, key))
        mine = run_rows.get(key)
        if mine is None:
            cells.append(Cell(file, name, "(row)", "missing", "present", "the row must exist", False))
            continue
        for column in record.columns:
            if column in keys:
                continue
            if column not in run.columns:
                cells.append(Cell(file, name, column, "missing", rec[column], "the column must exist", False))
                continue
            kind, tol, why = _rule(file, key, column, rec)
            ok = True if kind == "ignored" else _same(kind, tol, mine[column], rec[column])
            allowed = why if tol is None else f"{why}: ±{tol:.3g}"
            cells.append(Cell(file, name, column, mine[column], rec[column], allowed, ok))
    return cells


def compare(results: str | Path, record: str | Path) -> list[Cell]:
    """Every table the record holds against the run in ``results``."""
    results, record = Path(results), Path(record)
    cells = []
    for name, (path, keys) in FILES.items():
        if not (record / name).exists():
            continue
        rec = pd.read_csv(record / name, keep_default_na=False, na_values=[""])
        if path is None:
            run = macf_shares(results, rec["study"].unique())
        else:
            if not (results / path).exists():
                cells.append(Cell(name, "(file)", "", "missing", str(record / name), f"{results / path} must exist", False))
                continue
            run = pd.read_csv(results / path, keep_default_na=False, na_values=[""])
        cells += compare_tables(name, run, rec, keys)
    return cells


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="actionable compare", description=__doc__.split("\n")[0])
    p.add_argument("results", help="the run's results folder")
    p.add_argument("record", help="the record's folder (e.g. benchmarks/results/default_run)")
    args = p.parse_args(argv)
    try:
        cells = compare(args.results, args.record)
    except (OSError, KeyError, ValueError) as exc:
        print(f"actionable compare: error: {exc}", file=sys.stderr)
        return 2
    if not cells:
        print(f"actionable compare: error: {args.record} holds none of {', '.join(FILES)}", file=sys.stderr)
        return 2
    bad = [c for c in cells if not c.ok]
    for file in dict.fromkeys(c.file for c in cells):
        mine = [c for c in cells if c.file == file]
        exact = sum(1 for c in mine if c.allowed.startswith("exact"))
        print(f"{file}: {len(mine)} cells, {exact} exact, {len(mine) - exact} within tolerances; "
              f"{sum(1 for c in mine if not c.ok)} outside")
    for c in bad:
        print(f"  OUTSIDE  {c.file} [{c.row}] {c.column}: run {c.run}, record {c.record} ({c.allowed})")
    print("the run matches the record" if not bad else f"{len(bad)} cell(s) outside their tolerance")
    return 1 if bad else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
