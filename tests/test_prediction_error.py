"""Prediction error and de-attenuated moments without the truth, against a known working model."""
import numpy as np
import pytest

from actionable.stats import prediction_error as pe


def _study(n=400_000, m=4, sigma=0.08, rho=0.9, lam=0.8, tau=0.04, binary=True, seed=1):
    """h ~ equicorrelated normal (sigma, rho) around 0.3; y from h; the full fit is lam h + noise tau
    and each half-fit lam h + noise tau sqrt(2) (noise variance doubles at half the rows)."""
    rng = np.random.default_rng(seed)
    common = rng.standard_normal((n, 1))
    h = 0.3 + sigma * (np.sqrt(rho) * common + np.sqrt(1 - rho) * rng.standard_normal((n, m)))
    arm = rng.integers(0, m, n)
    p = h[np.arange(n), arm]
    y = (rng.random(n) < p).astype(float) if binary else p + rng.normal(0, 0.45, n)
    fit = lambda s: 0.05 + lam * h + s * rng.standard_normal((n, m))  # noqa: E731
    return h, arm, y, fit(tau), fit(tau * np.sqrt(2)), fit(tau * np.sqrt(2))


@pytest.mark.parametrize("binary", [True, False])
def test_recovers_sigma_rho_and_the_prediction_error(binary):
    sigma, rho, lam, tau = 0.08, 0.9, 0.8, 0.04
    h, arm, y, yhat, y1, y2 = _study(sigma=sigma, rho=rho, lam=lam, tau=tau, binary=binary)
    out = pe.estimate(yhat, y1, y2, arm, y, truth=h)
    true_eps = np.sqrt((1 - lam) ** 2 * sigma**2 + tau**2)  # shrinkage bias and noise
    assert out["true_sigma_eps"] == pytest.approx(true_eps, rel=0.02)
    assert out["sigma"] == pytest.approx(sigma, rel=0.05)
    assert out["rho"] == pytest.approx(rho, abs=0.03)  # sampling noise about 0.01
    assert np.mean(out["lam"]) == pytest.approx(lam, rel=0.05)
    for name in ("noise_corrected", "split_half"):
        assert out["sigma_eps"][name]["sigma_eps"] == pytest.approx(true_eps, rel=0.15), name
    # the naive correlation of the predictions is attenuated: the correction is doing the work
    naive = np.corrcoef(yhat, rowvar=False)[~np.eye(4, dtype=bool)].mean()
    assert naive < rho - 0.1


def test_split_half_without_bias_is_the_halves_disagreement():
    h, arm, y, yhat, y1, y2 = _study(lam=1.0, tau=0.05, binary=False)
    got = pe.split_half(yhat, y1, y2, arm, y, np.full(4, 0.08**2))
    assert got["sigma_eps"] == pytest.approx(0.05, rel=0.03)


@pytest.mark.parametrize("half_ratio", [1.35, 2.0, 3.0])
def test_split_half_follows_the_learning_curve_it_sees(half_ratio):
    """A half fit's noise variance half_ratio times the full fit's (early-stopped boosting: 1.35 on
    the stand-ins, not 1 / n's 2): the observed step from halves to full recovers the full fit's
    error whatever the ratio, where scaling the halves' disagreement as 1 / n would not."""
    sigma, lam, tau = 0.08, 0.8, 0.04
    rng = np.random.default_rng(3)
    h, arm, y, yhat, _, _ = _study(sigma=sigma, lam=lam, tau=tau, seed=2)
    y1, y2 = (0.05 + lam * h + tau * np.sqrt(half_ratio) * rng.standard_normal(h.shape) for _ in range(2))
    true_eps = np.sqrt((1 - lam) ** 2 * sigma**2 + tau**2)
    rel = pe.reliability(yhat, y1, y2, arm, y)
    got = pe.split_half(yhat, y1, y2, arm, y, rel["var_h"])["sigma_eps"]
    assert got == pytest.approx(true_eps, rel=0.08)
    one_over_n = np.sqrt(np.mean((y1 - y2).var(axis=0) / 4 + (1 - rel["lam"]) ** 2 * rel["var_h"]))
    if half_ratio != 2.0:
        assert abs(one_over_n / true_eps - 1) > 0.1  # what the 1 / n scaling would have said


def test_half_masks_split_every_arm_in_two():
    arm = np.repeat(np.arange(3), [10, 11, 40])
    a, b = pe.half_masks(arm, seed=5)
    assert not np.any(a & b) and np.all(a | b)
    assert [int(a[arm == k].sum()) for k in range(3)] == [5, 5, 20]
    a2, _ = pe.half_masks(arm, seed=5)
    assert np.array_equal(a, a2)


def test_arm_without_signal_is_reported_not_divided_by_zero():
    h, arm, y, yhat, y1, y2 = _study(n=20_000)
    y1[:, 2] = 0.3
    y2[:, 2] = 0.3  # an arm whose half-fits are constant: Var(h) is not identified
    out = pe.estimate(yhat, y1, y2, arm, y)
    assert out["arms_undefined"] == 1 and out["sigma_eps"]["noise_corrected"]["by_arm"][2] is None
    assert np.isfinite(out["sigma"]) and np.isfinite(out["rho"])


