"""Repeated splits on stand-ins with known truth: is the median over splits of each method's IPW
gain within 2 across-split SDs of its true gain?

From a finished run with splits.count > 1 (e.g. .test/config.yaml + config/split_robustness.yaml),
for every simulated study and method: the median over splits of the holdout IPW gain over Best
Uniform and its SD across splits (results/splits/{study}/summary.csv, which never reads the truth),
beside the median over splits of the same policies' true gain (the oracle columns of each split's
policies.csv, read only here), and the Best Uniform arm's IPW value beside its true value: an
error of this sample that every split shares, which the spread across splits cannot show.

    RESULTS=/path/to/results /usr/bin/python3 -m analyses.split_robustness_standins

Record: analyses/records/split_robustness_standins.json.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
RECORD = ROOT / "analyses" / "records" / "split_robustness_standins.json"


def study_record(results: Path, study: str) -> dict:
    summary = pd.read_csv(results / "splits" / study / "summary.csv").fillna({"method": ""})
    per = pd.read_csv(results / "splits" / study / "per_split.csv")
    names = [study] + [f"{study}__split{k}" for k in sorted(per["split"].unique()) if k > 1]
    oracle, uniform = [], []
    for name in names:
        pol = pd.read_csv(results / "evaluation" / name / "policies.csv").set_index("policy")
        oracle.append(pol["oracle"] - pol.loc["Best Uniform", "oracle"])
        uniform.append(pol.loc["Best Uniform", ["ipw", "oracle"]].astype(float))
    true = pd.concat(oracle, axis=1).median(axis=1)
    uniform = pd.concat(uniform, axis=1).T
    # the Best Uniform arm's own IPW error: a sampling error of this sample, shared by every split
    error = uniform["ipw"] - uniform["oracle"]
    ipw = summary[summary["estimate"] == "gain_ipw"].set_index("method")
    methods = {}
    for method, row in ipw.iterrows():
        gap = float(row["median"] - true[method])
        methods[method] = dict(median_ipw_gain=float(row["median"]), sd_across_splits=float(row["sd"]),
                               median_true_gain=float(true[method]), gap=gap, gap_in_sds=gap / float(row["sd"]),
                               beats_2se=float(row["beats_2se"]))
    return dict(splits=len(names), methods=methods,
                best_uniform=dict(median_ipw_value=float(uniform["ipw"].median()),
                                  median_true_value=float(uniform["oracle"].median()),
                                  median_ipw_error=float(error.median()), sd_ipw_across_splits=float(uniform["ipw"].std())),
                within_2_sd=sum(abs(v["gap_in_sds"]) <= 2 for v in methods.values()),
                all_within_2_sd=all(abs(v["gap_in_sds"]) <= 2 for v in methods.values()))


def main() -> int:
    results = Path(os.environ.get("RESULTS", ROOT / "results"))
    simulated = [p.name for p in (results / "simulated").iterdir() if p.is_dir()]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=results.resolve().parent, capture_output=True,
                            text=True).stdout.strip()
    record = dict(run_commit=commit or None, studies={s: study_record(results, s) for s in sorted(simulated)
                                                      if (results / "splits" / s).exists()})
    print(json.dumps(record, indent=1))
    RECORD.write_text(json.dumps(record, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
