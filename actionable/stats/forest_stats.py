"""The multi-arm causal forest's predictions from chunk-wise sufficient statistics, exactly as grf
computes them from one merged forest.

grf predicts at x (core/src/prediction/collector/OptimizedPredictionCollector.cpp) by averaging,
over the trees that may vote (all of them; out of bag, those that did not draw the point) and whose
leaf of x is not empty, the leaf's precomputed values: per leaf, with n its training people and
the forest's centred Y - Y.hat and W - W.hat (MultiCausalPredictionStrategy.cpp),

    v = (sum w, sum w Y, sum w W, sum w W Y, sum w W W') / n,

and then solving theta(x) = (WW * w - W W')^-1 (WY * w - W Y') on that average. The average is a
sum over trees divided by a count, so a forest grown as chunks needs, per chunk and point, only the
sum of its trees' leaf values and how many trees contributed: the chunks' sums and counts add up to
the merged forest's, and nothing ever holds the merged forest. ``tree_arrays`` reads a chunk's trees
from R once; ``chunk_sums`` walks them in numpy (Tree.cpp's find_leaf_node: go left when
x <= split value, or x is missing and the node sends missing values left, or both are missing);
``solve`` turns summed statistics into tau_hat.

The regression forest for Y.hat predicts the same way with two leaf values, the means of w Y and of w
(RegressionPredictionStrategy.cpp): its prediction is the ratio of their averages over the voting
trees, so the chunks' sums give it too (``regression_sums``, ``regression_predictions``).
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from . import rbridge
from .forests import arm_outcomes

__all__ = ["tree_arrays", "compact_columns", "leaf_nodes", "leaf_table", "chunk_sums", "solve", "chunk_record", "split_frequencies",
           "importance", "dr_scores", "macf_outputs", "regression_sums", "regression_predictions", "REGRESSION_TYPES"]

REGRESSION_TYPES = 2  # a regression forest's leaf values: the means of w Y and of w

# Every tree's arrays in one R call: pv, the leaf values as a nodes x types matrix (NA rows: inner
# nodes and empty leaves), indices 0-based as grf stores them.
TREES_R = """function(forest, from, to) {
  types <- forest[["_pv_num_types"]]
  lapply(seq(from, to), function(t) {
    pv <- forest[["_pv_values"]][[t]]
    list(root = forest[["_root_nodes"]][[t]], left = forest[["_child_nodes"]][[t]][[1]],
         right = forest[["_child_nodes"]][[t]][[2]], var = forest[["_split_vars"]][[t]],
         value = forest[["_split_values"]][[t]], nan_left = forest[["_send_missing_left"]][[t]],
         drawn = forest[["_drawn_samples"]][[t]],
         pv = matrix(unlist(lapply(pv, function(v) if (length(v)) v else rep(NA_real_, types))),
                     ncol = types, byrow = TRUE))
  })
}"""


def tree_arrays(forest, batch: int = 25) -> list[dict]:
    """A grf forest's trees as numpy arrays (one dict per tree), ``batch`` trees per R call so that
    R's copies of the leaf values stay small. Every array is copied out of R: ``np.asarray`` of an R
    vector is a view of R's memory, which R reuses once the batch's list is collected."""
    out = []
    trees = int(np.asarray(forest.rx2("_num_trees")).reshape(-1)[0])
    get = rbridge.r_eval(TREES_R)
    for start in range(1, trees + 1, batch):
        for tree in get(forest, start, min(start + batch - 1, trees)):
            t = {name: np.array(tree.rx2(name)) for name in ("left", "right", "var", "value", "nan_left", "drawn")}
            t["root"] = int(np.asarray(tree.rx2("root")).reshape(-1)[0])
            t["left"], t["right"], t["var"] = (t[k].astype(np.int64) for k in ("left", "right", "var"))
            t["drawn"] = t["drawn"].astype(np.int64).reshape(-1)
            t["nan_left"] = t["nan_left"].astype(bool)
            pv = np.array(tree.rx2("pv"), float).reshape(len(t["left"]), -1)
            t["pv"] = pv if pv.shape[1] == REGRESSION_TYPES else pv[:, compact_columns(pv.shape[1])]
            out.append(t)
    return out


def compact_columns(types: int) -> np.ndarray:
    """The leaf values kept: w, Y, W, WY and the upper triangle of the symmetric WW (column-major,
    as grf stores it), which is nearly half of all the values with many arms."""
    k = int(round(np.sqrt(types - 1) - 1))
    if k * (k + 2) + 2 != types:
        raise ValueError(f"{types} leaf values per leaf: not a multi-arm causal forest with one outcome")
    start = 2 + 2 * k
    return np.array(list(range(start)) + [start + i + j * k for j in range(k) for i in range(j + 1)])


def leaf_nodes(tree: dict, x: np.ndarray) -> np.ndarray:
    """The leaf each row of ``x`` falls in (grf's Tree::find_leaf_node, all rows at once)."""
    node = np.full(len(x), tree["root"], dtype=np.int64)
    rows = np.arange(len(x))
    inner = (tree["left"] != 0) | (tree["right"] != 0)
    todo = inner[node]
    while todo.any():
        r, n = rows[todo], node[todo]
        value, cut = x[r, tree["var"][n]], tree["value"][n]
        go_left = (value <= cut) | (tree["nan_left"][n] & np.isnan(value)) | (np.isnan(cut) & np.isnan(value))
        node[r] = np.where(go_left, tree["left"][n], tree["right"][n])
        todo[r] = inner[node[r]]
    return node


def leaf_table(trees: list[dict]) -> tuple[list[np.ndarray], np.ndarray]:
    """Every tree's non-empty leaves numbered across the trees: per tree, node -> row of the stacked
    leaf values (-1 for inner nodes and empty leaves), and those values."""
    index, values, offset = [], [], 0
    for tree in trees:
        full = ~np.isnan(tree["pv"][:, 0])
        rows = np.full(len(full), -1, np.int64)
        rows[full] = offset + np.arange(full.sum())
        index.append(rows)
        values.append(tree["pv"][full])
        offset += int(full.sum())
    return index, (np.vstack(values) if values else np.zeros((0, 0)))


def chunk_sums(trees: list[dict], x: np.ndarray, oob: bool = False, block: int = 50_000,
               table: tuple | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per row of ``x``: the sum of the leaf values of the trees that vote for it, and their count.
    ``oob``: ``x`` is the forest's own training matrix and a tree votes only for rows it did not draw.
    Rows in blocks: each block's votes are a sparse people x leaves matrix times the leaves' values
    (``table``, from ``leaf_table``), added in tree order as grf adds them."""
    x = np.asarray(x, float)
    leaf_rows, values = table or leaf_table(trees)
    sums, counts = np.zeros((len(x), values.shape[1])), np.zeros(len(x), np.int64)
    for start in range(0, len(x), block):
        rows = np.arange(start, min(start + block, len(x)))
        r_all, c_all = [], []
        for tree, index in zip(trees, leaf_rows):
            r = rows[~np.isin(rows, tree["drawn"])] if oob else rows
            col = index[leaf_nodes(tree, x[r])]
            keep = col >= 0  # an empty leaf does not vote
            r_all.append(r[keep] - start)
            c_all.append(col[keep])
        r_all, c_all = np.concatenate(r_all), np.concatenate(c_all)
        votes = sparse.csr_matrix((np.ones(len(r_all)), (r_all, c_all)), shape=(len(rows), len(values)))
        sums[rows] = votes @ values
        counts[rows] = np.bincount(r_all, minlength=len(rows))
    return sums, counts


def solve(sums: np.ndarray, counts: np.ndarray, num_treatments: int, block: int | None = None) -> np.ndarray:
    """tau_hat (n x num_treatments, one outcome) from summed leaf values (``compact_columns``) and
    counts, as MultiCausalPredictionStrategy::predict; NaN where no tree voted (grf's placeholder).
    Rows in blocks (default: about 32 MB per block's k x k systems), which are many times that in
    temporaries."""
    k = num_treatments
    block = block or max(1024, 4_000_000 // (k * k))
    tau = np.full((len(sums), k), np.nan)
    iu = [(i, j) for j in range(k) for i in range(j + 1)]  # compact_columns' order
    for start in range(0, len(sums), block):
        rows = np.arange(start, min(start + block, len(sums)))
        rows = rows[counts[rows] > 0]
        avg = sums[rows] / counts[rows, None]
        w, y, wv = avg[:, 0], avg[:, 1], avg[:, 2:2 + k]
        wy = avg[:, 2 + k:2 + 2 * k]
        ww = np.empty((len(avg), k, k))
        for c, (i, j) in enumerate(iu):
            ww[:, i, j] = ww[:, j, i] = avg[:, 2 + 2 * k + c]
        a = ww * w[:, None, None] - np.einsum("ni,nj->nij", wv, wv)
        b = wy * w[:, None] - wv * y[:, None]
        tau[rows] = np.einsum("nij,nj->ni", np.linalg.inv(a), b)
    return tau


def split_frequencies(forest, max_depth: int = 4) -> np.ndarray:
    """grf::split_frequencies: how often each variable is split on at each depth (depth x variables),
    a sum over trees, so the chunks' add up to the merged forest's."""
    grf = rbridge.importr("grf")
    return np.array(rbridge.call(grf.split_frequencies, forest, **{"max.depth": int(max_depth)}), float)


def importance(freq: np.ndarray, decay_exponent: float = 2.0) -> np.ndarray:
    """grf::variable_importance from summed split frequencies: each depth's counts as shares
    (at least 1 in the denominator), weighted by depth^-decay_exponent."""
    freq = np.asarray(freq, float)
    shares = freq / np.maximum(1.0, freq.sum(axis=1, keepdims=True))
    weight = np.arange(1, len(freq) + 1, dtype=float) ** -decay_exponent
    return shares.T @ weight / weight.sum()


def chunk_record(forest, x_test: np.ndarray, x_train: np.ndarray) -> dict:
    """What a chunk job keeps of its trees: the holdout's and the training rows' (out of bag) summed
    leaf values and counts, and its split frequencies. The R forest is let go once its trees are
    read, and the leaf values are held once (stacked), not per tree as well. That release works only
    when the caller keeps no reference of its own: pass ``read_forest(path)`` directly."""
    trees, freq = tree_arrays(forest), split_frequencies(forest)
    del forest
    rbridge.r_function("gc")()
    table = leaf_table(trees)
    for tree in trees:
        del tree["pv"]
    holdout, holdout_n = chunk_sums(trees, x_test, table=table)
    oob, oob_n = chunk_sums(trees, x_train, oob=True, table=table)
    return dict(holdout_sums=holdout, holdout_counts=holdout_n, oob_sums=oob, oob_counts=oob_n,
                split_frequencies=freq, trees=np.int64(len(trees)))


def regression_sums(forest, x_test: np.ndarray, x_train: np.ndarray, total: dict | None = None) -> dict:
    """A regression-forest chunk's leaf values added, tree by tree, to ``total`` (the earlier chunks'
    running sums and counts of voting trees, for the holdout and the out-of-bag training rows), in
    the order grf adds a merged forest's trees, so the predictions are grf's to the last bit (Y.hat
    is an input of the causal forest's splits). The R forest is let go once read, as in
    ``chunk_record``: pass ``read_forest(path)`` directly."""
    trees = tree_arrays(forest)
    del forest
    rbridge.r_function("gc")()
    total = total or {f"{rows}_{what}": np.zeros((len(x),) + shape, dtype)
                      for rows, x in (("holdout", x_test), ("oob", x_train))
                      for what, shape, dtype in (("sums", (REGRESSION_TYPES,), float), ("counts", (), np.int64))}
    for rows, x, oob in (("holdout", x_test, False), ("oob", x_train, True)):
        x = np.asarray(x, float)
        everyone = np.arange(len(x))
        for tree in trees:
            r = everyone[~np.isin(everyone, tree["drawn"])] if oob else everyone
            node = leaf_nodes(tree, x[r])
            keep = ~np.isnan(tree["pv"][node, 0])  # an empty leaf does not vote
            total[f"{rows}_sums"][r[keep]] += tree["pv"][node[keep]]
            total[f"{rows}_counts"][r[keep]] += 1
    return total


def regression_predictions(sums: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """grf's regression-forest prediction from summed leaf values and the count of voting trees: the
    average of the means of w Y over the average of the means of w; NaN where no tree voted."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return (sums[:, 0] / counts) / (sums[:, 1] / counts)


def dr_scores(tau: np.ndarray, y: np.ndarray, y_hat: np.ndarray, w_hat: np.ndarray, arm: np.ndarray) -> np.ndarray:
    """policytree::double_robust_scores of a multi-arm causal forest from its out-of-bag tau_hat
    (n x (m-1)): mu_0 = Y.hat - sum_a W.hat_a tau_a, mu_a = mu_0 + tau_a, and
    Gamma_a = mu_a + 1{arm = a} (Y - mu_a) / W.hat_a (n x m, control first)."""
    w_hat = np.asarray(w_hat, float)
    mu0 = y_hat - np.sum(w_hat[:, 1:] * tau, axis=1)
    mu = np.column_stack([mu0, mu0[:, None] + tau])
    rows = np.arange(len(y))
    gamma = mu.copy()
    gamma[rows, arm] += (y - mu[rows, arm]) / w_hat[rows, arm]
    return gamma


def macf_outputs(total: dict, y_train, arm_train, y_hat_train, w_hat_train, y_hat_test, w_hat_test) -> tuple:
    """The merge job's outputs from the chunks' summed statistics (``total``): the holdout's tau_hat
    (n x m, control 0) and arm outcomes, the training rows' DR scores (from their out-of-bag tau_hat)
    and grf's variable importance per feature. ``y_hat_*``: the Y.hat forest's out-of-bag values on
    the training rows (those the forest was grown with) and its predictions for the holdout;
    ``w_hat_*``: the known assignment probabilities per row (n x m)."""
    k = np.asarray(w_hat_train).shape[1] - 1
    tau = solve(total["holdout_sums"], total["holdout_counts"], k)
    tau = np.column_stack([np.zeros(len(tau)), tau])
    oob = solve(total["oob_sums"], total["oob_counts"], k)
    gamma = dr_scores(oob, np.asarray(y_train, float), np.asarray(y_hat_train, float), w_hat_train, np.asarray(arm_train))
    return tau, arm_outcomes(tau, y_hat_test, w_hat_test), gamma, importance(total["split_frequencies"])
