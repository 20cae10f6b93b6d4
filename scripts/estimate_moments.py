"""Section 5.2's estimates of sigma, rho, s, sigma_eps from T-XGB holdout predictions (and the truth)."""
import numpy as np

from actionable.stats import moments
from actionable.studies.datasets import load_truth
from actionable.studies.io import script_log, write_json
from actionable.studies.study import load_study

with script_log(snakemake) as log:
    ds, split = load_study(snakemake.input.spec, snakemake.input.split, snakemake.params.min_arm_rows)
    est = moments.study_moments(np.load(snakemake.input.predictions), ds.arm_indices(),
                                ds.frame[ds.outcome].to_numpy(float), (split["set"] == "test").to_numpy(),
                                snakemake.params.groups, truth=load_truth(ds), sigma_sd=snakemake.params.sigma_sd)
    est.update(study=ds.name, covariates=snakemake.wildcards.covset, arms=ds.arms, binary=ds.binary)
    write_json(est, snakemake.output[0])
