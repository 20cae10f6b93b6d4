"""Writes example_blocks.csv and its truth: a 3-arm school experiment randomized within schools.

Schools differ in their arm probabilities (the design) and in their baseline outcome, so the arm
shares of the whole sample are the wrong weights: IPW with one probability per arm is biased,
with each school's probabilities it is not (tests/test_blocks.py). The truth (E[Y^a | x] of every
pupil, truth.npy, arms in truth.arms.yaml) lets the evaluation be checked. Rerun with
    /usr/bin/python3 data/example_blocks/make_example.py
"""
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

here = Path(__file__).parent
rng = np.random.default_rng(2024)
n = 3000
arms = ["control", "mentor", "tutor"]
school = rng.integers(1, 7, n)  # six schools
# schools 1-3 mostly kept control; schools 4-6 mostly treated
design = {s: [0.7, 0.15, 0.15] if s <= 3 else [0.2, 0.4, 0.4] for s in range(1, 7)}
p = np.array([design[s] for s in school])
arm = np.array([rng.choice(3, p=row) for row in p])
score = np.round(rng.normal(0, 1, n), 3)  # prior test score (standardized)
girl = (rng.random(n) < 0.5).astype(int)
base = 0.25 + 0.25 * (school >= 4)  # the treated-heavy schools also pass more often
truth = np.column_stack([base, base + 0.10 + 0.08 * score, base + 0.10 - 0.08 * score]).clip(0.02, 0.98)
passed = (rng.random(n) < truth[np.arange(n), arm]).astype(int)
df = pd.DataFrame({"pupil": [f"P{i:05d}" for i in range(1, n + 1)], "program": np.array(arms)[arm], "passed": passed,
                   "school": [f"S{s}" for s in school], "score": score, "girl": girl})
df.to_csv(here / "example_blocks.csv", index=False)
np.save(here / "truth.npy", truth)
(here / "truth.arms.yaml").write_text(yaml.safe_dump(arms))
