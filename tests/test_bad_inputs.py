"""The bad-input corpus: each case in tests/bad_inputs/cases breaks the valid study in
tests/bad_inputs/base one way, and goes through the entry point a user uses (snakemake with
--configfile, a real run). Each must stop before any job with one short error block that names
the file, key or column, without a traceback, and leave nothing in results/.

A case is a small YAML file: ``what`` it breaks, the edit (``config`` / ``spec``: dotted keys to
set, "@DELETE@" to remove; ``config_text`` / ``spec_text`` / ``*_append``: raw text;
``data_cell: [row, column, value]``, ``data_column: [column, value]``, ``data_column_from:
[column, source column]``, ``data_replace``:
[[old, new, count]], ``data_keep_arm: [arm, rows]``, ``data_text``, ``data_as``: another file
name, ``data_bytes_at: [offset, hex]``), and the texts the message must contain (``expect``).
``snakemake_own: true`` marks a config file Snakemake itself cannot read, before the workflow
loads: it must still stop without running anything, with Snakemake's own message.
"""
import csv
import io
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import run_snakemake

pytestmark = pytest.mark.workflow

HERE = Path(__file__).resolve().parent / "bad_inputs"
CASES = sorted((HERE / "cases").glob("*.yaml"))
TARGET = "results/data/shop/summary.json"  # a cheap target: only validate_study if the case slipped through


def _set(doc: dict, dotted: str, value):
    *parents, last = dotted.split(".")
    for p in parents:
        doc = doc.setdefault(p, {})
    if value == "@DELETE@":
        doc.pop(last, None)
    else:
        doc[last] = value


def _edit_yaml(path: Path, case: dict, kind: str, tmp: Path):
    text = path.read_text().replace("@TMP@", str(tmp))
    if f"{kind}_text" in case:
        text = case[f"{kind}_text"]
    elif kind in case:
        doc = yaml.safe_load(text)
        for key, value in case[kind].items():
            if isinstance(value, (list, dict)):
                value = yaml.safe_load(yaml.safe_dump(value).replace("@TMP@", str(tmp)))
            _set(doc, key, value)
        text = yaml.safe_dump(doc, sort_keys=False)
    text += case.get(f"{kind}_append", "")
    path.write_text(text)


def _edit_data(path: Path, case: dict):
    text = path.read_text()
    if "data_text" in case:
        text = case["data_text"]
    for old, new, *count in case.get("data_replace", []):
        text = text.replace(old, new, *count)
    if any(k in case for k in ("data_cell", "data_column", "data_column_from", "data_keep_arm")):
        rows = list(csv.reader(io.StringIO(text)))
        header, body = rows[0], rows[1:]
        if "data_cell" in case:
            r, col, value = case["data_cell"]
            body[r][header.index(col)] = value
        if "data_column" in case:
            col, value = case["data_column"]
            for row in body:
                row[header.index(col)] = value
        if "data_column_from" in case:
            col, source = case["data_column_from"]
            for row in body:
                row[header.index(col)] = row[header.index(source)]
        if "data_keep_arm" in case:
            arm, keep = case["data_keep_arm"]
            j, seen, kept = header.index("variant"), 0, []
            for row in body:
                seen += row[j] == arm
                if row[j] != arm or seen <= keep:
                    kept.append(row)
            body = kept
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([header, *body])
        text = out.getvalue()
    path.write_text(text)
    if "data_bytes_at" in case:
        offset, hexes = case["data_bytes_at"]
        raw = path.read_bytes()
        path.write_bytes(raw[:offset] + bytes.fromhex(hexes) + raw[offset:])


def _materialize(case: dict, tmp: Path) -> Path:
    for name in ("config.yaml", "spec.yaml", "shop.csv"):
        shutil.copy(HERE / "base" / name, tmp / name)
    _edit_data(tmp / "shop.csv", case)
    if "data_as" in case:
        (tmp / "shop.csv").rename(tmp / case["data_as"])
        case = dict(case, spec={**case.get("spec", {}), "data": case["data_as"]})
    _edit_yaml(tmp / "spec.yaml", case, "spec", tmp)
    _edit_yaml(tmp / "config.yaml", case, "config", tmp)
    return tmp / "config.yaml"


def test_the_base_study_is_valid(tmp_path):
    config = _materialize({}, tmp_path)
    res = run_snakemake("-n", TARGET, "-d", tmp_path / "work", "--configfile", config)
    assert res.returncode == 0, res.stdout + res.stderr


def test_the_corpus_covers_at_least_80_inputs():
    assert len(CASES) >= 80


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_bad_input_stops_before_any_job_with_one_clear_block(path, tmp_path):
    case = yaml.safe_load(path.read_text())
    config = _materialize(case, tmp_path)
    work = tmp_path / "work"
    res = run_snakemake(TARGET, "--cores", 1, "-d", work, "--configfile", config, timeout=300)
    out = res.stdout + res.stderr
    assert res.returncode != 0, f"{case['what']}: accepted\n{out[-2000:]}"
    assert not (work / "results").exists() and not (work / "logs").exists(), f"{case['what']}: a job started"
    if case.get("snakemake_own"):
        return  # Snakemake's own reading of the config file failed before the workflow loaded
    assert "error: " in res.stderr, out[-2000:]
    block = res.stderr[res.stderr.index("error: "):].strip()
    assert "Traceback" not in out and len(block.splitlines()) <= 10, block
    for text in case["expect"]:
        assert text in block, f"{case['what']}: {text!r} not in\n{block}"


def test_odd_but_legitimate_data_runs_with_a_warning_at_start(tmp_path):
    # declared shares 4 binomial SDs from the data's: the run goes on, and says so before any job
    case = {"spec": {"assignment.probabilities": {"control": 0.35, "discount_10": 0.2, "free_shipping": 0.2,
                                                   "scarcity": 0.25}}}
    config = _materialize(case, tmp_path)
    res = run_snakemake("-n", TARGET, "-d", tmp_path / "work", "--configfile", config)
    assert res.returncode == 0, res.stdout + res.stderr
    out = res.stdout + res.stderr
    assert "warning: shop: arm shares unusually far from the declared probabilities" in out
    assert "warning: shop: arm 'discount_10' has 107 rows (fewer than 300)" in out
