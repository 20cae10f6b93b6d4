"""T-learner XGBoost (Eq. 19): the per-arm predictions side by side, arms in the dataset's order
(groups of arms are consecutive)."""
import json

import numpy as np

from actionable.studies.io import save_npy, script_log, write_json

with script_log(snakemake) as log:
    preds = np.column_stack([np.load(p) for p in snakemake.input.predictions])  # each group: holdout x its arms
    infos = [i for p in snakemake.input.infos for i in json.load(open(p))]
    if [i["arm_index"] for i in infos] != list(range(len(infos))):
        raise ValueError(f"{snakemake.input.infos}: arms {[i['arm_index'] for i in infos]}, expected 0..{len(infos) - 1}")
    save_npy(preds, snakemake.output.predictions)
    write_json(dict(learner="txgb", covariates=snakemake.wildcards.covset, arms=[i["arm"] for i in infos],
                    rounds=[i["rounds"] for i in infos], seconds=sum(i["seconds"] for i in infos)),
               snakemake.output.info)
    log.info("gathered %d arms, %d holdout rows", preds.shape[1], preds.shape[0])
