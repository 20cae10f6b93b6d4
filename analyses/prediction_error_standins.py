"""sigma_eps as prediction error, and de-attenuated sigma and rho, on the full-size stand-ins.

For each stand-in (data/simulators/*.yaml, config.yaml's XGBoost settings): the T-learner on the
training split and two more on random halves of it (actionable.stats.prediction_error), then on the
holdout, beside the truth:

- sigma_eps: the paper's SD(y - y_hat), the prediction-error estimates (noise_corrected and
  split_half of the total error, arm_specific of its part that moves the argmax) and the true
  SD(y_hat - E[Y | x]) and arm-specific part;
- sigma and rho: Section 5.2's stratified estimates, the reliability-corrected ones and the truth;
- Our Model (Algorithm 2, normal F, the uniform arm at its true mean) from each set of inputs,
  beside what personalizing achieves at the truth: the T-learner's policy and perfect knowledge
  (gains over the best uniform arm, percentage points).

    /usr/bin/python3 -m analyses.prediction_error_standins     # ~3 min

Writes analyses/records/prediction_error.json and prints a Markdown table (RESULTS.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from actionable.stats import learners, moments, prediction_error
from actionable.studies.config import read_yaml
from actionable.stats.model import ArmMeans, expected_gain
from actionable.stats.seeds import stream_seed
from actionable.studies import simulator
from analyses.calibrate_standins import simulate_and_split, tlearner

ROOT = Path(__file__).resolve().parent.parent

STUDIES = ["walmart_like", "penn_geisinger_like"]


def run(study: str, xgb: dict, seed: int) -> dict:
    spec = simulator.load_simulator_spec(ROOT / "data" / "simulators" / f"{study}.yaml")
    sim, obs, covs, arm, y, train, x = simulate_and_split(spec, seed)
    m = sim.truth.shape[1]
    truth, ate, yte = sim.truth[~train], arm[~train], y[~train]
    yhat = tlearner(x, arm, y, train, xgb, seed)
    first, second = prediction_error.half_masks(arm[train], stream_seed(seed, f"halves/{study}"))
    rows1, rows2 = np.zeros(len(y), bool), np.zeros(len(y), bool)
    rows1[np.flatnonzero(train)[first]] = True
    rows2[np.flatnonzero(train)[second]] = True
    y1 = tlearner(x, arm, y, train, xgb, seed, rows=rows1, tag="half1")
    y2 = tlearner(x, arm, y, train, xgb, seed, rows=rows2, tag="half2")
    est = moments.estimate(yhat, ate, yte, truth=truth)
    pe = prediction_error.estimate(yhat, y1, y2, ate, yte, truth=truth)
    s = est["s"]
    best = int(np.argmax([y[train][arm[train] == a].mean() for a in range(m)]))
    uniform = truth[:, best].mean()
    gains = dict(txgb=100 * (truth[np.arange(len(yte)), learners.policy(yhat)].mean() - uniform),
                 perfect=100 * (truth.max(axis=1).mean() - uniform))

    def model(sigma, rho, eps):
        return 100 * expected_gain(ArmMeans(s), sigma, rho, m, eps, None)

    eps = {k: v["sigma_eps"] for k, v in pe["sigma_eps"].items()}
    our_model = {
        "paper inputs (stratified sigma, rho; SD(y - y_hat))": model(est["sigma"], est["rho"], est["sigma_eps"]),
        **{f"stratified sigma, rho; {k}": model(est["sigma"], est["rho"], v) for k, v in eps.items()},
        **{f"reliability sigma, rho; {k}": model(pe["sigma"], pe["rho"], v) for k, v in eps.items()},
        "true sigma, rho; true prediction error": model(est["true_sigma"], est["true_rho"], pe["true_sigma_eps"]),
        "true sigma, rho; true arm-specific error": model(est["true_sigma"], est["true_rho"], pe["true_arm_specific"]),
    }
    return dict(study=study, spec_digest=simulator.spec_digest(spec), s_hat=s, sigma=dict(stratified=est["sigma"], reliability=pe["sigma"], true=est["true_sigma"]),
                rho=dict(stratified=est["rho"], reliability=pe["rho"], true=est["true_rho"]),
                sigma_eps=dict(paper=est["sigma_eps"], **eps, true=pe["true_sigma_eps"],
                               true_arm_specific=pe["true_arm_specific"]),
                our_model_pp=our_model, achieved_pp=gains)


def markdown(results: list) -> str:
    lines = ["| | " + " | ".join(r["study"] for r in results) + " |", "|---" * (len(results) + 1) + "|"]

    def row(label, get, fmt="{:.3f}"):
        lines.append(f"| {label} | " + " | ".join(fmt.format(get(r)) for r in results) + " |")

    for k in ("stratified", "reliability", "true"):
        row(f"sigma, {k}", lambda r, k=k: r["sigma"][k])
    for k in ("stratified", "reliability", "true"):
        row(f"rho, {k}", lambda r, k=k: r["rho"][k])
    for k in results[0]["sigma_eps"]:
        row(f"sigma_eps, {k}", lambda r, k=k: r["sigma_eps"][k])
    for k in results[0]["our_model_pp"]:
        row(f"Our Model: {k} (pp)", lambda r, k=k: r["our_model_pp"][k], "{:+.2f}")
    row("achieved: T-XGB policy at the truth (pp)", lambda r: r["achieved_pp"]["txgb"], "{:+.2f}")
    row("achieved: perfect knowledge (pp)", lambda r: r["achieved_pp"]["perfect"], "{:+.2f}")
    return "\n".join(lines)


def main():
    cfg = read_yaml(ROOT / "config.yaml")
    results = [run(st, dict(cfg["learners"]["xgboost"]), cfg["seed"]) for st in STUDIES]
    out = ROOT / "analyses" / "records" / "prediction_error.json"
    out.write_text(json.dumps(results, indent=1))
    print(markdown(results))
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
