"""Repeated splits: the per-split estimates and their aggregate (unit), and a run with three
splits whose every split equals a single-split run with that split's seed (workflow)."""
import json
import re
import shutil

import numpy as np
import pandas as pd
import pytest

from conftest import ROOT, run_snakemake
from test_report import CHROMIUM, _chromium
from actionable.app.beyond import robustness_table, study_splits
from actionable.stats.splits import aggregate, split_estimates


def _policies(gains, ses):
    rows = [dict(policy="Best Uniform", gain=0.0, gain_se=0.0, hajek_gain=0.0, hajek_gain_se=0.0, aipw=0.30)]
    rows += [dict(policy=p, gain=g, gain_se=s, hajek_gain=g / 2, hajek_gain_se=s, aipw=0.30 + g)
             for p, g, s in zip(["OLS", "MACF"], gains, ses)]
    return pd.DataFrame(rows)


MOMENTS = dict(sigma=0.1, rho=0.5, s=0.02, sigma_eps=0.3, binary=True)
OUR_MODEL = dict(gain=0.01, extension=dict(gain=0.02, sigma=0.11, rho=0.6, sigma_eps=0.05),
                 arms_not_alike=dict(variants=dict(best_profiles=dict(gain=0.03))))


@pytest.mark.unit
def test_split_estimates_reads_every_estimate_and_gains_over_best_uniform():
    got = split_estimates(2, 7, _policies([0.04, -0.01], [0.01, 0.02]), MOMENTS, OUR_MODEL).set_index(["estimate", "method"])
    assert got.loc[("sigma", ""), "value"] == 0.1 and got.loc[("extension_rho", ""), "value"] == 0.6
    assert got.loc[("arms_not_alike", ""), "value"] == 0.03 and got.loc[("our_model", ""), "value"] == 0.01
    assert got.loc[("gain_ipw", "OLS"), "value"] == 0.04 and got.loc[("gain_ipw", "OLS"), "se"] == 0.01
    assert got.loc[("gain_hajek", "MACF"), "value"] == -0.005
    assert got.loc[("gain_aipw", "OLS"), "value"] == pytest.approx(0.04) and np.isnan(got.loc[("gain_aipw", "OLS"), "se"])
    assert set(got["split"]) == {2} and set(got["seed"]) == {7}
    assert ("gain_ipw", "Best Uniform") not in got.index
    # a model form a run did not make is NaN, not an error
    partial = split_estimates(1, 7, _policies([0.04, 0.0], [0.01, 0.01]), MOMENTS, dict(gain=0.01))
    assert partial.set_index("estimate").loc["extension", "value"] != partial.set_index("estimate").loc["extension", "value"]


@pytest.mark.unit
def test_aggregate_is_the_median_with_spread_and_the_share_beating_best_uniform_by_2_se():
    gains = [0.05, 0.01, 0.03, 0.06, -0.03]
    per = pd.concat([split_estimates(k + 1, 100 + k, _policies([g, 0.0], [0.01, 0.01]), MOMENTS, OUR_MODEL)
                     for k, g in enumerate(gains)], ignore_index=True)
    agg = aggregate(per).set_index(["estimate", "method"])
    row = agg.loc[("gain_ipw", "OLS")]
    assert row["median"] == 0.03 and row["splits"] == 5 and row["split1"] == 0.05
    assert row["sd"] == pytest.approx(np.std(gains, ddof=1))
    assert (row["q25"], row["q75"], row["min"], row["max"]) == (0.01, 0.05, -0.03, 0.06)
    assert row["beats_2se"] == pytest.approx(3 / 5)  # 0.05, 0.03, 0.06 exceed 2 x 0.01; 0.01 does not
    assert row["loses_2se"] == pytest.approx(1 / 5)
    assert agg.loc[("gain_ipw", "MACF"), "beats_2se"] == 0.0
    assert np.isnan(agg.loc[("gain_aipw", "OLS"), "beats_2se"]) and np.isnan(agg.loc[("sigma", ""), "beats_2se"])
    assert agg.loc[("sigma", ""), "sd"] == 0.0


@pytest.mark.unit
def test_the_table_shows_gains_in_pp_for_binary_outcomes(tmp_path):
    per = pd.concat([split_estimates(k + 1, k, _policies([g, 0.0], [0.01, 0.01]), MOMENTS, OUR_MODEL)
                     for k, g in enumerate([0.02, 0.04])], ignore_index=True)
    table, md = robustness_table({"a": aggregate(per)}, {"a": True})
    assert set(table["study"]) == {"a"}
    line = next(l for l in md.splitlines() if l.startswith("| gain over Best Uniform, IPW | OLS"))
    assert "| 3.000 |" in line  # the median, 0.03 in pp
    assert next(l for l in md.splitlines() if l.startswith("| sigma-hat")).split("|")[4].strip() == "0.100"



SPLIT_FILES = ["data/{s}/split.csv", "learners/{s}/sxgb/predictions.npy", "forests/{s}/macf/tau.npy",
               "moments/{s}/moments_all.json", "moments/{s}/our_model.json", "evaluation/{s}/policies.csv"]


