"""T-learner XGBoost (Eq. 18) for a group of arms: one model per arm, fit on that arm's training
rows, predicting every holdout person. Grouping arms only shares the job's start-up and data loading."""
import re
import time

import numpy as np

from actionable import learners, prediction_error
from actionable.io import atomic_dir, save_npy, script_log, write_json
from actionable.study import load_study, training_matrices

with script_log(snakemake) as log:
    ds, split = load_study(snakemake.input.spec, snakemake.input.split, snakemake.params.min_arm_rows)
    covset = snakemake.wildcards.covset
    # "<set>_half1" / "_half2": the same learner on a seeded half of every arm's training rows
    # (actionable.prediction_error's estimates of the prediction error)
    base, _, half = covset.rpartition("_half") if re.search(r"_half[12]$", covset) else (covset, "", "")
    covariates = None if base == "all" else ds.covariate_set(base)
    x_tr, a_tr, y_tr, x_te, _, _, enc = training_matrices(ds, split, covariates=covariates)
    keep = np.ones(len(a_tr), dtype=bool)
    if half:
        keep = prediction_error.half_masks(a_tr, snakemake.params.half_seed)[int(half) - 1]
    preds, infos = [], []
    with atomic_dir(snakemake.output.models) as models:
        for a, seed in zip(snakemake.params.arms, snakemake.params.seeds):
            t0 = time.perf_counter()
            sel = (a_tr == a) & keep
            p, booster, rounds = learners.fit_predict_tlearner_arm(x_tr[sel], y_tr[sel], x_te, snakemake.params.xgb,
                                                                   ds.binary, seed, snakemake.threads)
            preds.append(p)
            booster.save_model(str(models / f"arm{a}.model.json"))
            infos.append(dict(learner="txgb", arm=ds.arms[a], arm_index=a, covariates=covset, features=enc.names,
                              n_train=int(sel.sum()), rounds=rounds, seed=seed, seconds=time.perf_counter() - t0))
            log.info("arm %s (%d training rows, covariates: %s): %d rounds, %.1f s", ds.arms[a], sel.sum(), covset,
                     rounds, time.perf_counter() - t0)
    save_npy(np.column_stack(preds), snakemake.output.predictions)
    write_json(infos, snakemake.output.info)
