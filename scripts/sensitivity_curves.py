"""Figure 12's data for one study: Algorithm 2's gain as each of s, sigma, rho, sigma_eps moves."""
import json

from actionable.stats import moments, sensitivity
from actionable.studies.io import heartbeat, script_log, write_csv

with script_log(snakemake) as log:
    est = json.load(open(snakemake.input.moments))
    cfg = snakemake.params.settings
    p = dict(s=moments.chosen_s(est, snakemake.params.s), sigma=est["sigma"],
             rho=est["rho"], sigma_eps=est["sigma_eps"], m=est["m"], n=cfg["n"])
    if not p["sigma"] > 0:
        raise ValueError(f"{snakemake.input.moments}: estimated sigma is {p['sigma']}; Figure 12 needs sigma > 0")
    grids = sensitivity.curve_grid(p, cfg["points"])
    progress = {}
    with heartbeat(f"{est['study']}: sensitivity curves", status=lambda: f"{progress['done']} of {progress['total']} "
                   "points done"):
        curves = sensitivity.sensitivity_curves(p, cfg["reps"], snakemake.params.seed, grids, cfg["uniform"],
                                                snakemake.threads, progress)
    curves.insert(0, "study", est["study"])
    write_csv(curves, snakemake.output[0])
    log.info("\n%s", curves.to_string())
