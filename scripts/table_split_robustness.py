"""Every study's aggregate over repeated splits in one table."""
import json

import pandas as pd

from actionable.app.beyond import robustness_table
from actionable.studies.io import script_log, write_csv, write_text

with script_log(snakemake) as log:
    studies = snakemake.params.studies
    summaries = {s: pd.read_csv(p).fillna({"method": ""}) for s, p in zip(studies, snakemake.input.summaries)}
    binary = {s: json.load(open(p))["binary"] for s, p in zip(studies, snakemake.input.moments)}
    table, md = robustness_table(summaries, binary)
    write_csv(table, snakemake.output.csv)
    write_text(md, snakemake.output.md)
    log.info("\n%s", md)
