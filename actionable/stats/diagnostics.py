"""How well a study fits the paper's model (Section 4), checked beside "Our Model".

The model takes one correlation rho for every pair of arms (equicorrelation) and arm means drawn
from a normal F. ``check`` measures both from the study's own estimates: the spread of the
pairwise stratified rho-hat (the matrix behind the paper's single rho-hat), and a Shapiro-Wilk
test of the arm means, and says in plain words when either is far from the assumption.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

RHO_IQR_LIMIT = 0.3      # pairwise rho-hat spread (interquartile range) beyond which one rho is a poor summary
NEGATIVE_SHARE_LIMIT = 0.25
NORMALITY_ALPHA = 0.01  # a warning, so a 1-in-100 false alarm on normal arm means
MIN_ARMS_NORMALITY = 8   # Shapiro-Wilk on fewer arm means has almost no power


def pairwise_rho(rho_matrix) -> np.ndarray:
    """The finite off-diagonal entries (each pair once)."""
    r = np.array(rho_matrix, dtype=float)
    vals = r[np.triu_indices(r.shape[0], 1)]
    return vals[np.isfinite(vals)]


def check(rho_matrix, rho: float, arm_means, arm_mean_se=None) -> dict:
    """Diagnostics of the equicorrelation and normal-F assumptions, with plain-words warnings.

    ``arm_means``: each arm's mean outcome (the draws from F, with sampling noise);
    ``arm_mean_se``: their standard errors, used to say when the arm means differ by no more than
    sampling noise.
    """
    pairs = pairwise_rho(rho_matrix)
    means = np.asarray(arm_means, float)
    m = len(means)
    out = dict(m=m, rho=rho, rho_pairs=int(len(pairs)))
    warnings = []
    if len(pairs):
        q = np.quantile(pairs, [0, 0.25, 0.5, 0.75, 1])
        out.update(rho_min=float(q[0]), rho_q25=float(q[1]), rho_median=float(q[2]), rho_q75=float(q[3]),
                   rho_max=float(q[4]), rho_iqr=float(q[3] - q[1]), rho_negative_share=float(np.mean(pairs < 0)))
        if out["rho_iqr"] > RHO_IQR_LIMIT or out["rho_negative_share"] > NEGATIVE_SHARE_LIMIT:
            warnings.append(
                f"the arms are far from equicorrelated: pairwise rho-hat runs from {q[0]:.2f} to {q[4]:.2f} "
                f"(middle half {q[1]:.2f} to {q[3]:.2f}, {out['rho_negative_share']:.0%} negative), so the model's one "
                f"rho ({rho:.2f}) is a poor summary and Our Model's prediction is rough")
    if np.isfinite(rho) and rho < 0:
        warnings.append(f"rho-hat is negative ({rho:.2f}): the arms' effects tend to move in opposite directions across "
                        "people; the model allows it down to -1/(m-1) but the estimate is then fragile")
    if m >= 3:
        w, p = stats.shapiro(means)
        out.update(normality_test="Shapiro-Wilk on the arm means", normality_w=float(w), normality_p=float(p))
        z = (means - means.mean()) / means.std(ddof=1) if means.std(ddof=1) > 0 else np.zeros(m)
        out["arm_mean_max_z"] = float(np.max(np.abs(z)))
        if m < MIN_ARMS_NORMALITY:
            out["normality_note"] = f"only {m} arms: the test cannot tell a normal F from others"
        elif p < NORMALITY_ALPHA:
            warnings.append(f"the arm means look far from normal (Shapiro-Wilk p = {p:.3g}; largest |z| = "
                            f"{out['arm_mean_max_z']:.1f}): the model's normal F may misstate the value of picking the "
                            "best arm; the spike-and-slab F of Eq. 8 may fit better")
    if arm_mean_se is not None and m >= 2:
        se2 = np.mean(np.square(arm_mean_se))
        out["arm_means_noise_share"] = float(min(1.0, se2 / means.var(ddof=1))) if means.var(ddof=1) > 0 else 1.0
        if out["arm_means_noise_share"] >= 0.8:
            warnings.append(f"the arm means differ by little more than their sampling noise ({out['arm_means_noise_share']:.0%} "
                            "of their variance): s-hat mostly measures noise")
    out["warnings"] = warnings
    return out


DISAGREE_SE = 2.0  # how many SEs apart the data's gain and Our Model's must be for the warning


def model_versus_data(gains: dict, predicted: float, unit: float = 1.0, structure: dict | None = None,
                      gap: dict | None = None) -> list[str]:
    """A plain-words warning when the data and the model disagree, by either of two routes.

    Achieved gains: the learner with the highest IPW gain over Best Uniform (``gains``: {policy:
    dict(gain, gain_se, hajek_gain, hajek_gain_se)}) differs from Our Model's ``predicted`` gain by
    more than DISAGREE_SE of its SEs by both IPW and Hajek, in the same direction. Own predictions
    (``gap``: our_model.json's ``arms_not_alike.versus_printed``): the learners' holdout predictions,
    valued by this package's model for arms not alike (its headline), differ from the printed model
    by more than DISAGREE_SE SEs of the difference over the holdout's bootstrap draws; the holdout
    values a smooth function of its moments more precisely than a policy's IPW value, so this route
    sees gaps the first cannot. One warning per direction, quoting each route that fired. ``unit``:
    100 to say it in percentage points; ``structure``: ``general_model.structure`` of the study,
    quoted when the data gain more."""
    pp = " pp" if unit == 100 else ""
    found = {1: [], -1: []}
    finite = {p: g for p, g in gains.items() if all(np.isfinite(g[k]) for k in ("gain", "gain_se", "hajek_gain",
                                                                                   "hajek_gain_se"))}
    if finite and np.isfinite(predicted):
        best = max(finite, key=lambda p: finite[p]["gain"])
        g = finite[best]
        z = [(g["gain"] - predicted) / g["gain_se"] if g["gain_se"] > 0 else 0.0,
             (g["hajek_gain"] - predicted) / g["hajek_gain_se"] if g["hajek_gain_se"] > 0 else 0.0]
        if min(abs(v) for v in z) > DISAGREE_SE and z[0] * z[1] > 0:
            found[int(np.sign(z[0]))].append(
                f"{best} gains {g['gain'] * unit:.2f}{pp} (SE {g['gain_se'] * unit:.2f}) by IPW and "
                f"{g['hajek_gain'] * unit:.2f} (SE {g['hajek_gain_se'] * unit:.2f}) by Hajek, {abs(z[0]):.1f} and "
                f"{abs(z[1]):.1f} SEs {'above' if z[0] > 0 else 'below'} Our Model's {predicted * unit:.2f}{pp}")
    if gap and all(np.isfinite(gap.get(k, np.nan)) for k in ("difference", "difference_se", "headline", "printed")) \
            and gap["difference_se"] > 0:
        z = gap["difference"] / gap["difference_se"]
        if abs(z) > DISAGREE_SE:
            found[int(np.sign(z))].append(
                f"the learners' own holdout predictions are worth {gap['headline'] * unit:.2f}{pp} by this "
                f"package's model for arms not alike, {abs(gap['difference']) * unit:.2f}{pp} (SE of the difference "
                f"{gap['difference_se'] * unit:.2f}, {abs(z):.1f} SEs) {'above' if z > 0 else 'below'} Our Model's "
                f"{gap['printed'] * unit:.2f}{pp}")
    out = []
    if found[1]:
        spread = (f" (here the arm-specific heterogeneity's effective number of arms is "
                  f"{structure['effective_arms']:.1f} of {structure['m']})" if structure else "")
        out.append(f"the data gain more than the model predicts: {'; '.join(found[1])}. The model spreads the arms' "
                   f"own heterogeneity evenly over all arms with one sigma and rho, where prediction noise swamps it; "
                   f"heterogeneity concentrated in a few arms{spread}, or segment effects far from normal, is found by "
                   "learners and missed by the model. See 'Our Model, arms not alike'")
    if found[-1]:
        out.append(f"the model predicts more than any learner achieves: {'; '.join(found[-1])}. The learners' "
                   "predictions may be noisier than the model's sigma_eps says, the heterogeneity harder to find than "
                   "its sigma and rho suggest, or the arm means far from normal")
    return out
