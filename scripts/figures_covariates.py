"""Figures 13 and 14: age and zip-code income distributions of the two paper studies."""
from actionable.paper import figures
from actionable.studies.datasets import load_dataset
from actionable.studies.io import save_figure, script_log

with script_log(snakemake) as log:
    panels = figures.covariate_figures([load_dataset(p, min_arm_rows=snakemake.params.min_arm_rows)
                                        for p in snakemake.input.specs])
    save_figure(panels["age"], snakemake.output.age)
    save_figure(panels["income"], snakemake.output.income)
