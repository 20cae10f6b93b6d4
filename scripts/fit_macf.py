"""Multi-arm causal forest (grf, Eq. 20): the chunk jobs' trees merged; holdout tau_hat and arm outcomes,
importance, DR scores."""
import time

from actionable.stats import forests, policy_tree, rbridge
from actionable.studies import forest_files
from actionable.studies.io import heartbeat, save_npy, script_log, write_csv, write_json
from actionable.studies.study import load_study, training_matrices

with script_log(snakemake) as log:
    ds, split = load_study(snakemake.input.spec, snakemake.input.split, snakemake.params.min_arm_rows)
    x_tr, a_tr, y_tr, x_te, _, _, enc = training_matrices(ds, split)
    settings, chunks, t0 = snakemake.params.settings, list(snakemake.input.chunks), time.perf_counter()
    with heartbeat(f"merging {len(chunks)} forest chunks with their out-of-bag predictions, then the holdout"):
        forest = forest_files.merge_files(chunks, snakemake.threads)  # computes the OOB predictions of all trees
        t_merge = time.perf_counter() - t0
        tau, mu = forests.holdout_outputs(forest, forest_files.read_forest(snakemake.input.yhat_forest), x_te,
                                          ds.propensity_matrix()[(split["set"] == "test").to_numpy()], snakemake.threads)
    save_npy(tau, snakemake.output.tau)
    save_npy(mu, snakemake.output.mu)
    save_npy(policy_tree.double_robust_scores(forest).astype("float32"), snakemake.output.gamma)
    write_csv(forests.importance_table(forest, enc.names, ds.covariate_names()), snakemake.output.importance)
    write_json(dict(learner="macf", arms=ds.arms, features=enc.names, settings=settings,
                    sample_fraction=forests.sample_fraction(settings, len(y_tr)), grf=rbridge.package_version("grf"),
                    merge_oob_seconds=t_merge, seconds=time.perf_counter() - t0, threads=snakemake.threads,
                    chunks=len(chunks), num_trees=forests.num_trees(forest)), snakemake.output.info)
