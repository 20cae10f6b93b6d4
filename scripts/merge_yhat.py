"""Merge the Y.hat regression-forest chunks; its out-of-bag predictions are every MACF chunk's Y.hat."""
from actionable.stats import forests
from actionable.studies.io import heartbeat, save_npy, script_log
from actionable.studies import forest_files

with script_log(snakemake) as log:
    with heartbeat(f"merging {len(snakemake.input.chunks)} Y.hat chunks and their out-of-bag predictions"):
        forest = forest_files.merge_files(snakemake.input.chunks, snakemake.threads)
        y_hat = forests.oob_predictions(forest)
    forest_files.save_forest(forest, snakemake.output.forest)
    save_npy(y_hat, snakemake.output.yhat)
    log.info("merged %d chunks: %d trees, %d rows", len(snakemake.input.chunks), forests.num_trees(forest), len(y_hat))
