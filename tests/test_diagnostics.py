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
