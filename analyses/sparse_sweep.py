"""When the paper's model and the data disagree: a design sweep over stand-ins whose arm-specific
heterogeneity sits in k of m arms through segment effects (simulator key heterogeneity.segments).

For each point (k, effect, m, n) a simulator spec is derived from data/simulators/sparse_k4.yaml
(k segment rules from SEGMENTS on arms spread over the non-control ones; control 1/4, the rest
equal), the whole workflow runs on it with config.yaml's settings in its own folder, and the
record keeps, per point: every learner's true gain over the best arm (Table 4's oracle rows), its
IPW and Hajek gains with SEs, Our Model as printed, the extensions, every form of the model for
arms that are not alike (with the headline's holdout SE), the effective number of arms, and
whether the model-versus-data warning fired.

    /usr/bin/python3 -m analyses.sparse_sweep [--points 0 1 2] [--work /tmp/sparse_sweep] [--cores 2]
    /usr/bin/python3 -m analyses.sparse_sweep --figure docs/figures/sparse_sweep.png   (from the record)

Each point at n = 60,000 takes about as long as the small stand-ins' forests (benchmarks/RESULTS.md).
Record: analyses/records/sparse_sweep.json (points already recorded are kept unless rerun).
"""

from __future__ import annotations

import argparse
import copy
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import yaml

from actionable.studies.config import read_yaml

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "data" / "simulators" / "sparse_k4.yaml"
RECORD = ROOT / "analyses" / "records" / "sparse_sweep.json"
SEGMENTS = [  # who each segment arm helps, in order
    dict(covariate="age", below=30), dict(covariate="age", above=68),
    dict(covariate="flu_vax_last_year", equals=1), dict(covariate="prior_visits_12m", above=5),
    dict(covariate="female", equals=1), dict(covariate="diabetes", equals=1),
    dict(covariate="site_geisinger", equals=1), dict(covariate="zip_median_income", above=80000),
]
STANDIN = 1  # POINTS[1] is data/simulators/sparse_k4.yaml itself, run as config/sparse_standin.yaml
POINTS = [  # (k, effect on the logit scale, m, n)
    (2, 0.9, 12, 60000), (4, 0.7, 12, 60000), (8, 0.5, 12, 60000),
    (4, 0.7, 12, 20000), (4, 0.7, 12, 200000), (4, 0.7, 24, 60000),
    (0, 0.0, 12, 60000),  # the control: no segments, only the base response's own arm-specific part
]


