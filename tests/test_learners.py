"""The outcome-model learners: OLS equivalence, planted crossovers, encoding, determinism."""
import numpy as np
import pandas as pd
import pytest

from actionable.stats import learners
from actionable.stats.features import FeatureEncoder
from actionable.paper import table4

XGB = dict(eta=0.1, max_depth=3, min_child_weight=20, subsample=0.8, colsample_bytree=1.0,
           num_boost_round=300, early_stopping_rounds=20, inner_validation_share=0.1)


def planted_crossover(n, seed):
    """3 arms; arm 1 is best where x0 > 0, arm 2 where x0 < 0, control (0) never.

    Binary outcome; x1 shifts everyone's level alike; x2 is noise.
    """
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (n, 3))
    base = 0.35 + 0.10 * x[:, 1]
    p = np.column_stack([base - 0.02, base + 0.15 * x[:, 0], base - 0.15 * x[:, 0]])
    arm = rng.integers(0, 3, n)
    y = (rng.random(n) < p[np.arange(n), arm]).astype(float)
    return x, arm, y, p


@pytest.fixture(scope="module")
def crossover():
    x, arm, y, p = planted_crossover(45_000, 1)
    tr = np.arange(len(y)) < 30_000
    return x[tr], arm[tr], y[tr], x[~tr], p[~tr]


def agreement(preds, p):
    return float((learners.policy(preds) == np.argmax(p, axis=1)).mean())


def test_ols_recovers_planted_crossover(crossover):
    x_tr, a_tr, y_tr, x_te, p_te = crossover
    assert agreement(learners.fit_predict_ols(x_tr, a_tr, y_tr, x_te, 3), p_te) >= 0.8


def test_slearner_recovers_planted_crossover(crossover):
    x_tr, a_tr, y_tr, x_te, p_te = crossover
    preds, _, rounds = learners.fit_predict_slearner(x_tr, a_tr, y_tr, x_te, 3, XGB, True, seed=3, threads=2)
    assert agreement(preds, p_te) >= 0.8 and rounds >= 1


def test_tlearner_recovers_planted_crossover(crossover):
    x_tr, a_tr, y_tr, x_te, p_te = crossover
    preds = np.column_stack([learners.fit_predict_tlearner_arm(x_tr[a_tr == a], y_tr[a_tr == a], x_te, XGB, True,
                                                               seed=10 + a)[0] for a in range(3)])
    assert agreement(preds, p_te) >= 0.8
    assert preds.min() >= 0 and preds.max() <= 1  # logistic objective: probabilities


def test_fully_interacted_ols_equals_per_arm_fits():
    rng = np.random.default_rng(0)
    x, arm = rng.normal(size=(600, 4)), rng.integers(0, 4, 600)
    y = x @ rng.normal(size=4) + arm * 0.3 + x[:, 0] * (arm == 2) + rng.normal(size=600)
    x_te = rng.normal(size=(50, 4))
    np.testing.assert_allclose(learners.fit_predict_ols(x, arm, y, x_te, 4),
                               learners.fit_predict_ols_single_regression(x, arm, y, x_te, 4), atol=1e-9)


def test_xgboost_is_deterministic_given_the_seed(crossover):
    x_tr, a_tr, y_tr, x_te, _ = crossover
    a = learners.fit_predict_slearner(x_tr[:5000], a_tr[:5000], y_tr[:5000], x_te[:500], 3, XGB, True, 5, 2)[0]
    b = learners.fit_predict_slearner(x_tr[:5000], a_tr[:5000], y_tr[:5000], x_te[:500], 3, XGB, True, 5, 2)[0]
    np.testing.assert_array_equal(a, b)


def test_continuous_outcome_uses_squared_error():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(4000, 2))
    y = 3 + 2 * x[:, 0] + rng.normal(size=4000)
    preds, _, _ = learners.fit_predict_tlearner_arm(x, y, x[:200], XGB, False, seed=1)
    assert np.corrcoef(preds, 3 + 2 * x[:200, 0])[0, 1] > 0.95 and preds.max() > 1.5


def test_inner_validation_is_stratified_and_seeded():
    arm = np.repeat([0, 1, 2], [100, 200, 300])
    mask = learners.inner_validation_mask(arm, 0.1, seed=4)
    assert [mask[arm == a].sum() for a in range(3)] == [10, 20, 30]
    np.testing.assert_array_equal(mask, learners.inner_validation_mask(arm, 0.1, seed=4))


def test_encoder_is_consistent_between_train_and_test():
    covs = [dict(name="age", type="continuous"), dict(name="region", type="categorical")]
    train = pd.DataFrame({"age": [30.0, np.nan, 50.0], "region": ["north", "south", None]})
    test = pd.DataFrame({"age": [np.nan, 40.0], "region": ["west", "south"]})  # unseen level, same order
    enc = FeatureEncoder(covs).fit(train)
    assert enc.names == ["age", "region=north", "region=south"]
    np.testing.assert_array_equal(enc.transform(test), [[np.nan, 0, 0], [40, 0, 1]])
    imp = FeatureEncoder(covs, impute=True).fit(train)
    assert imp.names[-2:] == ["age_missing", "region_missing"]
    np.testing.assert_array_equal(imp.transform(test), [[40, 0, 0, 1, 0], [40, 0, 1, 0, 0]])


def test_table4_policies_are_the_best_arm_each_learners_argmax_and_the_tree():
    rng = np.random.default_rng(3)
    preds = [rng.normal(size=(5, 4)) for _ in range(4)]
    tree = np.array([3, 0, 2, 2, 1])
    pol = table4.table4_policies(2, 5, *preds, tree)
    assert list(pol) == ["Best Uniform", "OLS", "S-XGB", "T-XGB", "MACF", "PT-CF"]  # Table 4's order
    assert (pol["Best Uniform"] == 2).all() and len(pol["Best Uniform"]) == 5
    for name, p in zip(["OLS", "S-XGB", "T-XGB", "MACF"], preds):
        assert (pol[name] == p.argmax(axis=1)).all(), name
    assert (pol["PT-CF"] == tree).all()
