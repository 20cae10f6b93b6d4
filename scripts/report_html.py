"""The self-contained replication report (reports/replication.html)."""
import csv
import json
import platform
from importlib import metadata
from pathlib import Path

from actionable import rbridge, report
from actionable.io import script_log, write_text

with script_log(snakemake) as log:
    root = Path(".")
    versions = {"Python": platform.python_version()}
    for pkg in ("numpy", "pandas", "scipy", "xgboost", "scikit-learn", "matplotlib", "rpy2", "snakemake"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = "not installed"
    versions.update({"R": rbridge.package_version("base"), "grf": rbridge.package_version("grf"),
                     "policytree": rbridge.package_version("policytree")})
    # Runtimes: bin/replicate.sh's whole-run report when there is one, else every job's benchmark file.
    summary_path, jobs_path = root / "results/runtime/summary.json", root / "results/runtime/jobs.csv"
    if jobs_path.exists() and summary_path.exists():
        summary = json.loads(summary_path.read_text())
        jobs = [dict(r, step=r["log"].removeprefix("logs/").removesuffix(".log")) for r in csv.DictReader(open(jobs_path))]
    else:
        summary, jobs = None, []
        for tsv in sorted((root / "benchmarks/runs").rglob("*.tsv")):
            row = next(csv.DictReader(open(tsv), delimiter="\t"), None)
            if row:
                jobs.append(dict(step=str(tsv.relative_to(root / "benchmarks/runs").with_suffix("")),
                                 seconds=row["s"], max_rss_mb=row["max_rss"]))
        jobs.sort(key=lambda j: -float(j["seconds"]))
    input_warnings = {}
    for path in snakemake.input.summaries:
        study = json.loads(Path(path).read_text())
        input_warnings[study["study"]] = study.get("warnings", [])
    page, found = report.build(root, snakemake.config, versions, jobs, summary, Path(snakemake.params.report_dir),
                               snakemake.params.title, input_warnings)
    write_text(page, snakemake.output.html)
    log.info("report: tables %s, figures %s, missing %s, %.1f MB", found["tables"], found["figures"],
             found["missing"] or "none", len(page) / 1e6)
