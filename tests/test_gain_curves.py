"""Gain curves of multi-arm policies (stats.gain_curves): closed forms, Table 4's AIPW gain at the
right end, the ranking, and the truth recovered on a planted design."""
import numpy as np
import pytest

from actionable.stats import evaluation
from actionable.stats.gain_curves import GRID, aipw_scores, gain_curves, improvements


def _design(n=40000, m=4, seed=0):
    """A randomized experiment with known E[Y^a | x]: arm 0 best on average, arm a > 0 better for
    people with x above a / m."""
    rng = np.random.default_rng(seed)
    x = rng.random(n)
    truth = np.column_stack([np.full(n, 0.5)] + [0.4 + 0.3 * (x > a / m) for a in range(1, m)])
    e = np.array([0.4] + [0.6 / (m - 1)] * (m - 1))
    arm = rng.choice(m, n, p=e)
    y = (rng.random(n) < truth[np.arange(n), arm]).astype(float)
    return x, truth, arm, y, e[arm]


@pytest.mark.unit
def test_aipw_scores_closed_form():
    mu = np.array([[0.2, 0.5], [0.4, 0.1]])
    got = aipw_scores(np.array([1, 0]), np.array([1.0, 0.0]), np.array([0.5, 0.25]), mu)
    np.testing.assert_allclose(got, [[0.2, 0.5 + (1 - 0.5) / 0.5], [0.4 + (0 - 0.4) / 0.25, 0.1]])


@pytest.mark.unit
def test_right_end_is_table4s_aipw_gain_and_left_end_zero():
    x, truth, arm, y, e = _design(n=5000)
    mu = np.clip(truth + np.random.default_rng(1).normal(0, 0.1, truth.shape), 0, 1)
    score = truth + np.random.default_rng(2).normal(0, 0.05, truth.shape)
    pol = score.argmax(axis=1)
    curves = gain_curves({"L": pol}, {"L": score}, 0, aipw_scores(arm, y, e, mu), reps=200, seed=3, truth=truth)
    end, start = curves.iloc[-1], curves.iloc[0]
    aipw = evaluation.aipw_terms(pol, arm, y, e, mu).mean() - evaluation.aipw_terms(np.zeros_like(pol), arm, y, e, mu).mean()
    assert end["share"] == 1.0 and end["gain"] == pytest.approx(aipw, abs=1e-12)
    assert end["true_gain"] == pytest.approx(truth[np.arange(len(pol)), pol].mean() - truth[:, 0].mean(), abs=1e-12)
    assert end["moved"] == pytest.approx(np.mean(pol != 0))
    assert (start["gain"], start["se"], start["moved"]) == (0.0, 0.0, 0.0)
    assert list(curves["share"]) == list(GRID)


@pytest.mark.unit
def test_the_largest_predicted_improvements_move_first():
    score = np.array([[0.0, 0.3], [0.0, 0.9], [0.0, 0.1], [0.0, 0.5]])
    np.testing.assert_allclose(improvements(score.argmax(axis=1), score, 0), [0.3, 0.9, 0.1, 0.5])
    gamma = np.array([[0.0, 1.0], [0.0, 10.0], [0.0, 100.0], [0.0, 1000.0]])
    c = gain_curves({"L": np.ones(4, int)}, {"L": score}, 0, gamma, reps=10, seed=0, grid=np.array([0.25, 0.5, 0.75]))
    # person 1 first (10), then 3 (1000), then 0 (1): means over the four people
    np.testing.assert_allclose(c["gain"], [10 / 4, 1010 / 4, 1011 / 4])


@pytest.mark.unit
def test_the_curve_recovers_the_planted_truth():
    """The oracle ranking on the planted design: the true curve rises to the oracle gain, and the
    AIPW curve (outcome model deliberately wrong: a constant) is within 3 SEs of it at every share."""
    x, truth, arm, y, e = _design()
    pol, score = truth.argmax(axis=1), truth + 1e-9 * x[:, None]  # ties broken by x, a fixed function
    curves = gain_curves({"oracle": pol}, {"oracle": score}, 0, aipw_scores(arm, y, e, np.full(truth.shape, 0.5)),
                         reps=300, seed=4, truth=truth)
    z = (curves["gain"] - curves["true_gain"]) / curves["se"].where(curves["se"] > 0)
    assert np.nanmax(np.abs(z)) < 3
    assert curves["true_gain"].iloc[-1] == pytest.approx(truth.max(axis=1).mean() - 0.5)
    assert curves["true_gain"].is_monotonic_increasing  # only people with a positive improvement move


@pytest.mark.records
def test_the_bands_cover_the_true_curve_in_the_recorded_benchmark():
    """benchmarks/gain_curve_coverage.py: over at least 200 holdout draws with the policies held
    fixed, every point's 95% band covers the true curve at a rate between 90% and 99%."""
    import json
    from conftest import ROOT

    rec = json.loads((ROOT / "benchmarks" / "results" / "gain_curve_coverage.json").read_text())
    assert rec["draws"] >= 200 and rec["grid"][0] == 0.0 and len(rec["grid"]) == len(GRID)
    for method, v in rec["methods"].items():
        rates = np.array(v["coverage"])[1:]  # share 0: the curve and its band are 0 by construction
        assert ((rates >= 0.90) & (rates <= 0.99)).all(), (method, rates)
        assert v["true_curve"][0] == 0.0
    assert rec["within_90_99"]