@pytest.mark.workflow
def test_three_splits_each_equal_to_a_single_split_run_with_its_seed(small_run, tmp_path):
    """splits.count = 3 on the small config (split 1 reused from the shared run, whose bytes the
    recorded fingerprint pins): the aggregate for every study, and example_shop's split 3 equals,
    file by file, a single-split run with seed + 2."""
    work = tmp_path / "three"
    shutil.copytree(small_run.parent, work, symlinks=True, ignore=shutil.ignore_patterns(".snakemake"))
    overlay = tmp_path / "splits.yaml"
    overlay.write_text("splits:\n  count: 3\n")
    res = run_snakemake("--cores", 2, "-d", work, "--configfile", ROOT / ".test" / "config.yaml", overlay, timeout=1800)
    assert res.returncode == 0, res.stderr[-3000:]
    results = work / "results"
    for f in SPLIT_FILES[:1] + SPLIT_FILES[3:]:  # split 1 is the study itself: not rebuilt
        assert (results / f.format(s="example_shop")).read_bytes() == (small_run / f.format(s="example_shop")).read_bytes(), f
    per = pd.read_csv(results / "splits" / "example_shop" / "per_split.csv").fillna({"method": ""})
    assert sorted(per["split"].unique()) == [1, 2, 3] and sorted(per["seed"].unique()) == [7, 8, 9]
    table = pd.read_csv(results / "tables" / "split_robustness.csv")
    assert set(table["study"]) == {"walmart_like", "penn_geisinger_like", "example_shop"}
    assert (table["splits"] == 3).all()
    # the aggregate is what stats.splits makes of the per-split files
    names = ["example_shop", "example_shop__split2", "example_shop__split3"]
    again, summary, binary = study_splits([7, 8, 9], [results / f"evaluation/{n}/policies.csv" for n in names],
                                          [results / f"moments/{n}/moments_all.json" for n in names],
                                          [results / f"moments/{n}/our_model.json" for n in names])
    pd.testing.assert_frame_equal(again, per, check_dtype=False)
    ipw = summary.set_index(["estimate", "method"]).loc[("gain_ipw", "MACF")]
    assert ipw["median"] == pytest.approx(np.median(per.query("estimate == 'gain_ipw' and method == 'MACF'")["value"]))
    # the splits differ (a new split and new seeds), and split 3 is the single-split run with seed 9
    s1, s3 = (results / "data/example_shop/split.csv").read_bytes(), (results / "data/example_shop__split3/split.csv").read_bytes()
    assert s1 != s3
    single = tmp_path / "seed9"
    res = run_snakemake(*[f"results/{f.format(s='example_shop')}" for f in SPLIT_FILES], "--cores", 2, "-d", single,
                        "--configfile", ROOT / ".test" / "config.yaml", "--config", "seed=9", timeout=1800)
    assert res.returncode == 0, res.stderr[-3000:]
    for f in SPLIT_FILES:
        assert (results / f.format(s="example_shop__split3")).read_bytes() == \
            (single / "results" / f.format(s="example_shop")).read_bytes(), f
    page = (work / "reports" / "replication.html").read_text()
    assert "<h3>Robustness across repeated 70/30 splits</h3>" in page and "example_shop: 3 splits" in page
    for study in ("walmart_like", "penn_geisinger_like", "example_shop"):
        assert f'id="study-{study}-splits"' in page and f'id="study-{study}-gain-curves"' in page, study
    if CHROMIUM:  # the page as a browser shows it: the 32 figures of one split and each study's splits figure
        dom = _chromium("--virtual-time-budget=10000", "--dump-dom", (work / "reports" / "replication.html").as_uri())
        body = re.search(r"<body[^>]*>", dom.stdout).group(0)
        assert 'data-figures="35"' in body and 'data-figures-loaded="35"' in body, body


@pytest.mark.workflow
def test_a_study_name_that_names_a_split_stops_the_run(tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text("studies:\n  - {name: shop__split2, spec: %s}\nmoments:\n  overlap: []\n"
                      % (ROOT / "data/example_shop/spec.yaml"))
    res = run_snakemake("-n", "--cores", 1, "-d", tmp_path / "w", "--configfile", ROOT / ".test" / "config.yaml", config)
    assert res.returncode != 0
    assert "'shop__split2' contains '__split'" in res.stderr + res.stdout


@pytest.mark.records
def test_the_median_over_ten_splits_against_the_true_gain():
    """analyses/split_robustness_standins.py on the small config's stand-ins with 10 splits: each
    method's median IPW gain over splits against the median true gain, in across-split SDs. Nine of
    the ten are within 2 SDs; the one that is not (walmart_like's T-XGB) sits where the Best Uniform
    arm's own IPW value is off its truth by more than 2 across-split SDs in this sample, an error
    every split shares (docs/methods.md, "Repeated splits")."""
    rec = json.loads((ROOT / "analyses" / "records" / "split_robustness_standins.json").read_text())
    assert set(rec["studies"]) == {"walmart_like", "penn_geisinger_like"}
    outside = []
    for study, r in rec["studies"].items():
        assert r["splits"] == 10 and set(r["methods"]) == {"OLS", "S-XGB", "T-XGB", "MACF", "PT-CF"}
        for method, v in r["methods"].items():
            assert v["gap"] == pytest.approx(v["median_ipw_gain"] - v["median_true_gain"])
            if abs(v["gap"]) > 2 * v["sd_across_splits"]:
                outside.append((study, method))
                bu = r["best_uniform"]
                assert abs(bu["median_ipw_error"]) > 2 * bu["sd_ipw_across_splits"], (study, method, bu)
                assert np.sign(bu["median_ipw_error"]) == -np.sign(v["gap"])  # a lucky Best Uniform arm lowers every gain
        assert r["within_2_sd"] == 5 - sum(s == study for s, _ in outside)
    assert len(outside) <= 1, outside
