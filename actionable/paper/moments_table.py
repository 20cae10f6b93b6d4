"""The moments table: every study's estimated sigma, rho, s and sigma_eps beside the naive estimates,
the truth (stand-ins), the paper's values, Our Model and this package's extension."""

from __future__ import annotations

import pandas as pd

from .markdown import to_markdown
from .published import MOMENTS, OUR_MODEL_PP


def _diagnostics(d: dict) -> dict:
    """The model checks beside Our Model (actionable.stats.diagnostics), flattened for the table."""
    return dict(rho_pairwise_min=d.get("rho_min"), rho_pairwise_q25=d.get("rho_q25"), rho_pairwise_q75=d.get("rho_q75"),
                rho_pairwise_max=d.get("rho_max"), arm_means_normality_p=d.get("normality_p"),
                model_warnings="; ".join(d.get("warnings", [])))


def _not_alike(d: dict) -> dict:
    """The model for arms that are not alike, flat: the structure's effective arms and each variant's gain and SE."""
    out = dict(effective_arms=(d.get("structure") or {}).get("effective_arms"),
               participation_ratio=(d.get("structure") or {}).get("participation_ratio"))
    for key in ("best_profiles", "profiles_ols", "profiles_sxgb", "profiles_txgb", "profiles_macf", "gaussian_macf",
                "gaussian_txgb", "independent_macf", "independent_txgb", "recoloured_macf"):
        v = (d.get("variants") or {}).get(key) or {}
        out.update({f"not_alike_{key}_gain": v.get("gain"), f"not_alike_{key}_se": v.get("se")})
    out["not_alike_best_profiles_holdout_se"] = ((d.get("variants") or {}).get("best_profiles") or {}).get("holdout_se")
    return out


