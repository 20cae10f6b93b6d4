"""The self-contained report (reports/replication.html): the replication, or an analysis of the configured studies."""
from pathlib import Path

import pandas as pd

from actionable.app import report
from actionable.studies.io import read_jsons, script_log, write_text

with script_log(snakemake) as log:
    summaries = read_jsons(snakemake.input.summaries)
    studies = report.study_parts(summaries, read_jsons(snakemake.input.our_model), pd.read_csv(snakemake.input.moments))
    warnings = {s["study"]: s.get("warnings", []) for s in summaries}
    page, found = report.build(Path("."), snakemake.config, report.versions(), Path(snakemake.params.report_dir), None,
                               warnings, studies, snakemake.params.paper_studies, snakemake.params.pairs)
    write_text(page, snakemake.output.html)
    log.info("report: tables %s, figures %s, per-study parts %d, missing %s, %.1f MB", found["tables"], found["figures"],
             len(found["study_parts"]), found["missing"] or "none", len(page) / 1e6)
