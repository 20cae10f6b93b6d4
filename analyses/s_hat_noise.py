"""How far sampling noise alone puts the paper's plain s-hat (the SD of the arm means) above the true s.

Section 5.2 estimates s as the standard deviation of the arms' average outcomes and finds 0.007 for
both studies. With a binary outcome near 31% and Penn-Geisinger's people (Table 2) over 20 arms
(about 3,740 each), each arm mean carries sampling noise of SD about 0.0076, so the plain s-hat
sits above the true s by about that much in quadrature. This program draws the arm means'
binomial noise around each stand-in's own true arm means (actionable.stats.simulate.target_arm_means,
equal arm sizes as the simulator assigns them) with the true s scaled from 0 to the stand-in's,
and records, for each true s, the mean plain s-hat (sample SD, ddof 1, as the moments step
computes it) and how often it lands within the target's tolerance (0.007 ± 0.002) and at or below
the paper's 0.007. The messages' lead over control (control_offset) is kept: it alone gives an SD
of arm means that no smaller true s can go under.

    /usr/bin/python3 -m analyses.s_hat_noise      # seconds; writes analyses/records/s_hat_noise.json
"""
import json
from pathlib import Path

import numpy as np

from actionable.stats import simulate
from actionable.stats.seeds import stream_seed
from actionable.studies import simulator

ROOT = Path(__file__).resolve().parent.parent

DRAWS = 20_000
PAPER_S = 0.007
TOLERANCE = 0.002


def one_study(name: str, seed: int) -> dict:
    spec = simulator.load_simulator_spec(ROOT / "data" / "simulators" / f"{name}.yaml")
    am, m, n = spec["arm_means"], spec["arms"]["count"], spec["n"]
    control = spec["arms"]["control_index"]
    size = n // m
    floor = float(np.std(np.insert(np.full(m - 1, am["base_rate"]), control, am["base_rate"] + am["control_offset"])))
    rows = []
    rng = np.random.default_rng(seed)
    def means(s):  # the simulator's own generator: the stand-in's message pattern, rescaled to s
        return simulate.target_arm_means(m, control, am["base_rate"], am["control_offset"], s,
                                         np.random.default_rng(stream_seed(spec["seed"], "arm_means")))

    # from the floor to the paper's s (or the stand-in's, if above), the stand-in's own among them
    for s in sorted({floor, am["s"], *np.linspace(0.004, max(am["s"], PAPER_S), 4).round(4)}):
        if s < floor - 1e-12:
            continue
        mu = means(s)
        s_hat = (rng.binomial(size, mu, size=(DRAWS, m)) / size).std(axis=1, ddof=1)
        rows.append(dict(true_s=float(s), s_hat_mean=float(s_hat.mean()), s_hat_median=float(np.median(s_hat)),
                         share_within_tolerance=float(np.mean(np.abs(s_hat - PAPER_S) <= TOLERANCE)),
                         share_at_most_paper=float(np.mean(s_hat <= PAPER_S))))
    mu = means(am["s"])
    noise = float(np.sqrt(np.mean(mu * (1 - mu)) / size))  # the arm means' sampling SD at the stand-in's s
    return dict(study=name, spec_digest=simulator.spec_digest(spec), arms=m, people_per_arm=size,
                control_offset_floor=floor, arm_mean_noise_sd=noise, stand_in_s=am["s"], rows=rows)


def main():
    out = dict(draws=DRAWS, paper_s=PAPER_S, tolerance=TOLERANCE,
               studies=[one_study(s, stream_seed(0, f"s_hat_noise/{s}")) for s in ("walmart_like", "penn_geisinger_like")])
    path = ROOT / "analyses" / "records" / "s_hat_noise.json"
    path.write_text(json.dumps(out, indent=1) + "\n")
    for st in out["studies"]:
        print(f"{st['study']}: {st['arms']} arms of {st['people_per_arm']:,}; noise SD of an arm mean "
              f"{st['arm_mean_noise_sd']:.4f}; the control's lead alone gives s = {st['control_offset_floor']:.4f}")
        print("| true s | mean s-hat | median | within 0.007 ± 0.002 | at most 0.007 |\n|---|---|---|---|---|")
        for r in st["rows"]:
            print(f"| {r['true_s']:.4f} | {r['s_hat_mean']:.4f} | {r['s_hat_median']:.4f} | "
                  f"{r['share_within_tolerance']:.0%} | {r['share_at_most_paper']:.0%} |")


if __name__ == "__main__":
    main()
