"""The "Our Model" prediction: Algorithm 2 with the study's estimated moments."""
import json
import math

from actionable import diagnostics, prediction_error
from actionable.io import script_log, write_json
from actionable.our_model import predicted_gain

with script_log(snakemake) as log:
    est = json.load(open(snakemake.input.moments))
    cfg = snakemake.params.settings
    s = est["s_corrected"] if cfg["s"] == "corrected" else est["s"]
    run = dict(s=s, sigma=est["sigma"], rho=est["rho"], m=est["m"], n=cfg["n"], reps=cfg["reps"],
               seed=snakemake.params.seed, uniform=cfg["uniform"], threads=snakemake.threads, percent=est["binary"])
    out = predicted_gain(sigma_eps=est["sigma_eps"], **run)
    out.update(study=est["study"], s_used=cfg["s"])
    if est.get("true_sigma_eps") is not None and est["sigma"] > 0:
        # stand-ins only: the same model with sigma_eps = the predictions' true error SD
        alt = predicted_gain(sigma_eps=est["true_sigma_eps"], **run)
        out.update(gain_true_sigma_eps=alt["gain"], se_true_sigma_eps=alt["se"], gain_inf_true_sigma_eps=alt["gain_inf"],
                   true_sigma_eps=est["true_sigma_eps"])
    # this package's extension: Algorithm 2 with de-attenuated sigma, rho and sigma_eps as the
    # prediction error (actionable.prediction_error), the uniform arm at its true mean
    pe = json.load(open(snakemake.input.prediction_error))
    choice = cfg["prediction_error"]
    inputs = prediction_error.model_inputs(pe, choice)
    if inputs is not None:
        ext = predicted_gain(**{**run, **inputs, "uniform": "population"})
    else:
        ext = dict(gain_inf=math.nan, gain_inf_pp=math.nan)
        log.warning("%s: the extension's inputs are not identified (sigma %s, rho %s, sigma_eps %s)", est["study"],
                    pe["sigma"], pe["rho"], pe["sigma_eps"][choice]["sigma_eps"])
    out["extension"] = dict(gain=ext["gain_inf"], gain_pp=ext["gain_inf_pp"], sigma=pe["sigma"], rho=pe["rho"],
                            sigma_eps=pe["sigma_eps"][choice]["sigma_eps"], sigma_eps_estimator=choice,
                            label="Our Model, prediction-error sigma_eps (this package's extension)")
    # the same for the causal forest's predictions: their arm-specific error, the part that moves
    # the argmax (most of a forest's error is common to all arms)
    inputs = prediction_error.model_inputs(pe, "arm_specific", learner="macf")
    if inputs is not None:
        fx = predicted_gain(**{**run, **inputs, "uniform": "population"})
        out["extension"]["forest"] = dict(gain=fx["gain_inf"], gain_pp=fx["gain_inf_pp"], sigma_eps=inputs["sigma_eps"],
                                          sigma_eps_estimator="arm_specific",
                                          label="Our Model for the causal forest's predictions (this package's extension)")
    # how far the study is from the model's assumptions (one rho, normal F), said beside the prediction
    out["diagnostics"] = diagnostics.check(est["rho_matrix"], est["rho"], est["arm_means"], est["arm_mean_se"])
    for w in out["diagnostics"]["warnings"]:
        log.warning("%s: %s", est["study"], w)
    write_json(out, snakemake.output[0])
    log.info("%s: predicted gain %.5f +/- %.5f (exact %.5f; n -> inf %.5f); extension %.5f", est["study"], out["gain"],
             out["se"], out["exact_gain"], out["gain_inf"], out["extension"]["gain"])
