"""Calibrate the synthetic stand-ins to the paper's published outputs, not only its moments.

For each stand-in this program searches the simulator's knobs (true sigma and rho, the arm means'
base rate, the shape and per-arm spread of the arm-specific parts d_a) so that the paper's own
procedure on the simulated study lands on what the paper printed, jointly:

- Section 5.2's stratified sigma-hat and rho-hat from T-XGB holdout predictions (targets the
  paper's sigma and rho, actionable.paper.published.MOMENTS; tolerances 10% and 0.05);
- Table 4's Best Uniform level (tolerance 1 pp) and the gains of T-XGB and OLS over it (tolerance
  two of the paper's bootstrap SEs);
- the plain s-hat, the SD of the arm means on all people (target 0.007, tolerance 0.002), where a
  point measured it (not Walmart's stored points);
- in passes marked ``forest``: the causal forest's gain and Figure 9's concentration, the share of
  people the forest's policy sends to its 6 most used arms (target >= 80% for Penn-Geisinger).
  The perfect-knowledge policy's share is reported for every point; it does not track the
  forest's (RESULTS.md), so the forest itself is fitted in those passes;
- in the pass marked ``frontier`` also PT-CF's gain (the depth-2 tree on the forest's scores), with
  the forest the default run grows (studies[].macf: 2,000 trees for Penn-Geisinger).

The inner loop is cheap and runs at full n: simulate the study, split it 70/30 by arm as the
workflow does, fit the T-learner (one XGBoost per arm, the config's settings) and per-arm OLS, and
value each policy at the truth (the expected IPW value, free of its sampling noise). A forest pass
adds grf's multi-arm causal forest with config.yaml's settings in one job (about 3 min a point on
Penn-Geisinger). The ``frontier`` pass searches other structures of the arm-specific parts: it is
analyses/frontier_oracle.py's record, whose rows ran this inner loop with PT-CF and the study's
own forest (about 16 min a point; `--learners`), scored here; its variants are changes to the first
point (FIRST_STANDIN). The S-learner is not in the loop: the full default run checks it at the end. Points
are compared within the same measurements: the chosen point is the best of the points measured
most fully (PT-CF's gain, then the forest's, then neither).

Every evaluated point, its objective and the chosen one are written to
analyses/records/calibration.json; the chosen knobs are the ones in data/simulators/*.yaml.

    /usr/bin/python3 -m analyses.calibrate_standins            # both stand-ins, ~45 min
    /usr/bin/python3 -m analyses.calibrate_standins --studies penn_geisinger_like   # keeps the others' records
    /usr/bin/python3 -m analyses.calibrate_standins --studies penn_geisinger_like --passes 5   # keeps passes 1-4, seconds
    /usr/bin/python3 -m analyses.calibrate_standins --xgb tuned --out analyses/records/calibration_tuned_xgb.json
    /usr/bin/python3 -m analyses.calibrate_standins --rescore   # stored points, this objective, no runs
"""

from __future__ import annotations

import argparse
import copy
import itertools
import json
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd

from actionable.stats import forests, learners, moments, simulate
from actionable.studies.config import read_yaml
from actionable.stats.descriptives import concentration
from actionable.stats.features import FeatureEncoder
from actionable.stats.seeds import stream_seed
from actionable.paper.published import MOMENTS, TABLE4
from actionable.studies import simulator
from actionable.studies import forest_files
from actionable.stats import policy_tree as ptree

ROOT = Path(__file__).resolve().parent.parent

ROLE = {"walmart_like": "Walmart", "penn_geisinger_like": "Penn-Geisinger"}
SIGMA_HAT = {k: v["sigma"] for k, v in MOMENTS.items()}
RHO_HAT = {"Walmart": 0.61, "Penn-Geisinger": 0.80}
# the learner settings used before this calibration (kept to show the frontier they allow)
TUNED_XGB = dict(eta=0.05, max_depth=3, min_child_weight=50, subsample=0.8, colsample_bytree=0.8)

