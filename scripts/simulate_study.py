"""Simulate one synthetic megastudy: observed data, ground truth, its true moments and its dataset spec."""
import numpy as np
import yaml

from actionable import simulate
from actionable.io import save_npy, script_log, write_csv, write_json, write_text

with script_log(snakemake) as log:
    spec = simulate.load_simulator_spec(snakemake.input.spec, n=snakemake.params.n)
    if snakemake.params.seed is not None:
        spec["seed"] = snakemake.params.seed
    log.info("simulating %s: n=%d, %d arms, seed=%d", spec["name"], spec["n"], spec["arms"]["count"], spec["seed"])
    sim = simulate.simulate_megastudy(spec)
    write_csv(simulate.observed_for_csv(sim.observed, spec["covariates"]), snakemake.output.data)
    save_npy(sim.truth.astype(np.float32), snakemake.output.truth)
    write_text(yaml.safe_dump([str(a) for a in sim.arms]), snakemake.output.arms)
    write_json(sim.summary, snakemake.output.summary)
    ds_spec = simulate.dataset_spec(spec, "observed.csv", "truth.npy")
    write_text(yaml.safe_dump(ds_spec, sort_keys=False), snakemake.output.spec)
    log.info("true sigma=%.4f rho=%.4f s=%.4f (targets %.4f, %.3f, %.4f)", sim.summary["sigma"], sim.summary["rho"],
             sim.summary["s"], sim.summary["target_sigma"], sim.summary["target_rho"], sim.summary["target_s"])
