"""Every CSV table of one run's results/ against another's (a different platform, a container).

    python3 -m benchmarks.compare_tables REFERENCE_RESULTS OTHER_RESULTS

prints JSON: how many tables were compared and are identical byte for byte, and for each that is
not, its largest absolute difference over the numeric columns (or why it cannot be compared).
Runtime tables are left out (they differ by nature). Used by debian_check.sh and container_check.sh.
"""
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd


def compare(reference: Path, other: Path) -> dict:
    tables = sorted(p.relative_to(reference) for p in reference.rglob("*.csv") if p.parts[-2] != "runtime")
    same, differ = [], {}
    for rel in tables:
        a, b = reference / rel, other / rel
        if not b.exists():
            differ[str(rel)] = "missing"
            continue
        if a.read_bytes() == b.read_bytes():
            same.append(str(rel))
            continue
        fa, fb = pd.read_csv(a), pd.read_csv(b)
        num = [c for c in fa.columns if c in fb and pd.api.types.is_numeric_dtype(fa[c])
               and pd.api.types.is_numeric_dtype(fb[c]) and not pd.api.types.is_bool_dtype(fa[c])]
        if fa.shape != fb.shape or not num:
            differ[str(rel)] = f"shape {fa.shape} vs {fb.shape}"
            continue
        d = np.nanmax(np.abs(fa[num].to_numpy(float) - fb[num].to_numpy(float)))
        scale = np.nanmax(np.abs(fa[num].to_numpy(float))) or 1.0
        differ[str(rel)] = f"max abs difference {d:.3g} (largest value {scale:.3g})"
    return dict(tables_compared=len(tables), tables_identical=len(same), tables_differing=differ)


if __name__ == "__main__":
    print(json.dumps(compare(Path(sys.argv[1]), Path(sys.argv[2])), indent=1))
