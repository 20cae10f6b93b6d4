"""Training-sample outcome rate of every arm (the data of Figures 7 and 8) and its plot."""
import pandas as pd

from actionable.paper import figures
from actionable.studies.datasets import load_dataset
from actionable.stats.descriptives import arm_rates
from actionable.studies.io import save_figure, script_log, write_csv

with script_log(snakemake) as log:
    ds = load_dataset(snakemake.input.spec, min_arm_rows=snakemake.params.min_arm_rows)
    rates = arm_rates(ds, pd.read_csv(snakemake.input.split))
    write_csv(rates, snakemake.output.csv)
    label = ds.spec["outcome"].get("label", ds.outcome)
    save_figure(figures.arm_rates(rates, f"{ds.name}: arms on the training sample", label, percent=ds.binary),
                snakemake.output.png)
    log.info("\n%s", rates.to_string())
