"""Table 6 for one study, or Table 5 for a pair of studies, from their estimated moments."""
import json

from actionable.paper import tables56
from actionable.studies.io import script_log, write_csv, write_text

with script_log(snakemake) as log:
    moments = [json.load(open(p)) for p in snakemake.input.moments]
    errors = [json.load(open(p)) for p in snakemake.input.prediction_error]
    est, extension, extension_forest = tables56.extension_modes(moments, errors, snakemake.params.s,
                                                                snakemake.params.prediction_error, log)
    kind = snakemake.params.kind
    table = tables56.compute_one(kind, est, snakemake.params.settings, snakemake.params.seed, snakemake.threads,
                                 extension, extension_forest)
    render = tables56.render_study_table6 if kind == "elasticities" else tables56.render_pair_table5
    write_csv(table, snakemake.output.csv)
    write_text(render(table, snakemake.params.settings, all(m["binary"] for m in moments)), snakemake.output.md)
    log.info("\n%s", table.to_string())
