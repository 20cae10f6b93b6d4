"""The T-learner's and the forest's prediction errors and de-attenuated sigma, rho without the truth (an extension)."""
import numpy as np

from actionable.stats import prediction_error
from actionable.studies.datasets import load_truth
from actionable.studies.io import script_log, write_json
from actionable.studies.study import holdout, load_study

with script_log(snakemake) as log:
    ds, split = load_study(snakemake.input.spec, snakemake.input.split, snakemake.params.min_arm_rows)
    test, arm, y, truth = holdout(ds, split, load_truth(ds))
    fits = [np.load(f) for f in (snakemake.input.full, snakemake.input.half1, snakemake.input.half2)]
    out = prediction_error.study_estimates(*fits, arm, y, truth=truth, forest=np.load(snakemake.input.forest),
                                           bootstrap=snakemake.params.bootstrap, seed=snakemake.params.seed)
    write_json(dict(out, study=ds.name), snakemake.output[0])
