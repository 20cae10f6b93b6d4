"""Planner for experimenters: the expected gain from personalization before running a study.

    actionable gain --sigma 0.1 --rho 0.6 --s 0.007 --arms 20 --sigma-eps 0.4

prints Algorithm 2's expected gain with its Monte Carlo SE, its exact expectation, and the exact
n -> infinity value (the uniform arm valued at its true mean).
"""

from __future__ import annotations

import argparse
import sys
import time

from .model import ArmMeans, expected_gain, simulate_gain


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="actionable", description=__doc__.split("\n")[1])
    sub = p.add_subparsers(dest="command", required=True)
    g = sub.add_parser("gain", help="expected gain from personalization (Algorithm 2)")
    g.add_argument("--sigma", type=float, required=True, help="within-treatment heterogeneity (SD, > 0)")
    g.add_argument("--rho", type=float, required=True, help="cross-treatment correlation, in (-1/(m-1), 1]")
    g.add_argument("--s", type=float, required=True, help="SD of the arm means (the slab's SD with --spike-prob)")
    g.add_argument("--arms", type=int, required=True, help="number of arms m, including control (>= 2)")
    g.add_argument("--sigma-eps", type=float, default=0.0, help="SD of prediction errors (default 0: Algorithm 1)")
    g.add_argument("--spike-prob", type=float, default=0.0, help="pi of Eq. 8's spike-and-slab (default 0: normal F)")
    g.add_argument("--n", type=int, default=1000,
                   help="simulated people (default 1000, what the paper's published tables imply)")
    g.add_argument("--reps", type=int, default=200, help="Monte Carlo repetitions (default 200)")
    g.add_argument("--seed", type=int, default=0, help="seed (default 0)")
    g.add_argument("--uniform", choices=["sample", "population"], default="sample",
                   help="value the uniform arm as Algorithm 2 prints it (sample) or at its true mean")
    g.add_argument("--threads", type=int, default=None, help="threads (default: all cores)")
    return p


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    try:
        F = ArmMeans(s=args.s, spike_prob=args.spike_prob)
        t0 = time.perf_counter()
        sim = simulate_gain(F, args.sigma, args.rho, args.arms, args.n, args.reps,
                            sigma_eps=args.sigma_eps, seed=args.seed, uniform=args.uniform,
                            threads=args.threads)
        exact = expected_gain(F, args.sigma, args.rho, args.arms, args.sigma_eps,
                              n=args.n if args.uniform == "sample" else None)
        inf = expected_gain(F, args.sigma, args.rho, args.arms, args.sigma_eps)
    except (ValueError, TypeError) as exc:
        print(f"actionable gain: error: {exc}", file=sys.stderr)
        return 2
    secs = time.perf_counter() - t0
    print(f"expected gain from personalization: {sim.mean:.6g} +/- {sim.se:.2g} (Monte Carlo SE)")
    print(f"  Algorithm {'2' if args.sigma_eps > 0 else '1'}: m={args.arms}, sigma={args.sigma:g}, "
          f"rho={args.rho:g}, s={args.s:g}, sigma_eps={args.sigma_eps:g}, spike_prob={args.spike_prob:g}")
    print(f"  {args.reps} repetitions of {args.n} people, seed {args.seed}, uniform={args.uniform}, {secs:.1f} s")
    print(f"  exact expectation of this algorithm: {exact:.6g}")
    print(f"  exact expectation as n -> infinity (uniform arm at its true mean): {inf:.6g}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
