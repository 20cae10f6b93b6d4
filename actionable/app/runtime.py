"""Runtime of the whole DAG: per-job wall time and memory, and the critical path.

Jobs and their dependencies come from ``snakemake --detailed-summary`` (each output file with its
rule, log file and input files); each job's wall time and max RSS come from its Snakemake
``benchmark:`` file, whose path mirrors the log's (logs/X.log <-> logs/benchmarks/X.tsv, a
convention the tests enforce). The critical path is the longest chain of dependent jobs by wall
time: no schedule on any number of cores finishes sooner, so the run's wall time divided by it
says how much time went to waiting for cores. Occupancy, the jobs' wall time over cores x the
run's wall time, says how much of that wait was idle cores (with one-thread jobs: 1 = never
idle). Snakemake samples a job's CPU time every 30 s after its first 15 s, so the CPU seconds
(and the work bound from them) undercount long jobs by up to 30 s each.

    python3 -m actionable.app.runtime [--wall SECONDS] [snakemake args, e.g. --configfile X]
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

from ..paper.markdown import to_markdown
from ..studies.io import write_csv, write_json, write_text


def benchmark_path(log: str, root: Path) -> Path:
    rel = Path(log).relative_to("logs")
    return root / "logs" / "benchmarks" / rel.with_suffix(".tsv")


def jobs_from_summary(summary: str) -> pd.DataFrame:
    """One row per job (keyed by its log file): rule, outputs, inputs."""
    rows = list(csv.DictReader(io.StringIO(summary), delimiter="\t"))
    jobs = {}
    for r in rows:
        log = (r.get("log-file(s)") or "").split(",")[0].strip()
        if not log or r["rule"] in ("all", "-"):
            continue
        job = jobs.setdefault(log, dict(log=log, rule=r["rule"], outputs=set(), inputs=set()))
        job["outputs"].add(r["output_file"])
        job["inputs"].update(i.strip() for i in (r.get("input-file(s)") or "").split(",") if i.strip())
    return pd.DataFrame(list(jobs.values()))


def _number(row: dict, key: str) -> float:
    value = row.get(key, "")
    return float(value) if value not in ("-", "NA", "", None) else float("nan")


def attach_benchmarks(jobs: pd.DataFrame, root: Path) -> pd.DataFrame:
    """Wall seconds, CPU seconds (all threads) and max RSS of each job from its benchmark file."""
    secs, cpu, rss = [], [], []
    for log in jobs["log"]:
        path = benchmark_path(log, root)
        row = next(csv.DictReader(open(path), delimiter="\t")) if path.exists() else {}
        secs.append(_number(row, "s"))
        cpu.append(_number(row, "cpu_time"))
        rss.append(_number(row, "max_rss"))
    return jobs.assign(seconds=secs, cpu_seconds=cpu, max_rss_mb=rss)


def critical_path(jobs: pd.DataFrame) -> tuple[list, float]:
    """Longest chain of dependent jobs by wall time: (list of logs, its total seconds)."""
    producer = {o: log for log, outs in zip(jobs["log"], jobs["outputs"]) for o in outs}
    deps = {log: {producer[i] for i in ins if i in producer and producer[i] != log}
            for log, ins in zip(jobs["log"], jobs["inputs"])}
    secs = dict(zip(jobs["log"], jobs["seconds"].fillna(0.0)))
    best, prev = {}, {}

    def finish(log):  # earliest finish with unlimited cores
        if log not in best:
            start, before = 0.0, None
            for d in deps[log]:
                f = finish(d)
                if f > start:
                    start, before = f, d
            best[log], prev[log] = start + secs[log], before
        return best[log]

    sys.setrecursionlimit(max(1000, 10 * len(jobs)))
    end = max(jobs["log"], key=finish)
    path = [end]
    while prev[path[-1]] is not None:
        path.append(prev[path[-1]])
    return path[::-1], best[end]


def report(summary: str, root: Path, wall: float | None = None, cores: int | None = None) -> tuple[pd.DataFrame, dict]:
    """Per-job table and totals. Two lower bounds on the wall time: the critical path (any number
    of cores) and the work bound, the jobs' CPU seconds spread over ``cores``."""
    jobs = attach_benchmarks(jobs_from_summary(summary), root)
    path, length = critical_path(jobs)
    cores = cores or os.cpu_count() or 1
    work = float(jobs["cpu_seconds"].sum()) / cores
    bound = max(length, work)
    table = jobs.drop(columns=["outputs", "inputs"]).sort_values("seconds", ascending=False)
    table["on_critical_path"] = table["log"].isin(path)
    by_rule = jobs.groupby("rule").agg(jobs=("log", "size"), seconds=("seconds", "sum"),
                                       max_rss_mb=("max_rss_mb", "max")).sort_values("seconds", ascending=False)
    job_seconds = float(jobs["seconds"].sum())
    totals = dict(jobs=len(jobs), job_seconds=job_seconds, cpu_seconds=float(jobs["cpu_seconds"].sum()),
                  cores=cores, critical_path_seconds=length, work_bound_seconds=work, lower_bound_seconds=bound,
                  critical_path=[jobs.set_index("log").loc[p, "rule"] + f" ({p})" for p in path],
                  wall_seconds=wall, wall_over_critical_path=(wall / length) if wall and length else None,
                  wall_over_lower_bound=(wall / bound) if wall and bound else None,
                  occupancy=(job_seconds / (cores * wall)) if wall else None,
                  by_rule=by_rule.reset_index().to_dict(orient="records"))
    return table, totals