@pytest.mark.parametrize("binary", [True, False])
def test_arm_specific_error_leaves_out_what_all_arms_share(binary):
    """A forest-like learner: h plus an error common to all arms (SD 0.06) and one of each arm's
    own (SD 0.02). Only the arm's own moves the argmax; arm_specific recovers it with the true
    covariance of h, and less closely with the one the T-learner halves' reliability estimates."""
    sigma, rho, lam, tau, own = 0.08, 0.9, 0.8, 0.04, 0.02
    h, arm, y, yhat, y1, y2 = _study(sigma=sigma, rho=rho, lam=lam, tau=tau, binary=binary, seed=4)
    rng = np.random.default_rng(5)
    forest = h + 0.06 * rng.standard_normal((len(h), 1)) + own * rng.standard_normal(h.shape)
    cov_true = np.cov(h, rowvar=False)
    assert pe.arm_specific(forest, arm, y, cov_true)["sigma_eps"] == pytest.approx(own, rel=0.1)
    rel = pe.reliability(yhat, y1, y2, arm, y)
    var_diff = [rel["cov_h"][a, a] + rel["cov_h"][b, b] - 2 * rel["cov_h"][a, b] for a in range(4) for b in range(a)]
    # Var(h^a - h^b), a small difference of the reliability's estimates: its sampling error (about
    # 17% with 4 arms at this n) is what the estimate inherits
    assert np.mean(var_diff) == pytest.approx(2 * sigma**2 * (1 - rho), rel=0.25)
    assert pe.arm_specific(forest, arm, y, rel["cov_h"])["sigma_eps"] == pytest.approx(own, rel=0.3)
    # the T-learner's own errors are independent across arms: all of its error is arm-specific
    t_eps = np.sqrt((1 - lam) ** 2 * sigma**2 * (1 - rho) + tau**2)  # shrinkage of the common part cancels
    assert pe.arm_specific(yhat, arm, y, cov_true)["sigma_eps"] == pytest.approx(t_eps, rel=0.05)
    # the noise-corrected total error counts the common part too
    assert pe.noise_corrected(forest, arm, y, rel["var_h"])["sigma_eps"] == pytest.approx(np.hypot(0.06, own), rel=0.1)


def test_arm_specific_error_not_identified_is_nan_not_zero():
    """An estimate at or below zero (here forced: a covariance of h with no arm-specific part, so
    Var(h^a - h^b) is taken as 0 while the predictions' differences are all signal) is reported as
    not identified, never as an error-free learner whose Our Model would be Algorithm 1's."""
    h, arm, y, *_ = _study(n=50_000, binary=False)
    got = pe.arm_specific(h, arm, y, np.full((4, 4), 0.08**2))
    assert np.isnan(got["sigma_eps"]) and got["pairs_negative"] == got["pairs"] == 6
    assert pe.model_inputs(dict(sigma=0.08, rho=0.9, sigma_eps={}, forest=dict(sigma_eps=dict(arm_specific=got))),
                           "arm_specific", learner="macf") is None


@pytest.mark.simulation
def test_bootstrap_se_matches_the_spread_over_fresh_holdouts():
    """The holdout bootstrap SE (fits held fixed) against the SD of each estimate over 150 independent
    holdouts of the same law, the fits' errors drawn afresh per person as a fixed fit's errors at new
    people are: within 25% (an SD over 150 draws is itself known to about 6%). The forest's
    predictions are the T-learner's plus a shift common to all arms, so its arm-specific error is the
    same as the T-learner's and its noise-corrected one larger."""
    def draw(seed, n=20_000):
        h, arm, y, yhat, y1, y2 = _study(n=n, seed=seed)
        forest = yhat + 0.1 * np.random.default_rng(seed + 10_000).standard_normal((n, 1))
        return yhat, y1, y2, arm, y, forest

    def estimates(yhat, y1, y2, arm, y, forest):
        return pe._estimates_of(pe.estimate(yhat, y1, y2, arm, y, forest=forest))

    spread = [estimates(*draw(seed)) for seed in range(100, 250)]
    yhat, y1, y2, arm, y, forest = draw(7)
    boot = pe.bootstrap_se(yhat, y1, y2, arm, y, forest=forest, reps=300, seed=3)["estimates"]
    assert set(boot) == {"sigma", "rho", "sigma_eps.noise_corrected", "sigma_eps.split_half", "sigma_eps.arm_specific",
                         "forest.sigma_eps.noise_corrected", "forest.sigma_eps.arm_specific"}
    for key, got in boot.items():
        sd = np.std([d[key] for d in spread], ddof=1)
        assert got["not_identified"] == 0, key
        assert got["se"] == pytest.approx(sd, rel=0.25), key
    # a shift shared by all arms cancels from every pairwise difference, in each draw alike
    assert boot["forest.sigma_eps.arm_specific"]["se"] == pytest.approx(boot["sigma_eps.arm_specific"]["se"], rel=1e-9)
