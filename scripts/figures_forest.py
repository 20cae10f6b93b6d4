"""Figures 9-11: the MACF policy's arm shares, variable importance and covariate profile per arm."""
from actionable.paper import figures
from actionable.studies.io import save_figure, script_log

with script_log(snakemake) as log:
    shares, imps, profiles, labels = figures.forest_panels(
        snakemake.params.studies, snakemake.input.specs, snakemake.input.splits, snakemake.input.tau,
        snakemake.input.importance, snakemake.input.rates, snakemake.params.titles, snakemake.params.min_arm_rows)
    save_figure(figures.assignment_shares(shares), snakemake.output.fig9)
    save_figure(figures.importance(imps), snakemake.output.fig10)
    save_figure(figures.covariate_heatmap(profiles, labels), snakemake.output.fig11)
