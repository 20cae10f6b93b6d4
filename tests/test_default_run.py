"""The default run tells the paper's story: its recorded outputs against the paper's Table 4.

The default replication takes about half an hour, so CI reads its record
(benchmarks/results/default_run/, written by benchmarks/record_default_run.py after
bin/replicate.sh). A change to the stand-ins, the learners or the evaluation that is not rerun
and recorded leaves these tests on the old outputs: rerun both before changing the numbers here.
"""
import json

import numpy as np
import pandas as pd
import pytest

from actionable.paper.published import MOMENTS as PAPER_MOMENTS
from actionable.paper.published import TABLE4
from actionable.stats.descriptives import concentration
from actionable.stats.model import ArmMeans, expected_gain
from actionable.stats.seeds import stream_seed
from actionable.studies import simulator
from actionable.studies.config import read_yaml
from conftest import ROOT

pytestmark = pytest.mark.records

RECORD = ROOT / "benchmarks" / "results" / "default_run"
T4 = pd.read_csv(RECORD / "table4.csv")
MOMENTS = pd.read_csv(RECORD / "moments.csv").set_index("study")
ROLE = {"walmart_like": "Walmart", "penn_geisinger_like": "Penn-Geisinger"}
POLICIES = ["Best Uniform", "OLS", "S-XGB", "T-XGB", "MACF", "PT-CF"]


def _rows(study):
    return T4[T4["study"] == study].set_index("policy")


def _top6(study):
    """The default run's forest policy: the share of people on its 6 most used arms (Figure 9)."""
    return concentration(pd.read_csv(RECORD / "macf_shares.csv").query("study == @study")["share"])["top_share"]


# This holdout draw's misses: Penn-Geisinger's Best Uniform (33.5% by IPW against the paper's 31.5;
# 31.2% at the truth), OLS (36.0 against 32.5 + 3.4; 35.9 at the truth) and S-XGB (39.7 against
# 34.9 + 3.6; 37.2 at the truth). Each is within its tolerance at the truth and within 2 of its own
# IPW SE of it: the holdout's draw, not the policy's. analyses/table4_holdout_draws.py redraws the
# holdout's arms and outcomes from the truth with the run's policies fixed: Penn-Geisinger's IPW
# values have SD 1.7-1.8 pp, Best Uniform lands within the paper's 1 pp in 42% of draws and every
# method within its tolerance in 7% (Walmart 58%); test_table4_over_holdout_draws.
HOLDOUT_MISSES = {("penn_geisinger_like", "Best Uniform"), ("penn_geisinger_like", "OLS"),
                  ("penn_geisinger_like", "S-XGB")}


def _tolerance(study, p):
    return 1.0 if p == "Best Uniform" else 2 * TABLE4[ROLE[study]]["se"][p]


@pytest.mark.parametrize("study", sorted(ROLE))
def test_every_method_within_two_of_the_papers_ses(study):
    g, pub = _rows(study), TABLE4[ROLE[study]]
    for p in POLICIES:
        ipw, truth = 100 * g.loc[p, "ipw"], 100 * g.loc[p, "oracle"]
        if (study, p) in HOLDOUT_MISSES:
            assert abs(ipw - pub[p]) > _tolerance(study, p), p  # a miss no longer: update the list
            assert abs(truth - pub[p]) <= _tolerance(study, p), (p, truth, pub[p])
            assert abs(ipw - truth) <= 2 * 100 * g.loc[p, "ipw_se"], (p, ipw, truth)
        else:
            assert abs(ipw - pub[p]) <= _tolerance(study, p), (p, ipw, pub[p])


