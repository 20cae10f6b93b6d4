"""The estimated moments of every study beside the naive estimates, the truth and the paper."""
from actionable.paper.moments_table import moments_table
from actionable.paper.published import ROLE_NAMES
from actionable.studies.io import read_jsons, script_log, write_csv, write_text

with script_log(snakemake) as log:
    roles = {study: ROLE_NAMES[role] for role, study in snakemake.params.paper_studies.items()}
    table, md = moments_table(read_jsons(snakemake.input.moments), read_jsons(snakemake.input.our_model),
                              read_jsons(snakemake.input.prediction_error), read_jsons(snakemake.input.overlap), roles)
    write_csv(table, snakemake.output.csv)
    write_text(md, snakemake.output.md)
    log.info("\n%s", table.to_string())