def markdown(table: pd.DataFrame, totals: dict) -> str:
    """The readable page: the bounds, the critical path, the time and memory of each rule."""
    lines = [f"{totals['jobs']} jobs, {totals['job_seconds']:.0f} s of job time ({totals['cpu_seconds']:.0f} CPU s); "
             f"critical path {totals['critical_path_seconds']:.0f} s; work bound on {totals['cores']} cores "
             f"{totals['work_bound_seconds']:.0f} s."]
    if totals.get("wall_seconds"):
        lines.append(f"Wall time {totals['wall_seconds']:.0f} s = {totals['wall_over_critical_path']:.2f} x the critical "
                     f"path, {totals['wall_over_lower_bound']:.2f} x the larger bound; jobs held "
                     f"{totals['occupancy']:.0%} of the core time.")
    lines += ["", "Critical path:", ""] + [f"1. {step}" for step in totals["critical_path"]] + [""]
    by_rule = pd.DataFrame(totals["by_rule"])
    return "\n".join(lines) + "\n" + to_markdown(by_rule, floatfmt="{:.0f}", title="Time and memory by rule") + \
        "\n" + to_markdown(table.drop(columns=["on_critical_path"]).head(20), floatfmt="{:.1f}", title="The 20 slowest jobs")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--wall", type=float, help="the run's measured wall time in seconds")
    p.add_argument("--out", default="results/runtime", help="output folder (default results/runtime)")
    args, smk_args = p.parse_known_args(argv)
    root = Path.cwd()
    summary = subprocess.run([sys.executable, "-m", "snakemake", "--cores", "1", "--detailed-summary", *smk_args], capture_output=True,
                             text=True, check=True).stdout
    table, totals = report(summary, root, args.wall)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    write_csv(table, out / "jobs.csv")
    write_json(totals, out / "summary.json")
    write_text(markdown(table, totals), out / "runtime.md")
    print(f"{totals['jobs']} jobs, {totals['job_seconds']:.0f} s of job time ({totals['cpu_seconds']:.0f} CPU s); "
          f"critical path {totals['critical_path_seconds']:.0f} s, work bound on {totals['cores']} cores "
          f"{totals['work_bound_seconds']:.0f} s" + (f"; wall {args.wall:.0f} s = {totals['wall_over_critical_path']:.2f} x "
          f"the critical path, {totals['wall_over_lower_bound']:.2f} x the larger bound; jobs held "
          f"{totals['occupancy']:.0%} of the core time" if args.wall else ""))
    for step in totals["critical_path"]:
        print("  ", step)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
