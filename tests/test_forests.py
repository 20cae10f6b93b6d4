"""grf's multi-arm causal forest and policytree through rpy2: real fits, no mocks."""
import numpy as np
import pytest

from actionable.stats import forests, rbridge
from actionable.studies import forest_files
from actionable.stats import policy_tree

pytestmark = pytest.mark.r

pytest.importorskip("rpy2")
MACF = dict(num_trees=300, min_node_size=5, sample_fraction=0.5, honesty=True)


def planted(n, m, seed):
    """m arms; arm 1 best where x0 > 0, arm 2 where x0 < 0; other arms and control worse."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (n, 4))
    base = 0.35 + 0.1 * x[:, 1]
    p = np.column_stack([base - 0.02, base + 0.2 * x[:, 0], base - 0.2 * x[:, 0]] +
                        [base - 0.05 - 0.01 * k + 0.05 * x[:, 2] for k in range(m - 3)])
    arm = rng.integers(0, m, n)
    y = (rng.random(n) < p[np.arange(n), arm]).astype(float)
    return x, arm, y, p


@pytest.fixture(scope="module")
def fitted():
    x, arm, y, p = planted(12_000, 3, 1)
    tr = np.arange(len(y)) < 8_000
    arms = ["control", "a", "b"]
    forest, y_forest = forests.fit_macf(x[tr], arm[tr], y[tr], [1 / 3] * 3, arms, MACF, seed=7, threads=2)
    return x, p, tr, arms, forest, y_forest


def test_macf_recovers_the_planted_crossover(fitted):
    x, p, tr, _, forest, _ = fitted
    tau = forests.predict_tau(forest, x[~tr], 2)
    assert tau.shape == ((~tr).sum(), 3) and np.all(tau[:, 0] == 0)
    assert (np.argmax(tau, axis=1) == np.argmax(p[~tr], axis=1)).mean() >= 0.8


def test_arm_outcomes_track_the_truth(fitted):
    x, p, tr, _, forest, y_forest = fitted
    mu = forests.arm_outcomes(forests.predict_tau(forest, x[~tr], 2), forests.predict_y(y_forest, x[~tr], 2), [1 / 3] * 3)
    for a in range(3):
        assert np.corrcoef(mu[:, a], p[~tr, a])[0, 1] > 0.7


def test_policy_tree_recovers_the_crossover_and_uses_at_most_four_arms():
    x, arm, y, p = planted(12_000, 6, 2)
    tr = np.arange(len(y)) < 8_000
    arms = [f"arm{k}" for k in range(6)]
    forest, _ = forests.fit_macf(x[tr], arm[tr], y[tr], [1 / 6] * 6, arms, MACF, seed=3, threads=2)
    gamma = policy_tree.double_robust_scores(forest)
    assert gamma.shape == (tr.sum(), 6)
    edges = policy_tree.bin_columns(x[tr], 20, np.ones(4, bool))
    fill = np.nanmedian(x[tr], axis=0)
    tree = policy_tree.fit_policy_tree(policy_tree.apply_bins(x[tr], edges, fill), gamma, 2, 1, 1, seed=5,
                                   names=["x0", "x1", "x2", "x3"], arms=arms)
    pi = policy_tree.predict_policy_tree(tree, policy_tree.apply_bins(x[~tr], edges, fill), ["x0", "x1", "x2", "x3"])
    assert len(np.unique(pi)) <= 4  # depth 2: at most 4 leaves
    assert (pi == np.argmax(p[~tr], axis=1)).mean() >= 0.8
    assert "split_variable: x0" in rbridge.capture_print(tree)


def test_same_seed_same_forest_and_tree():
    x, arm, y, _ = planted(3_000, 3, 4)
    small = dict(MACF, num_trees=60)
    runs = []
    for _ in range(2):
        f, _ = forests.fit_macf(x, arm, y, [1 / 3] * 3, ["c", "a", "b"], small, seed=11, threads=2)
        gamma = policy_tree.double_robust_scores(f)
        tree = policy_tree.fit_policy_tree(np.round(x, 1), gamma, 2, 1, 1, seed=12)
        runs.append((forests.predict_tau(f, x[:500], 2), rbridge.capture_print(tree)))
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    assert runs[0][1] == runs[1][1]
    other, _ = forests.fit_macf(x, arm, y, [1 / 3] * 3, ["c", "a", "b"], small, seed=12, threads=2)
    assert not np.array_equal(runs[0][0], forests.predict_tau(other, x[:500], 2))


def test_r_errors_carry_rs_message():
    grf = rbridge.importr("grf")
    with pytest.raises(rbridge.RError, match="(?i)y"):
        rbridge.call(grf.regression_forest, rbridge.matrix(np.zeros((10, 2))), rbridge.vector(np.zeros(5)))


def test_study_settings_put_a_studys_own_over_the_configs():
    cfg = {"forests": {"macf": {"num_trees": 200, "chunks": 2, "min_node_size": 5}},
           "studies": [{"name": "a"}, {"name": "b", "macf": {"num_trees": 2000, "chunks": 8}}]}
    assert forest_files.study_settings(cfg) == {"num_trees": 200, "chunks": 2, "min_node_size": 5}
    assert forest_files.study_settings(cfg, "a") == {"num_trees": 200, "chunks": 2, "min_node_size": 5}
    assert forest_files.study_settings(cfg, "b") == {"num_trees": 2000, "chunks": 8, "min_node_size": 5}
    assert cfg["forests"]["macf"]["num_trees"] == 200  # the config is not changed
    with pytest.raises(KeyError, match="'c'"):
        forest_files.study_settings(cfg, "c")


def test_sample_fraction_caps_rows_per_tree():
    assert forests.sample_fraction(dict(sample_fraction=0.5, max_rows_per_tree=50_000), 483_000) == pytest.approx(50_000 / 483_000)
    assert forests.sample_fraction(dict(sample_fraction=0.5, max_rows_per_tree=50_000), 52_000) == 0.5
    assert forests.sample_fraction(dict(sample_fraction=0.5, max_rows_per_tree=None), 483_000) == 0.5


def test_binning_is_consistent_and_fills_missing():
    x = np.column_stack([np.linspace(0, 1, 101), np.r_[np.zeros(50), np.ones(51)]])
    edges = policy_tree.bin_columns(x, 4, np.array([True, False]))
    assert edges[1] is None and len(edges[0]) == 3
    xb = policy_tree.apply_bins(np.array([[0.1, np.nan], [0.9, 1.0]]), edges, np.array([0.5, 0.0]))
    assert xb[0, 1] == 0.0 and xb[0, 0] == edges[0][0] and xb[1, 0] == edges[0][-1] + 1


def test_arm_outcomes_identity():
    tau = np.array([[0.0, 0.1, -0.2]])
    e = np.array([0.5, 0.25, 0.25])
    mu = forests.arm_outcomes(tau, np.array([0.4]), e)
    assert mu @ e == pytest.approx(0.4) and mu[0, 1] - mu[0, 0] == pytest.approx(0.1)


def test_scattered_forest_agrees_with_one_forest_of_the_same_size(fitted, tmp_path):
    """300 trees as 3 chunk jobs (Y.hat scattered and merged first, RDS round trip) vs one 300-tree forest."""
    x, p, tr, arms, single, _ = fitted
    _, arm, y, _ = planted(12_000, 3, 1)
    x_tr, y_tr, a_tr = x[tr], y[tr], arm[tr]
    chunks = 3
    sizes = [forests.chunk_trees(MACF, chunks, i) for i in range(chunks)]
    assert sizes == [100, 100, 100] and forests.chunk_trees(dict(num_trees=10), 3, 0) == 4
    paths = []
    for i in range(chunks):
        forest_files.save_forest(forests.fit_yhat_forest(x_tr, y_tr, MACF, 100 + i, 1, sizes[i], oob=False), tmp_path / f"y{i}.rds")
        paths.append(tmp_path / f"y{i}.rds")
    y_forest = forest_files.merge_files(paths, 2)
    y_hat = forests.oob_predictions(y_forest)
    assert forests.num_trees(y_forest) == 300 and len(y_hat) == tr.sum()
    # read in R and freed before the OOB predictions: the same forest as merging the objects read here
    np.testing.assert_array_equal(forests.oob_predictions(forests.merge([forest_files.read_forest(q) for q in paths], 1)),
                                  y_hat)
    parts = [forests.fit_macf_forest(x_tr, a_tr, y_tr, y_hat, [1 / 3] * 3, arms, MACF, 200 + i, 1, sizes[i], oob=False)
             for i in range(chunks)]
    merged = forests.merge(parts, 2)
    assert forests.num_trees(merged) == 300
    tau_m, tau_s = forests.predict_tau(merged, x[~tr], 2), forests.predict_tau(single, x[~tr], 2)
    assert np.corrcoef(tau_m[:, 1], tau_s[:, 1])[0, 1] > 0.9
    # the two policies' IPW values on the holdout differ by no more than Monte Carlo error
    pi_m, pi_s = np.argmax(tau_m, axis=1), np.argmax(tau_s, axis=1)
    a_te, y_te = arm[~tr], y[~tr]
    d = ((pi_m == a_te).astype(float) - (pi_s == a_te)) * y_te * 3  # e = 1/3
    assert abs(d.mean()) <= 3 * d.std(ddof=1) / np.sqrt(len(d)) + 1e-12
    assert (pi_m == pi_s).mean() > 0.85
    # doubly robust scores of the merged forest (what the policy tree is fit on) exist for every row
    gamma = policy_tree.double_robust_scores(merged)
    assert gamma.shape == (tr.sum(), 3) and np.isfinite(gamma).all()


def test_merge_computes_the_out_of_bag_predictions_grf_would(fitted):
    """A chunk fit without OOB predictions, then merged alone, carries exactly the OOB predictions
    (and DR scores) of the same forest fit by grf with them."""
    x, _, tr, arms, _, _ = fitted
    _, arm, y, _ = planted(12_000, 3, 1)
    x_tr, y_tr, a_tr = x[tr], y[tr], arm[tr]
    settings = dict(MACF, num_trees=50)
    y_with = forests.fit_yhat_forest(x_tr, y_tr, settings, 5, 2)
    y_merged = forests.merge([forests.fit_yhat_forest(x_tr, y_tr, settings, 5, 1, oob=False)], 2)
    np.testing.assert_array_equal(forests.oob_predictions(y_merged), forests.oob_predictions(y_with))
    y_hat = forests.oob_predictions(y_with)
    with_oob = forests.fit_macf_forest(x_tr, a_tr, y_tr, y_hat, [1 / 3] * 3, arms, settings, 6, 2)
    merged = forests.merge([forests.fit_macf_forest(x_tr, a_tr, y_tr, y_hat, [1 / 3] * 3, arms, settings, 6, 1,
                                                    oob=False)], 1)
    np.testing.assert_array_equal(policy_tree.double_robust_scores(merged), policy_tree.double_robust_scores(with_oob))
    assert not np.isnan(policy_tree.double_robust_scores(merged)).any()


def test_yhat_forest_follows_grfs_own_recipe():
    """multi_arm_causal_forest's args.orthog: max(50, num.trees / 4) trees, min.node.size 5,
    honesty 0.5; sample.fraction (and its cap), mtry, alpha, imbalance.penalty from the forest."""
    s = forests.yhat_settings(dict(num_trees=2000, min_node_size=20, honesty=False, honesty_fraction=0.7,
                                   sample_fraction=0.3, max_rows_per_tree=1000, mtry=4, alpha=0.1, ci_group_size=4))
    assert s == dict(num_trees=500, min_node_size=5, honesty=True, honesty_fraction=0.5, sample_fraction=0.3,
                     max_rows_per_tree=1000, mtry=4, alpha=0.1)
    assert forests.yhat_settings(dict(num_trees=120))["num_trees"] == 50
