"""Tables 5 and 6 from the studies' estimated moments, and from the paper's published ones."""
import json

from actionable.paper import published as paper, tables56
from actionable.studies.io import script_log, write_csv, write_text

with script_log(snakemake) as log:
    cfg = snakemake.params.settings
    roles = snakemake.params.paper_studies  # role -> study
    moments = [json.load(open(p)) for p in snakemake.input.moments]
    errors = [json.load(open(p)) for p in snakemake.input.prediction_error]
    est, ext, ext_forest = tables56.extension_modes(moments, errors, snakemake.params.s,
                                                    snakemake.params.prediction_error, log)
    order = [roles[r] for r in ("penn_geisinger", "walmart")]  # the paper's row order
    ordered = {k: est[k] for k in order}
    names = {roles[r]: paper.ROLE_NAMES[r] for r in roles}
    extension, extension_forest = ({k: e[k] for k in order} if e else None for e in (ext, ext_forest))
    t5, t6, _ = tables56.compute(ordered, cfg, snakemake.params.seed, snakemake.threads, extension,
                                 extension_forest)
    write_csv(t5, snakemake.output.t5)
    write_csv(t6, snakemake.output.t6)
    write_text(tables56.render_table5(t5, names, cfg), snakemake.output.t5_md)
    write_text(tables56.render_table6(t6, t5, names, cfg), snakemake.output.t6_md)
    log.info("\n%s\n%s", t5.to_string(), t6.to_string())
