"""Multi-arm causal forest (grf, Eq. 20) from its chunk jobs: merged by grf (forests.combine: merge), or
from the chunks' summed sufficient statistics (statistics: the same numbers, no merged forest in
memory); holdout tau_hat and arm outcomes, importance, DR scores."""
import time

import numpy as np

from actionable.stats import forests, rbridge
from actionable.studies import forest_files
from actionable.studies.io import heartbeat, save_npy, script_log, write_csv, write_json
from actionable.studies.study import load_study, training_matrices

with script_log(snakemake) as log:
    ds, split = load_study(snakemake.input.spec, snakemake.input.split, snakemake.params.min_arm_rows)
    x_tr, a_tr, y_tr, x_te, _, _, enc = training_matrices(ds, split)
    p, chunks, t0 = snakemake.params, list(snakemake.input.chunks), time.perf_counter()
    w_hat, test = ds.propensity_matrix(), (split["set"] == "test").to_numpy()
    with heartbeat(f"combining {len(chunks)} forest chunks ({p.combine}), then the holdout"):
        tau, mu, gamma, imp, trees = forest_files.combine_chunks(
            chunks, p.combine, x_te, y_tr, a_tr, np.load(snakemake.input.yhat), w_hat[~test], w_hat[test],
            np.load(snakemake.input.yhat_holdout), snakemake.threads)
    log.info("%d trees; MACF assigns %d distinct arms on the %d holdout rows", trees, len(np.unique(tau.argmax(axis=1))), len(tau))
    save_npy(tau, snakemake.output.tau)
    save_npy(mu, snakemake.output.mu)
    save_npy(gamma.astype("float32"), snakemake.output.gamma)
    write_csv(forests.importance_table(enc.names, ds.covariate_names(), imp), snakemake.output.importance)
    write_json(dict(learner="macf", arms=ds.arms, features=enc.names, settings=p.settings, combine=p.combine,
                    sample_fraction=forests.sample_fraction(p.settings, len(y_tr)), grf=rbridge.package_version("grf"),
                    seconds=time.perf_counter() - t0, threads=snakemake.threads, chunks=len(chunks), num_trees=trees),
               snakemake.output.info)