def test_table4_over_holdout_draws():
    """analyses/table4_holdout_draws.py on the recorded run: with the run's policies fixed, the
    holdout's arms and outcomes redrawn from the truth (2,000 draws). The draws' means are the
    policies' values at the truth (Table 4's oracle column); Penn-Geisinger's SD (1.7-1.8 pp) is
    above the paper's 1 pp tolerance for Best Uniform, which lands within it in under half of the
    draws, and every method lands within its tolerance together in under 15% (Walmart, 30,000 per
    arm: over half). One run's Table 4 meets the joint target by luck of the draw on
    Penn-Geisinger; the calibration scores the values at the truth."""
    rec = json.loads((ROOT / "analyses" / "records" / "table4_holdout_draws.json").read_text())
    about = json.loads((RECORD / "about.json").read_text())
    assert rec["default_run_commit"] == about["commit"] and rec["spec_digests"] == about["spec_digests"]
    for study, r in rec["studies"].items():
        g = _rows(study)
        for p, v in r["methods"].items():
            assert v["at_truth_pct"] == pytest.approx(100 * g.loc[p, "oracle"], abs=1e-4), (study, p)  # float32 truth
            assert v["run_pct"] == pytest.approx(100 * g.loc[p, "ipw"], abs=1e-9)
            assert abs(v["mean_pct"] - v["at_truth_pct"]) < 4 * v["sd_pct"] / np.sqrt(r["draws"]), (study, p)
            assert v["sd_pct"] == pytest.approx(100 * g.loc[p, "ipw_se"], rel=0.15), (study, p)  # the bootstrap's SE
            assert v["run_within"] == ((study, p) not in HOLDOUT_MISSES)
    penn, walmart = rec["studies"]["penn_geisinger_like"], rec["studies"]["walmart_like"]
    assert penn["methods"]["Best Uniform"]["share_within"] < 0.5 < walmart["methods"]["Best Uniform"]["share_within"]
    assert penn["share_all_within"] < 0.15 and walmart["share_all_within"] > 0.5
    assert walmart["run_all_within"] and not penn["run_all_within"]


def test_walmart_barely_actionable_penn_geisinger_actionable():
    """The paper's central finding: best method +4% over uniform (Walmart) vs +18% (Penn-Geisinger)."""
    best = {}
    for study in ROLE:
        g = _rows(study)
        best[study] = max(g.loc[p, "ipw"] / g.loc["Best Uniform", "ipw"] - 1 for p in POLICIES[1:])
    assert best["walmart_like"] <= 0.06, best
    assert 0.12 <= best["penn_geisinger_like"] <= 0.25, best


@pytest.mark.parametrize("study", sorted(ROLE))
def test_our_model_inside_the_macf_gains_interval(study):
    """Section 5.3's claim: the printed Algorithm 2 predicts what the causal forest achieves."""
    g = _rows(study)
    our = MOMENTS.loc[study, "our_model_gain"]
    lo = g.loc["MACF", "gain"] - 1.96 * g.loc["MACF", "gain_se"]
    hi = g.loc["MACF", "gain"] + 1.96 * g.loc["MACF", "gain_se"]
    assert lo <= our <= hi, (our, lo, hi)


@pytest.mark.parametrize("study,sigma,rho", [(s, PAPER_MOMENTS[r]["sigma"], PAPER_MOMENTS[r]["rho"])
                                             for s, r in (("walmart_like", "Walmart"), ("penn_geisinger_like", "Penn-Geisinger"))])
def test_moments_land_on_the_papers(study, sigma, rho):
    m = MOMENTS.loc[study]
    assert abs(m["sigma"] / sigma - 1) <= 0.10 and abs(m["rho"] - rho) <= 0.05
    assert m["true_rho"] - m["rho"] > 0.1  # the truth behind it: estimates attenuated by prediction noise
    # Section 6: sigma on the shared covariates (paper: 0.078 Walmart, unchanged; 0.089 Penn-Geisinger)
    assert abs(MOMENTS.loc["walmart_like", "sigma_overlap"] - 0.078) <= 0.008
    assert abs(MOMENTS.loc["penn_geisinger_like", "sigma_overlap"] - 0.089) <= 0.015


@pytest.mark.parametrize("study", sorted(ROLE))
def test_extension_predicts_the_t_learners_gain(study):
    """This package's extension (corrected sigma, rho; prediction-error sigma_eps) models the error
    of the T-learner it is estimated from: its gain lies within 2 bootstrap SEs of T-XGB's."""
    g, m = _rows(study), MOMENTS.loc[study]
    assert abs(m["extension_gain"] - g.loc["T-XGB", "gain"]) <= 2 * g.loc["T-XGB", "gain_se"]
    assert abs(m["corrected_rho"] - m["true_rho"]) < 0.03 < m["true_rho"] - m["rho"]
    for est in ("noise_corrected", "split_half"):  # the target bound; both fall short (RESULTS.md)
        assert -0.25 <= m[f"sigma_eps_{est}"] / m["true_sigma_eps"] - 1 < 0, est


