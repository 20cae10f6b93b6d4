"""Out-of-range model parameters are refused with the parameter's name and valid range."""
import math

import pytest

from actionable.stats.model import ArmMeans, expected_gain, gain_two_arm, simulate_gain

F = ArmMeans.normal(0.1)
OK = dict(F=F, sigma=1.0, rho=0.5, m=5, n=100, reps=10, sigma_eps=0.0)


@pytest.mark.parametrize(
    "change,name,range_text",
    [
        (dict(sigma=0.0), "sigma", "(0, inf)"),
        (dict(sigma=-1.0), "sigma", "(0, inf)"),
        (dict(sigma=math.nan), "sigma", "finite"),
        (dict(rho=1.2), "rho", "(-1/(m-1), 1]"),
        (dict(rho=-0.25), "rho", "(-1/(m-1), 1]"),  # m = 5: boundary -0.25 excluded
        (dict(rho=math.inf), "rho", "finite"),
        (dict(m=1), "m", ">= 2"),
        (dict(m=2.5), "m", "integer"),
        (dict(n=0), "n", ">= 1"),
        (dict(reps=0), "reps", ">= 1"),
        (dict(sigma_eps=-0.1), "sigma_eps", "[0, inf)"),
    ],
)
def test_simulate_rejects(change, name, range_text):
    kw = {**OK, **change}
    with pytest.raises(ValueError) as err:
        simulate_gain(**kw)
    msg = str(err.value)
    assert msg.startswith(name + " ") and range_text in msg, msg


@pytest.mark.parametrize("kwargs,name", [(dict(s=-0.1), "s"), (dict(s=0.1, spike_prob=1.5), "spike_prob"),
                                         (dict(s=math.nan), "s")])
def test_arm_means_rejects(kwargs, name):
    with pytest.raises(ValueError, match=rf"^{name} "):
        ArmMeans(**kwargs)


def test_closed_forms_reject():
    with pytest.raises(ValueError, match=r"^sigma must be > 0"):
        gain_two_arm(0, 1, -1, 0.5)
    with pytest.raises(ValueError, match=r"^rho must lie in"):
        gain_two_arm(0, 1, 1, -1.0)  # m = 2: rho must exceed -1
    with pytest.raises(ValueError, match=r"^sigma_eps "):
        expected_gain(F, 1.0, 0.5, 4, -1.0)
    with pytest.raises(ValueError, match=r"^mu must be 3 finite arm means"):
        simulate_gain(F, 1.0, 0.5, 3, 10, 2, mu=[0, 1])
