"""T-learner XGBoost (Eq. 18), one arm: fit on that arm's training rows, predict every holdout person."""
import time

from actionable import learners
from actionable.io import save_npy, script_log, write_json
from actionable.study import load_study, training_matrices

with script_log(snakemake) as log:
    ds, split = load_study(snakemake.input.spec, snakemake.input.split, snakemake.params.min_arm_rows)
    a = int(snakemake.wildcards.arm)
    covset = snakemake.wildcards.covset
    covariates = None if covset == "all" else ds.covariate_set(covset)
    t0 = time.perf_counter()
    x_tr, a_tr, y_tr, x_te, _, _, enc = training_matrices(ds, split, covariates=covariates)
    sel = a_tr == a
    preds, booster, rounds = learners.fit_predict_tlearner_arm(x_tr[sel], y_tr[sel], x_te, snakemake.params.xgb,
                                                               ds.binary, snakemake.params.seed, snakemake.threads)
    save_npy(preds, snakemake.output.predictions)
    booster.save_model(snakemake.output.model)
    write_json(dict(learner="txgb", arm=ds.arms[a], arm_index=a, covariates=covset, features=enc.names,
                    n_train=int(sel.sum()), rounds=rounds, seed=snakemake.params.seed,
                    seconds=time.perf_counter() - t0), snakemake.output.info)
    log.info("arm %s (%d training rows, covariates: %s): %d rounds, %.1f s", ds.arms[a], sel.sum(), covset, rounds,
             time.perf_counter() - t0)
