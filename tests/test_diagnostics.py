"""Model diagnostics beside Our Model: they stay quiet on data the model describes and speak up
when one rho or a normal F is far from the data."""
import numpy as np

from actionable.stats import diagnostics


def _equicorrelated(m, rho, noise, rng):
    r = np.full((m, m), rho) + rng.normal(0, noise, (m, m))
    r = (r + r.T) / 2
    np.fill_diagonal(r, 1.0)
    return r


def test_quiet_when_the_model_holds():
    rng = np.random.default_rng(1)
    means = rng.normal(0.3, 0.01, 30)
    out = diagnostics.check(_equicorrelated(30, 0.6, 0.05, rng), 0.6, means, np.full(30, 0.002))
    assert out["warnings"] == [] and out["rho_pairs"] == 435
    assert 0.5 < out["rho_q25"] < out["rho_median"] < out["rho_q75"] < 0.7 and out["normality_p"] > diagnostics.NORMALITY_ALPHA
    assert np.isclose(out["arm_means_noise_share"], 0.002 ** 2 / means.var(ddof=1))


def test_unequal_correlations_and_a_spiked_f_are_named():
    rng = np.random.default_rng(2)
    m = 20
    blocks = np.where(np.add.outer((np.arange(m) < 10).astype(int), (np.arange(m) < 10).astype(int)) == 1, -0.3, 0.8)  # two anti-correlated groups
    np.fill_diagonal(blocks, 1)
    means = np.r_[np.full(m - 2, 0.30), 0.36, 0.38] + rng.normal(0, 0.001, m)  # most arms alike, two far better
    out = diagnostics.check(blocks, float(diagnostics.pairwise_rho(blocks).mean()), means, np.full(m, 0.001))
    text = " ".join(out["warnings"])
    assert out["rho_iqr"] > 1 and np.isclose(out["rho_negative_share"], 100 / 190)
    assert "far from equicorrelated: pairwise rho-hat runs from -0.30 to 0.80" in text
    assert out["normality_p"] < 1e-3 and "far from normal" in text and "Eq. 8" in text


def test_few_arms_negative_rho_and_noise_only_arm_means():
    # an incentive study: 4 arms, rho-hat -0.17, arm means within noise of each other
    r = np.array([[1, -0.2, -0.1, -0.2], [-0.2, 1, -0.2, -0.1], [-0.1, -0.2, 1, -0.22], [-0.2, -0.1, -0.22, 1]])
    out = diagnostics.check(r, -0.17, [0.50, 0.51, 0.49, 0.505], [0.01] * 4)
    text = " ".join(out["warnings"])
    assert "rho-hat is negative (-0.17)" in text and "sampling noise" in text
    assert out["normality_note"] == "only 4 arms: the test cannot tell a normal F from others"
    assert "far from normal" not in text


def _gains(ipw, se, hajek=None, hajek_se=None):
    return dict(gain=ipw, gain_se=se, hajek_gain=ipw if hajek is None else hajek,
                hajek_gain_se=se if hajek_se is None else hajek_se)


def test_model_versus_data_fires_both_ways_and_only_beyond_two_ses():
    from actionable.stats.diagnostics import model_versus_data
    # the sparse design of the model-versus-data question: learners +4 to +7 pp, the model +0.05
    gains = {"OLS": _gains(0.040, 0.027), "S-XGB": _gains(0.066, 0.027), "MACF": _gains(0.074, 0.027, 0.071, 0.025)}
    (w,) = model_versus_data(gains, 0.0005, 100, {"effective_arms": 3.9, "m": 12})
    assert w.startswith("the data gain more than the model predicts: MACF gains 7.40 pp (SE 2.70) by IPW and 7.10 "
                        "(SE 2.50) by Hajek, 2.7 and 2.8 SEs above Our Model's 0.05 pp")
    assert "effective number of arms is 3.9 of 12" in w
    (w,) = model_versus_data({"MACF": _gains(0.001, 0.01)}, 0.05, 100)
    assert w.startswith("the model predicts more than any learner achieves: MACF gains 0.10 pp") and "4.9 and 4.9 SEs below" in w
    # agreement, or one estimator within 2 SEs, or the two estimators on opposite sides: no warning
    assert model_versus_data({"MACF": _gains(0.011, 0.0073, 0.0087, 0.006)}, 0.0023, 100) == []  # walmart_like
    assert model_versus_data({"MACF": _gains(0.074, 0.027, 0.05, 0.025)}, 0.0005, 100) == []
    assert model_versus_data({"MACF": _gains(float("nan"), 0.027)}, 0.0005, 100) == []


def _gap(headline, printed, se):
    return dict(headline=headline, printed=printed, difference=headline - printed, difference_se=se)


def test_model_versus_data_reads_the_learners_own_predictions_too():
    from actionable.stats.diagnostics import model_versus_data
    # sparse_k4's holdout: IPW gains within 2 SEs of the model, the own-profile headline 2.5 SEs above it
    gains = {"OLS": _gains(0.0179, 0.0203, 0.0255, 0.0167), "S-XGB": _gains(0.0095, 0.021, 0.0233, 0.0176)}
    assert model_versus_data(gains, 0.0112, 100) == []
    (w,) = model_versus_data(gains, 0.0112, 100, {"effective_arms": 7.9, "m": 12}, _gap(0.0299, 0.0112, 0.0075))
    assert w.startswith("the data gain more than the model predicts: the learners' own holdout predictions are worth "
                        "2.99 pp by this package's model for arms not alike, 1.87 pp (SE of the difference 0.75, 2.5 "
                        "SEs) above Our Model's 1.12 pp.")
    assert "effective number of arms is 7.9 of 12" in w
    # both routes in one warning; the other direction; within 2 SEs or without an SE: silent
    (w,) = model_versus_data({"MACF": _gains(0.074, 0.027, 0.071, 0.025)}, 0.0005, 100, None, _gap(0.05, 0.0005, 0.01))
    assert "MACF gains 7.40 pp" in w and "; the learners' own holdout predictions are worth 5.00 pp" in w
    (w,) = model_versus_data({}, 0.03, 100, None, _gap(0.01, 0.03, 0.005))
    assert w.startswith("the model predicts more than any learner achieves: the learners' own holdout predictions are "
                        "worth 1.00 pp") and "4.0 SEs) below Our Model's 3.00 pp" in w
    assert model_versus_data({}, 0.0023, 100, None, _gap(0.0063, 0.0023, 0.0021)) == []
    assert model_versus_data({}, 0.0023, 100, None, _gap(0.0063, 0.0023, float("nan"))) == []
