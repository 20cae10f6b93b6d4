"""Policy evaluation: IPW unbiased with honest bootstrap SEs; AIPW; shared bootstrap draws."""
import numpy as np
import pytest

from actionable.stats import coverage, evaluation


def test_bootstrap_matches_the_analytic_se():
    rng = np.random.default_rng(0)
    z = rng.exponential(size=(20_000, 3))
    boot = evaluation.bootstrap_means(z, 600, seed=1)
    np.testing.assert_allclose(boot.std(axis=0, ddof=1), z.std(axis=0) / np.sqrt(len(z)), rtol=0.1)
    np.testing.assert_allclose(boot.mean(axis=0), z.mean(axis=0), atol=3 * z.std() / np.sqrt(len(z) * 600) * 5)
    np.testing.assert_array_equal(boot, evaluation.bootstrap_means(z, 600, seed=1))  # seeded
    np.testing.assert_array_equal(boot[:50], evaluation.bootstrap_means(z, 50, seed=1))  # chunk-invariant prefix


@pytest.mark.records
def test_ipw_is_unbiased_and_the_bootstrap_interval_covers():
    # Reduced version of analyses/ipw_coverage.py (1,000 seeds, recorded in RESULTS.md).
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


def test_hajek_stays_in_range_where_horvitz_thompson_does_not():
    # 100 people, arm 1 declared at 13% but 20 got it (all converted): HT = 20 / 0.13 / 100 = 1.54 > 1
    arm = np.r_[np.ones(20, int), np.zeros(80, int)]
    y = np.r_[np.ones(20), np.zeros(40), np.ones(40)]
    policies = {"uniform": np.zeros(100, int), "tree": np.ones(100, int)}
    rows = {r["policy"]: r for r in evaluation.evaluate(policies, arm, y, np.array([0.87, 0.13]), 200, 1,
                                                          "uniform", bounds=(0.0, 1.0))}
    tree = rows["tree"]
    assert np.isclose(tree["ipw"], 20 / 0.13 / 100)
    assert np.isclose(tree["hajek"], 1.0)  # one arm's Hajek value is that arm's mean outcome
    assert np.isclose(rows["uniform"]["hajek"], 0.5) and np.isclose(rows["uniform"]["ipw"], 40 / 0.87 / 100)
    assert "outside the outcome's range [0, 1]" in tree["warning"]
    assert "effective sample size 20 < 30 in arm index 1" in tree["warning"]
    assert rows["uniform"]["warning"] == "" and np.isclose(rows["uniform"]["ess_min"], 80)
    assert np.isclose(tree["hajek_gain"], 0.5) and 0 < tree["hajek_gain_se"] < tree["gain_se"]


def test_per_row_propensities_equal_fixed_ones_when_constant_and_weight_by_row_otherwise():
    rng = np.random.default_rng(5)
    n = 40_000
    block = rng.integers(0, 2, n)
    p = np.where(block[:, None] == 0, [0.8, 0.2], [0.2, 0.8])  # randomized within two blocks
    arm = (rng.random(n) < p[:, 1]).astype(int)
    truth = np.column_stack([0.2 + 0.4 * block, np.full(n, 0.5)])
    y = (rng.random(n) < truth[np.arange(n), arm]).astype(float)
    policies = {"zero": np.zeros(n, int), "one": np.ones(n, int)}
    rows = {r["policy"]: r for r in evaluation.evaluate(policies, arm, y, p, 200, 2, "zero", truth=truth)}
    for r in rows.values():  # per-row weights recover the truth (0.4 and 0.5) ...
        assert abs(r["ipw"] - r["oracle"]) < 3.5 * r["ipw_se"] and abs(r["hajek"] - r["oracle"]) < 3.5 * r["hajek_se"]
    naive = {r["policy"]: r for r in evaluation.evaluate(policies, arm, y, np.array([0.5, 0.5]), 200, 2, "zero",
                                                           truth=truth)}
    assert abs(naive["zero"]["hajek"] - 0.4) > 10 * naive["zero"]["hajek_se"]  # ... one probability per arm does not
    const = np.tile([0.5, 0.5], (n, 1))
    a = evaluation.evaluate(policies, arm, y, const, 50, 3, "zero")
    b = evaluation.evaluate(policies, arm, y, np.array([0.5, 0.5]), 50, 3, "zero")
    assert a == b


def test_table4_shows_hajek_and_names_each_warning():
    import pandas as pd
    from actionable.paper import table4
    rows = []
    for i, p in enumerate(table4.POLICIES):
        rows.append(dict(study="s", policy=p, ipw=0.3 + 0.8 * (p == "PT-CF"), ipw_se=0.01, gain=0.01 * i, gain_se=0.01,
                         hajek=0.3 + 0.01 * i, aipw=0.3, warning="IPW value 1.1 outside the outcome's range [0, 1]; use "
                         "the Hajek value; effective sample size 12 < 30 in arm 'b', to which the policy sends 40% of "
                         "the holdout" if p == "PT-CF" else ""))
    md = table4.render(pd.DataFrame(rows), {"s": 0.01}, {}, {"s": True})
    assert "| Hajek (normalized IPW) | 30.0 | 31.0 | 32.0 | 33.0 | 34.0 | 35.0 |" in md
    assert "| Warning |  |  |  |  |  | range, ESS |" in md
    assert "WARNING (the values marked in the Warning row may mislead): s, PT-CF: IPW value 1.1 outside" in md
    clean = table4.render(pd.DataFrame(rows).assign(warning=""), {"s": 0.01}, {}, {"s": True})
    assert "| Warning |" not in clean and "WARNING" not in clean


def test_table4_shows_the_model_for_arms_not_alike_and_the_model_versus_data_warning():
    import pandas as pd
    from actionable.paper import table4
    rows = [dict(study="s", policy=p, ipw=0.3, ipw_se=0.01, gain=0.0, gain_se=0.01) for p in table4.POLICIES]
    not_alike = {"s": dict(structure=dict(effective_arms=3.2, m=12), variants=dict(
        best_profiles=dict(gain=0.043, se=0.0003, holdout_se=0.006, label="Our Model, arms not alike: best (OLS)"),
        independent_macf=dict(gain=1.3, se=0.002, label="Our Model, arms not alike: independent")))}
    md = table4.render(pd.DataFrame(rows), {"s": 0.01}, {}, {"s": True}, not_alike=not_alike,
                       checks={"s": ["the data gain more than the model predicts: ..."]})
    assert ("| Our Model, arms not alike: best (OLS) (this package's) |  |  |  |  |  |  | 34.3 (gain 4.30, holdout SE "
            "0.60; Monte Carlo ± 0.03; effective arms 3.2 of 12) |") in md
    assert "| Our Model, arms not alike: independent (this package's) |  |  |  |  |  |  | n/a (gain 130.0: beyond" in md
    assert "MODEL VERSUS DATA: s: the data gain more than the model predicts" in md
