"""Why the prediction-error estimators fall short of the truth: the T-learner's error about
E[Y | x] taken apart on a finished default run's holdout (synthetic studies, whose truth is stored).

Reads results/ of a run of config.yaml (or RESULTS=path) and writes
analyses/records/prediction_error_anatomy.json. Per study, pooled over arms (means of per-arm
variances):
- true_mse_full / true_mse_half: Var(y_hat - h) of the full fit and of a half fit;
- true_var_h vs reliability_var_h: the heterogeneity the split-half reliability sees (the part of h
  the learner can pick up) against all of it; the noise-corrected sigma_eps misses the gap;
- lambda_true (y_hat regressed on h) vs the estimated lambda;
- the halves' disagreement Var(y_hat_1 - y_hat_2) / 4 (the full fit's noise if it scaled as 1 / n)
  and the shrinkage bias (1 - lambda)^2 Var(h), and the sigma_eps they give together
  (split_half_one_over_n, the earlier split_half) beside split_half's;
- mse_half_minus_full: MSE(half) - MSE(full), identified from data alone (the outcome's own noise
  cancels), with its true value;
- policies: what the extension's Our Model predicts against what the run's policies achieve at the
  truth, both over the reference the extension uses (the uniform arm at its true mean: the holdout's
  truly best arm), beside Table 4's IPW gains (over the arm best on the training sample). Also the
  truth plus noise of the T-learner's true size (iid normal, the model's error), and plus the
  T-learner's own errors with the rows permuted (their joint law across arms, not their link to x);
- arm_specific: the T-learner's and the forest's errors, total and their arm-specific part (what
  moves the argmax; the forest's errors are mostly common to all arms), estimated without the truth
  (actionable.stats.prediction_error.arm_specific) and true, and the extension's Our Model with each.

    /usr/bin/python3 -m analyses.prediction_error_anatomy
"""
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

from actionable.stats import learners
from actionable.stats import prediction_error as pe
from actionable.studies.datasets import load_truth
from actionable.studies.study import load_study

ROOT = Path(__file__).resolve().parent.parent


def anatomy(res: Path, study: str) -> dict:
    ds, split = load_study(res / "simulated" / study / "spec.yaml", res / "data" / study / "split.csv", 50)
    test = (split["set"] == "test").to_numpy()
    arm, y = ds.arm_indices()[test], ds.frame[ds.outcome].to_numpy(float)[test]
    h = load_truth(ds)[test].astype(float)
    fits = {k: np.load(res / "learners" / study / d / "predictions.npy").astype(float)
            for k, d in (("full", "txgb_all"), ("half1", "txgb_all_half1"), ("half2", "txgb_all_half2"))}
    f, f1, f2 = fits["full"], fits["half1"], fits["half2"]
    m = f.shape[1]
    rel = pe.reliability(f, f1, f2, arm, y)
    mse = {k: pe.true_error(g, h) ** 2 for k, g in fits.items()}  # Var(y_hat - h), pooled over arms

    def own(g, a):  # mean square error about y on arm a's own holdout people
        return np.mean((y[arm == a] - g[arm == a, a]) ** 2)

    observed = np.mean([(own(f1, a) + own(f2, a)) / 2 - own(f, a) for a in range(m)])
    return dict(
        true_mse_full=mse["full"], true_mse_half=(mse["half1"] + mse["half2"]) / 2,
        true_sigma_eps=pe.true_error(f, h),
        true_var_h=float(np.mean(h.var(axis=0))), reliability_var_h=float(np.nanmean(rel["var_h"])),
        lambda_true=float(np.mean([np.cov(f[:, a], h[:, a])[0, 1] / h[:, a].var(ddof=1) for a in range(m)])),
        lambda_estimated=float(np.nanmean(rel["lam"])),
        split_half_noise=float((f1 - f2).var(axis=0, ddof=1).mean() / 4),
        split_half_bias=float(np.nanmean((1 - rel["lam"]) ** 2 * rel["var_h"])),
        sigma_eps_split_half=pe.split_half(f, f1, f2, arm, y, rel["var_h"])["sigma_eps"],
        sigma_eps_split_half_one_over_n=float(np.sqrt(np.nanmean((f1 - f2).var(axis=0, ddof=1) / 4
                                                                 + (1 - rel["lam"]) ** 2 * rel["var_h"]))),
        sigma_eps_noise_corrected=pe.noise_corrected(f, arm, y, rel["var_h"])["sigma_eps"],
        mse_half_minus_full_observed=float(observed),
        mse_half_minus_full_true=(mse["half1"] + mse["half2"]) / 2 - mse["full"],
        policies=policies(res, study, ds, h, f),
        arm_specific=arm_specific(res, study, arm, y, h, f, rel))


