"""Writes example_shop.csv: a small A/B/n test of a web shop, independent of the simulator.

It exists to show that a new megastudy needs only a spec (spec.yaml beside this file): string
arm labels, a categorical covariate stored as text, missing covariate values, a continuous
outcome (spend) and unequal known assignment probabilities. Rerun with
    /usr/bin/python3 data/example_shop/make_example.py
"""
from pathlib import Path

import numpy as np
import pandas as pd

rng = np.random.default_rng(4242)
n = 2400
arms = np.array(["control", "discount_10", "free_shipping", "scarcity"])
arm = arms[rng.choice(4, size=n, p=[0.4, 0.2, 0.2, 0.2])]
age = np.round(rng.normal(41, 12, n).clip(18, 85))
region = rng.choice(["north", "south", "east", "west"], size=n)
member = (rng.random(n) < 0.35).astype(int)
past_spend = np.round(np.exp(rng.normal(3.5, 0.8, n)), 2)
young = (age < 35).astype(float)
effect = {
    "control": 0.0,
    "discount_10": 4.0 + 6.0 * young,  # discounts work on the young
    "free_shipping": 3.0 + 5.0 * (region == "west"),  # shipping matters far from the warehouse
    "scarcity": 2.0 + 4.0 * member,
}
spend = 20 + 0.1 * past_spend + np.select([arm == a for a in arms], [effect[a] for a in arms]) + rng.normal(0, 12, n)
df = pd.DataFrame({"customer_id": [f"C{i:05d}" for i in range(1, n + 1)], "variant": arm, "spend": np.round(spend, 2),
                   "age": age, "region": region, "member": member, "past_spend": past_spend})
df.loc[rng.random(n) < 0.05, "age"] = np.nan  # not everyone gave an age
df.loc[rng.random(n) < 0.03, "region"] = None  # unknown shipping region
df.to_csv(Path(__file__).with_name("example_shop.csv"), index=False)
