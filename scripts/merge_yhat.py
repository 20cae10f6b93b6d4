"""Y.hat from its regression-forest chunks: the training rows' out-of-bag predictions (every MACF
chunk's Y.hat) and the holdout's, by grf's merged forest or by the chunks' summed leaf values."""
from actionable.studies import forest_files
from actionable.studies.io import heartbeat, save_npy, script_log
from actionable.studies.study import load_study, training_matrices

with script_log(snakemake) as log:
    ds, split = load_study(snakemake.input.spec, snakemake.input.split, snakemake.params.min_arm_rows)
    x_tr, _, _, x_te, *_ = training_matrices(ds, split)
    chunks, combine = list(snakemake.input.chunks), snakemake.params.combine
    with heartbeat(f"Y.hat from {len(chunks)} chunks ({combine}): out of bag and on the holdout"):
        y_hat, y_hat_test = forest_files.yhat_from_chunks(chunks, combine, x_te, x_tr, snakemake.threads)
    save_npy(y_hat, snakemake.output.yhat)
    save_npy(y_hat_test, snakemake.output.yhat_holdout)
    log.info("Y.hat from %d chunks (%s): %d training rows, %d holdout rows", len(chunks), combine, len(y_hat), len(y_hat_test))