def test_figure_9_penn_geisinger_concentrates_walmart_spreads():
    """Figure 9: Penn-Geisinger's forest policy covers 80% of people with 6 of its 20 arms (paper).
    The default run grows that forest at the paper's 2,000 trees (studies[].macf) and its policy
    reaches 80%; Walmart's 200-tree forest assigns more evenly."""
    about = json.loads((RECORD / "about.json").read_text())
    assert about["forest_trees"] == {"walmart_like": 200, "penn_geisinger_like": 2000}
    top6 = {study: _top6(study) for study in ROLE}
    assert top6["penn_geisinger_like"] >= 0.80, top6
    assert top6["walmart_like"] < top6["penn_geisinger_like"] - 0.10, top6


def test_figure_9_over_draws_of_a_200_tree_forest():
    """Figure 9's share moves with the split and the forest's seeds (analyses/figure9_draws.py: 8
    draws of both with forests.macf's 200 trees, draw 0 on the default run's own split). Since the
    stand-in's messages differ less (true s 0.004), a 200-tree forest's policy puts 74% of people on
    its 6 most used arms on average (SD 3 pp; 70-77%), under Figure 9's 80% in every draw (on the
    stand-in before, 82%): on this stand-in Figure 9 takes the paper's 2,000 trees, which the
    default run grows (next tests); they concentrate more than 200 on the same split (draw 0)."""
    rec = json.loads((ROOT / "analyses" / "records" / "figure9_draws.json").read_text())
    draws = rec["draws"]
    assert len(draws) >= 6 and rec["forest_settings"]["num_trees"] == 200
    assert draws[0]["split_seed"] == stream_seed(read_yaml(ROOT / "config.yaml")["seed"], "split/penn_geisinger_like")
    got = [concentration(d["shares"]) for d in draws]
    assert [(c["arms_to_cover"], c["arms_used"]) for c in got] == [(d["arms_to_80"], d["arms_used"]) for d in draws]
    top6 = np.array([c["top_share"] for c in got])
    assert np.allclose(top6, [d["top6_share"] for d in draws])
    assert 0.70 <= top6.mean() < 0.78 and top6.max() < 0.80, top6
    assert _top6("penn_geisinger_like") >= 0.80 > top6[0]


def test_figure_9_at_the_papers_forest_size():
    """Two forests of the paper's 2,000 trees on the default run's split: the default run's (2 chunk
    jobs) and the paper-scale run's (benchmarks/paper_scale_slurm.sh: 10 chunk jobs, other seeds).
    Both policies cover at least 80% of people with 6 arms; the learners that do not use the forest
    are the same."""
    rec = json.loads((ROOT / "benchmarks" / "results" / "paper_scale_penn_geisinger_like.json").read_text())
    got = rec["results"]["penn_geisinger_like"]
    default = _top6("penn_geisinger_like")
    assert got["macf_top6_share"] >= 0.80 and default >= 0.80, (got["macf_top6_share"], default)
    g = _rows("penn_geisinger_like")
    for p in ("Best Uniform", "OLS", "S-XGB", "T-XGB"):
        assert got["ipw_pct"][p] == pytest.approx(100 * g.loc[p, "ipw"], abs=0.006), p


def test_paper_scale_tables_from_the_chunks_statistics_equal_grfs_merged_forests():
    """penn_geisinger_like at the paper's scale through SLURM (benchmarks/paper_scale_slurm.sh with
    COMPARE_MERGE=1): the run with forests.combine statistics, then with grf's merged forest; every
    CSV table identical, every forest array within 1e-8, and no job of the statistics run above 3 GB."""
    rec = json.loads((ROOT / "benchmarks" / "results" / "paper_scale_penn_geisinger_like.json").read_text())
    cmp = rec["merge_against_statistics"]
    assert cmp["tables_compared"] >= 15 and cmp["tables_identical"] == cmp["tables_compared"], cmp["tables_differing"]
    arrays = cmp["arrays_max_abs_difference"]
    assert {"penn_geisinger_like/macf/tau.npy", "penn_geisinger_like/macf/dr_scores.npy"} <= set(arrays)
    assert max(arrays.values()) <= 1e-8, arrays
    assert max(r["max_rss_mb"] for r in rec["by_rule"]) < 3000 and len(rec["commit"]) >= 7


