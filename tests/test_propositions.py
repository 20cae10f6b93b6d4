"""Propositions 1-3 (Appendix A.1) as property tests over random parameter points."""
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from actionable.stats.model import ArmMeans, expected_gain, expected_gain_two_arm_normal, gain_two_arm

mu = st.floats(-5, 5)
sigma = st.floats(0.05, 10)
rho = st.floats(-0.95, 0.95)
s_val = st.floats(0.0, 5)
SETTINGS = settings(max_examples=300, deadline=None)


@SETTINGS
@given(mu, mu, sigma, sigma, rho)
def test_proposition1_gain_increases_in_sigma(mu_a, mu_b, s1, s2, r):
    lo, hi = sorted((s1, s2))
    assert gain_two_arm(mu_a, mu_b, hi, r) >= gain_two_arm(mu_a, mu_b, lo, r) - 1e-12


@SETTINGS
@given(mu, mu, sigma, rho)
def test_proposition1_derivative(mu_a, mu_b, sg, r):
    # d gain / d sigma = sqrt(2(1-rho)) phi(d / (sigma sqrt(2(1-rho)))) > 0
    t = math.sqrt(2 * (1 - r))
    d = abs(mu_b - mu_a)
    h = 1e-6 * sg
    num = (gain_two_arm(mu_a, mu_b, sg + h, r) - gain_two_arm(mu_a, mu_b, sg - h, r)) / (2 * h)
    assert math.isclose(num, t * stats.norm.pdf(d / (sg * t)), rel_tol=1e-4, abs_tol=1e-8)


@SETTINGS
@given(mu, mu, sigma, rho, rho)
def test_proposition2_gain_decreases_in_rho(mu_a, mu_b, sg, r1, r2):
    lo, hi = sorted((r1, r2))
    assert gain_two_arm(mu_a, mu_b, sg, lo) >= gain_two_arm(mu_a, mu_b, sg, hi) - 1e-12


@SETTINGS
@given(sigma, rho, s_val, s_val)
def test_proposition3_expected_gain_decreases_in_s(sg, r, s1, s2):
    lo, hi = sorted((s1, s2))
    assert expected_gain_two_arm_normal(sg, r, hi) <= expected_gain_two_arm_normal(sg, r, lo) + 1e-12


@settings(max_examples=60, deadline=None)
@given(sigma, st.floats(0.0, 0.9), st.floats(0.0, 3), st.integers(2, 30), st.floats(0, 0.95))
@pytest.mark.simulation
def test_many_arms_keep_the_directions(sg, r, s, m, spike):
    # Algorithm 1's exact expectation, any number of arms and either F: up in sigma, down in rho, down in s.
    F = ArmMeans(s=s, spike_prob=spike)
    g = expected_gain(F, sg, r, m)
    assert expected_gain(F, sg * 1.05, r, m) >= g - 1e-9
    assert expected_gain(F, sg, min(r + 0.05, 1.0), m) <= g + 1e-9
    assert expected_gain(ArmMeans(s=s * 1.05 + 1e-3, spike_prob=spike), sg, r, m) <= g + 1e-9
