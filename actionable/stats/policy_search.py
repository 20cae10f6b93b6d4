"""Exact policy-tree search on discrete covariates from cumulative reward histograms.

Maximizes the same objective as ``policytree::policy_tree`` (the sum over people of the doubly
robust score Gamma[i, a] of the action a their leaf assigns) over the same trees: axis-aligned
splits "x_j <= value" at the covariates' observed values, every split leaving at least
``min_node_size`` people on each side. Because each covariate takes at most a few dozen levels
(policy trees are fit on binned covariates), sums over any box of levels can be read from
histograms of Gamma over (level of x_j, level of x_k, action), built in one pass over the data:

- depth 1: for each feature, the cumulative sum of Gamma over its levels gives every split's two
  child totals at once;
- depth 2: the joint histogram of every feature pair, cumulated over both levels, gives for every
  root split (j, t) and child split (k, u) the four leaves' totals;
- depth 3: for each root feature j, the pair histograms of the people left of t are accumulated
  as t grows (each person is added once per j), the right side's are the total's minus the left
  side's, and each side gets the exact depth-2 search above.

So the cost grows with n only through building histograms; the search itself depends on the
number of features, levels and actions. Only ``split_step = 1`` (every split) is supported.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NEG = -np.inf


@dataclass
class Levels:
    """Each column's distinct values; ``codes[i, j]`` is person i's level of feature j."""

    codes: np.ndarray  # (n, p) int
    values: list  # per feature, its sorted distinct values
    size: int  # the largest number of levels (histograms are padded to it)

    @property
    def sizes(self) -> list:
        return [len(v) for v in self.values]

    @classmethod
    def of(cls, x: np.ndarray) -> "Levels":
        x = np.asarray(x, dtype=float)
        if np.isnan(x).any():
            raise ValueError("policy tree covariates must not be missing (bin and fill them first)")
        values, codes = [], np.empty(x.shape, dtype=np.int32)
        for j in range(x.shape[1]):
            v, c = np.unique(x[:, j], return_inverse=True)
            values.append(v)
            codes[:, j] = c
        return cls(codes, values, max(len(v) for v in values))


@dataclass
class Tree:
    """A node: a leaf (``action`` set) or a split on ``feature`` at ``value`` (left: x <= value)."""

    reward: float
    action: int | None = None
    feature: int | None = None
    value: float | None = None
    left: "Tree | None" = None
    right: "Tree | None" = None
    n: int = 0

    @property
    def depth(self) -> int:
        return 0 if self.action is not None else 1 + max(self.left.depth, self.right.depth)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Action index for each row of ``x`` (the same raw covariate values the tree was fit on)."""
        x = np.asarray(x, dtype=float)
        out = np.empty(len(x), dtype=np.int64)
        self._fill(x, np.arange(len(x)), out)
        return out

    def _fill(self, x, rows, out):
        if self.action is not None:
            out[rows] = self.action
            return
        go_left = x[rows, self.feature] <= self.value
        self.left._fill(x, rows[go_left], out)
        self.right._fill(x, rows[~go_left], out)

    def describe(self, names=None, actions=None, indent: int = 0) -> str:
        """policytree-like text: one line per node."""
        pad = "  " * indent
        if self.action is not None:
            label = actions[self.action] if actions is not None else self.action + 1
            return f"{pad}* action: {label} (n = {self.n}, reward = {self.reward:.6g})\n"
        name = names[self.feature] if names is not None else f"X{self.feature + 1}"
        return (f"{pad}split_variable: {name}  split_value: {self.value:g}\n"
                + self.left.describe(names, actions, indent + 1) + self.right.describe(names, actions, indent + 1))

    def to_dict(self, names=None, actions=None) -> dict:
        if self.action is not None:
            return dict(action=actions[self.action] if actions is not None else int(self.action), n=int(self.n),
                        reward=float(self.reward))
        return dict(feature=names[self.feature] if names is not None else int(self.feature), value=float(self.value),
                    left=self.left.to_dict(names, actions), right=self.right.to_dict(names, actions))


# ---------------------------------------------------------------------------------------------
# histograms


def _pair_histograms(codes: np.ndarray, gamma: np.ndarray, size: int, hist=None, count=None):
    """H[j, k, b, c, a] = sum of Gamma[i, a] over people with level b of j and c of k; N the counts.

    With ``hist``/``count`` given, these people are added to them in place."""
    n, p = codes.shape
    m = gamma.shape[1]
    if hist is None:
        hist, count = np.zeros((p, p, size, size, m)), np.zeros((p, p, size, size))
    flat = gamma.ravel()
    arm = np.tile(np.arange(m), n)
    for j in range(p):
        for k in range(j, p):
            cell = codes[:, j].astype(np.int64) * size + codes[:, k]
            h = np.bincount(np.repeat(cell, m) * m + arm, weights=flat, minlength=size * size * m).reshape(size, size, m)
            c = np.bincount(cell, minlength=size * size).reshape(size, size)
            hist[j, k] += h
            count[j, k] += c
            if k != j:
                hist[k, j] += h.transpose(1, 0, 2)
                count[k, j] += c.T
    return hist, count


