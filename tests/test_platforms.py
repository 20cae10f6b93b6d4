"""The platforms the package is tested on: the README's table says what each check's record holds
(its commit and test count), and the Debian unstable check ran the whole suite, the SLURM test
included, under Snakemake 9 with its executor plugin."""
import json
import re

import pytest

from conftest import ROOT

pytestmark = pytest.mark.records
RESULTS = ROOT / "benchmarks" / "results"


def platform_rows() -> dict:
    """The README's tested-platforms table: record file name -> the row's text."""
    text = (ROOT / "README.md").read_text()
    table = text.split("### Tested platforms")[1].split("\n\n")[1]
    return {m.group(1): line for line in table.splitlines() if (m := re.search(r"`benchmarks/results/(\w+)\.json`", line))}


def test_each_platform_row_is_its_record():
    rows = platform_rows()
    assert set(rows) == {"trixie", "sid", "container_bookworm"}
    for name, line in rows.items():
        rec = json.loads((RESULTS / f"{name}.json").read_text())
        assert f"at {rec['commit']}" in line, f"README row for {name}.json names another commit than {rec['commit']}"
        if "tests_summary" in rec:
            passed = re.match(r"(\d+) passed", rec["tests_summary"]).group(1)
            assert f"{int(passed):,} tests passed" in line, f"README row for {name}.json: not {passed} tests"


def test_snakemake_9_ran_the_whole_suite_and_the_slurm_test():
    rec = json.loads((RESULTS / "sid.json").read_text())
    assert rec["versions"]["snakemake"].startswith("9.") and rec["versions"]["snakemake-executor-plugin-slurm"]
    assert rec["tests_exit_code"] == 0 and rec["failed"] == [] and "failed" not in rec["tests_summary"]
    assert not [s for s in rec["skipped"] if "test_slurm" in s]  # the SLURM test ran, through the plugin
    # the newest stack: numpy 2.4, pandas 2.3, R 4.6, rpy2 3.6 (or later)
    v = rec["versions"]
    assert tuple(map(int, v["numpy"].split(".")[:2])) >= (2, 4) and tuple(map(int, v["pandas"].split(".")[:2])) >= (2, 3)
    assert tuple(map(int, v["R"].split(".")[:2])) >= (4, 6) and tuple(map(int, v["rpy2"].split(".")[:2])) >= (3, 6)
    # the small run's tables against Debian 12's: identical, or named with the reason in RESULTS.md's entry
    entry = (ROOT / "benchmarks" / "RESULTS.md").read_text().split(": Debian unstable and Snakemake 9")[1].split("\n## ")[0]
    assert rec["tables_identical"] > 0 and [t for t in rec["tables_differing"] if f"`{t}`" not in entry] == []
