"""Every policy's value on the holdout: IPW (Eq. 9) with bootstrap SEs, AIPW, and the oracle."""
import json

import numpy as np
import pandas as pd

from actionable import evaluation, learners
from actionable.datasets import load_truth
from actionable.io import script_log, write_csv, write_json
from actionable.study import load_study, training_matrices

with script_log(snakemake) as log:
    ds, split = load_study(snakemake.input.spec, snakemake.input.split, snakemake.params.min_arm_rows)
    cfg = snakemake.params.settings
    test = (split["set"] == "test").to_numpy()
    x_tr, a_tr, y_tr, x_te, a_te, y_te, _ = training_matrices(ds, split)
    m = len(ds.arms)
    rates = pd.read_csv(snakemake.input.rates, dtype={"arm": str})
    best = ds.arms.index(rates.loc[rates["mean"].idxmax(), "arm"])  # best arm on the training sample
    policies = learners.table4_policies(best, len(y_te), *(np.load(getattr(snakemake.input, k))
                                                           for k in ("ols", "sxgb", "txgb", "tau", "pt")))
    # AIPW's outcome model: per-arm XGBoost cross-fitted within the holdout
    fold = evaluation.crossfit_folds(a_te, cfg["aipw_folds"], snakemake.params.seed)
    mu = np.empty((len(y_te), m))
    for k in range(cfg["aipw_folds"]):
        fit, pred = fold != k, fold == k
        for a in range(m):
            sel = fit & (a_te == a)
            mu[pred, a] = learners.fit_predict_tlearner_arm(x_te[sel], y_te[sel], x_te[pred], snakemake.params.xgb,
                                                            ds.binary, snakemake.params.seed + 31 * k + a,
                                                            snakemake.threads)[0]
    truth = load_truth(ds)
    # a policy value cannot leave the outcome's range: [0, 1] when binary, else the observed range
    y_all = np.concatenate([y_tr, y_te])
    bounds = (0.0, 1.0) if ds.binary else (float(y_all.min()), float(y_all.max()))
    rows = evaluation.evaluate(policies, a_te, y_te, ds.propensity_matrix()[test], cfg["bootstrap"],
                               snakemake.params.seed, "Best Uniform", mu=mu, truth=None if truth is None else truth[test],
                               bounds=bounds, min_ess=cfg["min_ess"], ess_share=cfg["ess_share"], labels=ds.arms)
    gain = json.load(open(snakemake.input.our_model))
    table = pd.DataFrame(rows)
    table.insert(0, "study", ds.name)
    table["best_uniform_arm"] = ds.arms[best]
    write_csv(table, snakemake.output.csv)
    for r in rows:
        if r["warning"]:
            log.warning("%s, %s: %s", ds.name, r["policy"], r["warning"])
    write_json(dict(study=ds.name, n_test=int(len(y_te)), bootstrap=cfg["bootstrap"], seed=snakemake.params.seed,
                    outcome_range=list(bounds), min_ess=cfg["min_ess"], ess_share=cfg["ess_share"],
                    binary=ds.binary, best_uniform_arm=ds.arms[best], our_model_gain=gain["gain"],
                    our_model_se=gain["se"], our_model_gain_inf=gain["gain_inf"],
                    our_model_extension=gain.get("extension"),
                    our_model_settings=dict(n=gain["inputs"]["n"], uniform=gain["inputs"]["uniform"])), snakemake.output.info)
    log.info("\n%s", table.to_string())
