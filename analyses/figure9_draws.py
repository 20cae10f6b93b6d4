"""Figure 9's concentration over the default run's random draws (penn_geisinger_like).

The paper's Figure 9: Penn-Geisinger's causal-forest policy "concentrated on fewer treatments (6 out
of 20), covering 80% of the population". One default run is one draw of the 70/30 split and of the
forest's seeds, and the share the policy puts on its 6 most used arms moves with both. This program
simulates the stand-in as the workflow does, then for each of K draws splits it with the
workflow's function (draw 0 with the workflow's own split seed), grows forests.macf's forest (200
trees; the default run grows this study's 2,000) in one job (the workflow's chunks merged are the
same forest in distribution) and records the policy's
arm shares on the holdout, its top-6 share, the arms needed for 80%, and its gain at the truth
over the best uniform arm, with the gain of PT-CF (the depth-2 tree on the same forest's doubly
robust scores) beside it. tests/test_default_run.py compares the default run's own share
(benchmarks/results/default_run/) with them.

    /usr/bin/python3 -m analyses.figure9_draws            # 8 draws, ~30 min on 2 cores
    /usr/bin/python3 -m analyses.figure9_draws --draws 3
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from actionable.stats import forests, simulate
from actionable.studies.config import read_yaml
from actionable.studies.datasets import load_dataset, load_truth
from actionable.stats.descriptives import concentration
from actionable.stats.seeds import stream_seed
from actionable.studies.split import stratified_split
from actionable.studies.study import training_matrices
from actionable.studies import simulator
from actionable.studies import forest_files
from actionable.stats import policy_tree

ROOT = Path(__file__).resolve().parent.parent

STUDY = "penn_geisinger_like"
OUT = ROOT / "analyses" / "records" / "figure9_draws.json"


def top_shares(policy: np.ndarray, m: int) -> np.ndarray:
    """Each arm's share of the people the policy assigns (index = arm)."""
    return np.bincount(policy, minlength=m) / len(policy)


def one_draw(ds, truth, split_seed: int, forest_seed: int, settings: dict, config_policy_tree: dict,
             train_share: float) -> dict:
    split = stratified_split(ds, train_share, split_seed)
    x_tr, a_tr, y_tr, x_te, _, _, enc = training_matrices(ds, split)
    test = (split["set"] == "test").to_numpy()
    propensity = ds.propensity_matrix()[~test]
    forest, _ = forests.fit_macf(x_tr, a_tr, y_tr, propensity[0], ds.arms, settings, forest_seed, threads=2)
    policy = forests.predict_tau(forest, x_te, threads=2).argmax(axis=1)
    # PT-CF as the workflow fits it: the depth-2 tree on the forest's doubly robust scores
    pt = config_policy_tree
    continuous = np.array([f in ds.covariate_names("continuous") for f in enc.names])
    _, pt_policy = policy_tree.exact_policy_tree(x_tr, policy_tree.double_robust_scores(forest), x_te, continuous, pt)
    share = top_shares(policy, len(ds.arms))
    c = concentration(share)
    t = truth[test]
    best = int(np.argmax([y_tr[a_tr == a].mean() for a in range(len(ds.arms))]))
    uniform = float(t[:, best].mean())
    return dict(split_seed=split_seed, forest_seed=forest_seed, top6_share=c["top_share"],
                arms_to_80=c["arms_to_cover"], arms_used=c["arms_used"],
                gain_pp=100 * (float(t[np.arange(len(t)), policy].mean()) - uniform),
                pt_cf_gain_pp=100 * (float(t[np.arange(len(t)), pt_policy].mean()) - uniform),
                top6_arms=[ds.arms[a] for a in np.argsort(share)[::-1][:6]],
                shares=[float(v) for v in share])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=8)
    ap.add_argument("--out", default=str(OUT))
    ap.add_argument("--num-trees", type=int, default=None,
                    help="the forest's size (default: forests.macf's, 200; the record's draws have 200)")
    args = ap.parse_args(argv)
    cfg = read_yaml(ROOT / "config.yaml")
    entry = next(s for s in cfg["studies"] if s["name"] == STUDY)
    spec = simulator.load_simulator_spec(ROOT / entry["simulator"], n=entry.get("n"))
    if entry.get("seed") is not None:
        spec["seed"] = entry["seed"]
    # forests.macf's size, not the study's own (studies[].macf: the paper's 2,000 in the default
    # run): the record shows the spread of a 200-tree forest's policy
    settings = forest_files.study_settings(cfg)
    settings.pop("chunks", None)
    if args.num_trees:
        settings["num_trees"] = args.num_trees
    draws = []
    with tempfile.TemporaryDirectory() as tmp:
        simulator.write_study(simulate.simulate_megastudy(spec), spec, tmp)
        ds = load_dataset(Path(tmp) / "spec.yaml", min_arm_rows=cfg["data"]["min_arm_rows"])
        truth = load_truth(ds)
        for r in range(args.draws):
            # draw 0: the default run's split (the workflow's seed_for("split/<study>"))
            split_seed = stream_seed(cfg["seed"], f"split/{STUDY}" if r == 0 else f"figure9/split{r}")
            t0 = time.time()
            got = one_draw(ds, truth, split_seed, stream_seed(cfg["seed"], f"figure9/forest{r}"), settings,
                           cfg["forests"]["policy_tree"], cfg["data"]["train_share"])
            got.update(draw=r, workflow_split=r == 0, seconds=round(time.time() - t0, 1))
            draws.append(got)
            print(f"draw {r}: top 6 {got['top6_share']:.3f}, arms to 80% {got['arms_to_80']}, "
                  f"gain {got['gain_pp']:+.2f} pp (PT-CF {got['pt_cf_gain_pp']:+.2f}), top arms {got['top6_arms']} ({got['seconds']} s)", flush=True)
    top6 = np.array([d["top6_share"] for d in draws])
    out = dict(study=STUDY, spec_digest=simulator.spec_digest(spec), forest_settings=settings, seed=cfg["seed"], draws=draws,
               top6_mean=float(top6.mean()), top6_sd=float(top6.std(ddof=1)) if len(top6) > 1 else None,
               top6_min=float(top6.min()), top6_max=float(top6.max()))
    Path(args.out).write_text(json.dumps(out, indent=1))
    print(f"top 6 share over {len(draws)} draws: mean {out['top6_mean']:.3f} (SD {out['top6_sd']}), "
          f"range {out['top6_min']:.3f}-{out['top6_max']:.3f}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
