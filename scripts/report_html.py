"""The self-contained report (reports/replication.html): the replication, or an analysis of the configured studies."""
import csv
import json
import platform
from importlib import metadata
from pathlib import Path

import pandas as pd

from actionable import rbridge, report
from actionable.config import read_yaml
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
    input_warnings, studies = {}, {}
    moments = {r["study"]: r for r in pd.read_csv(snakemake.input.moments).to_dict("records")}
    for path, om_path in zip(snakemake.input.summaries, snakemake.input.our_model):
        info = json.loads(Path(path).read_text())
        name = info["study"]
        input_warnings[name] = info.get("warnings", [])
        studies[name] = dict(description=read_yaml(info["spec"]).get("description", ""), warnings=input_warnings[name],
                             moments=moments.get(name), diagnostics=json.loads(Path(om_path).read_text()).get("diagnostics"))
    page, found = report.build(root, snakemake.config, versions, jobs, summary, Path(snakemake.params.report_dir),
                               None, input_warnings, studies, snakemake.params.paper_studies, snakemake.params.pairs)
    write_text(page, snakemake.output.html)
    log.info("report: tables %s, figures %s, per-study parts %d, missing %s, %.1f MB", found["tables"], found["figures"],
             len(found["study_parts"]), found["missing"] or "none", len(page) / 1e6)
