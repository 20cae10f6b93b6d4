"""One panel of Figure 6: Algorithm 1's gain against the number of arms, for each rho."""
import time

from actionable.stats import sweeps
from actionable.studies.io import script_log, write_csv

with script_log(snakemake) as log:
    cfg = snakemake.params.settings
    case = snakemake.wildcards.case
    F = sweeps.arm_means(**cfg["cases"][case])
    log.info("case %s: F=%s, sigma=%s, n=%d, reps=%d, seed=%d", case, F, cfg["sigma"], cfg["n"],
             cfg["reps"], snakemake.params.seed)
    t0 = time.perf_counter()
    df = sweeps.gain_by_arms(F, cfg["sigma"], cfg["rho"], cfg["arms"], cfg["n"], cfg["reps"],
                             seed=snakemake.params.seed, uniform=cfg["uniform"],
                             chunk_mb=snakemake.params.chunk_mb, threads=snakemake.threads)
    df.insert(0, "case", case)
    df["spike_prob"], df["variance"] = F.spike_prob, F.variance
    write_csv(df, snakemake.output[0])
    log.info("done in %.1f s\n%s", time.perf_counter() - t0, df.to_string())
