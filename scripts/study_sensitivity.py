"""Table 6 for one study, or Table 5 for a pair of studies, from their estimated moments."""
import json

from actionable import tables56
from actionable.io import script_log, write_csv, write_text

with script_log(snakemake) as log:
    est, ext, binary = {}, {}, []
    for m_path, pe_path in zip(snakemake.input.moments, snakemake.input.prediction_error):
        moments = json.load(open(m_path))
        est[moments["study"]], ext[moments["study"]] = tables56.study_parameters(
            moments, json.load(open(pe_path)), snakemake.params.s, snakemake.params.prediction_error)
        binary.append(moments["binary"])
    extension = ext if all(v is not None for v in ext.values()) else None
    if extension is None:
        log.warning("extension rows left out: a corrected moment is not identified")
    kind = snakemake.params.kind
    table = tables56.compute_one(kind, est, snakemake.params.settings, snakemake.params.seed, snakemake.threads, extension)
    render = tables56.render_study_table6 if kind == "elasticities" else tables56.render_pair_table5
    write_csv(table, snakemake.output.csv)
    write_text(render(table, snakemake.params.settings, all(binary)), snakemake.output.md)
    log.info("\n%s", table.to_string())
