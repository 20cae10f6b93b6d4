"""A study's estimates on every split, their aggregate and the figure of the gains per split."""
from actionable.app.beyond import robustness_figure, study_splits
from actionable.studies.io import save_figure, script_log, write_csv

with script_log(snakemake) as log:
    per_split, summary, binary = study_splits(snakemake.params.seeds, snakemake.input.policies,
                                              snakemake.input.moments, snakemake.input.our_model)
    write_csv(per_split, snakemake.output.per_split)
    write_csv(summary, snakemake.output.summary)
    save_figure(robustness_figure(per_split, snakemake.wildcards.study, binary), snakemake.output.figure)
    log.info("\n%s", summary.to_string())
