"""Benchmark: generate the full walmart_like stand-in (Table 2's size: every person, 23 arms) and write it.

Covers what the simulate_study rule does: calibration, covariates, truth, outcomes, the CSV of
observed data and the .npy of the truth. Runs in a fresh process so max RSS is its own. Rerun:

    /usr/bin/python3 -m benchmarks.simulate_walmart

Writes benchmarks/results/simulate_walmart.json; the last result is copied into RESULTS.md.
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import json, resource, sys, tempfile, time
from pathlib import Path
import numpy as np
from actionable.stats import simulate
from actionable.studies import simulator
t0 = time.perf_counter()
spec = simulator.load_simulator_spec({spec!r})
sim = simulate.simulate_megastudy(spec)
t1 = time.perf_counter()
with tempfile.TemporaryDirectory() as d:
    simulator.observed_for_csv(sim.observed, spec["covariates"]).to_csv(Path(d) / "observed.csv", index=False)
    np.save(Path(d) / "truth.npy", sim.truth.astype(np.float32))
t2 = time.perf_counter()
print(json.dumps(dict(n=spec["n"], m=spec["arms"]["count"], simulate_seconds=t1 - t0, write_seconds=t2 - t1,
                      total_seconds=t2 - t0, peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      sigma=sim.summary["sigma"], rho=sim.summary["rho"], s=sim.summary["s"])))
"""


def main():
    code = CHILD.format(root=str(ROOT), spec=str(ROOT / "data" / "simulators" / "walmart_like.yaml"))
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    (ROOT / "benchmarks" / "results" / "simulate_walmart.json").write_text(json.dumps(result, indent=2) + "\n")
    print("| n | arms | simulate s | write s | total s | peak MB | true sigma / rho / s |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {result['n']:,} | {result['m']} | {result['simulate_seconds']:.1f} | {result['write_seconds']:.1f} | "
          f"{result['total_seconds']:.1f} | {result['peak_mb']:.0f} | "
          f"{result['sigma']:.4f} / {result['rho']:.3f} / {result['s']:.4f} |")


if __name__ == "__main__":
    main()
