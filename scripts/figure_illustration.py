"""Figures 3-5: the effects of sigma, rho and s on the crossover of two arms (Eq. 7)."""
from actionable.paper import illustrations, figures
from actionable.studies.io import save_figure, script_log

with script_log(snakemake) as log:
    number = int(snakemake.wildcards.number)
    for p in illustrations.FIGURES[number]["panels"]:
        log.info("%s: gain (Eq. 7) = %.4f, crossover at x = %.3f", p.title, p.gain, p.crossover)
    save_figure(figures.illustration(number), snakemake.output[0])
