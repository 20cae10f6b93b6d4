"""Simulate one synthetic megastudy: observed data, ground truth, its true moments and its dataset spec."""
from pathlib import Path

from actionable.stats import simulate
from actionable.studies.io import script_log, write_json
from actionable.studies import simulator

with script_log(snakemake) as log:
    spec = simulator.load_simulator_spec(snakemake.input.spec, n=snakemake.params.n)
    if snakemake.params.seed is not None:
        spec["seed"] = snakemake.params.seed
    log.info("simulating %s: n=%d, %d arms, seed=%d", spec["name"], spec["n"], spec["arms"]["count"], spec["seed"])
    sim = simulate.simulate_megastudy(spec)
    # observed.csv, truth.npy, truth.arms.yaml and spec.yaml: the rule's outputs beside the spec
    simulator.write_study(sim, spec, Path(snakemake.output.spec).parent)
    write_json(sim.summary, snakemake.output.summary)
    log.info("true sigma=%.4f rho=%.4f s=%.4f (targets %.4f, %.3f, %.4f)", sim.summary["sigma"], sim.summary["rho"],
             sim.summary["s"], sim.summary["target_sigma"], sim.summary["target_rho"], sim.summary["target_s"])
