"""Command line for experimenters.

    actionable gain --sigma 0.1 --rho 0.6 --s 0.007 --arms 20 --sigma-eps 0.4 [--binary --base-rate 0.3]
    actionable gain --from-moments results/tables/moments.csv --study walmart_like [--json]

prints Algorithm 2's expected gain from personalization over the best uniform arm, as printed (the
uniform arm chosen from n simulated people) with its Monte Carlo SE and its exact expectation, and
the n -> infinity value (the uniform arm valued at its true mean); in percentage points and % over
the best arm's rate when the outcome is binary and its rate is known.

    actionable spec init DATA --outcome COL --arm COL [--control LABEL] [-o SPEC]
    actionable spec check SPEC

writes a draft dataset spec from a data file (CSV, Stata .dta, HDF5, Parquet), and validates a
spec against its data as the workflow will, printing what it found or the errors.

    actionable policy export --study NAME [--method PT-CF] [--results results] [-o FILE.csv]
    actionable policy apply --study NAME --data new.csv [--method PT-CF|MACF] [-o FILE.csv]

after a run: which arm each holdout person gets under every Table 4 policy (and the policy tree as
rules), and the fitted tree's or forest's arm for new people, checked as the study's data were.

    actionable compare RESULTS_DIR RECORD_DIR

checks a run against a record: every table cell exact or within its stated tolerance (exit 0), or
the cells outside (exit 1).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import pandas as pd

from ..stats.model import ArmMeans, expected_gain, simulate_gain
from ..studies import spec_tool
from ..studies.config import InputError
from ..studies.datasets import DatasetError
from ..studies.io import write_csv
from . import compare, policy


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="actionable", description=(
        "Plan a personalization experiment (gain: the expected gain from personalization, Algorithm 2 of "
        "Shchetkina & Berman 2024) and describe a megastudy's data for the workflow (spec init / spec check)."))
    sub = p.add_subparsers(dest="command", required=True)
    g = sub.add_parser("gain", help="expected gain from personalization (Algorithm 2)",
                       description="Algorithm 2's expected gain from personalization over the best uniform arm.")
    g.add_argument("--from-moments", metavar="CSV", help="take sigma, rho, s, sigma_eps, m, the outcome type and the "
                   "best arm's rate from a finished run's results/tables/moments.csv (with --study); flags given "
                   "beside it override them")
    g.add_argument("--study", help="the study's row in --from-moments")
    g.add_argument("--sigma", type=float, help="within-treatment heterogeneity (SD, > 0)")
    g.add_argument("--rho", type=float, help="cross-treatment correlation, in (-1/(m-1), 1]")
    g.add_argument("--s", type=float, help="SD of the arm means (the slab's SD with --spike-prob)")
    g.add_argument("--arms", type=int, help="number of arms m, including control (>= 2)")
    g.add_argument("--sigma-eps", type=float, help="SD of prediction errors (default 0: Algorithm 1)")
    g.add_argument("--spike-prob", type=float, default=0.0, help="pi of Eq. 8's spike-and-slab (default 0: normal F)")
    g.add_argument("--binary", action="store_true", default=None,
                   help="the outcome is binary: also show the gain in percentage points")
    g.add_argument("--base-rate", type=float,
                   help="the best uniform arm's mean outcome: also show the gain as %% over it")
    g.add_argument("--n", type=int, default=1000,
                   help="simulated people (default 1000, what the paper's published tables imply)")
    g.add_argument("--reps", type=int, default=200, help="Monte Carlo repetitions (default 200)")
    g.add_argument("--seed", type=int, default=0, help="seed (default 0)")
    g.add_argument("--uniform", choices=["sample", "population"], default="sample",
                   help="value the uniform arm as Algorithm 2 prints it (sample) or at its true mean")
    g.add_argument("--threads", type=int, default=None, help="threads (default: all cores)")
    g.add_argument("--json", action="store_true", help="print one JSON object instead of text")
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
    pol = sub.add_parser("policy", help="export or apply a finished run's policies").add_subparsers(dest="action",
                                                                                                   required=True)
    e = pol.add_parser("export", help="each holdout person's arm under every Table 4 policy, and the tree's rules")
    a = pol.add_parser("apply", help="assign arms to new people with the fitted policy tree (PT-CF) or forest (MACF)")
    for q in (e, a):
        q.add_argument("--study", required=True, help="the study's name in the run's config")
        q.add_argument("--results", default="results", help="the run's results folder (default: results)")
        q.add_argument("-o", "--output", help="CSV to write (default: print to the screen)")
    e.add_argument("--method", action="append", help="only these Table 4 methods (repeatable; default: all)")
    a.add_argument("--data", required=True, help="the new people: every covariate of the study's spec, and its id")
    a.add_argument("--method", default="PT-CF", choices=policy.METHODS, help="the policy tree (default) or the forest")
    a.add_argument("--threads", type=int, default=1, help="threads for the forest's predictions (default 1)")
    cmp = sub.add_parser("compare", help="a run's tables against a record: exact, or within stated tolerances")
    cmp.add_argument("results", help="the run's results folder")
    cmp.add_argument("record", help="a record's folder, e.g. benchmarks/results/default_run")
    return p


def _spec(args) -> int:
    try:
        if args.action == "check":
            print(spec_tool.summary(args.spec, args.min_arm_rows))
            return 0
        out = Path(args.output) if args.output else Path(args.data).parent / "spec.yaml"
        if out.exists() and not args.force:
            print(f"actionable spec init: error: {out} exists; pass --force to overwrite or -o for another path",
                  file=sys.stderr)
            return 2
        out.parent.mkdir(parents=True, exist_ok=True)
        text = spec_tool.draft(args.data, args.outcome, args.arm, out, control=args.control, name=args.name,
                               id_column=args.id_column)
        out.write_text(text)
        print(f"wrote {out}; check it, then run: actionable spec check {out}")
        return 0
    except InputError as exc:
        print(f"actionable spec {args.action}: error: {exc}", file=sys.stderr)
        return 2


def _policy(args) -> int:
    try:
        record = policy.load_record(args.results, args.study)
        if args.action == "export":
            table = pd.read_csv(Path(args.results) / "policies" / args.study / "assignments.csv", dtype={"arm": str})
            if args.method:
                unknown = sorted(set(args.method) - set(table["method"]))
                if unknown:
                    raise DatasetError(f"--method {', '.join(unknown)}: expected among {', '.join(table['method'].unique())}")
                table = table[table["method"].isin(args.method)]
            notes = []
        else:
            chunks = policy.forest_chunks(args.results, args.study) if args.method == "MACF" else None
            table, notes = policy.apply(record, args.data, args.method, chunks, args.threads)
    except (InputError, OSError) as exc:
        print(f"actionable policy {args.action}: error: {exc}", file=sys.stderr)
        return 2
    labels = record.get("arm_labels") or {}
    if labels:
        table = table.assign(arm_label=table["arm"].map(labels).fillna(""))
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    if not args.output:
        table.to_csv(sys.stdout, index=False)
        return 0
    write_csv(table, args.output)
    print(f"wrote {args.output}: {len(table):,} rows ({', '.join(table['method'].unique())})")
    if args.action == "export":
        print((Path(args.results) / "policies" / args.study / "rules.md").read_text())
    return 0


def _from_moments(path: str, study: str | None) -> dict:
    """Algorithm 2's inputs from a run's moments table (the paper's plain s)."""
    table = pd.read_csv(path)
    if study is None or study not in set(table["study"]):
        raise ValueError(f"{path}: --study must name one of its studies ({', '.join(map(str, table['study']))}), "
                         f"got {study!r}")
    row = table.set_index("study").loc[study]
    out = dict(sigma=float(row["sigma"]), rho=float(row["rho"]), s=float(row["s"]), sigma_eps=float(row["sigma_eps"]),
               arms=int(row["m"]))
    if "binary" in row:
        out["binary"] = bool(row["binary"])
    if "best_arm_mean" in row and not pd.isna(row["best_arm_mean"]):
        out["base_rate"] = float(row["best_arm_mean"])
    return out


def _with_se(mean: float, se: float, scale: float = 1.0) -> str:
    """The estimate with as many decimals as its SE's two significant digits call for."""
    mean, se = mean * scale, se * scale
    if not (se > 0 and math.isfinite(se)):
        return f"{mean:.6g}"
    d = max(0, 1 - math.floor(math.log10(se)))
    return f"{mean:.{d}f} ± {se:.{d}f}"


def _inputs(args) -> dict:
    given = dict(sigma=args.sigma, rho=args.rho, s=args.s, arms=args.arms, sigma_eps=args.sigma_eps,
                 binary=args.binary, base_rate=args.base_rate)
    inputs = _from_moments(args.from_moments, args.study) if args.from_moments else {}
    inputs.update({k: v for k, v in given.items() if v is not None})
    inputs.setdefault("sigma_eps", 0.0)
    inputs.setdefault("binary", False)
    missing = [f"--{k.replace('_', '-')}" for k in ("sigma", "rho", "s", "arms") if inputs.get(k) is None]
    if missing:
        raise ValueError(f"give {', '.join(missing)} (or --from-moments with --study)")
    return inputs


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "spec":
        return _spec(args)
    if args.command == "policy":
        return _policy(args)
    if args.command == "compare":
        return compare.main([args.results, args.record])
    try:
        p = _inputs(args)
        F = ArmMeans(s=p["s"], spike_prob=args.spike_prob)
        t0 = time.perf_counter()
        sim = simulate_gain(F, p["sigma"], p["rho"], p["arms"], args.n, args.reps,
                            sigma_eps=p["sigma_eps"], seed=args.seed, uniform=args.uniform,
                            threads=args.threads)
        exact = expected_gain(F, p["sigma"], p["rho"], p["arms"], p["sigma_eps"],
                              n=args.n if args.uniform == "sample" else None)
        inf = expected_gain(F, p["sigma"], p["rho"], p["arms"], p["sigma_eps"])
    except (ValueError, TypeError, KeyError, OSError) as exc:
        print(f"actionable gain: error: {exc}", file=sys.stderr)
        return 2
    secs = time.perf_counter() - t0
    how = (f"Algorithm {'2' if p['sigma_eps'] > 0 else '1'} as printed (the uniform arm chosen from the mean "
           f"predictions of n = {args.n:,} simulated people)" if args.uniform == "sample" else
           f"Algorithm {'2' if p['sigma_eps'] > 0 else '1'} with the uniform arm valued at its true mean")
    base = p.get("base_rate")
    result = dict(gain=sim.mean, se=sim.se, exact=exact, gain_inf=inf, algorithm=how, reps=args.reps, n=args.n,
                  seed=args.seed, uniform=args.uniform, seconds=secs,
                  inputs=dict(m=p["arms"], sigma=p["sigma"], rho=p["rho"], s=p["s"], sigma_eps=p["sigma_eps"],
                              spike_prob=args.spike_prob, binary=p["binary"], base_rate=base,
                              source=f"{args.from_moments} ({args.study})" if args.from_moments else "flags"))
    if p["binary"]:
        result.update(gain_pp=sim.mean * 100, se_pp=sim.se * 100, gain_inf_pp=inf * 100)
    if base:
        result.update(relative=sim.mean / base, relative_se=sim.se / base, relative_inf=inf / base)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print("Expected gain from personalization over the best uniform arm")
    print(f"  {how}:")
    print(f"    {_with_se(sim.mean, sim.se)} (Monte Carlo SE; {args.reps:,} repetitions, seed {args.seed})")
    if p["binary"]:
        print(f"    = {_with_se(sim.mean, sim.se, 100)} percentage points")
    if base:
        print(f"    = {_with_se(sim.mean, sim.se, 100 / base)}% over the best uniform arm's mean {base:.4g}")
    print(f"    exact expectation of this algorithm: {exact:.6g}")
    print(f"  as n -> infinity (the uniform arm valued at its true mean): {inf:.6g}"
          + (f" = {inf * 100:.4g} pp" if p["binary"] else "") + (f" = {inf / base * 100:.3g}%" if base else ""))
    print(f"inputs ({result['inputs']['source']}): m = {p['arms']}, sigma = {p['sigma']:g}, rho = {p['rho']:g}, "
          f"s = {p['s']:g}, sigma_eps = {p['sigma_eps']:g}, F: "
          + (f"spike-and-slab, pi = {args.spike_prob:g}" if args.spike_prob else "normal") + f"; {secs:.1f} s")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
