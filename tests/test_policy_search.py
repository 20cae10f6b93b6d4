"""The exact binned policy-tree search against policytree on random problems (ties, min_node_size, depths 1-3).

fastpolicytree is compared in benchmarks/policy_search.py (in its own R process: through rpy2 it crashed here).
"""
import itertools

import numpy as np
import pytest

from actionable.stats import policy_search
from actionable.stats import policy_tree


def _problem(seed):
    rng = np.random.default_rng(seed)
    n, p, m = int(rng.integers(20, 140)), int(rng.integers(1, 4)), int(rng.integers(2, 5))
    x = np.column_stack([rng.integers(0, int(rng.integers(2, 7)), n) for _ in range(p)]).astype(float)
    x *= rng.choice([1.0, 0.5, 3.0])  # levels need not be 0, 1, 2, ...
    ties = seed % 3 == 0  # integer scores: many trees with the same reward
    gamma = rng.integers(-2, 3, (n, m)).astype(float) if ties else rng.normal(size=(n, m))
    depth = (1, 2, 3)[seed % 3] if n <= 70 else (1, 2)[seed % 2]
    return x, gamma, depth, (1, 1, 3, 10)[seed % 4]


def _reward(gamma, pi):
    return float(gamma[np.arange(len(gamma)), pi].sum())


@pytest.mark.parametrize("seed", range(36))
@pytest.mark.r
def test_same_optimal_reward_as_policytree(seed):
    x, gamma, depth, mns = _problem(seed)
    tree = policy_search.policy_tree(x, gamma, depth, mns)
    r_tree = policy_tree.fit_policy_tree(x, gamma, depth, 1, mns, seed=1)
    best = _reward(gamma, policy_tree.predict_policy_tree(r_tree, x))
    assert tree.reward == pytest.approx(best, rel=1e-10, abs=1e-9)
    # the tree predicts what it describes, and honours min_node_size and depth
    assert _reward(gamma, tree.predict(x)) == pytest.approx(tree.reward, abs=1e-9)
    assert tree.depth <= depth

    def leaves(t):
        return [t] if t.action is not None else leaves(t.left) + leaves(t.right)
    assert all(leaf.n >= mns for leaf in leaves(tree))
    assert sum(leaf.n for leaf in leaves(tree)) == len(x)


def test_depth_two_matches_brute_force_without_r():
    rng = np.random.default_rng(3)
    x = rng.integers(0, 4, (60, 2)).astype(float)
    gamma = rng.normal(size=(60, 3))
    best = -np.inf
    splits = [(j, v) for j in range(2) for v in np.unique(x[:, j])[:-1]]
    for (j, t), left_split, right_split in itertools.product(splits, splits + [None], splits + [None]):
        total = 0.0
        for side, sub in ((x[:, j] <= t, left_split), (x[:, j] > t, right_split)):
            if sub is None:  # a leaf
                total += gamma[side].sum(axis=0).max()
            else:
                go = x[:, sub[0]] <= sub[1]
                total += gamma[side & go].sum(axis=0).max() + gamma[side & ~go].sum(axis=0).max()
        best = max(best, total)
    assert policy_search.policy_tree(x, gamma, 2).reward == pytest.approx(best)


def test_planted_policy_is_found_and_described():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 10, (5000, 3)).astype(float)
    truth = np.where(x[:, 0] <= 4, np.where(x[:, 1] <= 2, 0, 1), 2)
    gamma = rng.normal(size=(5000, 3)) * 0.5
    gamma[np.arange(5000), truth] += 1.0
    tree = policy_search.policy_tree(x, gamma, 2)
    assert (tree.predict(x) == truth).mean() > 0.99
    text = tree.describe(["a", "b", "c"], ["A", "B", "C"])
    assert "split_variable: a  split_value: 4" in text and "action: C" in text
    assert tree.to_dict(["a", "b", "c"], ["A", "B", "C"])["feature"] == "a"


def test_bad_inputs_are_named():
    x = np.zeros((5, 1))
    with pytest.raises(ValueError, match="depth"):
        policy_search.policy_tree(x, np.zeros((5, 2)), depth=4)
    with pytest.raises(ValueError, match="one row per row"):
        policy_search.policy_tree(x, np.zeros((4, 2)))
    with pytest.raises(ValueError, match="missing"):
        policy_search.policy_tree(np.full((5, 1), np.nan), np.zeros((5, 2)))


def test_exact_policy_tree_bins_and_recovers_a_threshold_rule():
    """Arm 1 is best above a continuous covariate's median, arm 2 where a binary one is set, else arm
    0: the workflow's binned exact tree finds the rule, fills a missing value with the training
    median and applies it to new rows."""
    rng = np.random.default_rng(4)
    n = 4000
    x = np.column_stack([rng.normal(size=n), rng.integers(0, 2, n).astype(float)])
    best = np.where(x[:, 1] == 1, 2, np.where(x[:, 0] > 0, 1, 0))
    gamma = rng.normal(0, 0.1, (n, 3)) + np.eye(3)[best]
    new = np.array([[1.5, 0.0], [-1.5, 0.0], [0.3, 1.0], [np.nan, 1.0]])
    tree, policy = policy_tree.exact_policy_tree(x, gamma, new, np.array([True, False]),
                                             dict(bins=10, depth=2, min_node_size=1))
    assert policy.tolist() == [1, 0, 2, 2]
    assert (tree.predict(policy_tree.apply_bins(x, policy_tree.bin_columns(x, 10, np.array([True, False])),
                                            np.nanmedian(x, axis=0))) == best).mean() > 0.95
