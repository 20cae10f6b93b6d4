"""The R side installed by bin/setup.sh: grf and policytree reached through rpy2, for real."""
import numpy as np
import pytest

pytestmark = pytest.mark.r

rpy2 = pytest.importorskip("rpy2")


def test_grf_and_policytree_fit_through_rpy2():
    from rpy2 import robjects as ro
    from rpy2.robjects import numpy2ri
    from rpy2.robjects.conversion import localconverter
    from rpy2.robjects.packages import importr

    # importr("base") leaves R warnings from formals(); base functions come through ro.r instead
    grf, policytree = importr("grf"), importr("policytree")
    version = str(ro.r('as.character(packageVersion("grf"))')[0])
    assert tuple(map(int, version.split(".")[:2])) >= (2, 0), version
    rng = np.random.default_rng(0)
    n = 2000
    x = rng.normal(size=(n, 3))
    w = rng.integers(0, 3, n)
    # planted crossover: arm 1 best where x1 > 0, arm 2 best where x1 < 0
    y = 0.5 * x[:, 1] + np.where(w == 1, x[:, 0], 0) + np.where(w == 2, -x[:, 0], 0) + rng.normal(size=n)
    with localconverter(ro.default_converter + numpy2ri.converter):
        X = ro.conversion.get_conversion().py2rpy(x)
    Y = ro.FloatVector(y.tolist())  # grf refuses a 1-D numpy array converted by numpy2ri
    W = ro.r["factor"](ro.IntVector(w.tolist()), levels=ro.IntVector([0, 1, 2]))
    forest = grf.multi_arm_causal_forest(X, Y, W, num_trees=200, seed=1, num_threads=2)
    tau = np.asarray(ro.r["predict"](forest).rx2("predictions")).reshape(n, 2)
    best = np.argmax(np.column_stack([np.zeros(n), tau]), axis=1)
    truth = np.where(x[:, 0] > 0, 1, 2)
    assert (best == truth).mean() > 0.8
    gamma = policytree.double_robust_scores(forest)
    tree = policytree.policy_tree(X, gamma, depth=1)
    with localconverter(ro.default_converter + numpy2ri.converter):
        pred = np.asarray(ro.r["predict"](tree, X)).astype(int)  # 1-based action labels
    assert ((pred - 1) == truth).mean() > 0.8
