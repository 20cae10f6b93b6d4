"""One forest chunk's sufficient statistics (stats.forest_stats): its trees' summed leaf values and
counts for the holdout and for the training rows out of bag, and its split frequencies, so that the
merge job never holds the merged forest (config forests.combine: statistics)."""
import time

from actionable.stats import forest_stats
from actionable.studies import forest_files
from actionable.studies.io import heartbeat, script_log
from actionable.studies.study import load_study, training_matrices

with script_log(snakemake) as log:
    ds, split = load_study(snakemake.input.spec, snakemake.input.split, snakemake.params.min_arm_rows)
    x_tr, _, _, x_te, *_ = training_matrices(ds, split)
    t0 = time.perf_counter()
    with heartbeat(f"statistics of {snakemake.input.forest} on {len(x_te):,} holdout and {len(x_tr):,} training rows"):
        record = forest_stats.chunk_record(forest_files.read_forest(snakemake.input.forest), x_te, x_tr)
    forest_files.save_chunk_record(record, snakemake.output[0])
    log.info("%d trees, %.1f s", record["trees"], time.perf_counter() - t0)
