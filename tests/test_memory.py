"""The forest jobs' projected memory (actionable.studies.memory) and the config check's plan."""
import json

import pytest

from actionable.studies import memory
from conftest import ROOT, run_snakemake

# made-up coefficients, so the closed forms below are easy to write
COEF = dict(tree_bytes_per_row=[10.0, 0.5], fit=[300.0, 2.0, 1.5], statistics=[350.0, 2.0, 1.0, 1.2],
            reduce=[320.0, 2.0, 1.1], merge=[300.0, 2.0, 2.5])


def test_the_projection_is_the_closed_form():
    settings = dict(num_trees=2000, chunks=10, sample_fraction=0.5, max_rows_per_tree=None)
    shape = memory.shape_of(100_000, 12, 5, settings)
    assert shape.rows_per_tree == 35_000 and shape.trees_per_chunk == 200
    assert memory.rows_per_tree(100_000, dict(settings, max_rows_per_tree=20_000)) == 20_000
    data = 100_000 * 12 * 8 / 1e6
    chunk = 200 * 35_000 * (10 + 0.5 * 26) / 1e6  # 26 = 5^2 + 1 leaf values
    sums = 100_000 * (2 + 8 + 10) * 8 / 1e6  # w, Y, 4 W, 4 WY, the 10 of WW's upper triangle
    # the Y.hat forest: a quarter of the trees; with statistics one chunk of it at a time
    yhat = {how: 500 * 35_000 * memory.YHAT_BYTES_PER_TREE_ROW[how] / 1e6 for how in ("statistics", "merge")}
    got = memory.job_peaks_mb(shape, COEF)
    assert got["fit"] == pytest.approx(300 + 2 * data + 1.5 * chunk)
    assert got["statistics"] == pytest.approx(350 + 2 * data + chunk + 1.2 * sums)
    assert got["reduce"] == pytest.approx(320 + 2 * data + 1.1 * sums)
    assert got["merge"] == pytest.approx(300 + 2 * data + 2.5 * 10 * chunk)
    # merge_yhat: with statistics one chunk of the Y.hat forest (50 of its 500 trees) and two sums per row
    assert got["yhat"] == pytest.approx(300 + 2 * data + yhat["statistics"] / 10 + 2 * 100_000 * 2 * 8 / 1e6)
    assert memory.job_peaks_mb(shape, COEF, "merge")["yhat"] == pytest.approx(300 + 2 * data + yhat["merge"])


def test_the_plan_names_the_fewest_chunks_that_fit():
    settings = dict(num_trees=2000, chunks=2, sample_fraction=0.5, max_rows_per_tree=50_000)
    shape = memory.shape_of(600_000, 40, 23, settings)
    assert memory.plan(shape, 2000, "statistics", 10**7, COEF) is None
    msg = memory.plan(shape, 2000, "statistics", 16_000, COEF)
    chunks = int(msg.split("chunks: ")[1].split()[0])
    fits = [max(memory.job_peaks_mb(memory.shape_of(600_000, 40, 23, dict(settings, chunks=c)), COEF)[j]
                for j in ("fit", "statistics", "reduce", "yhat")) <= 16_000 / memory.MARGIN for c in (chunks - 1, chunks)]
    assert fits == [False, True]
    assert "600,000 rows, 23 arms, 1000 trees per chunk, 50,000 rows per tree" in msg
    # merging cannot fit at any chunk count (the merged forest is all the trees): statistics can
    merge = memory.plan(shape, 2000, "merge", 16_000, COEF)
    assert f"chunks: {chunks} and combine: statistics would fit" in merge
    # the sums of every row's leaf values do not shrink with more chunks
    assert "no number of chunks fits" in memory.plan(shape, 2000, "statistics", 1_000, COEF)


def test_a_jobs_request_counts_the_chunks_it_holds_at_once():
    """SLURM's mem_mb for a forest job: with statistics merge_yhat holds one Y.hat chunk at a time,
    so walmart_like's paper-scale merge_yhat (41 MB of data, 10 chunks of 358 MB) asks for less than
    a 16 GB node; merging holds all ten. Each retry doubles it."""
    chunks = [358.0] * 10
    assert memory.request_mb(41, chunks, "statistics") == int(2000 + 150 * 41 + 3 * 358) < 16_000
    assert memory.request_mb(41, chunks, "merge") == int(2000 + 150 * 41 + 3 * 3580) > 16_000
    assert memory.request_mb(41, [], "statistics", attempt=2) == 2 * (2000 + 150 * 41)
    assert memory.request_mb(0, [100.0, 300.0], "statistics") == 2900


def test_leaf_values_are_grfs():
    # grf's MultiCausalPredictionStrategy: w, Y, k W, k WY and the k x k WW per leaf; the compact
    # form forest_stats keeps stores WW's upper triangle once
    from actionable.stats.forest_stats import compact_columns
    for arms in (2, 5, 23):
        k = arms - 1
        assert memory.leaf_values(arms) == 2 + 2 * k + k * k
        assert len(compact_columns(memory.leaf_values(arms))) == 2 + 2 * k + k * (k + 1) // 2


@pytest.mark.records
def test_the_package_holds_the_benchmarks_fit():
    rec = json.loads((ROOT / "benchmarks" / "results" / "forest_memory.json").read_text())
    assert memory.COEFFICIENTS == rec["coefficients"]
    # the default run's forest jobs in both modes (2.3x to 10x the grid's rows): no measured peak above
    # the projection times the plan's margin, so a plan that fits is not refused memory
    rows = rec["run_check"]
    assert {r["combine"] for r in rows} == {"merge", "statistics"} and len(rows) >= 16
    for row in rows:
        assert row["measured_mb"] <= memory.MARGIN * row["projected_mb"], row


