"""T-learner XGBoost (Eq. 19): the per-arm predictions side by side, arms in the dataset's order."""
import json

import numpy as np

from actionable.io import save_npy, script_log, write_json

with script_log(snakemake) as log:
    preds = np.column_stack([np.load(p) for p in snakemake.input.predictions])
    infos = [json.load(open(p)) for p in snakemake.input.infos]
    save_npy(preds, snakemake.output.predictions)
    write_json(dict(learner="txgb", covariates=snakemake.wildcards.covset, arms=[i["arm"] for i in infos],
                    rounds=[i["rounds"] for i in infos], seconds=sum(i["seconds"] for i in infos)),
               snakemake.output.info)
    log.info("gathered %d arms, %d holdout rows", preds.shape[1], preds.shape[0])
