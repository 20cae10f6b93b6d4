"""OLS with arm x covariate interactions (Eq. 13-15): holdout predictions under every arm."""
import time

from actionable.stats import learners
from actionable.studies.io import save_npy, script_log, write_json
from actionable.studies.study import load_study, training_matrices

with script_log(snakemake) as log:
    ds, split = load_study(snakemake.input.spec, snakemake.input.split, snakemake.params.min_arm_rows)
    t0 = time.perf_counter()
    x_tr, a_tr, y_tr, x_te, _, _, enc = training_matrices(ds, split, impute=True)
    preds = learners.fit_predict_ols(x_tr, a_tr, y_tr, x_te, len(ds.arms))
    save_npy(preds, snakemake.output.predictions)
    write_json(dict(learner="ols", arms=ds.arms, features=enc.names, n_train=len(y_tr), n_test=len(x_te),
                    imputation="training mean + missing indicators", seconds=time.perf_counter() - t0),
               snakemake.output.info)
    log.info("OLS on %d features, %d training rows: %.1f s", len(enc.names), len(y_tr), time.perf_counter() - t0)
