"""Every policy's value on the holdout: IPW (Eq. 9) with bootstrap SEs, Hajek, AIPW, and the oracle."""
import json

import numpy as np
import pandas as pd

from actionable.paper.table4 import evaluate_study
from actionable.studies.io import script_log, write_csv, write_json
from actionable.studies.study import load_study

with script_log(snakemake) as log:
    ds, split = load_study(snakemake.input.spec, snakemake.input.split, snakemake.params.min_arm_rows)
    predictions = {k: np.load(snakemake.input[k]) for k in ("ols", "sxgb", "txgb", "tau", "pt")}
    table, info, curves = evaluate_study(ds, split, pd.read_csv(snakemake.input.rates, dtype={"arm": str}), predictions,
                                         json.load(open(snakemake.input.our_model)), snakemake.params.settings,
                                         snakemake.params.xgb, snakemake.params.seed, snakemake.threads,
                                         curve_seed=snakemake.params.curve_seed)
    write_csv(table, snakemake.output.csv)
    write_json(info, snakemake.output.info)
    write_csv(curves, snakemake.output.curves)
    log.info("\n%s", table.to_string())