def _leaf(totals: np.ndarray) -> tuple[float, int]:
    a = int(np.argmax(totals))
    return float(totals[a]), a


# ---------------------------------------------------------------------------------------------
# depth 1 and 2 from pair histograms


def _best_depth1(cum: np.ndarray, cnt: np.ndarray, total: np.ndarray, n_total: float, min_node_size: int):
    """Best single split of one node. ``cum[k, u, a]``: Gamma summed over the node's people with
    level <= u of feature k; ``cnt[k, u]`` their number. Returns (reward, k, u) or a leaf (k = -1)."""
    left = cum.max(axis=2)
    right = (total - cum).max(axis=2)
    value = left + right
    ok = (cnt >= min_node_size) & (n_total - cnt >= min_node_size)
    value = np.where(ok, value, NEG)
    leaf = total.max()
    k, u = np.unravel_index(np.argmax(value), value.shape)
    if value[k, u] > leaf:
        return float(value[k, u]), int(k), int(u)
    return float(leaf), -1, -1


def _depth2_tables(hist: np.ndarray, count: np.ndarray, min_node_size: int, sizes: list):
    """For every root split (j, t): the best depth-1 subtree's reward on each side, and where it splits.

    ``hist``/``count`` are a node's pair histograms; ``sizes[j]`` the number of levels of feature j
    (root splits beyond it are empty and skipped). Returns arrays over (j, t): left and right
    rewards and where each side splits (k, u; k = -1: a leaf)."""
    p, _, size, _, m = hist.shape
    out = {key: np.full((p, size), NEG if key.endswith("reward") else -1, dtype=float if key.endswith("reward") else int)
           for key in ("left_reward", "right_reward", "left_k", "left_u", "right_k", "right_u")}
    total = hist[0, 0].sum(axis=(0, 1))
    n_total = count[0, 0].sum()
    for j in range(p):
        # C[k, t, u, a]: Gamma over people with level(j) <= t and level(k) <= u
        levels_j = sizes[j]  # levels of j beyond these hold nobody: slicing them off is exact
        c = hist[j][:, :levels_j].cumsum(axis=1).cumsum(axis=2)  # (k, t, u, a)
        cn = count[j][:, :levels_j].cumsum(axis=1).cumsum(axis=2)  # (k, t, u)
        row_t = c[:, :, -1, :]  # (k, t, a): people with level(j) <= t, any level of k
        row_n = cn[:, :, -1]
        col_u = c[:, -1, :, :]  # (k, u, a): any level of j, level(k) <= u
        col_n = cn[:, -1, :]
        left_tot, left_n = row_t[0], row_n[0]  # (t, a), (t,)
        # left child: people with level(j) <= t, split by k at u
        ll, lr = c, row_t[:, :, None, :] - c
        ll_n, lr_n = cn, row_n[:, :, None] - cn
        # right child: people with level(j) > t
        rl = col_u[:, None, :, :] - c
        rr = total - row_t[:, :, None, :] - col_u[:, None, :, :] + c
        rl_n = col_n[:, None, :] - cn
        rr_n = n_total - row_n[:, :, None] - col_n[:, None, :] + cn
        for side, (a, b, an, bn, tot) in {
            "left": (ll, lr, ll_n, lr_n, left_tot),
            "right": (rl, rr, rl_n, rr_n, total - left_tot),
        }.items():
            value = a.max(axis=3) + b.max(axis=3)  # (k, t, u)
            value = np.where((an >= min_node_size) & (bn >= min_node_size), value, NEG)
            flat = value.transpose(1, 0, 2).reshape(levels_j, -1)  # (t, k*u)
            best = flat.argmax(axis=1)
            best_value = flat[np.arange(levels_j), best]
            leaf = tot.max(axis=1)  # (t,)
            use_split = best_value > leaf
            out[f"{side}_reward"][j, :levels_j] = np.where(use_split, best_value, leaf)
            out[f"{side}_k"][j, :levels_j] = np.where(use_split, best // size, -1)
            out[f"{side}_u"][j, :levels_j] = np.where(use_split, best % size, -1)
        # root splits leaving too few people on a side are not allowed
        bad = (left_n < min_node_size) | (n_total - left_n < min_node_size)
        out["left_reward"][j, :levels_j][bad] = NEG
        out["right_reward"][j, :levels_j][bad] = NEG
    return out


def _leaf_node(gamma, rows) -> Tree:
    totals = gamma[rows].sum(axis=0)
    r, a = _leaf(totals)
    return Tree(reward=r, action=a, n=len(rows))


def _split_rows(codes, rows, k, u):
    go = codes[rows, k] <= u
    return rows[go], rows[~go]


def _depth1_node(codes, gamma, levels, rows, k, u) -> Tree:
    if k < 0:
        return _leaf_node(gamma, rows)
    lo, hi = _split_rows(codes, rows, k, u)
    left, right = _leaf_node(gamma, lo), _leaf_node(gamma, hi)
    return Tree(reward=left.reward + right.reward, feature=k, value=float(levels.values[k][u]), left=left, right=right,
                n=len(rows))


def _depth2_from_tables(codes, gamma, levels, rows, tables) -> Tree:
    value = tables["left_reward"] + tables["right_reward"]
    j, t = np.unravel_index(np.argmax(value), value.shape)
    leaf = _leaf_node(gamma, rows)
    if not value[j, t] > leaf.reward:  # no valid split, or none better than one action for all
        return leaf
    lo, hi = _split_rows(codes, rows, j, t)
    left = _depth1_node(codes, gamma, levels, lo, tables["left_k"][j, t], tables["left_u"][j, t])
    right = _depth1_node(codes, gamma, levels, hi, tables["right_k"][j, t], tables["right_u"][j, t])
    return Tree(reward=left.reward + right.reward, feature=int(j), value=float(levels.values[j][t]), left=left,
                right=right, n=len(rows))


# ---------------------------------------------------------------------------------------------
# public entry point


def policy_tree(x: np.ndarray, gamma: np.ndarray, depth: int = 2, min_node_size: int = 1) -> Tree:
    """The reward-maximizing tree of at most ``depth`` levels (0-3) on discrete covariates ``x``.

    ``gamma[i, a]`` is person i's score for action a (policytree's Gamma.dr). Ties go to the lowest
    feature, level and action index."""
    gamma = np.asarray(gamma, dtype=float)
    if gamma.ndim != 2 or len(gamma) != len(x):
        raise ValueError("gamma must be an (n, actions) array with one row per row of x")
    if depth not in (0, 1, 2, 3):
        raise ValueError(f"depth must be 0, 1, 2 or 3, got {depth}")
    if min_node_size < 1:
        raise ValueError(f"min_node_size must be at least 1, got {min_node_size}")
    levels = Levels.of(x)
    codes, n = levels.codes, len(gamma)
    rows = np.arange(n)
    if depth == 0:
        return _leaf_node(gamma, rows)
    if depth == 1:
        return _depth1(codes, gamma, levels, rows, min_node_size)
    if depth == 2:
        hist, count = _pair_histograms(codes, gamma, levels.size)
        return _depth2_from_tables(codes, gamma, levels, rows,
                                   _depth2_tables(hist, count, min_node_size, levels.sizes))
    return _depth3(codes, gamma, levels, min_node_size)


def _depth1(codes, gamma, levels, rows, min_node_size) -> Tree:
    p, size = codes.shape[1], levels.size
    m = gamma.shape[1]
    cum = np.zeros((p, size, m))
    cnt = np.zeros((p, size))
    for k in range(p):
        for a in range(m):
            cum[k, :, a] = np.bincount(codes[rows, k], weights=gamma[rows, a], minlength=size)
        cnt[k] = np.bincount(codes[rows, k], minlength=size)
    cum, cnt = cum.cumsum(axis=1), cnt.cumsum(axis=1)
    _, k, u = _best_depth1(cum, cnt, gamma[rows].sum(axis=0), len(rows), min_node_size)
    return _depth1_node(codes, gamma, levels, rows, k, u)


def _depth3(codes, gamma, levels, min_node_size) -> Tree:
    """Root split (j, t) with exact depth-2 subtrees, the left side's pair histograms accumulated as t grows."""
    n, p = codes.shape
    size = levels.size
    hist, count = _pair_histograms(codes, gamma, size)
    best = (NEG, None)
    for j in range(p):
        order = np.argsort(codes[:, j], kind="stable")
        bounds = np.searchsorted(codes[order, j], np.arange(size + 1))
        left_h, left_n = np.zeros_like(hist), np.zeros_like(count)
        for t in range(len(levels.values[j]) - 1):
            add = order[bounds[t]:bounds[t + 1]]
            if len(add):
                _pair_histograms(codes[add], gamma[add], size, left_h, left_n)
            n_left = bounds[t + 1]
            if n_left < min_node_size or n - n_left < min_node_size:
                continue
            right_h = hist - left_h
            tl = _depth2_tables(left_h, left_n, min_node_size, levels.sizes)
            tr = _depth2_tables(right_h, count - left_n, min_node_size, levels.sizes)
            value = _best_value(tl, left_h[0, 0].sum(axis=(0, 1))) + _best_value(tr, right_h[0, 0].sum(axis=(0, 1)))
            if value > best[0]:
                best = (value, (j, t, tl, tr))
    rows = np.arange(n)
    leaf = _leaf_node(gamma, rows)
    if best[1] is None or not best[0] > leaf.reward:
        return leaf
    j, t, tl, tr = best[1]
    lo, hi = _split_rows(codes, rows, j, t)
    left = _depth2_from_tables(codes, gamma, levels, lo, tl)
    right = _depth2_from_tables(codes, gamma, levels, hi, tr)
    return Tree(reward=left.reward + right.reward, feature=int(j), value=float(levels.values[j][t]), left=left,
                right=right, n=n)


def _best_value(tables, totals) -> float:
    """A node's best depth-2 reward from its tables (a single leaf if no split is valid or better)."""
    value = (tables["left_reward"] + tables["right_reward"]).max()
    return float(max(value, totals.max()))
