"""Table 2: observations, arms and covariates of every study, beside the paper's counts."""
import json

from actionable.paper.published import ROLE_NAMES
from actionable.paper.table2 import table2
from actionable.studies.io import script_log, write_csv, write_text

with script_log(snakemake) as log:
    names = {study: ROLE_NAMES[role] for role, study in snakemake.params.paper_studies.items()}
    table, md = table2([json.load(open(path)) for path in snakemake.input], names)
    write_csv(table, snakemake.output.csv)
    write_text(md, snakemake.output.md)
    log.info("\n%s", table.to_string())
