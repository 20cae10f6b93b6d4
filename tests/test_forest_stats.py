"""Chunk-wise sufficient statistics of the multi-arm causal forest (stats.forest_stats) against
grf's own predict on the merged forest: holdout and out-of-bag, every arm's tau."""
import numpy as np
import pytest

from actionable.stats import forest_stats, forests, rbridge
from actionable.studies import forest_files

pytestmark = pytest.mark.r
pytest.importorskip("rpy2")

MACF = dict(num_trees=60, min_node_size=5, sample_fraction=0.5, honesty=True)


def _data(n=2000, m=5, seed=3):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4))
    x[rng.random((n, 4)) < 0.03] = np.nan  # missing values take grf's send-missing-left paths
    arm = rng.integers(0, m, n)
    p = 0.3 + 0.1 * np.tanh(np.nan_to_num(x[:, 0])) * (arm % 2) + 0.05 * (arm == 3) * (np.nan_to_num(x[:, 1]) > 0)
    y = (rng.random(n) < p).astype(float)
    return x, arm, y


@pytest.fixture(scope="module")
def chunks():
    x, arm, y = _data()
    x_tr, a_tr, y_tr, x_te = x[:1500], arm[:1500], y[:1500], x[1500:]
    arms = [f"arm{k}" for k in range(5)]
    y_hat = np.full(len(y_tr), y_tr.mean())
    parts = [forests.fit_macf_forest(x_tr, a_tr, y_tr, y_hat, [0.2] * 5, arms, MACF, seed=11 + c, threads=1,
                                     trees=t, oob=False) for c, t in enumerate((20, 20, 24))]
    merged = forests.merge(parts, threads=1)
    return x_tr, x_te, parts, merged


def test_chunk_sums_reproduce_grfs_holdout_predictions(chunks):
    x_tr, x_te, parts, merged = chunks
    sums, counts = map(sum, zip(*(forest_stats.chunk_sums(forest_stats.tree_arrays(f), x_te) for f in parts)))
    tau = forest_stats.solve(sums, counts, 4)
    want = forests.predict_tau(merged, x_te, 1)[:, 1:]
    assert np.isfinite(want).all() and np.abs(tau - want).max() < 1e-8
    assert counts.max() == 64  # every tree votes unless its leaf of x is empty
    batched = forest_stats.chunk_sums(forest_stats.tree_arrays(parts[2], batch=5), x_te)  # R calls of 5 trees
    assert all(np.array_equal(a, b) for a, b in zip(batched, forest_stats.chunk_sums(forest_stats.tree_arrays(parts[2]), x_te)))
    one = forest_stats.solve(*forest_stats.chunk_sums(forest_stats.tree_arrays(parts[0]), x_te), 4)
    assert np.abs(one - want).max() > 0.01  # one chunk alone is another forest


def test_chunk_sums_reproduce_grfs_out_of_bag_predictions(chunks):
    x_tr, _, parts, merged = chunks
    sums, counts = map(sum, zip(*(forest_stats.chunk_sums(forest_stats.tree_arrays(f), x_tr, oob=True) for f in parts)))
    tau = forest_stats.solve(sums, counts, 4)
    want = rbridge.to_numpy(merged.rx2("predictions")).reshape(len(x_tr), -1)
    both = np.isfinite(want).all(axis=1)
    assert both.mean() > 0.95 and (np.isnan(tau[~both])).all()  # no voting tree: NaN in both
    assert np.abs(tau[both] - want[both]).max() < 1e-8
    assert np.array_equal(forest_stats.solve(sums, counts, 4, block=7), tau, equal_nan=True)  # row blocks
    assert counts.max() < 64  # out of bag: a tree that drew the point does not vote


def test_yhat_from_chunk_statistics_is_grfs_merged_forest(tmp_path):
    """The Y.hat regression forest as 3 chunk files: the chunks' leaf values added in grf's order (one
    chunk in memory at a time) give grf's merged-forest predictions to the last bit, out of bag and on
    the holdout (Y.hat is an input of the causal forest's splits, so nearly equal would not do)."""
    x, _, y = _data()
    x_tr, y_tr, x_te = x[:1500], y[:1500], x[1500:]
    paths = [tmp_path / f"yhat{c}.rds" for c in range(3)]
    for c, (path, trees) in enumerate(zip(paths, (6, 6, 8))):
        forest_files.save_forest(forests.fit_yhat_forest(x_tr, y_tr, MACF, 30 + c, 1, trees, oob=False), path)
    oob, holdout = forest_files.yhat_from_chunks(paths, "statistics", x_te, x_tr, 1)
    oob_m, holdout_m = forest_files.yhat_from_chunks(paths, "merge", x_te, x_tr, 1)
    assert np.isfinite(holdout_m).all() and np.array_equal(holdout, holdout_m)
    voted = np.isfinite(oob_m)
    assert voted.mean() > 0.95 and np.array_equal(oob, oob_m, equal_nan=True)
    one = forest_files.yhat_from_chunks(paths[:1], "statistics", x_te, x_tr, 1)[1]
    assert np.abs(one - holdout_m).max() > 0.01  # one chunk alone is another forest


