"""Figure 6 (Section 4): more arms help under a normal F, and show an inverse U under spike-and-slab."""
import pytest

from actionable.stats import sweeps

ARMS = [2, 4, 8, 12, 20, 30, 50]


@pytest.mark.parametrize("rho", [0.0, 0.5, 0.9])
def test_panel_d_peaks_at_an_interior_number_of_arms(rho):
    F = sweeps.arm_means(spike_prob=0.9, variance=50)
    df = sweeps.gain_by_arms(F, 10, [rho], ARMS, n=300, reps=800, seed=17)
    peak = sweeps.peak_arms(df)
    assert ARMS[0] < peak < ARMS[-1], df
    top = df.loc[df["m"] == peak].iloc[0]
    for end in (df.iloc[0], df.iloc[-1]):  # clearly above both ends, beyond MC noise
        assert top.gain - end.gain > 3 * (top.se**2 + end.se**2) ** 0.5, df
    # and the exact expectation peaks inside too
    assert ARMS[0] < sweeps.peak_arms(df, "exact") < ARMS[-1]


def test_panel_c_exact_inverse_u_and_panels_ab_increase():
    for rho in (0.0, 0.5, 0.9):
        c = sweeps.gain_by_arms(sweeps.arm_means(0.9, 10), 10, [rho], ARMS, n=50, reps=2, seed=1)
        assert ARMS[0] < sweeps.peak_arms(c, "exact") < ARMS[-1]
        for variance in (10, 50):
            ab = sweeps.gain_by_arms(sweeps.arm_means(0.0, variance), 10, [rho], ARMS, n=50, reps=2, seed=1)
            assert ab["exact"].is_monotonic_increasing


def test_higher_rho_and_variance_lower_the_gain():
    exact = lambda p, v, rho: sweeps.gain_by_arms(sweeps.arm_means(p, v), 10, [rho], [10], 20, 2, 1)["exact"][0]  # noqa: E731
    assert exact(0, 10, 0.0) > exact(0, 10, 0.5) > exact(0, 10, 0.9)
    assert exact(0, 10, 0.5) > exact(0, 50, 0.5)  # panel (b) below panel (a)
