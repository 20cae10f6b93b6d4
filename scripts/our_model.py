"""The "Our Model" prediction: Algorithm 2 with the study's estimated moments."""
import json

from actionable.io import script_log, write_json
from actionable.our_model import predicted_gain

with script_log(snakemake) as log:
    est = json.load(open(snakemake.input[0]))
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
    write_json(out, snakemake.output[0])
    log.info("%s: predicted gain %.5f +/- %.5f (exact %.5f; n -> inf %.5f)", est["study"], out["gain"], out["se"],
             out["exact_gain"], out["gain_inf"])