def arm_specific(res: Path, study: str, arm, y, h, f, rel) -> dict:
    """Each learner's error and the part of it that moves the argmax (pe.arm_specific), estimated
    and true, and the extension's Our Model with each: the T-learner's and the forest's arm outcomes
    (results/forests/<study>/macf/mu.npy), against their policies' gains at the truth and by IPW."""
    from actionable.stats.model import ArmMeans, expected_gain

    m = h.shape[1]
    moments = json.loads((res / "moments" / study / "moments_all.json").read_text())
    ipw = pd.read_csv(res / "evaluation" / study / "policies.csv").set_index("policy")
    reference = h.mean(axis=0).max()

    def model(eps):  # the extension's Algorithm 2: reliability sigma and rho, the uniform arm at its true mean
        return 100 * expected_gain(ArmMeans.normal(moments["s"]), rel["sigma"], min(rel["rho"], 0.999), m, eps)

    out = {}
    for name, g in (("T-XGB", f), ("MACF", np.load(res / "forests" / study / "macf" / "mu.npy").astype(float))):
        est = pe.arm_specific(g, arm, y, rel["cov_h"])
        eps = dict(noise_corrected=pe.noise_corrected(g, arm, y, rel["var_h"])["sigma_eps"], arm_specific=est["sigma_eps"],
                   true=pe.true_error(g, h), true_arm_specific=pe.true_arm_specific(g, h))
        corr = np.corrcoef(g - h, rowvar=False)[~np.eye(m, dtype=bool)]
        out[name] = dict(sigma_eps=eps, arm_specific_pairs_negative=est["pairs_negative"],
                         error_correlation_across_arms=float(corr.mean()),
                         our_model_pp={k: model(v) for k, v in eps.items()},
                         at_truth_pp=100 * float(h[np.arange(len(h)), learners.policy(g)].mean() - reference),
                         ipw_gain_pp=100 * float(ipw.loc[name, "gain"]), ipw_gain_se_pp=100 * float(ipw.loc[name, "gain_se"]))
    return out


def policies(res: Path, study: str, ds, h: np.ndarray, f: np.ndarray, seed: int = 0, draws: int = 5) -> dict:
    """The policies part, on anatomy's holdout truth h and T-learner predictions f."""
    rows = np.arange(len(h))
    reference = h.mean(axis=0).max()  # the truly best uniform arm on the holdout

    def gain(policy):
        return 100 * float(h[rows, policy].mean() - reference)

    run = {"T-XGB": learners.policy(f), "MACF": learners.policy(np.load(res / "forests" / study / "macf" / "tau.npy")),
           "PT-CF": np.load(res / "forests" / study / "policy_tree" / "policy.npy")}
    ipw = pd.read_csv(res / "evaluation" / study / "policies.csv").set_index("policy")
    best_train = ds.arms.index(str(ipw.loc["Best Uniform", "best_uniform_arm"]))
    err = f - h
    sd = pe.true_error(f, h)
    rng = np.random.default_rng(seed)
    model = json.loads((res / "moments" / study / "our_model.json").read_text())["extension"]
    return dict(
        extension_gain_pp=model["gain_pp"], extension_sigma_eps=model["sigma_eps"], true_sigma_eps=sd,
        at_truth_pp={k: gain(v) for k, v in run.items()} | {"Best Uniform (training)": gain(np.full(len(h), best_train))},
        ipw_gain_pp={k: 100 * float(ipw.loc[k, "gain"]) for k in run},
        ipw_gain_se_pp={k: 100 * float(ipw.loc[k, "gain_se"]) for k in run},
        truth_plus_normal_error_pp=float(np.mean([gain(learners.policy(h + sd * rng.standard_normal(h.shape)))
                                                  for _ in range(draws)])),
        truth_plus_permuted_errors_pp=float(np.mean([gain(learners.policy(h + err[rng.permutation(len(h))]))
                                                     for _ in range(draws)])))


def main():
    res = Path(os.environ.get("RESULTS", ROOT / "results"))
    out = {s: anatomy(res, s) for s in ("walmart_like", "penn_geisinger_like")}
    path = ROOT / "analyses" / "records" / "prediction_error_anatomy.json"
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