def test_walmart_like_at_the_papers_scale_fits_a_24_gb_machine():
    """walmart_like at the paper's scale (config/paper_scale.yaml: 2,000 trees in 10 chunk jobs per
    forest, no cap on rows per tree, the exact policy tree on every training row) through a local
    single-node SLURM cluster (benchmarks/paper_scale_slurm.sh), stopped and resumed: every job's
    peak memory recorded two ways (Snakemake's 30-s samples and the kernel's high-water mark), none
    above 6 GB; its Table 4 from a forest no job held whole; the learners that do not use the forest
    equal the default run's (same split, same seeds); barely actionable and spread over arms, as the
    paper's Walmart."""
    rec = json.loads((ROOT / "benchmarks" / "results" / "paper_scale_walmart_like.json").read_text())
    assert rec["studies"] == ["walmart_like"] and len(rec["commit"]) >= 7
    assert rec["wall_seconds"] == sum(rec["wall_segments_seconds"]) and len(rec["wall_segments_seconds"]) >= 2
    assert len(rec["job_peak_rss_mb"]) == rec["jobs"] and max(rec["job_peak_rss_mb"].values()) < 6_000
    hwm = rec["job_peak_hwm_mb"]
    forest = [t for t in hwm if t.split(":")[0] in ("fit_macf_chunk", "macf_chunk_statistics", "fit_yhat_chunk")]
    assert len(forest) == 30 and max(p["all_processes"] for p in hwm.values()) < 6_000
    got, g = rec["results"]["walmart_like"], _rows("walmart_like")
    ipw = got["ipw_pct"]
    assert set(ipw) == set(POLICIES)
    for p in ("Best Uniform", "OLS", "S-XGB", "T-XGB"):
        assert ipw[p] == pytest.approx(100 * g.loc[p, "ipw"], abs=0.006), p
    assert max(ipw[p] for p in POLICIES[1:]) / ipw["Best Uniform"] - 1 <= 0.06, ipw
    assert got["macf_top6_share"] < 0.70 and got["truth_pct"]["MACF"] > got["truth_pct"]["Best Uniform"], got


def test_pt_cf_beats_the_forest_at_the_truth_on_penn_geisinger():
    """The frontier's cause (README): at the truth, PT-CF gains more than the 200-tree forest it is
    built on in every draw of analyses/figure9_draws.py, by 2.0 pp on average (1.1 to 2.9), the
    reverse of the paper's order (its MACF above its PT-CF): part of the stand-in's heterogeneity sits
    in binary cells a depth-2 tree represents."""
    draws = json.loads((ROOT / "analyses" / "records" / "figure9_draws.json").read_text())["draws"]
    lead = np.array([d["pt_cf_gain_pp"] - d["gain_pp"] for d in draws])
    assert lead.min() > 0.5 and lead.mean() > 1.0, lead


def test_recorded_from_this_tree():
    about = json.loads((RECORD / "about.json").read_text())
    assert about["config"] == "config.yaml" and len(about["commit"]) >= 7


def test_every_record_is_of_the_current_stand_ins():
    """The records these tests read were made on the stand-ins data/simulators/ holds now: a change to
    a stand-in's knobs that is not rerun and recorded fails here, not silently on old outputs."""
    cfg = read_yaml(ROOT / "config.yaml")
    now = {s["name"]: simulator.spec_digest(simulator.load_simulator_spec(ROOT / s["simulator"])) for s in cfg["studies"]}
    records, results = ROOT / "analyses" / "records", ROOT / "benchmarks" / "results"
    assert json.loads((RECORD / "about.json").read_text())["spec_digests"] == now
    for name in ("figure9_draws.json", "figure9_draws_2000.json"):
        rec = json.loads((records / name).read_text())
        assert rec["spec_digest"] == now[rec["study"]], name
    for name in ("paper_scale_penn_geisinger_like.json", "paper_scale_walmart_like.json"):
        for study, got in json.loads((results / name).read_text())["results"].items():
            assert got["spec_digest"] == now[study], study
    for row in json.loads((records / "prediction_error.json").read_text()):
        assert row["spec_digest"] == now[row["study"]], row["study"]


