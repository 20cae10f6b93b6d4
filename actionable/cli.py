"""Command line for experimenters.

    actionable gain --sigma 0.1 --rho 0.6 --s 0.007 --arms 20 --sigma-eps 0.4

prints Algorithm 2's expected gain with its Monte Carlo SE, its exact expectation, and the exact
n -> infinity value (the uniform arm valued at its true mean).

    actionable spec init DATA --outcome COL --arm COL [--control LABEL] [-o SPEC]
    actionable spec check SPEC

writes a draft dataset spec from a data file (CSV, Stata .dta, HDF5, Parquet), and validates a
spec against its data as the workflow will, printing what it found or the errors.
"""

from __future__ import annotations

import argparse
import sys
import time

from .model import ArmMeans, expected_gain, simulate_gain


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="actionable", description="Command line for experimenters.")
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
    spec = sub.add_parser("spec", help="write or check a dataset spec").add_subparsers(dest="action", required=True)
    i = spec.add_parser("init", help="draft a spec from a data file (types inferred; check it before use)")
    i.add_argument("data", help="data file: .csv (also .csv.gz), .dta, .h5/.hdf5, .parquet")
    i.add_argument("--outcome", required=True, help="outcome column")
    i.add_argument("--arm", required=True, help="column with each person's arm")
    i.add_argument("--control", help="the control arm's label (default: the label naming control, else a guess)")
    i.add_argument("--id", dest="id_column", help="column of unique person ids (default: an id-named unique column)")
    i.add_argument("--name", help="study name (default: from the file name)")
    i.add_argument("-o", "--output", help="where to write the spec (default: spec.yaml beside the data)")
    i.add_argument("--force", action="store_true", help="overwrite an existing spec")
    c = spec.add_parser("check", help="validate a spec against its data and summarize it")
    c.add_argument("spec", help="the spec YAML")
    c.add_argument("--min-arm-rows", type=int, default=1, help="refuse arms with fewer rows (as data.min_arm_rows)")
    return p


def _spec(args) -> int:
    from pathlib import Path

    from . import spec_tool
    from .config import InputError
    try:
        if args.action == "check":
            print(spec_tool.summary(args.spec, args.min_arm_rows))
            return 0
        out = Path(args.output) if args.output else Path(args.data).parent / "spec.yaml"
        if out.exists() and not args.force:
            print(f"actionable spec init: error: {out} exists; pass --force to overwrite or -o for another path",
                  file=sys.stderr)
            return 2
        text = spec_tool.draft(args.data, args.outcome, args.arm, out, control=args.control, name=args.name,
                               id_column=args.id_column)
        out.write_text(text)
        print(f"wrote {out}; check it, then run: actionable spec check {out}")
        return 0
    except InputError as exc:
        print(f"actionable spec {args.action}: error: {exc}", file=sys.stderr)
        return 2


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "spec":
        return _spec(args)
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
