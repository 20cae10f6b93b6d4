"""Benchmark: Algorithm 2 with m = 23, n = 100,000, R = 200 (Walmart-like moments).

Times the vectorized engine (``simulate_gain``, 1 and 2 threads) against the algorithm as
printed, one repetition at a time (``simulate_gain_literal``), each in a fresh process so its
peak memory (max RSS) is its own. Rerun with:

    /usr/bin/python3 -m benchmarks.model_alg2

Writes benchmarks/results/model_alg2.json; the last result is copied into benchmarks/RESULTS.md.
"""

import json
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = dict(sigma=0.078, rho=0.61, m=23, n=100_000, reps=200, sigma_eps=0.46, seed=1)
S = 0.007

CHILD = """
import json, resource, sys, time
from actionable.stats.model import ArmMeans, simulate_gain, simulate_gain_literal
kw = {settings!r}
variant = {variant!r}
t0 = time.perf_counter()
if variant == "literal":
    sim = simulate_gain_literal(ArmMeans.normal({s}), **kw)
else:
    sim = simulate_gain(ArmMeans.normal({s}), threads=int(variant[-1]), **kw)
secs = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(dict(variant=variant, seconds=secs, peak_mb=peak, gain=sim.mean, se=sim.se)))
"""


def run(variant: str) -> dict:
    code = CHILD.format(root=str(ROOT), settings=SETTINGS, variant=variant, s=S)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    rows = [run(v) for v in ("vectorized_threads1", "vectorized_threads2", "literal")]
    lit = next(r for r in rows if r["variant"] == "literal")
    for r in rows:
        r["speedup_vs_literal"] = lit["seconds"] / r["seconds"]
    result = dict(settings={**SETTINGS, "s": S}, machine=dict(cpus=__import__("os").cpu_count(),
                  python=platform.python_version(), numpy=__import__("numpy").__version__), rows=rows)
    out = ROOT / "benchmarks" / "results" / "model_alg2.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print("| variant | seconds | peak MB | speed-up vs literal | gain (MC SE) |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['variant']} | {r['seconds']:.2f} | {r['peak_mb']:.0f} | {r['speedup_vs_literal']:.1f}x "
              f"| {r['gain']:.5f} ({r['se']:.5f}) |")


if __name__ == "__main__":
    main()