def point_spec(k: int, effect: float, m: int, n: int) -> dict:
    spec = copy.deepcopy(read_yaml(BASE))
    spec["name"] = f"sparse_k{k}_m{m}_n{n // 1000}k_e{round(effect * 10)}"
    spec["n"], spec["arms"]["count"] = n, m
    spec["arms"]["probabilities"] = [0.25] + [0.75 / (m - 1)] * (m - 1)
    arms = [2 + round(i * (m - 2) / max(k - 1, 1)) for i in range(k)] if k > 1 else [m // 2] * k
    spec["heterogeneity"]["segments"] = dict(effect=effect, arms=[dict(arm=a, **SEGMENTS[i % len(SEGMENTS)])
                                                                  for i, a in enumerate(arms)])
    if not k:
        del spec["heterogeneity"]["segments"]
    return spec


def run_point(index: int, work: Path, cores: int) -> dict:
    k, effect, m, n = POINTS[index]
    if index == STANDIN:  # the committed stand-in itself, with its own config overlay
        name, folder, overlay = "sparse_k4", work / "sparse_k4", ROOT / "config" / "sparse_standin.yaml"
        folder.mkdir(parents=True, exist_ok=True)
    else:
        spec = point_spec(k, effect, m, n)
        name, folder = spec["name"], work / spec["name"]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "simulator.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
        overlay = folder / "config.yaml"
        overlay.write_text(yaml.safe_dump(dict(
            studies=[dict(name=name, simulator=str(folder / "simulator.yaml"))], moments=dict(overlap=[]))))
    res = subprocess.run([sys.executable, "-m", "snakemake", "--cores", str(cores), "-d", str(folder),
                          "--configfile", str(ROOT / "config.yaml"), str(overlay)],
                         cwd=ROOT, capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError(f"point {index} ({name}): snakemake failed\n{res.stderr[-3000:]}")
    out = summarize(folder / "results", name, dict(k=k, effect=effect, m=m, n=n))
    return dict(out, spec=str(BASE.relative_to(ROOT))) if index == STANDIN else out


def summarize(results: Path, study: str, point: dict) -> dict:
    """One point's record from a finished run's results."""
    t4 = pd.read_csv(results / "tables" / "table4.csv").set_index("policy")
    om = json.loads((results / "moments" / study / "our_model.json").read_text())
    best_true = float(t4.loc["Best Uniform", "oracle"])
    learners = {p: dict(true_gain=float(t4.loc[p, "oracle"]) - best_true, ipw_gain=float(t4.loc[p, "gain"]),
                        ipw_gain_se=float(t4.loc[p, "gain_se"]), hajek_gain=float(t4.loc[p, "hajek_gain"]),
                        hajek_gain_se=float(t4.loc[p, "hajek_gain_se"]))
                for p in t4.index if p != "Best Uniform"}
    na = om.get("arms_not_alike") or {}
    md = (results / "tables" / "table4.md").read_text()
    return dict(point, study=study, learners=learners,
                best_learner_true_gain=max(v["true_gain"] for v in learners.values()),
                our_model_printed=om["gain"], our_model_inf=om["gain_inf"],
                extension=(om.get("extension") or {}).get("gain"),
                extension_forest=((om.get("extension") or {}).get("forest") or {}).get("gain"),
                not_alike={k: dict(gain=v["gain"], se=v["se"], holdout_se=v.get("holdout_se"), learner=v.get("learner"))
                           for k, v in (na.get("variants") or {}).items()},
                structure=na.get("structure"), versus_printed=na.get("versus_printed"),
                warning_fired="MODEL VERSUS DATA" in md,
                warnings=[line.split("MODEL VERSUS DATA: ", 1)[1] for line in md.splitlines() if "MODEL VERSUS DATA: " in line])


def figure(record: dict, path: Path) -> None:
    """The sweep at a glance (docs/methods.md): per point, the best learner's true gain beside Our
    Model as printed, the extensions and the headline model for arms not alike with +-2 holdout SEs."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from actionable.studies.io import save_figure

    pts = sorted(record["points"].values(), key=lambda r: POINTS.index((r["k"], r["effect"], r["m"], r["n"])))
    fig, ax = plt.subplots(figsize=(10, 3.8))
    x = range(len(pts))
    rows = [("best learner, true gain", lambda r: r["best_learner_true_gain"], "s", "black"),
            ("Our Model as printed", lambda r: r["our_model_printed"], "v", "#c0392b"),
            ("extension (T-XGB / forest)", lambda r: r["extension"], "^", "#999999"),
            ("", lambda r: r["extension_forest"], "^", "#999999")]
    for label, get, marker, color in rows:
        ax.plot(x, [100 * (get(r) if get(r) is not None else float("nan")) for r in pts], marker, color=color,
                ls="none", label=label or None)
    head = [r["not_alike"]["best_profiles"] for r in pts]
    ax.errorbar(x, [100 * h["gain"] for h in head], yerr=[200 * h["holdout_se"] for h in head], fmt="o",
                color="#1f5fa8", capsize=3, label="headline: best own-profile model (+-2 holdout SE)")
    ax.axhline(0, color="grey", lw=0.5)
    ax.set_xticks(list(x))
    ax.set_xticklabels([f"k={r['k']} of {r['m']}\nn={r['n'] // 1000}k" + ("\nwarning" if r["warning_fired"] else "")
                        for r in pts], fontsize=8)
    ax.set_ylabel("gain over the best arm (pp)")
    ax.set_title("Sparse arm-specific heterogeneity: the models against the best learner's true gain", fontsize=9)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    save_figure(fig, path, vector=False)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--points", type=int, nargs="*", default=list(range(len(POINTS))))
    p.add_argument("--work", default="/tmp/sparse_sweep")
    p.add_argument("--cores", type=int, default=2)
    p.add_argument("--figure", help="only draw the recorded sweep to this PNG (docs/figures/sparse_sweep.png)")
    args = p.parse_args(argv)
    if args.figure:
        figure(json.loads(RECORD.read_text()), Path(args.figure))
        return 0
    record = json.loads(RECORD.read_text()) if RECORD.exists() else dict(points={})
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    for i in args.points:
        got = run_point(i, Path(args.work), args.cores)
        record["points"][got["study"]] = dict(got, commit=commit)
        RECORD.write_text(json.dumps(record, indent=1) + "\n")
        print(f"{got['study']}: best learner's true gain {got['best_learner_true_gain']:.4f}, Our Model "
              f"{got['our_model_printed']:.4f}, headline {got['not_alike'].get('best_profiles', {}).get('gain')}, "
              f"warning {got['warning_fired']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
