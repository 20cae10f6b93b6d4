#!/usr/bin/env bash
# Benchmark: the paper-scale configuration (config/paper_scale.yaml: 2,000-tree forests scattered
# over 10 chunk jobs each, grf's default sample.fraction, exact policy trees on every row) run end
# to end through a local single-node SLURM cluster with profiles/slurm-smk7.
#
#   bash benchmarks/paper_scale_slurm.sh                       # both stand-ins (hours on 2 cores)
#   STUDIES=penn_geisinger_like bash benchmarks/paper_scale_slurm.sh   # one stand-in
#   COMPARE_MERGE=1 STUDIES=...   # then the same run with forests.combine: merge (grf's merged
#                                 # forest; Y.hat is redone, so the chunks regrow from the same seeds),
#                                 # every CSV table and forest array compared
#
# Runs in its own working directory ($WORK, default /tmp/paper_scale_<studies>), starts the
# cluster if none answers (and stops it afterwards), and writes the run's runtime report
# (per job: time, Snakemake's sampled peak memory and the kernel's high-water mark; critical path;
# wall) to benchmarks/results/paper_scale_<studies>.json.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STUDIES=${STUDIES:-walmart_like penn_geisinger_like}
tag=$(echo "$STUDIES" | tr ' ' '+')
WORK=${WORK:-/tmp/paper_scale_$tag}
mkdir -p "$WORK"
export USER=${USER:-$(id -un)}
started=0
if ! sinfo -h -o %T 2>/dev/null | grep -qE "idle|mix|alloc"; then
  WITH_DBD=0 bash "$here/.ci/slurm/start-slurm.sh"; started=1
fi
# every job's true peak memory beside Snakemake's 30-s samples (benchmarks/peak_memory.py)
PYTHONPATH="$here" /usr/bin/python3 -m benchmarks.peak_memory "$WORK/peak_memory.json" & monitor=$!
trap 'kill $monitor 2>/dev/null; [ "$started" = 1 ] && bash "$here/.ci/slurm/stop-slurm.sh"' EXIT
# the studies to run, as a config overlay (the same entries as config.yaml's)
/usr/bin/python3 - "$here/config.yaml" "$WORK/studies.yaml" $STUDIES <<'PY'
import sys, yaml
cfg = yaml.safe_load(open(sys.argv[1]))
keep = sys.argv[3:]
studies = [s for s in cfg["studies"] if s["name"] in keep]
overlap = [o for o in cfg["moments"].get("overlap", []) if o["study"] in keep]
yaml.safe_dump({"studies": studies, "moments": dict(cfg["moments"], overlap=overlap)}, open(sys.argv[2], "w"))
PY
cfgs=("$here/config.yaml" "$here/config/paper_scale.yaml" "$WORK/studies.yaml")
COMPARE_MERGE=${COMPARE_MERGE:-0}
keep=(); [ "$COMPARE_MERGE" = 1 ] && keep=(--notemp)  # the merge run reads the same chunk files
run() {
  snakemake -s "$here/Snakefile" -d "$WORK" --profile "$here/profiles/slurm-smk7" --jobs 8 "${keep[@]}" \
    --default-resources slurm_partition=debug mem_mb=2000 runtime=600 --configfile "$@"
}
# A run stopped part way (the machine shut down) resumes where it stopped when started again with the same
# WORK: Snakemake reruns only what is missing. Its wall time is the sum of the segments, each from its start
# to the last line of its Snakemake log.
[ -f "$WORK/done" ] && rm -f "$WORK/done" "$WORK/segments.txt"
[ -n "$(ls -A "$WORK/.snakemake/locks" 2>/dev/null)" ] && run "${cfgs[@]}" --unlock  # a segment the machine's shutdown ended keeps its lock
date +%s >> "$WORK/segments.txt"
run "${cfgs[@]}"
wall=$(/usr/bin/python3 - "$WORK" <<'PY'
import sys, time
from datetime import datetime
from pathlib import Path
work = Path(sys.argv[1])
logs = [(time.mktime(datetime.strptime(p.name.split(".")[0], "%Y-%m-%dT%H%M%S").timetuple()), p.stat().st_mtime)
        for p in sorted((work / ".snakemake" / "log").glob("*.snakemake.log"))]
segments = []
for start in map(int, (work / "segments.txt").read_text().split()):
    mine = sorted((made, end) for made, end in logs if start - 1 <= made <= start + 300)  # its first log
    segments.append(round((mine[0][1] if mine else start) - start))
print(sum(segments))
(work / "segments_seconds.txt").write_text(" ".join(map(str, segments)) + "\n")
PY
)
cd "$WORK"
PYTHONPATH="$here" /usr/bin/python3 -m actionable.app.runtime --wall "$wall" --out "$WORK/runtime" \
  -s "$here/Snakefile" --configfile "${cfgs[@]}"
