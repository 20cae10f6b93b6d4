"""Section 5.2's estimates of sigma, rho, s, sigma_eps from T-XGB holdout predictions (and the truth)."""
import numpy as np

from actionable import moments
from actionable.datasets import load_truth
from actionable.io import script_log, write_json
from actionable.study import load_study

with script_log(snakemake) as log:
    ds, split = load_study(snakemake.input.spec, snakemake.input.split, snakemake.params.min_arm_rows)
    test = (split["set"] == "test").to_numpy()
    arm = ds.arm_indices()
    y = ds.frame[ds.outcome].to_numpy(float)
    yhat = np.load(snakemake.input.predictions)
    truth = load_truth(ds)
    est = moments.estimate(yhat, arm[test], y[test], snakemake.params.groups,
                           truth=None if truth is None else truth[test], sigma_sd=snakemake.params.sigma_sd)
    m = len(ds.arms)
    est.update(study=ds.name, covariates=snakemake.wildcards.covset, arms=ds.arms, binary=ds.binary,
               s_holdout=est.pop("s"), s=moments.s_hat(arm, y, m), s_corrected=moments.s_hat_corrected(arm, y, m),
               arm_means=[float(y[arm == a].mean()) for a in range(m)],
               arm_mean_se=[float(y[arm == a].std(ddof=1) / np.sqrt((arm == a).sum())) for a in range(m)])
    write_json(est, snakemake.output[0])
    if est["rho_pairs_skipped"]:
        log.warning("%s: %d arm pairs left out of rho: an arm's assigned group means are constant",
                    ds.name, est["rho_pairs_skipped"])
    log.info("%s (%s covariates): sigma=%.4f rho=%.3f s=%.4f (corrected %.4f) sigma_eps=%.4f; naive sigma=%.4f rho=%.3f%s",
             ds.name, snakemake.wildcards.covset, est["sigma"], est["rho"], est["s"], est["s_corrected"],
             est["sigma_eps"], est["naive_sigma"], est["naive_rho"],
             "" if truth is None else f"; true sigma={est['true_sigma']:.4f} rho={est['true_rho']:.3f}")