# binary covariates Penn-Geisinger's arm-specific parts depend on in the forest pass
PENN_CELLS = ["black", "hypertension", "flu_vax_last_year", "has_pcp", "smoker", "site_geisinger"]
# cell means (arm_specific.cells): each of the 16 combinations of these has its own mean per arm
FOUR_BINARIES = ["female", "site_geisinger", "hypertension", "flu_vax_last_year"]
# the first calibration's chosen point, the stand-in to 2026-12-02: the base of frontier_oracle's variants
FIRST_STANDIN = {"targets.rho": 0.95, "heterogeneity.arm_specific.covariates": PENN_CELLS,
         "heterogeneity.arm_specific.nonlinearity": 0.0, "heterogeneity.arm_specific.interactions": 0.65,
         "heterogeneity.arm_specific.arm_spread": 0.8,
         # the arm means of passes 1-5 (the spec's until the s-hat was scored), so a row's knobs stay whole
         "arm_means.s": 0.007, "arm_means.base_rate": 0.309}
FRONTIER_RECORD = ROOT / "analyses" / "records" / "frontier_oracle.json"
# Figure 9: the paper's forest policy covers 80% of Penn-Geisinger's people with 6 arms
TOP6_SHARE = {"Penn-Geisinger": 0.80}
S_HAT_ALL = 0.007  # both studies' plain s-hat (Section 5.1), scored at the target's tolerance 0.002

# The search: grids over the knobs that matter most (a study's passes run in turn; the second
# Penn-Geisinger pass followed the first's finding that OLS gained too much from linear d_a)
GRID = {
    "walmart_like": [{
        "targets.rho": [0.95, 0.97, 0.98],
        "targets.sigma": [0.09, 0.095, 0.10],
        "heterogeneity.arm_specific.interactions": [0.15, 0.5],
    }],
    "penn_geisinger_like": [{
        "targets.rho": [0.93, 0.95, 0.97],
        "heterogeneity.arm_specific.interactions": [0.15, 0.5],
        "heterogeneity.arm_specific.arm_spread": [0.0, 0.8],
    }, {
        "targets.rho": [0.93, 0.95],
        "heterogeneity.arm_specific.nonlinearity": [0.3, 0.6],
        "heterogeneity.arm_specific.interactions": [0.35],
        "heterogeneity.arm_specific.arm_spread": [0.0, 0.8],
    }, {  # Figure 9's concentration: a larger spread (the perfect-knowledge share rises, the forest's falls)
        "targets.rho": [0.93, 0.95],
        "heterogeneity.arm_specific.nonlinearity": [0.6],
        "heterogeneity.arm_specific.interactions": [0.35],
        "heterogeneity.arm_specific.arm_spread": [1.2, 1.6],
    }, {  # d_a on a few binary covariates: cells the forest learns (the paper's Figure 10 names two)
        "forest": True,
        "targets.rho": [0.95],
        "heterogeneity.arm_specific.covariates": [PENN_CELLS],
        "heterogeneity.arm_specific.nonlinearity": [0.0],
        "heterogeneity.arm_specific.interactions": [0.6, 0.65, 0.7, 0.8],
        "heterogeneity.arm_specific.arm_spread": [0.8],
    }, {  # PT-CF in the loss, with the default run's 2,000-tree forest: analyses/frontier_oracle.py's
        # variants of the first stand-in's point (its cells beside cell means on four binaries came closest)
        "frontier": True,
    }],
}
# With --xgb tuned: how rho-hat trades against the gains as the true rho moves (Walmart)
FRONTIER = {"walmart_like": [{"targets.rho": [0.78, 0.85, 0.90, 0.95, 0.97], "targets.sigma": [0.09]}]}


def _set(spec: dict, key: str, value):
    d = spec
    *path, last = key.split(".")
    for p in path:
        d = d.setdefault(p, {})
    d[last] = value


def simulate_and_split(spec: dict, seed: int):
    """The simulated study, its arm indices and outcomes, the 70/30 split by arm and the features."""
    sim = simulate.simulate_megastudy(spec)
    obs, m = sim.observed, sim.truth.shape[1]
    arm = pd.Categorical(obs[spec["arms"].get("column", "arm")], categories=sim.arms).codes.astype(int)
    y = obs[spec["outcome"]["column"]].to_numpy(float)
    rng = np.random.default_rng(stream_seed(seed, "split"))
    train = np.zeros(len(y), bool)
    for a in range(m):
        rows = np.flatnonzero(arm == a)
        train[rng.permutation(rows)[: int(round(0.7 * len(rows)))]] = True
    covs = [dict(name=c["name"], type=c["type"]) for c in spec["covariates"]]
    x = FeatureEncoder(covs).fit(obs[train]).transform(obs)
    return sim, obs, covs, arm, y, train, x


