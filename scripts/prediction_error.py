"""The T-learner's and the forest's prediction errors and de-attenuated sigma, rho without the truth (an extension)."""
import numpy as np

from actionable import prediction_error
from actionable.datasets import load_truth
from actionable.io import script_log, write_json
from actionable.study import load_study

with script_log(snakemake) as log:
    ds, split = load_study(snakemake.input.spec, snakemake.input.split, snakemake.params.min_arm_rows)
    test = (split["set"] == "test").to_numpy()
    arm, y = ds.arm_indices()[test], ds.frame[ds.outcome].to_numpy(float)[test]
    truth = load_truth(ds)
    fits = [np.load(f) for f in (snakemake.input.full, snakemake.input.half1, snakemake.input.half2)]
    forest = np.load(snakemake.input.forest)
    out = prediction_error.estimate(*fits, arm, y, truth=None if truth is None else truth[test], forest=forest)
    if snakemake.params.bootstrap:
        out["bootstrap"] = prediction_error.bootstrap_se(*fits, arm, y, forest=forest,
                                                         reps=snakemake.params.bootstrap, seed=snakemake.params.seed)
        log.info("%s: holdout bootstrap SEs (%d draws, fits fixed): %s", ds.name, snakemake.params.bootstrap,
                 ", ".join(f"{k} {v['se']:.4f}" for k, v in out["bootstrap"]["estimates"].items()))
    out.update(study=ds.name)
    write_json(out, snakemake.output[0])
    eps = {k: v["sigma_eps"] for k, v in out["sigma_eps"].items()}
    log.info("%s: reliability sigma=%.4f rho=%.3f; prediction-error sigma_eps %s%s", ds.name, out["sigma"], out["rho"],
             ", ".join(f"{k}={v:.4f}" for k, v in eps.items()),
             "" if truth is None else f"; true {out['true_sigma_eps']:.4f}")
    log.info("%s: the forest's sigma_eps %s", ds.name,
             ", ".join(f"{k}={v['sigma_eps']:.4f}" for k, v in out["forest"]["sigma_eps"].items()))
    for who, errors in (("T-learner", out["sigma_eps"]), ("forest", out["forest"]["sigma_eps"])):
        if not errors["arm_specific"]["sigma_eps"] > 0:
            log.warning("%s: the %s's arm-specific error is not identified (its estimate over %d arm pairs is not "
                        "positive: sampling noise exceeds it); an extension row that would use it is left out", ds.name, who,
                        errors["arm_specific"]["pairs"])
    if out["arms_undefined"]:
        log.warning("%s: %d arm(s) without a positive split-half covariance: Var(h) not identified there",
                    ds.name, out["arms_undefined"])