def moments_table(moments: list, our_model: list, prediction_error: list, overlap: list, roles: dict):
    """(table, markdown) from each study's moments_all.json, our_model.json and prediction_error.json
    (same order), the overlap analyses' moments JSONs, and ``roles`` {study: the paper's name of the study
    it stands in for}."""
    overlap = {est["study"]: (est["covariates"], est["sigma"]) for est in overlap}
    rows = []
    for est, gain, pe in zip(moments, our_model, prediction_error):
        ext = gain.get("extension") or {}
        forest = pe.get("forest") or {}
        pub = MOMENTS.get(roles.get(est["study"]), {})
        se = {k: v["se"] for k, v in (pe.get("bootstrap") or {}).get("estimates", {}).items()}
        rows.append(dict(
            study=est["study"], paper_study=roles.get(est["study"], ""), m=est["m"], n_test=est["n_test"],
            binary=est["binary"], best_arm_mean=max(est["arm_means"]),
            sigma=est["sigma"], rho=est["rho"], s=est["s"], s_corrected=est["s_corrected"], s_holdout=est["s_holdout"],
            sigma_eps=est["sigma_eps"], naive_sigma=est["naive_sigma"], naive_rho=est["naive_rho"],
            true_sigma=est.get("true_sigma"), true_rho=est.get("true_rho"), true_s=est.get("true_s"),
            overlap_covariates=overlap.get(est["study"], (None, None))[0],
            sigma_overlap=overlap.get(est["study"], (None, None))[1],
            our_model_gain=gain["gain"], our_model_se=gain["se"], our_model_exact=gain["exact_gain"],
            our_model_gain_inf=gain["gain_inf"], our_model_n=gain["inputs"]["n"], our_model_uniform=gain["inputs"]["uniform"],
            true_sigma_eps=est.get("true_sigma_eps"), our_model_gain_true_sigma_eps=gain.get("gain_true_sigma_eps"),
            paper_sigma=pub.get("sigma"), paper_rho=pub.get("rho"), paper_s=pub.get("s"),
            paper_sigma_shared=pub.get("sigma_shared"),
            paper_our_model_pp=OUR_MODEL_PP.get(roles.get(est["study"])),
            corrected_sigma=pe["sigma"], corrected_rho=pe["rho"],
            sigma_eps_noise_corrected=pe["sigma_eps"]["noise_corrected"]["sigma_eps"],
            sigma_eps_split_half=pe["sigma_eps"]["split_half"]["sigma_eps"],
            extension_gain=ext.get("gain"), extension_sigma_eps_estimator=ext.get("sigma_eps_estimator"),
            sigma_eps_arm_specific=(pe["sigma_eps"].get("arm_specific") or {}).get("sigma_eps"),
            true_arm_specific=pe.get("true_arm_specific"),
            forest_sigma_eps_noise_corrected=forest.get("sigma_eps", {}).get("noise_corrected", {}).get("sigma_eps"),
            forest_sigma_eps_arm_specific=forest.get("sigma_eps", {}).get("arm_specific", {}).get("sigma_eps"),
            forest_true_sigma_eps=forest.get("true_sigma_eps"), forest_true_arm_specific=forest.get("true_arm_specific"),
            extension_forest_gain=(ext.get("forest") or {}).get("gain"),
            # holdout bootstrap SEs of the extension's inputs (fits held fixed; actionable.stats.prediction_error.bootstrap_se)
            corrected_sigma_se=se.get("sigma"), corrected_rho_se=se.get("rho"),
            **{f"{who}sigma_eps_{k}_se": se.get(f"{'forest.' if who else ''}sigma_eps.{k}")
               for who, ks in (("", ("noise_corrected", "split_half", "arm_specific")),
                               ("forest_", ("noise_corrected", "arm_specific"))) for k in ks},
            **_diagnostics(gain.get("diagnostics") or {}),
            **_not_alike(gain.get("arms_not_alike") or {}),
        ))
    table = pd.DataFrame(rows)

    def cell(v, p=None, fmt="{:.3f}"):
        txt = "" if pd.isna(v) else fmt.format(v)
        return txt + ("" if p is None or pd.isna(p) else f" [{fmt.format(p)}]")

    def pm(v, se):  # an estimate with its bootstrap SE where one was drawn
        return "" if pd.isna(v) else f"{v:.3f}" + ("" if pd.isna(se) else f" ± {se:.3f}")

    show = pd.DataFrame({
        "study": table["study"],
        "sigma": [cell(v, p) for v, p in zip(table["sigma"], table["paper_sigma"])],
        "rho": [cell(v, p) for v, p in zip(table["rho"], table["paper_rho"])],
        "s (corrected)": [cell(v, p, "{:.4f}") + f" ({c:.4f})" for v, p, c in zip(table["s"], table["paper_s"], table["s_corrected"])],
        "sigma_eps": [cell(v) for v in table["sigma_eps"]],
        "naive sigma / rho": [f"{a:.3f} / {b:.3f}" for a, b in zip(table["naive_sigma"], table["naive_rho"])],
        "true sigma / rho / s": ["" if pd.isna(a) else f"{a:.3f} / {b:.3f} / {c:.4f}"
                                 for a, b, c in zip(table["true_sigma"], table["true_rho"], table["true_s"])],
        "sigma, overlap covariates": [cell(v, p) for v, p in zip(table["sigma_overlap"], table["paper_sigma_shared"])],
        "Our Model gain (pp)": [f"{g * 100:.2f} ± {se * 100:.2f}" + ("" if pd.isna(p) else f" [{p:.1f}]")
                                for g, se, p in zip(table["our_model_gain"], table["our_model_se"], table["paper_our_model_pp"])],
        "Our Model as n -> infinity (pp)": ["" if pd.isna(g) else f"{g * 100:.2f}" for g in table["our_model_gain_inf"]],
        "corrected sigma / rho (extension)": [f"{pm(a, c)} / {pm(b, d)}" for a, b, c, d in zip(
            table["corrected_sigma"], table["corrected_rho"], table["corrected_sigma_se"], table["corrected_rho_se"])],
        "prediction error: noise-corrected / split-half [true]": [
            f"{pm(a, c)} / {pm(b, d)}" + ("" if pd.isna(t) else f" [{t:.3f}]")
            for a, b, c, d, t in zip(table["sigma_eps_noise_corrected"], table["sigma_eps_split_half"],
                                     table["sigma_eps_noise_corrected_se"], table["sigma_eps_split_half_se"],
                                     table["true_sigma_eps"])],
        "Our Model, extension (pp)": ["" if pd.isna(g) else f"{g * 100:.2f}" for g in table["extension_gain"]],
        "arm-specific error: T-XGB / forest [true]": [
            "" if pd.isna(a) and pd.isna(b) else f"{pm(a, c) or 'n.i.'} / {pm(b, d) or 'n.i.'}"
            + ("" if pd.isna(t) else f" [{t:.3f} / {u:.3f}]")
            for a, b, c, d, t, u in zip(table["sigma_eps_arm_specific"], table["forest_sigma_eps_arm_specific"],
                                        table["sigma_eps_arm_specific_se"], table["forest_sigma_eps_arm_specific_se"],
                                        table["true_arm_specific"], table["forest_true_arm_specific"])],
        "Our Model for the forest, extension (pp)": ["" if pd.isna(g) else f"{g * 100:.2f}"
                                                     for g in table["extension_forest_gain"]],
        "pairwise rho: min, middle half, max; arm means normal? (Shapiro-Wilk p)": [
            "" if pd.isna(a) else f"{a:.2f}, {b:.2f}-{c:.2f}, {d:.2f}; "
            + ("too few arms" if pd.isna(p) else f"p = {p:.2g}")
            for a, b, c, d, p in zip(table["rho_pairwise_min"], table["rho_pairwise_q25"], table["rho_pairwise_q75"],
                                     table["rho_pairwise_max"], table["arm_means_normality_p"])],
        "arms not alike: effective arms; best learner's own profiles / the forest's / independent errors (pp)": [
            ("" if pd.isna(e) else f"{e:.1f} of {m}; ") + " / ".join(
                "n/a" if pd.isna(g) else f"{g * 100:.2f} ± {se * 100:.2f}" for g, se in ((a, b), (c, d), (u, v)))
            for e, m, a, b, c, d, u, v in zip(
                table["effective_arms"], table["m"], table["not_alike_best_profiles_gain"],
                table["not_alike_best_profiles_holdout_se"], table["not_alike_profiles_macf_gain"],
                table["not_alike_profiles_macf_se"], table["not_alike_independent_macf_gain"],
                table["not_alike_independent_macf_se"])],
        "Our Model, true sigma_eps (pp)": ["" if pd.isna(g) else f"{g * 100:.2f} (sigma_eps {e:.3f})"
                                           for g, e in zip(table["our_model_gain_true_sigma_eps"], table["true_sigma_eps"])],
    })
    notes = [
        "[paper] = the paper's value for the study this one stands in for (Section 5.2, Section 6, Table 4).",
        "sigma, rho: stratified estimates (10 quantile groups of T-XGB holdout predictions; sigma = the SD of the "
        "group means as config moments.sigma_sd says, by default their sample SD); naive: SD and correlation "
        "of the predictions themselves; true: from the stand-ins' stored E[Y^a | x] of the same holdout people.",
        "s: sample SD of the arm means on the whole study (the paper's estimate); corrected: less the arm means' "
        "sampling variance.",
        "Our Model: Algorithm 2 with these estimates, Monte Carlo mean ± SE, percentage points for binary outcomes; "
        + (f"as printed, the uniform arm chosen from the mean predictions of n = {table['our_model_n'].iloc[0]:,} simulated "
           "people" if (table["our_model_uniform"] == "sample").all() else "the uniform arm valued at its true mean")
        + ". As n -> infinity: the exact value with the uniform arm valued at its true mean.",
        "Our Model, true sigma_eps (stand-ins only): the same with sigma_eps = SD(yhat - E[Y|x]), the predictions' own error, "
        "instead of SD(y - yhat), which also holds the outcome's irreducible noise; compare with the learners' IPW gains in Table 4.",
    ]
    notes.append("Extension (this package's, not the paper's procedure): sigma and rho corrected for the predictions' "
                 "noise by split-half reliability, sigma_eps as the prediction error SD(y_hat - E[Y | x]) estimated two "
                 "ways (residuals less the outcome's own noise; the disagreement of two half-sample T-learners plus "
                 "shrinkage bias), and Algorithm 2 from them with the uniform arm at its true mean "
                 f"(sigma_eps: {table['extension_sigma_eps_estimator'].iloc[0]}). For the forest: the same sigma and rho, "
                 "sigma_eps the arm-specific part of the forest's error, sqrt(E(e^a - e^b)^2 / 2), the part that moves its "
                 "choice of arm (most of a forest's error is common to all arms). ± : the holdout's bootstrap SE with the "
                 "fitted learners held fixed (their own training noise is not in it); n.i.: not identified (estimate at or "
                 "below zero). actionable/stats/prediction_error.py; docs/methods.md.")
    notes.append("Arms not alike (this package's, not the paper's procedure): how many arms carry the arm-specific "
                 "heterogeneity (1 / the sum of the arms' squared shares of its variance, from the de-attenuated "
                 "covariance; m when spread evenly), and Our Model for a learner described by its own holdout "
                 "predictions (their profiles and their covariance with the outcome in each arm): the highest of the "
                 "learners' (± its holdout-bootstrap SE), the forest's, and the Gaussian model with the de-attenuated "
                 "covariance and errors independent of it (± Monte Carlo SE); the uniform arm at its true mean. "
                 "actionable/stats/general_model.py.")
    notes.append("Model checks (actionable/stats/diagnostics.py): the model takes one rho for every pair of arms and normal "
                 "arm means; the pairwise stratified rho-hat and a Shapiro-Wilk test of the arm means show how far a "
                 "study is from that.")
    notes += [f"MODEL WARNING, {st}: {w}" for st, ws in zip(table["study"], table["model_warnings"]) for w in ws.split("; ") if w]
    return table, to_markdown(show, title="Estimated moments and Our Model", notes=notes)
