"""Figures 1 and 2: the motivating example's HTE distributions and crossover lines."""
from actionable.paper import motivating, figures
from actionable.studies.io import save_figure, script_log

with script_log(snakemake) as log:
    samples = {exp: motivating.simulate(exp, snakemake.params.n, snakemake.params.seed + k)
               for k, exp in enumerate(sorted(motivating.EXPERIMENTS))}
    save_figure(figures.hte_distributions(samples), snakemake.output.fig1)
    save_figure(figures.crossover_lines(), snakemake.output.fig2)
    log.info("wrote %s and %s", snakemake.output.fig1, snakemake.output.fig2)
