"""The "Our Model" column of Table 4: Algorithm 2 run with a study's estimated moments."""

from __future__ import annotations

import logging
import math

from . import diagnostics
from .model import ArmMeans, expected_gain, simulate_gain
from .moments import chosen_s
from .prediction_error import model_inputs

log = logging.getLogger(__name__)


def predicted_gain(s: float, sigma: float, rho: float, sigma_eps: float, m: int, n: int, reps: int, seed: int,
                   uniform: str = "sample", threads: int = 1, percent: bool = True) -> dict:
    """Algorithm 2's expected gain from personalization for estimated (s, sigma, rho, sigma_eps).

    F is normal with the estimated s. With uniform="sample" (the algorithm as printed) n is the
    number of simulated people from whose noisy mean predictions the uniform arm is chosen; with
    "population" the uniform arm is valued at its true mean and n only sets the Monte Carlo
    precision. Returned: the Monte Carlo mean and SE, the exact expectation of the same algorithm
    (``exact_gain``) and the n -> infinity value (``gain_inf``); ``*_pp`` in percentage points
    when ``percent``.
    """
    inputs = dict(s=s, sigma=sigma, rho=rho, sigma_eps=sigma_eps, m=m, n=n, reps=reps, seed=seed, uniform=uniform)
    scale = 100.0 if percent else 1.0
    if not sigma > 0:
        # Constant predictions (e.g. trees too constrained to split a small arm) show no
        # heterogeneity at all; Algorithm 2 needs sigma > 0, so the prediction is undefined.
        nan = math.nan
        return dict(gain=nan, se=nan, gain_pp=nan, se_pp=nan, exact_gain=nan, gain_inf=nan, gain_inf_pp=nan,
                    inputs=inputs,
                    note=f"estimated sigma is {sigma}: the predictions show no heterogeneity, Algorithm 2 needs sigma > 0")
    F = ArmMeans.normal(s)
    sim = simulate_gain(F, sigma, rho, m, n, reps, sigma_eps=sigma_eps, seed=seed, uniform=uniform, threads=threads)
    exact = expected_gain(F, sigma, rho, m, sigma_eps, n=n if uniform == "sample" else None)
    inf = expected_gain(F, sigma, rho, m, sigma_eps)
    return dict(gain=sim.mean, se=sim.se, gain_pp=sim.mean * scale, se_pp=sim.se * scale, exact_gain=exact,
                gain_inf=inf, gain_inf_pp=inf * scale, inputs=sim.settings)


def study_prediction(moments: dict, prediction_error: dict, settings: dict, seed: int, threads: int = 1) -> dict:
    """Our Model for a study: Algorithm 2 with its estimated moments (``settings``: config our_model),
    as printed; with the true sigma_eps where the study has a truth; this package's extension (de-attenuated
    sigma and rho, prediction-error sigma_eps, the uniform arm at its true mean) for the T-learner and for the
    forest's arm-specific error; and the model checks (``diagnostics.check``)."""
    est, pe, cfg = moments, prediction_error, settings
    run = dict(s=chosen_s(est, cfg["s"]), sigma=est["sigma"], rho=est["rho"], m=est["m"], n=cfg["n"],
               reps=cfg["reps"], seed=seed, uniform=cfg["uniform"], threads=threads, percent=est["binary"])
    out = predicted_gain(sigma_eps=est["sigma_eps"], **run)
    out.update(study=est["study"], s_used=cfg["s"])
    if est.get("true_sigma_eps") is not None and est["sigma"] > 0:
        # stand-ins only: the same model with sigma_eps = the predictions' true error SD
        alt = predicted_gain(sigma_eps=est["true_sigma_eps"], **run)
        out.update(gain_true_sigma_eps=alt["gain"], se_true_sigma_eps=alt["se"], gain_inf_true_sigma_eps=alt["gain_inf"],
                   true_sigma_eps=est["true_sigma_eps"])
    choice = cfg["prediction_error"]
    inputs = model_inputs(pe, choice)
    if inputs is not None:
        ext = predicted_gain(**{**run, **inputs, "uniform": "population"})
    else:
        ext = dict(gain_inf=math.nan, gain_inf_pp=math.nan)
        log.warning("%s: the extension's inputs are not identified (sigma %s, rho %s, sigma_eps %s)", est["study"],
                    pe["sigma"], pe["rho"], pe["sigma_eps"][choice]["sigma_eps"])
    out["extension"] = dict(gain=ext["gain_inf"], gain_pp=ext["gain_inf_pp"], sigma=pe["sigma"], rho=pe["rho"],
                            sigma_eps=pe["sigma_eps"][choice]["sigma_eps"], sigma_eps_estimator=choice,
                            label="Our Model, prediction-error sigma_eps (this package's extension)")
    # the forest's predictions: their arm-specific error, the part that moves the argmax (most of a
    # forest's error is common to all arms)
    inputs = model_inputs(pe, "arm_specific", learner="macf")
    if inputs is not None:
        fx = predicted_gain(**{**run, **inputs, "uniform": "population"})
        out["extension"]["forest"] = dict(gain=fx["gain_inf"], gain_pp=fx["gain_inf_pp"], sigma_eps=inputs["sigma_eps"],
                                          sigma_eps_estimator="arm_specific",
                                          label="Our Model for the causal forest's predictions (this package's extension)")
    # how far the study is from the model's assumptions (one rho, normal F), said beside the prediction
    out["diagnostics"] = diagnostics.check(est["rho_matrix"], est["rho"], est["arm_means"], est["arm_mean_se"])
    for w in out["diagnostics"]["warnings"]:
        log.warning("%s: %s", est["study"], w)
    log.info("%s: predicted gain %.5f +/- %.5f (exact %.5f; n -> inf %.5f); extension %.5f", est["study"], out["gain"],
             out["se"], out["exact_gain"], out["gain_inf"], out["extension"]["gain"])
    return out