@pytest.mark.records
def test_the_projection_bounds_the_paper_scale_runs():
    """Both stand-ins at the paper's scale through SLURM (benchmarks/paper_scale_slurm.sh, combine
    statistics): each grid job's largest peak within the plan's margin of its projection. (Their
    merge_yhat read the Y.hat chunks in one process; yhat_memory.json measures the job as it is.)"""
    jobs = {"fit_macf_chunk": "fit", "macf_chunk_statistics": "statistics", "fit_macf": "reduce"}
    for study in ("walmart_like", "penn_geisinger_like"):
        rec = json.loads((ROOT / "benchmarks" / "results" / f"paper_scale_{study}.json").read_text())
        projected = memory.job_peaks_mb(_paper_scale_shape(study))
        measured = {jobs[b["rule"]]: b["max_rss_mb"] for b in rec["by_rule"] if b["rule"] in jobs}
        assert set(measured) == set(jobs.values()), (study, measured)
        for job, mb in measured.items():
            assert mb <= memory.MARGIN * projected[job], (study, job, mb, projected[job])


@pytest.mark.records
def test_merge_yhat_holds_one_chunk_at_a_time_and_its_term_is_the_benchmarks_fit():
    """benchmarks/yhat_memory.py on walmart_like's paper-scale run's own 10 Y.hat chunks: reading
    them in turn in one process grows; a process per chunk (the workflow's) stays at one chunk's,
    and all ways give the run's Y.hat bit for bit. The projection's Y.hat term is the record's fit,
    so it projects the measured peaks of both modes."""
    rec = json.loads((ROOT / "benchmarks" / "results" / "yhat_memory.json").read_text())
    assert all(rec[way]["equals_the_run"] for way in ("one_process", "by_chunk", "merge"))
    peaks = rec["one_process"]["peaks_mb"]
    assert len(peaks) == rec["chunks"] == 10 and peaks[-1] > 2 * peaks[0]
    assert rec["by_chunk"]["largest_child_mb"] <= 1.1 * peaks[0]
    assert rec["by_chunk"]["peak_mb"] < 0.5 * rec["one_process"]["peak_mb"]
    assert memory.YHAT_BYTES_PER_TREE_ROW == rec["yhat_bytes_per_tree_row"]
    shape = _paper_scale_shape(rec["study"])
    assert (shape.rows, shape.rows_per_tree, -(-shape.yhat_trees // shape.chunks)) == (
        rec["rows"], rec["rows_per_tree"], rec["trees_per_chunk"])
    for how, way in (("statistics", "by_chunk"), ("merge", "merge")):
        assert memory.job_peaks_mb(shape, combine=how)["yhat"] == pytest.approx(rec[way]["peak_mb"], rel=1e-3), how


def _paper_scale_shape(study: str) -> memory.Shape:
    from actionable.studies import simulator
    from actionable.studies.config import read_yaml
    settings = dict(read_yaml(ROOT / "config" / "paper_scale.yaml")["forests"]["macf"], sample_fraction=0.5)
    spec = simulator.load_simulator_spec(ROOT / "data" / "simulators" / f"{study}.yaml")
    return memory.shape_of(spec["n"], len(spec["covariates"]), spec["arms"]["count"], settings)


@pytest.mark.workflow
def test_a_study_whose_forest_jobs_may_not_fit_is_told_before_any_job(tmp_path):
    small = tmp_path / "node.yaml"
    small.write_text("forests:\n  job_mem_mb: 600\n")
    res = run_snakemake("-n", "-d", tmp_path / "work", "--configfile", ROOT / "config.yaml", small)
    out = res.stdout + res.stderr
    assert res.returncode == 0, out[-2000:]
    assert "config key 'forests.macf.chunks' (walmart_like): the forest's jobs may not fit forests.job_mem_mb 600 MB" in out
    assert "no number of chunks fits" in out  # 600 MB is less than one job's R and Python
    quiet = run_snakemake("-n", "-d", tmp_path / "work2", "--configfile", ROOT / "config.yaml")
    assert quiet.returncode == 0 and "may not fit" not in quiet.stdout + quiet.stderr


def test_the_reduce_streams_each_chunk_and_adds_exactly(tmp_path):
    """sum_chunk_records reads each chunk's arrays in blocks of rows: the same floats as adding the
    whole arrays in chunk order."""
    import numpy as np
    from actionable.studies import forest_files

    rng = np.random.default_rng(1)
    recs = [dict(holdout_sums=rng.normal(size=(1003, 7)), holdout_counts=rng.integers(0, 9, 1003),
                 oob_sums=rng.normal(size=(2001, 7)), split_frequencies=rng.normal(size=(4, 3)), trees=np.int64(5))
            for _ in range(3)]
    for i, rec in enumerate(recs):
        forest_files.save_chunk_record(rec, tmp_path / f"c{i}.npz")
    got = forest_files.sum_chunk_records([tmp_path / f"c{i}.npz" for i in range(3)], block_rows=100)
    assert set(got) == set(recs[0])
    for key in recs[0]:
        want = recs[0][key] + recs[1][key] + recs[2][key]
        assert got[key].dtype == want.dtype and np.array_equal(got[key], want), key
    lazy = forest_files.SummedRecords([tmp_path / f"c{i}.npz" for i in range(3)])  # what the reduce reads
    assert sorted(lazy) == sorted(got) and all(np.array_equal(lazy[k], got[k]) for k in got)
