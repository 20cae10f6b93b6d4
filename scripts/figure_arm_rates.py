"""Figures 7 and 8: arm vaccination rates of the studies standing in for Walmart and Penn-Geisinger."""
import pandas as pd

from actionable.paper import figures
from actionable.studies.io import save_figure, script_log

with script_log(snakemake) as log:
    rates = pd.read_csv(snakemake.input[0])
    title = f"Figure {snakemake.wildcards.armfig}: interventions of {snakemake.params.study} ({snakemake.params.role})"
    save_figure(figures.arm_rates(rates, title, "vaccination rate"), snakemake.output[0])
    log.info("plotted %d arms of %s", len(rates), snakemake.params.study)
