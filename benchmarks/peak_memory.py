"""Every SLURM job's true peak memory, beside Snakemake's sampled one.

Snakemake's ``benchmark:`` samples a job's memory every 30 s, so a short spike can pass between two
samples. The kernel keeps each process's high-water mark (VmHWM in /proc/<pid>/status), which only
grows: reading it every few seconds misses at most a process's last seconds. Run beside a workflow
run (as the user the jobs run as, or root):

    /usr/bin/python3 -m benchmarks.peak_memory OUT.json [--every 2] &

Each tick rewrites OUT.json: per SLURM job (keyed by the monitor's start and the job id), its
Snakemake target (rule:wildcards), the largest high-water mark of its processes other than
Snakemake itself (the job's script, R included when reached through rpy2) and the sum over all its
processes (an upper bound on the job at any moment).
A file already there is read first, so a run stopped and started again keeps its earlier jobs.
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

__all__ = ["processes", "update", "by_target", "main"]


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:  # the process ended between the listing and the read
        return b""


def processes() -> list[dict]:
    """The processes that belong to a SLURM job: job id, high-water mark in MB, command line."""
    out = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        env = dict(kv.split(b"=", 1) for kv in _read(proc / "environ").split(b"\0") if b"=" in kv)
        job = env.get(b"SLURM_JOB_ID")
        hwm = [line for line in _read(proc / "status").splitlines() if line.startswith(b"VmHWM:")]
        if job and hwm:
            out.append(dict(job=job.decode(), pid=int(proc.name), hwm_mb=int(hwm[0].split()[1]) / 1024,
                            args=_read(proc / "cmdline").decode(errors="replace").split("\0")))
    return out


def update(record: dict, procs: list[dict], run: str = "") -> dict:
    """Fold one tick's processes into the record ("run/job id" -> target, peaks, pids seen). ``run``
    tells a cluster started again apart, whose job ids start again from 1."""
    for p in procs:
        job = record.setdefault(f"{run}/{p['job']}", dict(target=None, script_peak_mb=0.0, hwm_by_pid={}))
        if "--target-jobs" in p["args"]:
            job["target"] = p["args"][p["args"].index("--target-jobs") + 1]
        a = p["args"] + ["", ""]
        is_snakemake = a[1:3] == ["-m", "snakemake"] or a[1].endswith("/snakemake") or Path(a[0]).name in ("srun", "slurmstepd")
        pid = str(p["pid"])
        job["hwm_by_pid"][pid] = max(job["hwm_by_pid"].get(pid, 0.0), round(p["hwm_mb"], 1))
        if not is_snakemake:
            job["script_peak_mb"] = max(job["script_peak_mb"], round(p["hwm_mb"], 1))
        job["all_processes_mb"] = round(sum(job["hwm_by_pid"].values()), 1)
    return record


def by_target(record: dict) -> dict:
    """Per Snakemake target, its script's and all its processes' peaks; a job stopped with the run and
    started again keeps the larger of its attempts."""
    out = {}
    for j in record.values():
        if j["target"]:
            was = out.get(j["target"], dict(script=0.0, all_processes=0.0))
            out[j["target"]] = dict(script=max(was["script"], j["script_peak_mb"]),
                                    all_processes=max(was["all_processes"], j["all_processes_mb"]))
    return out


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0])
    every = float(argv[argv.index("--every") + 1]) if "--every" in argv else 2.0
    record = json.loads(out.read_text()) if out.exists() else {}
    run = time.strftime("%Y-%m-%dT%H%M%S")
    while True:
        update(record, processes(), run)
        tmp = out.with_suffix(".tmp")
        tmp.write_text(json.dumps(record, indent=1))
        os.replace(tmp, out)
        time.sleep(every)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
