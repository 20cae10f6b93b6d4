"""Tables 5 and 6 from the studies' estimated moments, and from the paper's published ones."""
import json

from actionable import paper, tables56
from actionable.io import script_log, write_csv, write_text

with script_log(snakemake) as log:
    cfg = snakemake.params.settings
    roles = snakemake.params.paper_studies  # role -> study
    est, ext = {}, {}
    for m_path, pe_path in zip(snakemake.input.moments, snakemake.input.prediction_error):
        moments = json.load(open(m_path))
        est[moments["study"]], ext[moments["study"]] = tables56.study_parameters(
            moments, json.load(open(pe_path)), snakemake.params.s, snakemake.params.prediction_error)
    ordered = {roles[r]: est[roles[r]] for r in ("penn_geisinger", "walmart")}  # the paper's row order
    names = {roles[r]: paper.ROLE_NAMES[r] for r in roles}
    # this package's extension: corrected sigma, rho and the prediction-error sigma_eps
    usable = all(p is not None for p in ext.values())
    if not usable:
        log.warning("extension rows left out: a corrected moment is not identified (%s)", ext)
    extension = {k: ext[k] for k in ordered} if usable else None
    t5, t6, _ = tables56.compute(ordered, cfg, snakemake.params.seed, snakemake.threads, extension)
    write_csv(t5, snakemake.output.t5)
    write_csv(t6, snakemake.output.t6)
    write_text(tables56.render_table5(t5, names, cfg), snakemake.output.t5_md)
    write_text(tables56.render_table6(t6, t5, names, cfg), snakemake.output.t6_md)
    log.info("\n%s\n%s", t5.to_string(), t6.to_string())