def test_extension_against_the_best_learners_gain():
    """The check: Our Model with the best of the prediction-error sigma_eps estimators within
    2 bootstrap SEs of the best learner's gain on both stand-ins. Penn-Geisinger: met with either
    estimator (the best learner by IPW is S-XGB in this holdout draw; z -0.11 and -0.19), and with
    the T-learner's true error (-0.64). Walmart: not met (2.2 and 2.1 SEs below MACF), and not for
    want of accuracy: with the T-learner's true error it is further still (2.3 SEs), and reaching 2
    SEs takes a sigma_eps below 0.85 of the truth. The extension models the T-learner whose error it
    measures (within 2 SEs of T-XGB: the test above); the forest is a better learner than that on
    Walmart, and Our Model with the forest's own error meets the check (the next test)."""
    from scipy.optimize import brentq


    for study in ROLE:
        g, m = _rows(study), MOMENTS.loc[study]
        best = max(POLICIES[1:], key=lambda p: g.loc[p, "gain"])

        def extension(eps, m=m):
            return expected_gain(ArmMeans.normal(m["s"]), m["corrected_sigma"], min(m["corrected_rho"], 0.999),
                                 int(m["m"]), eps)

        assert abs(extension(m["sigma_eps_noise_corrected"]) - m["extension_gain"]) < 1e-6  # the record, recomputed
        eps = dict(split_half=m["sigma_eps_split_half"], noise_corrected=m["sigma_eps_noise_corrected"],
                   true=m["true_sigma_eps"])
        z = {k: (extension(v) - g.loc[best, "gain"]) / g.loc[best, "gain_se"] for k, v in eps.items()}
        assert z["true"] < min(z["split_half"], z["noise_corrected"]), z  # more error, less gain
        if study == "penn_geisinger_like":
            assert best == "S-XGB" and all(abs(v) <= 2 for v in z.values()), z
        else:
            assert best == "MACF" and all(v < -2 for v in z.values()), z
            target = g.loc[best, "gain"] - 2 * g.loc[best, "gain_se"]
            needed = brentq(lambda e: extension(e) - target, 1e-4, 0.5)
            assert needed < 0.85 * m["true_sigma_eps"], needed


def test_extension_for_the_forest_within_two_ses_of_its_gain():
    """Our Model for the causal forest's predictions (reliability sigma and rho; sigma_eps the
    arm-specific part of the forest's error, estimated without the truth) lies within 2 bootstrap
    SEs of the forest's IPW gain (z -0.15 Walmart, +1.49 Penn-Geisinger) and of the best learner's
    (Penn-Geisinger's S-XGB in this draw, +0.77). Most of the forest's error is common to all arms
    and leaves its choice alone; its arm-specific part is estimated within 2 of its holdout
    bootstrap SEs of its truth (0.0164 +/- 0.0044 against 0.0218 on Walmart, z -1.2; 0.0692 +/-
    0.0055 against 0.0603 on Penn-Geisinger, +1.6) and within 25%; the T-learner's within 5%."""

    for study in ROLE:
        g, m = _rows(study), MOMENTS.loc[study]
        best = max(POLICIES[1:], key=lambda p: g.loc[p, "gain"])
        gain = expected_gain(ArmMeans.normal(m["s"]), m["corrected_sigma"], min(m["corrected_rho"], 0.999), int(m["m"]),
                             m["forest_sigma_eps_arm_specific"])
        assert gain == pytest.approx(m["extension_forest_gain"], abs=1e-6)  # the record, recomputed
        for p in {"MACF", best}:
            assert -2 <= (gain - g.loc[p, "gain"]) / g.loc[p, "gain_se"] <= 2, (study, p)
        est, true, se = m["forest_sigma_eps_arm_specific"], m["forest_true_arm_specific"], m["forest_sigma_eps_arm_specific_se"]
        assert abs(est - true) <= 2 * se and abs(est / true - 1) <= 0.25, (study, est, true, se)
        assert abs(m["sigma_eps_arm_specific"] / m["true_arm_specific"] - 1) < 0.05, study
        assert m["forest_true_arm_specific"] < 0.65 * m["forest_true_sigma_eps"], study  # most is common to all arms


