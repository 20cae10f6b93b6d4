"""Coverage check of IPW and its bootstrap SE over 1,000 seeds (the full version of the test).

Study and policy: actionable/coverage.py (true policy value 0.4). Rerun with:

    /usr/bin/python3 -m analyses.ipw_coverage

Writes analyses/records/ipw_coverage.json; the last result is copied into RESULTS.md.
"""

import json
import time
from pathlib import Path

from actionable.stats import coverage

ROOT = Path(__file__).resolve().parent.parent


def main():
    t0 = time.perf_counter()
    res = coverage.coverage(seeds=1000, n=2000, reps=500)
    res["seconds"] = time.perf_counter() - t0
    (ROOT / "analyses" / "records" / "ipw_coverage.json").write_text(json.dumps(res, indent=2) + "\n")
    print(f"seeds {res['seeds']}, n {res['n']}, bootstrap {res['reps']}: coverage of the 95% interval "
          f"{res['coverage']:.3f}; mean estimate {res['mean_estimate']:.4f} (true {coverage.TRUE_VALUE}, "
          f"SE {res['bias_se']:.4f}); mean bootstrap SE {res['mean_boot_se']:.4f} vs SD of estimates "
          f"{res['sd_estimates']:.4f}; {res['seconds']:.0f} s")


if __name__ == "__main__":
    main()
