"""Check a study's spec against its data; write the summary every later step relies on."""
from actionable.studies.io import script_log, write_json
from actionable.studies.study import load_named_study

with script_log(snakemake) as log:
    ds = load_named_study(snakemake.input.spec, snakemake.params.name, snakemake.params.min_arm_rows)
    summary = ds.summary()
    write_json(summary, snakemake.output[0])
    for warning in ds.warnings:
        log.warning("%s: %s", ds.name, warning)
    log.info("%s: %d rows, %d arms (control %s), %d covariates", ds.name, summary["n"], summary["m"],
             ds.control, summary["covariates_total"])