def tlearner(x, arm, y, train, xgb, seed, rows=None, tag="txgb"):
    """Holdout predictions of a T-learner fit on the training rows (or the ``rows`` among them)."""
    m = int(arm.max()) + 1
    use = train if rows is None else rows
    return np.column_stack([
        learners.fit_predict_tlearner_arm(x[use & (arm == a)], y[use & (arm == a)], x[~train], xgb, True,
                                          stream_seed(seed, f"{tag}_arm{a}"), threads=2)[0]
        for a in range(m)])


def arm_shares(policy: np.ndarray, m: int) -> np.ndarray:
    """The share of people a policy sends to each arm, most used first (Figure 9)."""
    return np.sort(np.bincount(policy, minlength=m))[::-1] / len(policy)


def forest_policy(spec, sim, x, arm, y, train, settings: dict, seed: int,
                  policy_tree: dict | None = None):
    """The MACF policy on the holdout (grf with ``settings``), arms indexed as in the truth's columns;
    with ``policy_tree`` (the config's settings) also PT-CF's, the depth-2 tree on the forest's
    doubly robust scores of the training rows, as (MACF, PT-CF)."""
    m = sim.truth.shape[1]
    ctrl = spec["arms"]["control_index"]
    order = [ctrl] + [a for a in range(m) if a != ctrl]  # grf's first level is the baseline
    code = np.argsort(order)[arm]
    probs = np.asarray(spec["arms"].get("probabilities") or [1.0 / m] * m, float)[order]
    forest, _ = forests.fit_macf(x[train], code[train], y[train], probs / probs.sum(), order, settings,
                                 stream_seed(seed, "calibration_macf"), threads=2)
    tau = forests.predict_tau(forest, x[~train], threads=2)
    macf = np.asarray(order)[np.argmax(tau, axis=1)]
    if policy_tree is None:
        return macf
    # columns with more values than bins are binned (bin_columns' own test): the continuous ones
    _, pt_cf = ptree.exact_policy_tree(x[train], ptree.double_robust_scores(forest), x[~train],
                                         np.ones(x.shape[1], bool), policy_tree)
    return macf, np.asarray(order)[pt_cf]


def inner_loop(spec: dict, xgb: dict, seed: int, forest: dict | None = None, policy_tree: dict | None = None) -> dict:
    """The paper's procedure on one simulated study, at full n: moments and policy values (and
    the forest's policy when ``forest`` gives its settings, PT-CF's too with ``policy_tree``'s)."""
    sim, obs, covs, arm, y, train, x = simulate_and_split(spec, seed)
    m = sim.truth.shape[1]
    atr, ate, ytr, yte = arm[train], arm[~train], y[train], y[~train]
    truth = sim.truth[~train]
    yhat = tlearner(x, arm, y, train, xgb, seed)
    xo = FeatureEncoder(covs, impute=True).fit(obs[train]).transform(obs)
    ols = learners.fit_predict_ols(xo[train], atr, ytr, xo[~train], m)
    est = moments.estimate(yhat, ate, yte, truth=truth)
    rows = np.arange(len(yte))
    best = int(np.argmax([ytr[atr == a].mean() for a in range(m)]))

    def value(policy):
        return float(truth[rows, policy].mean()) * 100

    perfect = truth.argmax(1)
    share = arm_shares(perfect, m)
    uniform = value(np.full(len(yte), best))
    # s-hat as the paper's Figures 7-8 show the arm means (training sample), and on all people
    s_train, s_all = moments.s_hat(atr, ytr, m), moments.s_hat(arm, y, m)
    extra = {}
    if forest:
        pol = forest_policy(spec, sim, x, arm, y, train, forest, seed, policy_tree)
        if policy_tree is not None:
            pol, pt_cf = pol
            extra["pt_cf_gain"] = value(pt_cf) - uniform
        c = concentration(arm_shares(pol, m))
        extra |= dict(macf_gain=value(pol) - uniform, macf_top6_share=c["top_share"], macf_arms_to_80=c["arms_to_cover"])
    return extra | dict(sigma_hat=est["sigma"], rho_hat=est["rho"], s_hat=est["s"], s_hat_train=s_train, s_hat_all=s_all,
                sigma_eps_hat=est["sigma_eps"],
                true_sigma=est["true_sigma"], true_rho=est["true_rho"], true_sigma_eps=est["true_sigma_eps"],
                best_uniform=uniform, txgb_gain=value(learners.policy(yhat)) - uniform,
                ols_gain=value(learners.policy(ols)) - uniform, perfect_gain=value(perfect) - uniform,
                perfect_top6_share=concentration(share)["top_share"])


