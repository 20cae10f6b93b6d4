"""The 70/30 split of one study, stratified by arm."""
from actionable.studies.datasets import load_dataset
from actionable.studies.io import script_log, write_csv
from actionable.studies.split import stratified_split

with script_log(snakemake) as log:
    ds = load_dataset(snakemake.input.spec, min_arm_rows=snakemake.params.min_arm_rows)
    split = stratified_split(ds, snakemake.params.train_share, snakemake.params.seed)
    write_csv(split, snakemake.output[0])
    share = (split["set"] == "train").groupby(split["arm"]).mean()
    log.info("train share by arm: min %.4f, max %.4f (seed %d)", share.min(), share.max(), snakemake.params.seed)
