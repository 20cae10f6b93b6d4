"""Each measured step in its own process, so its peak memory is its own (as a workflow job's is)."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_child(code: str, label: str) -> dict:
    """Run ``code`` in a fresh interpreter from the project root; its last stdout line is a JSON
    record, returned. A failing child stops the benchmark with the end of its stderr."""
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    if run.returncode:
        sys.exit(f"{label}: failed\n{run.stderr[-3000:]}")
    out = json.loads(run.stdout.strip().splitlines()[-1])
    print(label, out, file=sys.stderr, flush=True)
    return out
