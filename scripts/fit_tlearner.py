"""T-learner XGBoost (Eq. 18) for a group of arms: one model per arm, fit on that arm's training
rows, predicting every holdout person. Grouping arms only shares the job's start-up and data loading."""
from actionable.stats import learners, prediction_error
from actionable.studies.io import save_boosters, save_npy, script_log, write_json
from actionable.studies.study import load_study, tlearner_covariates, training_matrices

with script_log(snakemake) as log:
    ds, split = load_study(snakemake.input.spec, snakemake.input.split, snakemake.params.min_arm_rows)
    covariates, half = tlearner_covariates(ds, snakemake.wildcards.covset)
    x_tr, a_tr, y_tr, x_te, _, _, enc = training_matrices(ds, split, covariates=covariates)
    keep = prediction_error.half_masks(a_tr, snakemake.params.half_seed)[half - 1] if half else None
    preds, boosters, infos = learners.fit_predict_tlearner_arms(
        x_tr, a_tr, y_tr, x_te, snakemake.params.arms, snakemake.params.seeds, snakemake.params.xgb, ds.binary,
        snakemake.threads, keep=keep)
    save_boosters({f"arm{a}.model.json": b for a, b in boosters.items()}, snakemake.output.models)
    save_npy(preds, snakemake.output.predictions)
    write_json([dict(learner="txgb", arm=ds.arms[i["arm_index"]], **i, covariates=snakemake.wildcards.covset,
                     features=enc.names) for i in infos], snakemake.output.info)
