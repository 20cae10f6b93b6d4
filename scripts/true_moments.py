"""The stand-ins' true sigma, rho and s (from the stored ground truth) beside their targets."""
import json

import pandas as pd

from actionable.studies.io import script_log, write_csv

with script_log(snakemake) as log:
    keys = ["study", "n", "m", "sigma", "target_sigma", "rho", "target_rho", "s", "target_s",
            "sigma_shared", "best_arm_mean", "outcome_mean", "seed"]
    rows = [{k: json.load(open(p)).get(k) for k in keys} for p in snakemake.input]
    table = pd.DataFrame(rows)
    write_csv(table, snakemake.output[0])
    log.info("\n%s", table.to_string())