def test_a_yhat_chunk_that_cannot_be_read_is_named(tmp_path):
    """Each chunk is read in a process of its own; its failure stops the job naming the chunk."""
    bad = tmp_path / "yhat1.rds"
    bad.write_text("not an RDS file")
    with pytest.raises(RuntimeError, match=rf"Y.hat chunk {bad}: its leaf values could not be added \(exit 1\)"
                                           r"(.|\n)*RRuntimeError"):
        forest_files.yhat_from_chunks([bad], "statistics", np.zeros((3, 1)), np.zeros((4, 1)), 1)


def _numpy_owned(a: np.ndarray) -> bool:
    """Whether an array's memory is numpy's own (possibly through views of a numpy copy), not R's."""
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a.base is None


def test_tree_arrays_are_copies_that_outlive_rs_memory():
    """tree_arrays and rbridge.to_numpy copy out of R: a view of R's memory (np.asarray of an R
    vector) turns to garbage values once R collects and reuses it, which a regression forest's leaf
    values (kept as read) did after the next chunk was read."""
    x, _, y = _data()
    forest = forests.fit_yhat_forest(x[:1500], y[:1500], MACF, 30, 1, 6, oob=False)
    trees = forest_stats.tree_arrays(forest)
    assert all(_numpy_owned(a) for t in trees for k, a in t.items() if k != "root")
    assert _numpy_owned(rbridge.to_numpy(rbridge.r_eval("function() c(1, 2, 3)")()))
    snapshot = [{k: np.copy(a) for k, a in t.items() if k != "root"} for t in trees]
    del forest
    rbridge.r_function("gc")()
    rbridge.r_eval("function() { x <- lapply(1:200, function(i) runif(5e4)); invisible(length(x)) }")()
    assert all(np.array_equal(t[k], s[k], equal_nan=True) for t, s in zip(trees, snapshot) for k in s)


@pytest.mark.workflow
def test_the_small_config_from_the_merged_forest_gives_the_statistics_tables(small_run, tmp_path):
    """forests.combine: merge (grf's merged forest, the reference) on the small config, whose default
    is statistics (the shared run copied, so only the forest's combination and what follows it run
    again): tau_hat and the arm outcomes within 1e-8, the DR scores, the importance, the policy tree
    and Table 4 identical, the moments table within 1e-8."""
    import shutil

    import pandas as pd

    from conftest import ROOT, run_snakemake

    work = tmp_path / "merge"
    shutil.copytree(small_run.parent, work, symlinks=True, ignore=shutil.ignore_patterns(".snakemake"))
    overlay = tmp_path / "merge.yaml"
    overlay.write_text("forests:\n  combine: merge\n")
    # the copy has no .snakemake metadata to show the changed setting: the combining jobs are forced, and all after them
    res = run_snakemake("--forcerun", "fit_macf", "--cores", 2, "-d", work, "--configfile", ROOT / ".test" / "config.yaml",
                        overlay, timeout=1800)
    assert res.returncode == 0, res.stderr[-3000:]
    new = work / "results"
    for study in ("walmart_like", "penn_geisinger_like", "example_shop"):
        macf = f"forests/{study}/macf"
        assert not (small_run / f"{macf}/chunks/macf0.stats.npz").exists()  # temporary: deleted once combined
        assert '"combine": "statistics"' in (small_run / f"{macf}/info.json").read_text()
        assert '"combine": "merge"' in (new / f"{macf}/info.json").read_text()
        for f in ("tau.npy", "mu.npy"):
            assert np.abs(np.load(new / f"{macf}/{f}") - np.load(small_run / f"{macf}/{f}")).max() < 1e-8, (study, f)
        for f in (f"{macf}/dr_scores.npy", f"forests/{study}/policy_tree/policy.npy"):
            assert (np.load(new / f) == np.load(small_run / f)).all(), (study, f)
        assert (new / f"{macf}/importance.csv").read_bytes() == (small_run / f"{macf}/importance.csv").read_bytes()
    assert (new / "tables/table4.csv").read_bytes() == (small_run / "tables/table4.csv").read_bytes()
    a, b = (pd.read_csv(d / "tables/moments.csv") for d in (small_run, new))
    num = a.select_dtypes("number").columns
    assert np.allclose(a[num], b[num], rtol=1e-8, atol=1e-12, equal_nan=True)


def test_yhat_from_broken_statistics_stops_with_a_message(monkeypatch):
    nan_sums = dict(holdout_sums=np.full((3, 2), np.nan), holdout_counts=np.ones(3, int), oob_sums=np.ones((4, 2)),
                    oob_counts=np.ones(4, int))
    monkeypatch.setattr(forest_files, "_regression_sums_by_chunk", lambda paths, x_test, x_train: nan_sums)
    with pytest.raises(ValueError, match=r"Y.hat from 1 chunks \(yhat0.rds ...\): 3 of 3 holdout predictions are not "
                                         "finite; expected all finite"):
        forest_files.yhat_from_chunks(["yhat0.rds"], "statistics", np.zeros((3, 1)), np.zeros((4, 1)), 1)
