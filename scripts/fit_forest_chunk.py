"""One chunk of a scattered forest: num_trees/chunks trees with the chunk's own seed, saved as RDS.

kind yhat: grf::regression_forest for Y.hat (grf's recipe: a quarter of the trees); kind macf:
grf::multi_arm_causal_forest with the merged Y.hat (the same in every chunk, as merge_forests
requires) and the known W.hat.
No out-of-bag predictions here: the merge job computes them once for all the trees.
"""
import time

import numpy as np

from actionable.stats import forests
from actionable.studies.io import heartbeat, script_log
from actionable.studies.study import load_study, training_matrices
from actionable.studies import forest_files

with script_log(snakemake) as log:
    ds, split = load_study(snakemake.input.spec, snakemake.input.split, snakemake.params.min_arm_rows)
    x_tr, a_tr, y_tr, *_ = training_matrices(ds, split)
    p = snakemake.params
    trees = forests.chunk_trees(forests.chunk_settings(p.settings, p.kind), p.chunks, int(snakemake.wildcards.chunk))
    t0 = time.perf_counter()
    with heartbeat(f"{p.kind} chunk {snakemake.wildcards.chunk} of {p.chunks}: growing {trees} trees on "
                   f"{len(y_tr):,} rows (the other chunks are their own jobs)"):
        if p.kind == "yhat":
            forest = forests.fit_yhat_forest(x_tr, y_tr, p.settings, p.seed, snakemake.threads, trees, oob=False)
        else:
            y_hat = np.load(snakemake.input.yhat)
            w_hat = ds.propensity_matrix()[(split["set"] == "train").to_numpy()]  # the design's, per row
            forest = forests.fit_macf_forest(x_tr, a_tr, y_tr, y_hat, w_hat, ds.arms,
                                             p.settings, p.seed, snakemake.threads, trees, oob=False)
    forest_files.save_forest(forest, snakemake.output.forest)
    log.info("%s chunk %s: %d trees on %d rows, seed %d, %.1f s", p.kind, snakemake.wildcards.chunk, trees, len(y_tr),
             p.seed, time.perf_counter() - t0)
