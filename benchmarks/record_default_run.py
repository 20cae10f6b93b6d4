"""Keep the default run's headline outputs beside the benchmarks, for tests/test_default_run.py.

The default replication takes about half an hour, too long for CI, so after `bin/replicate.sh`
this copies what the paper's story rests on into benchmarks/results/default_run/:

- table4.csv (every policy's IPW value, bootstrap SE, gain and its SE, oracle, AIPW) and
  moments.csv (estimated and true moments, Our Model and its extension);
- macf_shares.csv: the share of holdout people the forest's policy sends to each arm (Figure 9);
- about.json (commit, each forest's number of trees, wall time) and ../default_run.json (results/runtime/summary.json: every
  job's time, the critical path).

    /usr/bin/python3 -m benchmarks.record_default_run
    RESULTS=/path/to/clone/results NOTE="how the run was made" /usr/bin/python3 -m benchmarks.record_default_run
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path


from actionable.app.compare import write_record
from actionable.studies.config import read_yaml
from actionable.studies import simulator

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "results" / "default_run"


def main():
    res = Path(os.environ.get("RESULTS", ROOT / "results"))
    studies = write_record(res, OUT)
    trees = {study: json.loads((res / "forests" / study / "macf" / "info.json").read_text())["num_trees"]
             for study in studies}
    # the run's own checkout (results/ sits in it): its commit and the stand-ins it simulated
    run_root = res.resolve().parent
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=run_root, capture_output=True, text=True).stdout.strip()
    cfg = read_yaml(run_root / "config.yaml")
    digests = {s["name"]: simulator.spec_digest(simulator.load_simulator_spec(run_root / s["simulator"]))
               for s in cfg["studies"] if s["name"] in trees}
    about = dict(commit=commit, config="config.yaml", forest_trees=trees, spec_digests=digests)
    if os.environ.get("NOTE"):
        about["note"] = os.environ["NOTE"]
    summary = res / "runtime" / "summary.json"  # written by bin/replicate.sh after the run
    if summary.exists():
        shutil.copy(summary, OUT.parent / "default_run.json")  # the README's default-run times
        rt = json.loads(summary.read_text())
        about.update({k: rt[k] for k in ("wall_seconds", "jobs", "cores", "critical_path_seconds") if k in rt})
    (OUT / "about.json").write_text(json.dumps(about, indent=1) + "\n")
    print(f"wrote {OUT} (commit {commit})")


if __name__ == "__main__":
    sys.exit(main())
