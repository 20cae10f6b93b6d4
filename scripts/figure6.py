"""Figure 6: gather the four panels, write one CSV and the figure."""
import pandas as pd

from actionable.paper import figures
from actionable.studies.io import save_figure, script_log, write_csv

with script_log(snakemake) as log:
    df = pd.concat([pd.read_csv(p) for p in snakemake.input], ignore_index=True)
    write_csv(df, snakemake.output.csv)
    labels = {case: f"pi = {c['spike_prob']:g}, (1 - pi) s^2 = {c['variance']:g}"
              for case, c in snakemake.params.cases.items()}
    curves = {case: g for case, g in df.groupby("case")}
    save_figure(figures.gain_by_arms(curves, labels), snakemake.output.png)
    log.info("wrote %s", snakemake.output.png)
