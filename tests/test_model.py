"""Eq. 7, Algorithms 1 and 2, and their exact expectations checked against each other."""
import math

import numpy as np
import pytest
from scipy import integrate, stats

from actionable.stats.model import ArmMeans, expected_gain, expected_gain_two_arm_normal, expected_max_std_normal, gain_two_arm, rectified_normal_mean, simulate_gain, simulate_gain_literal
from actionable.paper.published import MOMENTS


def test_rectified_normal_mean_matches_integration():
    for mean, sd in [(-2.0, 3.0), (0.0, 1.0), (1.5, 0.4)]:
        num = integrate.quad(lambda x: max(x, 0) * stats.norm.pdf(x, mean, sd), -50, 50, points=[0])[0]
        assert rectified_normal_mean(mean, sd) == pytest.approx(num, rel=1e-7)
    assert rectified_normal_mean(-1.0, 0.0) == 0.0
    assert rectified_normal_mean(2.0, 0.0) == 2.0


def test_eq7_closed_form_values():
    # mu_B - mu_A = d, v = sigma sqrt(2(1 - rho)): gain = -d (1 - Phi(d/v)) + v phi(d/v)
    d, sigma, rho = 0.5, 1.0, 0.2
    v = sigma * math.sqrt(2 * (1 - rho))
    expect = -d * (1 - stats.norm.cdf(d / v)) + v * stats.norm.pdf(d / v)
    assert gain_two_arm(0.0, d, sigma, rho) == pytest.approx(expect, rel=1e-12)
    assert gain_two_arm(d, 0.0, sigma, rho) == pytest.approx(expect, rel=1e-12)  # symmetric
    assert gain_two_arm(0.0, 0.0, 1.0, 1.0) == 0.0  # identical responses: nothing to gain
    out = gain_two_arm(np.zeros(3), [0.0, 0.5, 2.0], 1.0, [0.0, 0.5, 0.9])
    assert out.shape == (3,) and np.all(np.diff(out) < 0)


GRID = [(sigma, rho, d) for sigma in (0.5, 1.0, 3.0) for rho in (-0.5, 0.0, 0.6, 0.95) for d in (0.0, 0.5, 2.0)]


@pytest.mark.parametrize("sigma,rho,d", GRID)
def test_eq7_equals_algorithm1_with_two_arms(sigma, rho, d):
    sim = simulate_gain(ArmMeans.normal(0.0), sigma, rho, 2, n=2000, reps=400, seed=7,
                        uniform="population", mu=[0.0, d])
    exact = float(gain_two_arm(0.0, d, sigma, rho))
    assert abs(sim.mean - exact) <= 3 * sim.se, (sim.mean, sim.se, exact)


def test_expected_max_std_normal():
    assert expected_max_std_normal(1) == pytest.approx(0.0, abs=1e-10)
    assert expected_max_std_normal(2) == pytest.approx(1 / math.sqrt(math.pi), rel=1e-9)
    assert expected_max_std_normal(3) == pytest.approx(1.5 / math.sqrt(math.pi), rel=1e-9)


def test_proposition3_closed_form_equals_expectation_of_eq7():
    # E over mu_A, mu_B ~ iid N(0, s^2) of Eq. 7 = E_d[V(d) | d > 0], d ~ N(0, 2 s^2) (Eq. 11)
    sigma, rho, s = 1.3, 0.4, 0.7
    f = lambda d: float(gain_two_arm(0.0, d, sigma, rho)) * 2 * stats.norm.pdf(d, 0, s * math.sqrt(2))
    num = integrate.quad(f, 0, 40)[0]
    assert expected_gain_two_arm_normal(sigma, rho, s) == pytest.approx(num, rel=1e-7)
    assert expected_gain(ArmMeans.normal(s), sigma, rho, 2) == pytest.approx(num, rel=1e-7)


def test_quadrature_path_reproduces_normal_closed_form():
    # A vanishing spike sends expected_gain down its general mixture quadrature.
    for m, eps in [(2, 0.0), (5, 0.0), (12, 0.8)]:
        closed = expected_gain(ArmMeans.normal(0.9), 1.2, 0.3, m, eps)
        mixture = expected_gain(ArmMeans(s=0.9, spike_prob=1e-12), 1.2, 0.3, m, eps)
        assert mixture == pytest.approx(closed, rel=1e-6)


CASES = [
    # (F, sigma, rho, m, sigma_eps)
    (ArmMeans.normal(0.5), 1.0, 0.3, 5, 0.0),
    (ArmMeans.normal(0.5), 1.0, 0.3, 5, 0.7),
    (ArmMeans.normal(2.0), 1.0, -0.1, 8, 1.5),
    (ArmMeans.spike_and_slab(50, 0.9), 10.0, 0.5, 10, 0.0),
    (ArmMeans.spike_and_slab(50, 0.9), 10.0, 0.5, 10, 8.0),
    (ArmMeans.spike_and_slab(10, 0.5), 10.0, 0.9, 23, 4.0),
]