def test_extension_against_the_learners_at_the_truth():
    """analyses/prediction_error_anatomy.py on the recorded run: the policies valued at the truth
    (Table 4's oracle column, recomputed from the run's own policies). On Walmart the forest's IPW
    gain (+1.13) is 0.65 pp above its true gain (+0.48); at the truth the extension (-0.46) is 1.3 of
    the forest's SEs below it (2.2 by IPW) and 0.44 pp below the T-learner it models. On
    Penn-Geisinger the extension (+5.89) is above the T-learner's true gain (+3.44), by 1.0 of its
    SEs, and between the forest's (+4.54) and PT-CF's (+6.17)."""
    rec = json.loads((ROOT / "analyses" / "records" / "prediction_error_anatomy.json").read_text())
    for study in ROLE:
        g, pol = _rows(study), rec[study]["policies"]
        truth = pol["at_truth_pp"]
        assert pol["extension_gain_pp"] == pytest.approx(100 * MOMENTS.loc[study, "extension_gain"], abs=1e-9)
        for p in ("T-XGB", "MACF", "PT-CF"):  # the record's policies are the run's: Table 4's oracle column
            oracle = 100 * (g.loc[p, "oracle"] - g.loc["Best Uniform", "oracle"])
            assert truth[p] - truth["Best Uniform (training)"] == pytest.approx(oracle, abs=1e-4), (study, p)  # float32 truth
            assert pol["ipw_gain_pp"][p] == pytest.approx(100 * g.loc[p, "gain"], abs=1e-6), (study, p)
    w = rec["walmart_like"]["policies"]
    se = w["ipw_gain_se_pp"]["MACF"]
    assert (w["extension_gain_pp"] - w["ipw_gain_pp"]["MACF"]) / se < -2 < (w["extension_gain_pp"] - w["at_truth_pp"]["MACF"]) / se < -1
    assert w["ipw_gain_pp"]["MACF"] - w["at_truth_pp"]["MACF"] > 0.5
    assert -0.6 < w["extension_gain_pp"] - w["at_truth_pp"]["T-XGB"] < 0
    p = rec["penn_geisinger_like"]["policies"]
    assert 0 < p["extension_gain_pp"] - p["at_truth_pp"]["T-XGB"] < 1.1 * p["ipw_gain_se_pp"]["T-XGB"]
    assert p["at_truth_pp"]["MACF"] < p["extension_gain_pp"] < p["at_truth_pp"]["PT-CF"]
    # each learner's model (its own arm-specific error) against its true gain: on Walmart the
    # T-learner's within 0.4 pp, the forest's above by 0.7 of its SEs; on Penn-Geisinger both above,
    # by 0.85 and 1.5 of their SEs. The forest's errors correlate across arms (0.80 / 0.69), the
    # T-learner's far less (0.25 / 0.33)
    for study, t_bound, f_bound in (("walmart_like", 0.4, 1.1), ("penn_geisinger_like", None, 1.6)):
        pol, arm_specific = rec[study]["policies"], rec[study]["arm_specific"]
        t, f = arm_specific["T-XGB"], arm_specific["MACF"]
        assert f["at_truth_pp"] == pytest.approx(pol["at_truth_pp"]["MACF"], abs=1e-9)
        t_over = t["our_model_pp"]["arm_specific"] - t["at_truth_pp"]
        if t_bound:
            assert abs(t_over) < t_bound, study
        else:
            assert 0 < t_over < t["ipw_gain_se_pp"], study
        assert 0 < f["our_model_pp"]["arm_specific"] - f["at_truth_pp"] < f_bound * f["ipw_gain_se_pp"], study
        assert f["error_correlation_across_arms"] > 0.65 > 0.35 > t["error_correlation_across_arms"], study


def test_penn_geisinger_models_overshoot_with_true_inputs():
    """Why Penn-Geisinger's models sit above the learners' true gains: not (only) the estimated
    inputs. With the truth's s, sigma, rho and each learner's true arm-specific error, Our Model
    still predicts +4.96 pp for the T-learner (true gain +3.44) and +7.75 for the forest (+4.54):
    the stand-in's arm-specific parts sit on a few arms and on cells of binaries, where the model's
    are exchangeable and normal. The corrected rho (0.932 against 0.949, its holdout SE 0.010)
    moves it most: at the true rho the estimated inputs give +3.98 and +6.68."""

    m = MOMENTS.loc["penn_geisinger_like"]
    anatomy = json.loads((ROOT / "analyses" / "records" / "prediction_error_anatomy.json").read_text())
    truth = {k: anatomy["penn_geisinger_like"]["arm_specific"][k]["at_truth_pp"] for k in ("T-XGB", "MACF")}

    def model(s, sigma, rho, eps):
        return 100 * expected_gain(ArmMeans.normal(s), sigma, min(rho, 0.999), int(m["m"]), eps)

    for k, eps in (("T-XGB", m["true_arm_specific"]), ("MACF", m["forest_true_arm_specific"])):
        assert model(m["true_s"], m["true_sigma"], m["true_rho"], eps) > truth[k] + 1.2, k
    assert abs(m["corrected_rho"] - m["true_rho"]) < 2 * m["corrected_rho_se"]
    at_true_rho = model(m["s"], m["corrected_sigma"], m["true_rho"], m["sigma_eps_arm_specific"])
    assert abs(at_true_rho - truth["T-XGB"]) < 0.6 < model(m["s"], m["corrected_sigma"], m["corrected_rho"],
                                                           m["sigma_eps_arm_specific"]) - truth["T-XGB"]