PYTHONPATH="$here" /usr/bin/python3 - "$WORK/runtime/summary.json" "$here/benchmarks/results/paper_scale_$tag.json" "$STUDIES" "$here" <<'PY'
import json, subprocess, sys
from pathlib import Path
import numpy as np
import pandas as pd
from benchmarks.peak_memory import by_target
summary = json.load(open(sys.argv[1]))
work = Path(sys.argv[1]).parent.parent
summary["studies"] = sys.argv[3].split()
# what the merge jobs read (their memory grows with it); null when forests.temp_chunks removed them
def chunk_mb(study, kind):
    files = list(Path(f"results/forests/{study}/macf/chunks").glob(f"{kind}*.rds"))
    return round(sum(p.stat().st_size for p in files) / 1e6, 1) if files else None
summary["chunk_files_mb"] = {s: {k: chunk_mb(s, k) for k in ("yhat", "macf")} for s in summary["studies"]}
summary["executor"] = "SLURM (profiles/slurm-smk7, local single-node cluster)"
# every job's peak memory (its benchmark file's max_rss), by its log
jobs = pd.read_csv(Path(sys.argv[1]).parent / "jobs.csv")
summary["job_peak_rss_mb"] = {log: round(mb, 1) for log, mb in zip(jobs["log"], jobs["max_rss_mb"]) if mb == mb}
# and the kernel's high-water marks, per Snakemake target (benchmarks/peak_memory.py)
summary["job_peak_hwm_mb"] = by_target(json.load(open(work / "peak_memory.json")))
summary["wall_segments_seconds"] = [int(s) for s in (work / "segments_seconds.txt").read_text().split()]
summary["commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=sys.argv[4], capture_output=True,
                                   text=True).stdout.strip()
# what the paper scale changes in the results: Table 4 (IPW and at the truth) and Figure 9's concentration
from actionable.studies import simulator as simulate
from actionable.studies.config import read_yaml
from actionable.stats.descriptives import concentration
simulators = {e["name"]: Path(sys.argv[4]) / e["simulator"] for e in read_yaml(Path(sys.argv[4]) / "config.yaml")["studies"]}
summary["results"] = {}
for s in summary["studies"]:
    pol = pd.read_csv(f"results/evaluation/{s}/policies.csv").set_index("policy")
    counts = np.bincount(np.load(f"results/forests/{s}/macf/tau.npy").argmax(axis=1))
    c = concentration(counts / counts.sum())
    summary["results"][s] = dict(
        spec_digest=simulate.spec_digest(simulate.load_simulator_spec(simulators[s])),
        ipw_pct={k: round(100 * v, 2) for k, v in pol["ipw"].items()},
        ipw_se_pct={k: round(100 * v, 2) for k, v in pol["ipw_se"].items()},
        truth_pct={k: round(100 * v, 2) for k, v in pol["oracle"].items()},
        macf_top6_share=c["top_share"], macf_arms_to_80=c["arms_to_cover"])
json.dump(summary, open(sys.argv[2], "w"), indent=1)
print(f"wrote {sys.argv[2]}: wall {summary['wall_seconds']} s, critical path {summary['critical_path_seconds']:.0f} s")
PY
if [ "$COMPARE_MERGE" = 1 ]; then
  # the chunks' sufficient statistics against grf's merged forest, everything downstream rerun
  rm -rf "$WORK/statistics_results" && cp -r "$WORK/results" "$WORK/statistics_results"
  printf 'forests: {combine: merge}\n' > "$WORK/merge.yaml"
  run "${cfgs[@]}" "$WORK/merge.yaml" --forcerun fit_macf
  PYTHONPATH="$here" /usr/bin/python3 - "$WORK" "$here/benchmarks/results/paper_scale_$tag.json" <<'PY'
import json, sys
from pathlib import Path
import numpy as np
from benchmarks.compare_tables import compare
work, record = Path(sys.argv[1]), sys.argv[2]
summary = json.load(open(record))
summary["merge_against_statistics"] = compare(work / "statistics_results", work / "results")
# and every forest array: the largest absolute difference (0 for identical integer arrays)
a = work / "statistics_results" / "forests"
summary["merge_against_statistics"]["arrays_max_abs_difference"] = {
    str(f.relative_to(a)): float(np.max(np.abs(np.load(f) - np.load(work / "results" / "forests" / f.relative_to(a)))))
    for f in sorted(a.rglob("*.npy"))}
json.dump(summary, open(record, "w"), indent=1)
print(json.dumps(summary["merge_against_statistics"], indent=1)[:3000])
PY
fi
touch "$WORK/done"
