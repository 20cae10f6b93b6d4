"""The DAG runtime report: critical path by wall time, and the log <-> benchmark naming it relies on."""

import pytest

from actionable.app import runtime
from test_workflow import directive, rule_blocks

SUMMARY = "\n".join([
    "output_file\tdate\trule\tversion\tlog-file(s)\tinput-file(s)\tshellcmd\tstatus\tplan",
    "results/a.csv\t-\tsim\t-\tlogs/sim.log\t\t-\tok\tno update",
    "results/b.csv\t-\tfit\t-\tlogs/fit/b.log\tresults/a.csv\t-\tok\tno update",
    "results/c.csv\t-\tfit\t-\tlogs/fit/c.log\tresults/a.csv\t-\tok\tno update",
    "results/d.csv\t-\ttab\t-\tlogs/tab.log\tresults/b.csv,results/c.csv\t-\tok\tno update",
    "results/d.md\t-\ttab\t-\tlogs/tab.log\tresults/b.csv,results/c.csv\t-\tok\tno update",
])


def test_critical_path_is_the_longest_chain(tmp_path):
    for log, secs in {"sim": 2.0, "fit/b": 10.0, "fit/c": 30.0, "tab": 1.0}.items():
        path = tmp_path / "logs" / "benchmarks" / f"{log}.tsv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"s\th:m:s\tmax_rss\tcpu_time\n{secs}\t0:00:00\t100\t{2 * secs}\n")
    table, totals = runtime.report(SUMMARY, tmp_path, wall=40.0, cores=2)
    assert totals["jobs"] == 4 and totals["job_seconds"] == 43.0 and totals["cpu_seconds"] == 86.0
    assert totals["work_bound_seconds"] == 43.0 and totals["lower_bound_seconds"] == 43.0  # work > path here
    assert totals["wall_over_lower_bound"] == pytest.approx(40 / 43)
    assert totals["critical_path_seconds"] == 33.0  # sim -> fit/c -> tab
    assert [s.split(" ")[0] for s in totals["critical_path"]] == ["sim", "fit", "tab"]
    assert "logs/fit/c.log" in totals["critical_path"][1]
    assert totals["wall_over_critical_path"] == pytest.approx(40 / 33)
    assert totals["occupancy"] == pytest.approx(43 / (2 * 40))  # job seconds / (cores x wall)
    assert set(table.loc[table["on_critical_path"], "log"]) == {"logs/sim.log", "logs/fit/c.log", "logs/tab.log"}
    page = runtime.markdown(table, totals)
    assert "critical path 33 s" in page and "1. fit (logs/fit/c.log)" in page
    assert "| fit | 2 | 40 | 100 |" in page  # two fit jobs, 10 + 30 s, 100 MB at most


def test_every_rules_benchmark_mirrors_its_log():
    for smk, name, body in rule_blocks():
        log, bench = directive(body, "log"), directive(body, "benchmark")
        assert log.startswith("logs/") and log.endswith(".log"), (name, log)
        assert bench == "logs/benchmarks/" + log[len("logs/"):-len(".log")] + ".tsv", (name, log, bench)


def test_a_jobs_peak_memory_is_its_scripts_high_water_mark_over_ticks():
    """benchmarks/peak_memory.py folds /proc's high-water marks per SLURM job: the script's largest
    (Snakemake and srun excluded), the sum over all processes, the target from Snakemake's command."""
    from benchmarks.peak_memory import by_target, update

    inner = ["/usr/bin/python3", "-m", "snakemake", "--target-jobs", "fit_macf_chunk:study=w,chunk=3", "--cores", "all"]
    script = ["/usr/bin/python3", "/w/.snakemake/scripts/tmpab.fit_macf_chunk.py"]
    tick = [dict(job="7", pid=10, hwm_mb=140.0, args=inner), dict(job="7", pid=11, hwm_mb=900.0, args=script),
            dict(job="7", pid=9, hwm_mb=8.0, args=["srun", "-n1"] + inner), dict(job="8", pid=20, hwm_mb=50.0, args=script)]
    rec = update({}, tick, "r1")
    rec = update(rec, [dict(tick[1], hwm_mb=4200.0), dict(tick[0], hwm_mb=150.0)], "r1")  # the script grew; then it ended
    rec = update(rec, [dict(tick[0], hwm_mb=150.0)], "r1")
    rec = update(rec, [dict(tick[3], hwm_mb=70.0)], "r2")  # a cluster started again numbers its jobs from 1 again
    assert rec["r1/7"]["target"] == "fit_macf_chunk:study=w,chunk=3" and rec["r1/8"]["target"] is None
    assert rec["r1/7"]["script_peak_mb"] == 4200.0 and rec["r1/7"]["all_processes_mb"] == 4200.0 + 150.0 + 8.0
    assert rec["r1/8"]["script_peak_mb"] == 50.0 and rec["r2/8"]["script_peak_mb"] == 70.0
    # the same target stopped with its run and started again: the larger of its attempts
    rec = update(rec, [dict(tick[1], job="3", hwm_mb=3000.0), dict(tick[0], job="3", pid=12)], "r2")
    assert by_target(rec) == {"fit_macf_chunk:study=w,chunk=3": dict(script=4200.0, all_processes=4358.0)}
