"""Policy evaluation: IPW unbiased with honest bootstrap SEs; AIPW; shared bootstrap draws."""
import numpy as np

from actionable import coverage, evaluation


def test_bootstrap_matches_the_analytic_se():
    rng = np.random.default_rng(0)
    z = rng.exponential(size=(20_000, 3))
    boot = evaluation.bootstrap_means(z, 600, seed=1)
    np.testing.assert_allclose(boot.std(axis=0, ddof=1), z.std(axis=0) / np.sqrt(len(z)), rtol=0.1)
    np.testing.assert_allclose(boot.mean(axis=0), z.mean(axis=0), atol=3 * z.std() / np.sqrt(len(z) * 600) * 5)
    np.testing.assert_array_equal(boot, evaluation.bootstrap_means(z, 600, seed=1))  # seeded
    np.testing.assert_array_equal(boot[:50], evaluation.bootstrap_means(z, 50, seed=1))  # chunk-invariant prefix


def test_ipw_is_unbiased_and_the_bootstrap_interval_covers():
    # Reduced version of benchmarks/ipw_coverage.py (1,000 seeds, recorded in RESULTS.md).
    res = coverage.coverage(seeds=400, n=2_000, reps=200)
    assert abs(res["mean_estimate"] - coverage.TRUE_VALUE) < 3 * res["bias_se"], res
    assert 0.93 <= res["coverage"] <= 0.97, res
    assert abs(res["mean_boot_se"] / res["sd_estimates"] - 1) < 0.1, res


def test_evaluate_shares_draws_and_knows_the_truth():
    rng = np.random.default_rng(3)
    n = 30_000
    x = rng.uniform(-1, 1, n)
    truth = np.column_stack([np.full(n, 0.3), 0.3 + 0.2 * x, 0.3 - 0.2 * x])
    arm = rng.choice(3, size=n, p=[0.5, 0.25, 0.25])
    y = (rng.random(n) < truth[np.arange(n), arm]).astype(float)
    policies = {"uniform": np.zeros(n, int), "smart": np.where(x > 0, 1, 2), "dumb": np.where(x > 0, 2, 1)}
    rows = {r["policy"]: r for r in evaluation.evaluate(policies, arm, y, np.array([0.5, 0.25, 0.25]), 300, 7,
                                                          "uniform", mu=truth, truth=truth)}
    assert rows["uniform"]["gain"] == 0 and rows["uniform"]["gain_se"] == 0
    for k, r in rows.items():
        assert abs(r["ipw"] - r["oracle"]) < 3.5 * r["ipw_se"], (k, r)
        assert abs(r["aipw"] - r["oracle"]) < 3.5 * r["ipw_se"], (k, r)
    assert rows["smart"]["gain"] > 3 * rows["smart"]["gain_se"]
    assert rows["dumb"]["gain"] < -3 * rows["dumb"]["gain_se"]
    # paired draws: the gain's SE is below the naive sqrt(se1^2 + se2^2)
    assert rows["smart"]["gain_se"] < np.hypot(rows["smart"]["ipw_se"], rows["uniform"]["ipw_se"])


def test_crossfit_folds_are_balanced_by_arm():
    arm = np.repeat([0, 1, 2], [10, 20, 31])
    fold = evaluation.crossfit_folds(arm, 2, seed=1)
    for a in range(3):
        counts = np.bincount(fold[arm == a], minlength=2)
        assert abs(counts[0] - counts[1]) <= 1
