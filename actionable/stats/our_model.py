"""The "Our Model" column of Table 4: Algorithm 2 run with a study's estimated moments."""

from __future__ import annotations

import logging
import math

import numpy as np

from . import diagnostics, general_model
from .model import ArmMeans, expected_gain, simulate_gain
from .moments import chosen_s, estimate
from .prediction_error import model_inputs, outcome_covariances, prediction_covariances

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


# the variants for arms that are not alike: key -> (learner, label); docs/methods.md, "Arms that are not alike"
LEARNER_NAMES = {"ols": "OLS", "sxgb": "S-XGB", "txgb": "T-XGB", "macf": "the forest"}
NOT_ALIKE = {
    **{f"profiles_{k}": (k, f"Our Model, arms not alike: {v}'s own profiles") for k, v in LEARNER_NAMES.items()},
    "gaussian_macf": ("macf", "Our Model, arms not alike: Gaussian, the forest's prediction covariances"),
    "gaussian_txgb": ("txgb", "Our Model, arms not alike: Gaussian, T-XGB's prediction covariances"),
    "independent_macf": ("macf", "Our Model, arms not alike: Gaussian, general covariance, the forest's errors "
                                 "independent of it"),
    "independent_txgb": ("txgb", "Our Model, arms not alike: Gaussian, general covariance, T-XGB's errors "
                                 "independent of it"),
    "recoloured_macf": ("macf", "Our Model, arms not alike: the forest's profiles recoloured, independent errors"),
}
# the headline, chosen once for every study: the highest of the learners' own-profile models, as Table 4's
# question is what the best learner gains
HEADLINE_NOT_ALIKE = "best_profiles"


def arms_not_alike(s: float, prediction_error: dict, profiles: dict, settings: dict, seed: int, percent: bool,
                   holdout: tuple | None = None, printed=None) -> dict:
    """This package's model for arms that are not alike (``general_model``): for each learner whose
    holdout predictions are in ``profiles`` ({"ols"|"sxgb"|"txgb"|"macf": n x m}), the model from
    its own prediction covariances with its own profiles (and, for the T-learner and the forest,
    Gaussian); the headline, the highest of those, with a holdout-bootstrap SE; from the
    de-attenuated covariance of the heterogeneity with errors taken as independent of it (Gaussian,
    and with the forest's recoloured profiles); and how the arm-specific heterogeneity is spread
    over the arms (``structure``). ``holdout``: (arm, y) of the holdout people; ``printed``: Our Model as
    printed re-estimated on a draw of the holdout's rows (``printed_on_draw``), for the SE of the
    headline's difference from it (``versus_printed``)."""
    pe, scale = prediction_error, 100.0 if percent else 1.0
    out = dict(variants={}, headline=HEADLINE_NOT_ALIKE)
    errors = {"txgb": pe.get("sigma_eps") or {}, "macf": (pe.get("forest") or {}).get("sigma_eps") or {}}
    cov_h = np.asarray(pe.get("cov_h", []), float)
    contrasts = {}
    if cov_h.ndim == 2 and np.isfinite(np.diag(cov_h)).any():
        cov_h, filled = general_model.fill_unidentified(cov_h)
        for learner, err in errors.items():
            d = np.asarray((err.get("arm_specific") or {}).get("var_differences", np.nan), float)
            if d.ndim == 2:
                contrasts[learner] = general_model.fill_differences(d)
        out["structure"] = general_model.structure(cov_h)
        if filled:
            out["note"] = (f"{filled} arm(s) without a positive split-half covariance: given the other arms' mean "
                           "variance and correlation")
    # each learner's Cov(y_hat) and Cov(h, y_hat), from its holdout predictions and the holdout's (arm, y)
    covs = {} if holdout is None else {k: prediction_covariances(v, *holdout) for k, v in profiles.items()}
    mc = dict(reps=settings["reps"], seed=seed)
    for key, (learner, label) in NOT_ALIKE.items():
        kind, cov = key.split("_")[0], covs.get(learner)
        if profiles.get(learner) is None:
            continue
        if kind in ("profiles", "gaussian"):
            if cov is None or not np.all(np.isfinite(cov["cross"])):
                continue
            got = (general_model.learner_gain(s, cov["cov_yhat"], cov["cross"], people=settings["people"], **mc)
                   if kind == "gaussian" else
                   general_model.learner_profile_gain(s, profiles[learner], cov["cross"], people=settings["people"], **mc))
        else:
            if learner not in contrasts:
                continue
            cov_e = general_model.error_contrasts(contrasts[learner])
            got = (general_model.gaussian_gain(s, cov_h, cov_e, people=settings["people"], **mc)
                   if kind == "independent" else
                   general_model.profile_gain(s, profiles[learner], cov_h, cov_e, people=settings["people"], **mc))
        out["variants"][key] = dict(got, gain_pp=got["gain"] * scale, se_pp=got["se"] * scale, label=label,
                                    learner=learner)
    own = {v["learner"]: v for k, v in out["variants"].items() if k.startswith("profiles_")}
    if own:
        best = max(own, key=lambda k: own[k]["gain"])
        head = dict(own[best], label=f"Our Model, arms not alike: the best of the learners' own profiles "
                                     f"({LEARNER_NAMES[best]})")
        if holdout is not None and settings.get("bootstrap"):
            boot = holdout_se(s, {k: profiles[k] for k in own}, *holdout, settings, seed, printed)
            head.update(holdout_se=boot["se"], holdout_se_pp=boot["se"] * scale, bootstrap=settings["bootstrap"])
            if printed is not None:
                out["versus_printed"] = dict(difference_se=boot["difference_se"], draws=boot["difference_draws"])
        out["variants"][HEADLINE_NOT_ALIKE] = head
    return out


