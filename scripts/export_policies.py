"""Every holdout person's arm under every Table 4 policy, and the policy tree as readable rules."""
import json

import numpy as np
import pandas as pd

from actionable.app import policy
from actionable.studies.io import script_log, write_csv, write_text
from actionable.studies.study import load_study

with script_log(snakemake) as log:
    ds, split = load_study(snakemake.input.spec, snakemake.input.split, snakemake.params.min_arm_rows)
    predictions = {k: np.load(snakemake.input[k]) for k in ("ols", "sxgb", "txgb", "tau", "pt")}
    table = policy.assignments(ds, split, pd.read_csv(snakemake.input.rates, dtype={"arm": str}), predictions)
    write_csv(table, snakemake.output.assignments)
    write_text(policy.rules_markdown(json.load(open(snakemake.input.rules))), snakemake.output.rules_md)
    log.info("%d holdout people x %d methods; arms per method:\n%s", len(table) // table["method"].nunique(),
             table["method"].nunique(), table.groupby("method")["arm"].nunique().to_string())
