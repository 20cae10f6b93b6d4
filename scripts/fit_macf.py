"""Multi-arm causal forest (grf, Eq. 20): the chunk jobs' trees merged; holdout tau_hat and arm outcomes,
importance, DR scores."""
import time

import numpy as np
import pandas as pd

from actionable import forests, rbridge
from actionable.io import heartbeat, save_npy, script_log, write_csv, write_json
from actionable.study import load_study, training_matrices

with script_log(snakemake) as log:
    ds, split = load_study(snakemake.input.spec, snakemake.input.split, snakemake.params.min_arm_rows)
    x_tr, a_tr, y_tr, x_te, _, _, enc = training_matrices(ds, split)
    settings = snakemake.params.settings
    propensity = ds.propensity_matrix()[(split["set"] == "test").to_numpy()]  # per row: blocked designs too
    log.info("grf %s: %d training rows, %d arms, %d features, sample.fraction %.4f, %d threads (seeds: chunk logs)",
             rbridge.package_version("grf"), len(y_tr), len(ds.arms), x_tr.shape[1],
             forests.sample_fraction(settings, len(y_tr)), snakemake.threads)
    t0 = time.perf_counter()
    # The chunk jobs grew the trees; merging computes the out-of-bag predictions of all of them.
    chunks = list(snakemake.input.chunks)
    with heartbeat(f"merging {len(chunks)} forest chunks with their out-of-bag predictions (then the holdout)"):
        forest = forests.merge_files(chunks, snakemake.threads)
    t_merge = time.perf_counter() - t0
    log.info("merged %d chunk(s): %d trees", len(chunks), forests.num_trees(forest))
    y_forest = forests.read_forest(snakemake.input.yhat_forest)
    with heartbeat(f"predicting tau on {len(x_te):,} holdout rows"):
        tau = forests.predict_tau(forest, x_te, snakemake.threads)
    mu = forests.arm_outcomes(tau, forests.predict_y(y_forest, x_te, snakemake.threads), propensity)
    save_npy(tau, snakemake.output.tau)
    save_npy(mu, snakemake.output.mu)
    save_npy(forests.double_robust_scores(forest).astype(np.float32), snakemake.output.gamma)
    imp = forests.variable_importance(forest)
    owner = {f: next(c["name"] for c in ds.covariates if f == c["name"] or f.startswith(c["name"] + "="))
             for f in enc.names}
    write_csv(pd.DataFrame({"feature": enc.names, "covariate": [owner[f] for f in enc.names], "importance": imp}),
              snakemake.output.importance)
    write_json(dict(learner="macf", arms=ds.arms, features=enc.names, settings=settings,
                    sample_fraction=forests.sample_fraction(settings, len(y_tr)), grf=rbridge.package_version("grf"),
                    merge_oob_seconds=t_merge, seconds=time.perf_counter() - t0, threads=snakemake.threads,
                    chunks=len(chunks), num_trees=forests.num_trees(forest)),
               snakemake.output.info)
    log.info("merge and OOB %.1f s, total %.1f s; MACF assigns %d distinct arms on the holdout", t_merge,
             time.perf_counter() - t0, len(np.unique(np.argmax(tau, axis=1))))