@pytest.mark.parametrize("F,sigma,rho,m,eps", CASES)
def test_monte_carlo_matches_exact_expectation(F, sigma, rho, m, eps):
    exact = expected_gain(F, sigma, rho, m, eps)
    sim = simulate_gain(F, sigma, rho, m, n=500, reps=4000, sigma_eps=eps, seed=11, uniform="population")
    assert abs(sim.mean - exact) <= 3 * sim.se, (sim.mean, sim.se, exact)


@pytest.mark.parametrize("uniform", ["sample", "population"])
@pytest.mark.parametrize("F,sigma,rho,m,eps", CASES[1:5])
def test_fast_agrees_with_literal_algorithm(F, sigma, rho, m, eps, uniform):
    # Rao-Blackwellized draws and the algorithm as printed estimate the same expectation.
    fast = simulate_gain(F, sigma, rho, m, n=300, reps=3000, sigma_eps=eps, seed=3, uniform=uniform)
    lit = simulate_gain_literal(F, sigma, rho, m, n=300, reps=3000, sigma_eps=eps, seed=4, uniform=uniform)
    assert abs(fast.mean - lit.mean) <= 3.5 * math.hypot(fast.se, lit.se), (fast.mean, lit.mean)


def test_sample_mode_pays_the_winners_curse():
    # Valued in-sample, the uniform arm is chosen by noisy means: with equal true means its value
    # exceeds mu by c E[max(ebar_1, ebar_2)], c = sigma sqrt(1 - rho), ebar ~ N(0, 1/n),
    # which is c / sqrt(n pi).
    sigma, rho, n = 1.0, 0.0, 200
    pop = simulate_gain(ArmMeans.normal(0), sigma, rho, 2, n, 4000, seed=5, uniform="population", mu=[0, 0])
    smp = simulate_gain(ArmMeans.normal(0), sigma, rho, 2, n, 4000, seed=5, uniform="sample", mu=[0, 0])
    diff, se = pop.difference(smp)
    expect = sigma * math.sqrt(1 - rho) / math.sqrt(n * math.pi)
    assert abs(diff - expect) <= 3 * se, (diff, se, expect)


def test_common_random_numbers_and_invariance():
    F = ArmMeans.normal(0.3)
    a = simulate_gain(F, 1.0, 0.5, 6, 400, 60, sigma_eps=0.5, seed=9, chunk_mb=0.05, threads=1)
    b = simulate_gain(F, 1.0, 0.5, 6, 400, 60, sigma_eps=0.5, seed=9, chunk_mb=64, threads=2)
    np.testing.assert_array_equal(a.gains, b.gains)  # chunking and threads change nothing
    c = simulate_gain(F, 1.0, 0.5, 6, 400, 30, sigma_eps=0.5, seed=9)
    np.testing.assert_array_equal(a.gains[:30], c.gains)  # more reps extend, never reshuffle
    d = simulate_gain(F, 1.0, 0.5, 6, 400, 60, sigma_eps=0.5, seed=10)
    assert not np.array_equal(a.gains, d.gains)
    # A 1% change in sigma: paired differences are far more precise than independent ones.
    up = simulate_gain(F, 1.01, 0.5, 6, 400, 60, sigma_eps=0.5, seed=9)
    diff, se_paired = up.difference(a)
    se_indep = math.hypot(up.se, a.se)
    assert se_paired < se_indep / 10
    assert diff > 0


def test_alg2_without_noise_is_alg1_and_noise_hurts():
    F = ArmMeans.normal(0.2)
    g0 = expected_gain(F, 1.0, 0.4, 10, 0.0)
    g1 = expected_gain(F, 1.0, 0.4, 10, 0.5)
    g2 = expected_gain(F, 1.0, 0.4, 10, 2.0)
    assert g0 > g1 > g2
    em = expected_max_std_normal(10)
    assert g0 == pytest.approx(em * (math.sqrt(0.04 + 0.6) - 0.2), rel=1e-9)


def test_rho_one_without_noise_gains_nothing():
    sim = simulate_gain(ArmMeans.normal(0.5), 1.0, 1.0, 4, 100, 20, seed=1)
    assert np.all(sim.gains == 0)
    assert expected_gain(ArmMeans.normal(0.5), 1.0, 1.0, 4) == 0.0


def test_negative_rho_at_many_arms_runs():
    m = 10
    rho = -1 / (m - 1) + 1e-3
    sim = simulate_gain(ArmMeans.normal(0.1), 1.0, rho, m, 300, 300, seed=2, uniform="population")
    assert abs(sim.mean - expected_gain(ArmMeans.normal(0.1), 1.0, rho, m)) <= 3 * sim.se