def objective(study: str, got: dict) -> dict:
    """Standardized distances to the paper's values (each 1.0 at its tolerance) and their sum of squares."""
    role = ROLE[study]
    paper = TABLE4[role]
    z = dict(
        sigma_hat=(got["sigma_hat"] - SIGMA_HAT[role]) / (0.1 * SIGMA_HAT[role]),
        rho_hat=(got["rho_hat"] - RHO_HAT[role]) / 0.05,
        best_uniform=(got["best_uniform"] - paper["Best Uniform"]) / 1.0,
        txgb_gain=(got["txgb_gain"] - (paper["T-XGB"] - paper["Best Uniform"])) / (2 * paper["se"]["T-XGB"]),
        ols_gain=(got["ols_gain"] - (paper["OLS"] - paper["Best Uniform"])) / (2 * paper["se"]["OLS"]),
    )
    if "s_hat_all" in got:  # the paper's plain s-hat (SD of the arm means, all people); Walmart's points predate it
        z["s_hat_all"] = (got["s_hat_all"] - S_HAT_ALL) / 0.002
    if "macf_gain" in got:  # forest passes: the forest's gain and Figure 9's concentration
        z["macf_gain"] = (got["macf_gain"] - (paper["MACF"] - paper["Best Uniform"])) / (2 * paper["se"]["MACF"])
        if role in TOP6_SHARE:  # one-sided: 0 at or above the target, past the tolerance (1) below it
            short = TOP6_SHARE[role] - got["macf_top6_share"]
            z["macf_top6_share"] = 0.0 if short <= 0 else 1.0 + short / 0.05
    if "pt_cf_gain" in got:
        z["pt_cf_gain"] = (got["pt_cf_gain"] - (paper["PT-CF"] - paper["Best Uniform"])) / (2 * paper["se"]["PT-CF"])
    # fsum: correctly rounded, so a stored loss is the same bytes on every Python (3.12 changed sum)
    return dict(z=z, loss=math.fsum(v**2 for v in z.values()))


def calibrate(study: str, xgb: dict, passes: list, cfg: dict, log, run=None, stored=()) -> dict:
    """Search the passes (all, or the 1-based indices in ``run``, keeping ``stored`` points of the others)."""
    base = simulator.load_simulator_spec(ROOT / "data" / "simulators" / f"{study}.yaml")
    run = set(run or range(1, len(passes) + 1))
    points = [p for p in stored if pass_of(p, passes) not in run]
    for i, grid in enumerate(passes, 1):
        if i in run:
            found = frontier_points(study, cfg) if grid.get("frontier") else _search(study, base, xgb, grid, cfg, log)
            points += [p | {"pass": i} for p in found]
    points.sort(key=lambda p: pass_of(p, passes))
    return dict(passes=passes, points=points, chosen=choose(points))


def pass_of(point: dict, passes: list) -> int:
    """A point's pass: its own record, or (points stored before passes were recorded) the first whose grid holds its knobs."""
    if "pass" in point:
        return point["pass"]
    for i, grid in enumerate(passes, 1):
        keys = {k: v for k, v in grid.items() if k != "forest"}
        if set(keys) == set(point["knobs"]) and all(point["knobs"][k] in v for k, v in keys.items()):
            return i
    raise ValueError(f"stored point {point['knobs']} is in no pass of the grid")


