"""Check a study's spec against its data; write the summary every later step relies on."""
from actionable.datasets import DatasetError, load_dataset
from actionable.io import script_log, write_json

with script_log(snakemake) as log:
    ds = load_dataset(snakemake.input.spec, min_arm_rows=snakemake.params.min_arm_rows)
    if ds.name != snakemake.wildcards.study:
        raise DatasetError(f"{snakemake.input.spec}: spec name {ds.name!r} differs from its config key "
                           f"'studies.{snakemake.wildcards.study}'; use the same name in both")
    summary = ds.summary()
    write_json(summary, snakemake.output[0])
    log.info("%s: %d rows, %d arms (control %s), %d covariates", ds.name, summary["n"], summary["m"],
             ds.control, summary["covariates_total"])
