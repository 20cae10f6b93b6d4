"""Simulate one synthetic megastudy: observed data, ground truth, its true moments and its dataset spec."""
import json

import numpy as np
import yaml

from actionable import simulate
from actionable.io import atomic_path, script_log, write_csv, write_text

with script_log(snakemake) as log:
    spec = simulate.load_simulator_spec(snakemake.input.spec, n=snakemake.params.n)
    if snakemake.params.seed is not None:
        spec["seed"] = snakemake.params.seed
    log.info("simulating %s: n=%d, %d arms, seed=%d", spec["name"], spec["n"], spec["arms"]["count"], spec["seed"])
    sim = simulate.simulate_megastudy(spec)
    write_csv(simulate.observed_for_csv(sim.observed, spec["covariates"]), snakemake.output.data)
    with atomic_path(snakemake.output.truth) as tmp:
        with open(tmp, "wb") as fh:  # np.save on a path would append .npy to the temporary name
            np.save(fh, sim.truth.astype(np.float32))
    write_text(yaml.safe_dump([str(a) for a in sim.arms]), snakemake.output.arms)
    write_text(json.dumps(sim.summary, indent=1) + "\n", snakemake.output.summary)
    ds_spec = simulate.dataset_spec(spec, "observed.csv", "truth.npy")
    write_text(yaml.safe_dump(ds_spec, sort_keys=False), snakemake.output.spec)
    log.info("true sigma=%.4f rho=%.4f s=%.4f (targets %.4f, %.3f, %.4f)", sim.summary["sigma"], sim.summary["rho"],
             sim.summary["s"], sim.summary["target_sigma"], sim.summary["target_rho"], sim.summary["target_s"])
