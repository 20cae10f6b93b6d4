"""Section 6's model analyses: the paper-parameter mode reproduces the Original gains, Table 6's
directions follow Propositions 1-3, and Penn-Geisinger's largest elasticity is rho's."""
import numpy as np
import pytest

from actionable import paper, sensitivity

N, REPS = 5_000, 150


@pytest.fixture(scope="module")
def pub():
    mom = {k: dict(paper.MOMENTS[k], m=paper.ARMS[k]) for k in ("Penn-Geisinger", "Walmart")}
    return sensitivity.paper_parameters(paper.ORIGINAL_GAIN_PP, mom, {k: N for k in mom})


def test_solved_sigma_eps_reproduces_the_original_gains(pub):
    for study, p in pub.items():
        sim = sensitivity.simulate(p, REPS, seed=3, uniform="population")
        assert abs(sim.mean * 100 - paper.ORIGINAL_GAIN_PP[study]) < 3 * sim.se * 100, (study, sim.mean, sim.se)
    assert 0.2 < pub["Walmart"]["sigma_eps"] < pub["Penn-Geisinger"]["sigma_eps"] < 0.5


@pytest.fixture(scope="module")
def table6(pub):
    return sensitivity.elasticities(pub, REPS, seed=5, uniform="population").set_index("study")


def test_table6_penn_geisinger_gains_most_from_lower_rho(table6):
    assert table6.loc["Penn-Geisinger", "largest"] == "1% lower rho"  # the paper's finding


def test_table6_no_entry_contradicts_the_propositions(table6):
    assert (table6["contradictions"] == "none").all(), table6["contradictions"]
    for label in sensitivity.CHANGES:
        assert (table6[f"{label} change"] > 0).all(), label
        assert (table6[f"{label} change_se"] < 0.2 * table6[f"{label} change"].abs()).all(), label  # CRN precision


def test_table5_directions(pub):
    t5 = sensitivity.swaps(pub, REPS, seed=5, uniform="population").set_index("study")
    assert t5.loc["Walmart", "sigma"] > 10 * t5.loc["Walmart", "Original"]  # Penn-Geisinger's sigma transforms Walmart
    assert t5.loc["Penn-Geisinger", "rho"] > t5.loc["Penn-Geisinger", "Original"]  # Walmart's lower rho helps
    assert t5.loc["Penn-Geisinger", "sigma"] < 0.2 * t5.loc["Penn-Geisinger", "Original"]


def test_sensitivity_curves_follow_the_propositions(pub):
    p = pub["Penn-Geisinger"]
    grids = sensitivity.curve_grid(p, 5)
    curves = sensitivity.sensitivity_curves(p, REPS, seed=7, grids=grids, uniform="population")
    for name, sign in (("s", -1), ("sigma", +1), ("rho", -1), ("sigma_eps", -1)):
        g = curves[curves["parameter"] == name].sort_values("value")
        steps = np.diff(g["gain"].to_numpy()) * sign
        assert (steps > -2 * g["se"].to_numpy()[1:]).all(), (name, g)
    assert set(curves["parameter"]) == set(sensitivity.PARAMS)


def test_solve_sigma_eps_errors():
    p = dict(s=0.007, sigma=0.078, rho=0.61, m=23, n=1000)
    with pytest.raises(ValueError, match="even sigma_eps = 0"):
        sensitivity.solve_sigma_eps(0.5, p)
