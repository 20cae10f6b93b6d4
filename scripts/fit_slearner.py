"""S-learner XGBoost (Eq. 16-17): one model with the arm as a feature; predictions under every arm."""
import time

from actionable.stats import learners
from actionable.studies.io import save_npy, script_log, write_json
from actionable.studies.study import load_study, training_matrices

with script_log(snakemake) as log:
    ds, split = load_study(snakemake.input.spec, snakemake.input.split, snakemake.params.min_arm_rows)
    t0 = time.perf_counter()
    x_tr, a_tr, y_tr, x_te, _, _, enc = training_matrices(ds, split)
    preds, booster, rounds = learners.fit_predict_slearner(x_tr, a_tr, y_tr, x_te, len(ds.arms), snakemake.params.xgb,
                                                           ds.binary, snakemake.params.seed, snakemake.threads)
    save_npy(preds, snakemake.output.predictions)
    booster.save_model(snakemake.output.model)
    write_json(dict(learner="sxgb", arms=ds.arms, features=enc.names, rounds=rounds, seed=snakemake.params.seed,
                    settings=snakemake.params.xgb, seconds=time.perf_counter() - t0), snakemake.output.info)
    log.info("S-learner: %d rounds kept, %.1f s", rounds, time.perf_counter() - t0)
