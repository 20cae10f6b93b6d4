"""Figure 9's summary of a policy's arm shares."""
import numpy as np
import pytest

from actionable.stats.descriptives import concentration


def test_concentration_counts_the_most_used_arms_in_any_order():
    shares = [0.05, 0.40, 0.0, 0.15, 0.25, 0.10, 0.05]  # sorted: .40 .25 .15 .10 .05 .05 0
    c = concentration(shares, top=3)
    assert c["top_share"] == pytest.approx(0.80)
    assert c["arms_to_cover"] == 3  # exactly 80% on three arms counts as reaching it
    assert c["arms_used"] == 6
    assert concentration(shares, top=3, cover=0.81)["arms_to_cover"] == 4


def test_concentration_of_an_even_and_a_single_arm_policy():
    even = np.full(20, 0.05)
    assert concentration(even) == dict(top_share=pytest.approx(0.30), arms_to_cover=16, arms_used=20)
    one = np.eye(20)[3]
    assert concentration(one) == dict(top_share=1.0, arms_to_cover=1, arms_used=1)