def holdout_se(s: float, profiles: dict, arm: np.ndarray, y: np.ndarray, settings: dict, seed: int,
               printed=None) -> dict:
    """The holdout's sampling SE of the headline (the highest of the learners' own-profile models):
    the holdout's people drawn with replacement within arm (``settings["bootstrap"]`` times), the
    learners held fixed, each draw's covariances re-estimated and the highest taken again; the arm
    means' draws are the same in every draw (common random numbers), so the Monte Carlo's own noise
    mostly cancels. With ``printed`` (row indices -> Our Model as printed on those rows), also the SE
    of the headline less the printed model over the same draws: both read the same holdout, so the
    difference's SE is not the two SEs added."""
    rng = np.random.default_rng(seed + 1)
    m = next(iter(profiles.values())).shape[1]
    groups = [np.flatnonzero(arm == a) for a in range(m)]
    gains, differences = [], []
    for _ in range(settings["bootstrap"]):
        idx = np.concatenate([rng.choice(g, len(g)) for g in groups if len(g)])
        best = -np.inf
        for z in profiles.values():
            cross = outcome_covariances(z[idx], arm[idx], y[idx])
            if np.all(np.isfinite(cross)):
                best = max(best, general_model.learner_profile_gain(s, z[idx], cross, reps=settings["reps"],
                                                                    people=settings["people"], seed=seed)["gain"])
        if np.isfinite(best):
            gains.append(best)
            other = printed(idx) if printed is not None else math.nan
            if np.isfinite(other):
                differences.append(best - other)
    return dict(se=_sd(gains), difference_se=_sd(differences), difference_draws=len(differences))


def _sd(values: list) -> float:
    return float(np.std(values, ddof=1)) if len(values) > 1 else math.nan


def printed_on_draw(txgb: np.ndarray, arm: np.ndarray, y: np.ndarray, moments: dict, s: float, settings: dict):
    """Our Model as printed, its moments re-estimated on a draw of the holdout's rows: a function of
    the drawn row indices giving Algorithm 2's exact expected gain (``expected_gain``) with sigma, rho
    and sigma_eps from the T-learner's holdout predictions ``txgb`` on those rows (the moments'
    quantile groups and SD convention), ``s`` and the learner held fixed; nan where the draw's
    moments are outside the model's domain."""
    n = settings["n"] if settings["uniform"] == "sample" else None

    def gain(idx: np.ndarray) -> float:
        est = estimate(txgb[idx], arm[idx], y[idx], moments["groups"], sigma_sd=moments["sigma_sd"])
        try:
            return expected_gain(ArmMeans.normal(s), est["sigma"], est["rho"], moments["m"], est["sigma_eps"], n=n)
        except ValueError:
            return math.nan
    return gain


def study_prediction(moments: dict, prediction_error: dict, settings: dict, seed: int, threads: int = 1,
                     profiles: dict | None = None, holdout: tuple | None = None) -> dict:
    """Our Model for a study: Algorithm 2 with its estimated moments (``settings``: config our_model),
    as printed; with the true sigma_eps where the study has a truth; this package's extension (de-attenuated
    sigma and rho, prediction-error sigma_eps, the uniform arm at its true mean) for the T-learner and for the
    forest's arm-specific error; the model for arms that are not alike (``arms_not_alike``, with the
    learners' holdout ``profiles`` and the holdout's (arm, y)); and the model checks (``diagnostics.check``)."""
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
    # this package's model draws F with the corrected s-hat (default): the plain one carries the arm
    # means' sampling noise (analyses/records/s_hat_noise.json), which shrinks the gain it predicts
    na = cfg["arms_not_alike"]
    printed = None
    if holdout is not None and (profiles or {}).get("txgb") is not None and est["sigma"] > 0:
        printed = printed_on_draw(profiles["txgb"], *holdout, est, run["s"], cfg)
    out["arms_not_alike"] = arms_not_alike(chosen_s(est, na.get("s", "corrected")), pe, profiles or {}, na, seed,
                                           est["binary"], holdout, printed)
    out["arms_not_alike"]["s_used"] = na.get("s", "corrected")
    gap = out["arms_not_alike"].get("versus_printed")
    if gap is not None:  # the headline against the printed model, for the model-versus-data check
        gap.update(headline=out["arms_not_alike"]["variants"][HEADLINE_NOT_ALIKE]["gain"], printed=out["gain"])
        gap["difference"] = gap["headline"] - gap["printed"]
    # how far the study is from the model's assumptions (one rho, normal F), said beside the prediction
    out["diagnostics"] = diagnostics.check(est["rho_matrix"], est["rho"], est["arm_means"], est["arm_mean_se"])
    for w in out["diagnostics"]["warnings"]:
        log.warning("%s: %s", est["study"], w)
    log.info("%s: predicted gain %.5f +/- %.5f (exact %.5f; n -> inf %.5f); extension %.5f", est["study"], out["gain"],
             out["se"], out["exact_gain"], out["gain_inf"], out["extension"]["gain"])
    return out