def choose(points: list) -> dict:
    """The lowest loss among the points measured most fully (PT-CF's gain, then the forest's)."""
    pool = ([p for p in points if "pt_cf_gain" in p] or [p for p in points if "macf_gain" in p] or points)
    return min(pool, key=lambda p: p["loss"])


def forest_settings(cfg: dict, study: str | None = None) -> dict:
    """The config's MACF settings for one job (the workflow grows the same trees in chunk jobs);
    with ``study``, that study's own, as its default run grows them."""
    settings = forest_files.study_settings(cfg, study)
    settings.pop("chunks", None)
    return settings


def _search(study, base, xgb, grid, cfg, log) -> list:
    points = []
    grid = dict(grid)
    seed = cfg["seed"]
    forest = forest_settings(cfg) if grid.pop("forest", False) else None
    keys = list(grid)
    for values in itertools.product(*(grid[k] for k in keys)):
        spec = copy.deepcopy(base)
        # a grid that sets arm-specific knobs owns the block: the spec file's own (the last chosen
        # point) must not leak into a point that leaves some of its keys unset (--current keeps it)
        if any(k.startswith("heterogeneity.arm_specific.") for k in keys):
            spec["heterogeneity"].pop("arm_specific", None)
        knobs = dict(zip(keys, values))
        for k, v in knobs.items():
            _set(spec, k, v)
        t0 = time.time()
        got = inner_loop(spec, xgb, seed, forest)
        got.update(objective(study, got), knobs=knobs, seconds=round(time.time() - t0, 1))
        points.append(got)
        log(f"{study} {knobs} loss {got['loss']:.2f} sigma {got['sigma_hat']:.3f} rho {got['rho_hat']:.3f} "
            f"uniform {got['best_uniform']:.1f} txgb {got['txgb_gain']:+.2f} ols {got['ols_gain']:+.2f} "
            f"top6 {got['perfect_top6_share']:.2f}"
            + (f" macf {got['macf_gain']:+.2f} macf top6 {got['macf_top6_share']:.2f}" if forest else ""))
    return points


def measured(row: dict) -> dict:
    """A frontier_oracle learner row's measured values, what ``objective`` scores: the row less its
    stored score and forest settings."""
    return {k: v for k, v in row.items() if k not in ("objective", "forest")}


def frontier_points(study: str, cfg: dict) -> list:
    """frontier_oracle's rows fitted with PT-CF and the study's own forest, as points of this search:
    their knobs are the first stand-in's with the row's changes (None: the key unset), their loss this objective."""
    rec = json.loads(FRONTIER_RECORD.read_text())
    if rec["study"] != study or rec["seed"] != cfg["seed"] or rec["policy_tree"] != cfg["forests"]["policy_tree"]:
        raise ValueError(f"{FRONTIER_RECORD} is not {study}'s with config.yaml's seed and policy tree")
    forest = forest_settings(cfg, study)
    points = []
    for row in rec["points"]:
        got = row.get("learners")
        if not got or got.get("forest") != forest:
            continue
        knobs = {k: v for k, v in (FIRST_STANDIN | row["changes"]).items() if v is not None}
        values = measured(got)
        points.append(values | objective(study, values) | dict(knobs=knobs, forest=forest, frontier_label=row["label"]))
    if not points:
        raise ValueError(f"{FRONTIER_RECORD} has no row with {study}'s own forest {forest}")
    return points