def test_figure_9_over_draws_of_the_default_runs_2000_tree_forest():
    """analyses/figure9_draws.py --num-trees 2000 (3 draws, draw 0 on the default run's split):
    at the default run's forest size the draws put on average at least 80% of people on 6 arms
    (0.847, 0.780, 0.802), every draw reaches 80% within 7 arms, and on average more than the
    200-tree draws; the default run's own share is near its split's draw (the same split, other
    seeds and chunking)."""
    big = json.loads((ROOT / "analyses" / "records" / "figure9_draws_2000.json").read_text())
    small = json.loads((ROOT / "analyses" / "records" / "figure9_draws.json").read_text())
    assert big["forest_settings"]["num_trees"] == 2000 and len(big["draws"]) >= 3
    top6 = np.array([concentration(d["shares"])["top_share"] for d in big["draws"]])
    assert top6.mean() >= 0.80 and top6.mean() > small["top6_mean"], (top6, small["top6_mean"])
    assert all(concentration(d["shares"])["arms_to_cover"] <= 7 for d in big["draws"])
    assert [d["split_seed"] for d in big["draws"]] == [d["split_seed"] for d in small["draws"][:len(top6)]]
    assert abs(_top6("penn_geisinger_like") - top6[0]) < 0.03


def test_the_readmes_requirements_are_one_commits_record():
    """The quick start's figures and the computational requirements table come from one record,
    benchmarks/results/requirements.json (benchmarks/requirements.sh): every step measured at one
    commit, which the table names and no other; the default run's kept outputs are that run's."""
    import re
    req = json.loads((ROOT / "benchmarks" / "results" / "requirements.json").read_text())
    steps = ("setup", "smoke", "tests", "quick", "default")
    commits = {req[k]["commit"] for k in steps}
    assert len(commits) == 1, {k: req[k]["commit"] for k in steps}
    commit = commits.pop()
    assert json.loads((RECORD / "about.json").read_text())["commit"] == commit
    assert req["tests"]["exit_code"] == 0 and req["tests"]["passed"] >= 500
    s, m, t, q, d = (req[k] for k in steps)
    readme = (ROOT / "README.md").read_text()

    def cells(prefix):
        line = next(line for line in readme.splitlines()[:40] if line.startswith(prefix))
        return [c.strip() for c in line.split("|")[2:5]]

    assert cells("| set-up")[0] == f"{s['setup_seconds'] / 60:.0f} min"
    assert cells("| smoke run") == [f"{m['wall_seconds'] / 60:.0f} min", f"{m['largest_job_mb'] / 1000:.1f} GB",
                                    f"{m['results_mb'] / 1000:.1f} GB"]
    assert cells("| test suite") == [f"{t['wall_seconds'] / 60:.0f} min", f"{t['largest_process_mb'] / 1000:.1f} GB",
                                     f"{t['tmp_mb'] / 1000:.1f} GB in /tmp"]
    assert cells("| default replication") == [f"{d['command_seconds'] / 60:.0f} min",
                                              f"{d['largest_job_mb'] / 1000:.1f} GB", f"{d['results_mb'] / 1000:.1f} GB"]
    section = readme.split("## Computational requirements", 1)[1].split("\n## ", 1)[0]
    pinned = section.split("\n### ", 1)[0]
    assert f"Measured at commit {commit}" in pinned
    assert set(re.findall(r"\b[0-9a-f]{7}\b", pinned)) == {commit}
    for figure in (f"{s['setup_seconds']:,} s", f"{t['passed']} tests", f"{t['wall_seconds']:,} s",
                   f"{q['passed']} tests in {q['wall_seconds']} s", f"{m['jobs']} jobs in {m['wall_seconds']:,.0f} s",
                   f"{d['jobs']} jobs in {d['workflow_seconds']:,.0f} s", f"critical path {d['critical_path_seconds']:,} s",
                   f"{d['largest_job_mb']:,} MB"):
        assert figure in pinned, figure
