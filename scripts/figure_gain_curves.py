"""A study's gain curves: each method's gain as it moves more people off the best uniform arm."""
import json

import pandas as pd

from actionable.app.beyond import gain_curves_figure
from actionable.studies.io import save_figure, script_log

with script_log(snakemake) as log:
    our_model, info = (json.load(open(snakemake.input[k])) for k in ("our_model", "info"))
    fig = gain_curves_figure(pd.read_csv(snakemake.input.curves), our_model, snakemake.wildcards.study, info["binary"])
    save_figure(fig, snakemake.output[0])
    log.info("gain curves of %s", snakemake.wildcards.study)