def markdown(record: dict) -> str:
    """The chosen points against the paper's values (what RESULTS.md and the README show)."""
    lines = ["| | target | " + " | ".join(record["studies"]) + " |", "|---|---|" + "---|" * len(record["studies"])]
    rows = [("sigma-hat (stratified)", "sigma_hat", "{:.3f}", SIGMA_HAT, "within 10%"),
            ("rho-hat (stratified)", "rho_hat", "{:.3f}", RHO_HAT, "within 0.05"),
            ("s-hat, all people (plain SD)", "s_hat_all", "{:.4f}", {"Walmart": 0.007, "Penn-Geisinger": 0.007}, "within 0.002"),
            ("Best Uniform (%, at the truth)", "best_uniform", "{:.1f}",
             {k: v["Best Uniform"] for k, v in TABLE4.items()}, "within 1"),
            ("T-XGB gain (pp, at the truth)", "txgb_gain", "{:+.2f}",
             {k: v["T-XGB"] - v["Best Uniform"] for k, v in TABLE4.items()}, "within 2 SE"),
            ("OLS gain (pp, at the truth)", "ols_gain", "{:+.2f}",
             {k: v["OLS"] - v["Best Uniform"] for k, v in TABLE4.items()}, "within 2 SE"),
            ("MACF gain (pp, at the truth)", "macf_gain", "{:+.2f}",
             {k: v["MACF"] - v["Best Uniform"] for k, v in TABLE4.items()}, "within 2 SE"),
            ("PT-CF gain (pp, at the truth)", "pt_cf_gain", "{:+.2f}",
             {k: v["PT-CF"] - v["Best Uniform"] for k, v in TABLE4.items()}, "within 2 SE"),
            ("MACF policy: top 6 arms' share", "macf_top6_share", "{:.2f}", TOP6_SHARE, ">= 0.80"),
            ("perfect-knowledge gain (pp)", "perfect_gain", "{:+.2f}", None, ""),
            ("perfect knowledge: top 6 arms' share", "perfect_top6_share", "{:.2f}", None, ""),
            ("true sigma / rho", None, None, None, "")]
    for label, key, fmt, target, tol in rows:
        cells = []
        for study, rec in record["studies"].items():
            c = rec["chosen"]
            if key is None:
                cells.append(f"{c['true_sigma']:.3f} / {c['true_rho']:.3f}")
                continue
            t = "" if target is None or ROLE[study] not in target else f" [{fmt.format(target[ROLE[study]])}]"
            cells.append((fmt.format(c[key]) if key in c else "not recorded") + t)
        lines.append(f"| {label} | {tol} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--studies", nargs="*", default=None)
    ap.add_argument("--xgb", choices=["config", "tuned"], default="config",
                    help="the learner settings: config.yaml's (default) or the earlier tuned ones")
    ap.add_argument("--current", action="store_true", help="evaluate the specs as they are, no search")
    ap.add_argument("--passes", nargs="*", type=int, default=None,
                    help="with one study: run only these passes (1-based), keeping the stored points of the others")
    ap.add_argument("--rescore", action="store_true",
                    help="recompute every stored point's loss and the chosen points with this objective (no runs)")
    ap.add_argument("--out", default=str(ROOT / "analyses" / "records" / "calibration.json"))
    args = ap.parse_args(argv)
    cfg = read_yaml(ROOT / "config.yaml")
    xgb = dict(cfg["learners"]["xgboost"])
    if args.xgb == "tuned":
        xgb.update(TUNED_XGB)
    if args.rescore:
        out = json.loads(Path(args.out).read_text())
        for study, rec in out["studies"].items():
            for p in rec["points"]:
                p.update(objective(study, p))
            rec["chosen"] = choose(rec["points"])
        Path(args.out).write_text(json.dumps(out, indent=1))
        print(markdown(out))
        return
    out = dict(xgb=xgb, xgb_label=args.xgb, seed=cfg["seed"], studies={})
    if args.studies and Path(args.out).exists():  # rerun some studies, keep the others' records
        kept = json.loads(Path(args.out).read_text())
        if kept.get("xgb") == xgb and kept.get("seed") == cfg["seed"]:
            out["studies"] = kept["studies"]
    args.studies = args.studies or list(FRONTIER if args.xgb == "tuned" else GRID)
    if args.passes and (len(args.studies) != 1 or args.current or args.studies[0] not in out["studies"]):
        ap.error("--passes needs one study (--studies NAME) whose points the record already holds")
    for study in args.studies:
        grid = [{}] if args.current else (FRONTIER if args.xgb == "tuned" else GRID)[study]
        stored = out["studies"][study]["points"] if args.passes else ()
        out["studies"][study] = calibrate(study, xgb, grid, cfg, lambda s: print(s, flush=True), args.passes, stored)
    Path(args.out).write_text(json.dumps(out, indent=1))
    print(markdown(out))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
