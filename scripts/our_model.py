"""The "Our Model" prediction: Algorithm 2 with the study's estimated moments, and this package's extension."""
import json

import numpy as np

from actionable.stats.our_model import study_prediction
from actionable.studies.io import script_log, write_json
from actionable.studies.study import holdout, load_study

with script_log(snakemake) as log:
    ds, split = load_study(snakemake.input.spec, snakemake.input.split, snakemake.params.min_arm_rows)
    _, arm, y, _ = holdout(ds, split)
    out = study_prediction(json.load(open(snakemake.input.moments)), json.load(open(snakemake.input.prediction_error)),
                           snakemake.params.settings, snakemake.params.seed, snakemake.threads,
                           profiles={k: np.load(snakemake.input[f]) for k, f in
                                     (("ols", "ols"), ("sxgb", "sxgb"), ("txgb", "txgb"), ("macf", "forest"))},
                           holdout=(arm, y))
    write_json(out, snakemake.output[0])
