"""actionable compare: a run against a record, exact where machine-stable, within stated tolerances
where the learners drift; it must fail, naming the cell, when one value moves beyond its tolerance."""
import shutil

import pandas as pd
import pytest

from actionable.app import compare
from actionable.app.cli import main
from conftest import ROOT

RECORD = ROOT / "benchmarks" / "results" / "default_run"


def as_run(tmp_path, table4=None, moments=None):
    """A results folder holding the record's tables (optionally edited) and a record without the
    forest's shares (those need the run's tau.npy)."""
    (tmp_path / "results" / "tables").mkdir(parents=True)
    (tmp_path / "record").mkdir()
    for name, edited in (("table4.csv", table4), ("moments.csv", moments)):
        shutil.copy(RECORD / name, tmp_path / "record" / name)
        frame = pd.read_csv(RECORD / name)
        (edited(frame) if edited else frame).to_csv(tmp_path / "results" / "tables" / name, index=False)
    return tmp_path / "results", tmp_path / "record"


def _set(study, policy, column, how):
    def edit(frame):
        row = (frame["study"] == study) & (frame["policy"] == policy)
        frame.loc[row, column] = how(frame.loc[row].iloc[0])
        return frame
    return edit


def test_the_record_matches_itself(tmp_path, capsys):
    results, record = as_run(tmp_path)
    assert main(["compare", str(results), str(record)]) == 0
    out = capsys.readouterr().out
    assert "the run matches the record" in out and "0 outside" in out
    # 12 rows x 16 columns; exact: every column of the 4 Best Uniform and OLS rows, and every row's best arm
    assert "table4.csv: 192 cells, 72 exact, 120 within tolerances; 0 outside" in out


@pytest.mark.parametrize("policy,column,how,fails", [
    # the forest's rows may move by half their recorded SE: a fresh machine's 0.3778 against 0.3805
    ("MACF", "ipw", lambda r: r["ipw"] - 0.4 * r["ipw_se"], False),
    ("MACF", "ipw", lambda r: r["ipw"] - 0.6 * r["ipw_se"], True),
    ("T-XGB", "hajek_gain", lambda r: r["hajek_gain"] + 0.6 * r["hajek_gain_se"], True),
    # the best uniform arm and OLS depend on the data and numpy alone: exact up to 1e-9 relative
    ("Best Uniform", "ipw", lambda r: r["ipw"] * (1 + 1e-10), False),
    ("Best Uniform", "ipw", lambda r: r["ipw"] + 1e-6, True),
    ("OLS", "arms_used", lambda r: r["arms_used"] + 1, True),
])
def test_one_cell_beyond_its_tolerance_fails_and_is_named(tmp_path, capsys, policy, column, how, fails):
    results, record = as_run(tmp_path, table4=_set("penn_geisinger_like", policy, column, how))
    assert main(["compare", str(results), str(record)]) == (1 if fails else 0)
    out = capsys.readouterr().out
    named = f"OUTSIDE  table4.csv [penn_geisinger_like, {policy}] {column}: run "
    assert (named in out) == fails and out.count("OUTSIDE") == int(fails), out[-2000:]


def test_moments_and_missing_rows(tmp_path, capsys):
    def edit(frame):
        frame.loc[frame["study"] == "walmart_like", "true_rho"] += 1e-6  # the truth: exact
        return frame
    results, record = as_run(tmp_path, moments=edit, table4=lambda f: f[f["policy"] != "PT-CF"])
    assert main(["compare", str(results), str(record)]) == 1
    out = capsys.readouterr().out
    assert "OUTSIDE  moments.csv [walmart_like] true_rho" in out
    assert "OUTSIDE  table4.csv [walmart_like, PT-CF] (row): run missing" in out