def _closed_form_printed(sigma, rho, s, sigma_eps, m, n):
    # Algorithm 2 as printed, normal F: personalized value minus the finite-n uniform's
    h = sigma**2 * (1 - rho)
    lam = h + sigma_eps**2
    return expected_max_std_normal(m) * ((s**2 + h) / math.sqrt(s**2 + lam)
                                         - (s**2 + h / n) / math.sqrt(s**2 + lam / n))


# (sigma, rho, s, sigma_eps, m, n): the paper's two studies, small and large n, negative rho,
# no noise, no spread of arm means, two arms
FINITE_N = [
    (0.078, 0.61, 0.007, 0.457, 23, 1000),
    (MOMENTS["Penn-Geisinger"]["sigma"], MOMENTS["Penn-Geisinger"]["rho"], MOMENTS["Penn-Geisinger"]["s"], 0.393, 20, 1000),
    (MOMENTS["Penn-Geisinger"]["sigma"], MOMENTS["Penn-Geisinger"]["rho"], MOMENTS["Penn-Geisinger"]["s"], 0.393, 20, 50),
    (1.0, 0.3, 0.5, 0.7, 5, 10),
    (1.0, -0.2, 0.2, 1.5, 4, 200),
    (2.0, 0.5, 1.0, 0.0, 8, 30),
    (1.0, 0.6, 0.0, 0.5, 3, 5),
    (0.5, 0.0, 0.3, 0.2, 2, 2),
]


@pytest.mark.parametrize("sigma,rho,s,eps,m,n", FINITE_N)
def test_finite_n_closed_form_equals_the_printed_algorithm(sigma, rho, s, eps, m, n):
    exact = expected_gain(ArmMeans.normal(s), sigma, rho, m, eps, n=n)
    assert exact == pytest.approx(_closed_form_printed(sigma, rho, s, eps, m, n), rel=1e-9, abs=1e-15)
    fast = simulate_gain(ArmMeans.normal(s), sigma, rho, m, n, reps=max(400, 400_000 // n), sigma_eps=eps,
                         seed=21, uniform="sample")
    lit = simulate_gain_literal(ArmMeans.normal(s), sigma, rho, m, n, reps=max(300, 100_000 // n), sigma_eps=eps,
                                seed=22, uniform="sample")
    for sim in (fast, lit):
        assert abs(sim.mean - exact) <= 3 * sim.se, (sim.mean, sim.se, exact)
    # n -> infinity is the population benchmark
    assert expected_gain(ArmMeans.normal(s), sigma, rho, m, eps, n=10**12) == pytest.approx(
        expected_gain(ArmMeans.normal(s), sigma, rho, m, eps), abs=1e-6)


@pytest.mark.parametrize("F,sigma,rho,m,eps,n", [
    (ArmMeans.spike_and_slab(50, 0.9), 10.0, 0.5, 10, 8.0, 30),
    (ArmMeans.spike_and_slab(10, 0.5), 10.0, 0.9, 23, 4.0, 5),
    (ArmMeans.spike_and_slab(10, 0.9), 10.0, 0.0, 6, 0.0, 100),
])
def test_finite_n_quadrature_for_eq8_equals_monte_carlo(F, sigma, rho, m, eps, n):
    exact = expected_gain(F, sigma, rho, m, eps, n=n)
    sim = simulate_gain(F, sigma, rho, m, n, reps=20_000, sigma_eps=eps, seed=23, uniform="sample")
    assert abs(sim.mean - exact) <= 3 * sim.se, (sim.mean, sim.se, exact)
    # a vanishing spike goes down the quadrature and must land on the normal closed form
    closed = expected_gain(ArmMeans.normal(0.9), 1.2, 0.3, 7, 0.8, n=40)
    assert expected_gain(ArmMeans(s=0.9, spike_prob=1e-12), 1.2, 0.3, 7, 0.8, n=40) == pytest.approx(closed, rel=1e-6)


def test_finite_n_is_checked():
    with pytest.raises(ValueError, match="n must be an integer >= 1"):
        expected_gain(ArmMeans.normal(0.1), 1.0, 0.5, 3, 0.2, n=0)
    with pytest.raises(ValueError, match="n must be an integer >= 1"):
        expected_gain(ArmMeans.normal(0.1), 1.0, 0.5, 3, 0.2, n=10.5)


@pytest.mark.parametrize("spike,m", [(0.3, 5), (0.5, 30), (0.95, 30)])
def test_near_degenerate_slab_is_the_point_mass_limit(spike, m):
    """A slab far narrower than the score noise (s = 1e-9) gives the s -> 0 closed form,
    E[max of m N(0,1)] sigma sqrt(1 - rho), without quadrature warnings (its break points coincide)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", integrate.IntegrationWarning)
        got = expected_gain(ArmMeans(s=1e-9, spike_prob=spike), 0.01, 0.3, m)
    assert got == pytest.approx(expected_max_std_normal(m) * 0.01 * math.sqrt(0.7), rel=1e-6)
