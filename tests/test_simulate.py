"""The megastudy simulator: calibrated truth, determinism, and the default stand-ins' shape."""
import copy

import numpy as np
import pandas as pd
import pytest

from actionable.stats import simulate
from actionable.studies.datasets import load_dataset, load_truth
from actionable.paper.table2 import table2_row
from actionable.studies import simulator
from conftest import ROOT
from actionable.paper.published import TABLE2

SPECS = {s: ROOT / "data" / "simulators" / f"{s}.yaml" for s in ("walmart_like", "penn_geisinger_like")}


@pytest.mark.parametrize("study", sorted(SPECS))
@pytest.mark.simulation
def test_truth_hits_the_targets_at_reduced_n(study):
    spec = simulator.load_simulator_spec(SPECS[study], n=30_000)
    sim = simulate.simulate_megastudy(spec)
    mom = simulate.moments(sim.truth)  # recomputed from the stored truth, not the summary
    t = spec["targets"]
    assert abs(mom["sigma"] / t["sigma"] - 1) < 0.10, mom
    assert abs(mom["rho"] - t["rho"]) < 0.05, mom
    assert abs(mom["s"] - spec["arm_means"]["s"]) < 0.002, mom
    # observed outcomes follow the truth: each arm's outcome mean within 4 SE of its true mean
    arms = sim.observed["arm"].to_numpy()
    y = sim.observed[spec["outcome"]["column"]].to_numpy()
    for j, a in enumerate(sim.arms):
        sel = arms == a
        se = np.sqrt(sim.truth[sel, j].mean() * (1 - sim.truth[sel, j].mean()) / sel.sum())
        assert abs(y[sel].mean() - sim.truth[sel, j].mean()) < 4 * se
    assert sim.observed.shape[1] == 1 + len(spec["covariates"]) + 2  # id, covariates, arm, outcome


@pytest.mark.simulation
def test_penn_geisinger_shared_covariates_carry_little_heterogeneity():
    spec = simulator.load_simulator_spec(SPECS["penn_geisinger_like"], n=20_000)
    sim = simulate.simulate_megastudy(spec)
    assert 0.07 < sim.summary["sigma_shared"] < 0.11  # paper: 0.267 full, 0.089 shared only
    assert sim.summary["sigma_shared"] < 0.5 * sim.summary["sigma"]


def test_calibration_generalizes_to_other_targets():
    spec = simulator.load_simulator_spec(SPECS["walmart_like"], n=20_000)
    spec["targets"] = {"sigma": 0.15, "rho": 0.3}
    spec["arm_means"]["s"] = 0.012
    mom = simulate.moments(simulate.simulate_megastudy(spec).truth)
    assert abs(mom["sigma"] / 0.15 - 1) < 0.10 and abs(mom["rho"] - 0.3) < 0.05 and abs(mom["s"] - 0.012) < 0.002


@pytest.mark.simulation
def test_arm_specific_shape_and_spread():
    """d_a's own shape (waves, interactions) still hits the targets; arm_spread concentrates it."""
    spec = simulator.load_simulator_spec(SPECS["walmart_like"], n=20_000)
    spec["targets"] = {"sigma": 0.09, "rho": 0.6}
    spec["heterogeneity"].update(rough=0.3, frequency=4.0)
    spec["heterogeneity"]["arm_specific"] = {"interactions": 0.5, "rough": 0.4, "arm_spread": 1.0}
    sim = simulate.simulate_megastudy(spec)
    mom = simulate.moments(sim.truth)
    assert abs(mom["sigma"] / 0.09 - 1) < 0.10 and abs(mom["rho"] - 0.6) < 0.05, mom
    # each arm's deviation from the mean over arms: with arm_spread 1 its SD differs a lot between arms
    dev = (sim.truth - sim.truth.mean(axis=1, keepdims=True)).std(axis=0)
    assert dev.max() / dev.min() > 3
    spec["heterogeneity"]["arm_specific"]["arm_spread"] = 0.0
    dev0 = (lambda t: (t - t.mean(axis=1, keepdims=True)).std(axis=0))(simulate.simulate_megastudy(spec).truth)
    assert dev0.max() / dev0.min() < 2


def test_arm_specific_covariates_confine_d_a():
    """With arm_specific.covariates, each arm's deviation from the common part depends on those
    covariates alone: within a cell of them it is constant up to the logit link's scale."""
    spec = simulator.load_simulator_spec(SPECS["walmart_like"], n=20_000)
    spec["outcome"] = {"type": "continuous", "column": "y", "noise_sd": 0.5}  # identity link: exact
    spec["heterogeneity"]["arm_specific"] = {"covariates": ["female", "black"], "interactions": 0.5}
    sim = simulate.simulate_megastudy(spec)
    mom = simulate.moments(sim.truth)
    assert abs(mom["rho"] - spec["targets"]["rho"]) < 0.05, mom
    dev = sim.truth - sim.truth[:, [0]]
    cell = sim.observed["female"].astype(int) * 2 + sim.observed["black"].astype(int)
    within = pd.DataFrame(dev).groupby(cell.to_numpy()).std().to_numpy()
    assert within.max() < 1e-9 and dev.std(axis=0).max() > 1e-3


@pytest.mark.simulation
def test_waves_are_harder_to_learn_than_main_effects():
    """The same sigma from waves leaves more of the truth unexplained by a depth-3 tree ensemble."""
    from sklearn.ensemble import HistGradientBoostingRegressor

    r2 = {}
    for rough in (0.0, 0.9):
        spec = simulator.load_simulator_spec(SPECS["walmart_like"], n=20_000)
        spec["heterogeneity"].update(nonlinearity=0.05, interactions=0.05, rough=rough, frequency=6.0)
        sim = simulate.simulate_megastudy(spec)
        x = pd.get_dummies(sim.observed[[c["name"] for c in spec["covariates"]]], dtype=float).to_numpy()
        t = sim.truth[:, 0]
        fit = HistGradientBoostingRegressor(max_depth=3, max_iter=200, random_state=0).fit(x[:15_000], t[:15_000])
        r2[rough] = fit.score(x[15_000:], t[15_000:])
    assert r2[0.0] > 0.8 and r2[0.9] < r2[0.0] - 0.3, r2


def test_continuous_outcome():
    spec = simulator.load_simulator_spec(SPECS["walmart_like"], n=8_000)
    spec["outcome"] = {"type": "continuous", "column": "spend", "noise_sd": 2.0}
    spec["targets"] = {"sigma": 1.5, "rho": 0.5}
    spec["arm_means"] = {"base_rate": 20.0, "control_offset": -1.0, "s": 0.6}
    sim = simulate.simulate_megastudy(spec)
    mom = simulate.moments(sim.truth)
    assert abs(mom["sigma"] / 1.5 - 1) < 0.1 and abs(mom["rho"] - 0.5) < 0.05
    resid = sim.observed["spend"].to_numpy() - sim.truth[np.arange(8000), [sim.arms.index(a) for a in sim.observed["arm"]]]
    assert abs(resid.std() - 2.0) < 0.1


@pytest.mark.simulation
def test_same_seed_same_bytes_new_seed_new_data(tmp_path):
    spec = simulator.load_simulator_spec(SPECS["penn_geisinger_like"], n=3_000)
    a, b = simulate.simulate_megastudy(spec), simulate.simulate_megastudy(spec)
    pa, pb = tmp_path / "a.csv", tmp_path / "b.csv"
    simulator.observed_for_csv(a.observed, spec["covariates"]).to_csv(pa, index=False)
    simulator.observed_for_csv(b.observed, spec["covariates"]).to_csv(pb, index=False)
    assert pa.read_bytes() == pb.read_bytes()
    np.testing.assert_array_equal(a.truth, b.truth)
    spec["seed"] += 1
    c = simulate.simulate_megastudy(spec)
    assert not a.observed.equals(c.observed) and not np.array_equal(a.truth, c.truth)


def _write_study(spec, folder):
    sim = simulate.simulate_megastudy(spec)
    folder.mkdir(parents=True, exist_ok=True)
    simulator.write_study(sim, spec, folder)
    return sim


@pytest.mark.parametrize("study,counts", [
    ("penn_geisinger_like", TABLE2["Penn-Geisinger"]),
    ("walmart_like", TABLE2["Walmart"]),
])
@pytest.mark.simulation
def test_default_stand_ins_give_the_papers_table2(tmp_path, study, counts):
    spec = simulator.load_simulator_spec(SPECS[study])  # full size, as the default run makes it
    sim = _write_study(spec, tmp_path)
    ds = load_dataset(tmp_path / "spec.yaml", min_arm_rows=50)
    row = table2_row(ds.summary())
    assert (row["observations"], row["arms"], row["covariates_total"], row["covariates_continuous"],
            row["covariates_discrete"]) == counts
    assert ds.control == str(spec["arms"]["control"])
    truth = load_truth(ds)  # columns follow the dataset's arm order (control first)
    assert truth.shape == (counts[0], counts[1])
    np.testing.assert_allclose(truth[:, 0], sim.truth[:, spec["arms"]["control"] - 1], rtol=1e-6)
    means = truth.mean(axis=0)
    assert 0.30 <= means.max() <= 0.34  # best arm near 32% (Walmart) / 33% (Penn-Geisinger)
    assert means[0] == pytest.approx(means.min(), abs=0.004)  # control among the lowest
    if study == "walmart_like":
        assert 0.295 <= ds.frame[ds.outcome].mean() <= 0.31  # Table 4 Best Uniform 31.2 less the best arm lead


@pytest.mark.parametrize("edit,expected", [
    (lambda s: s["arms"].update(control=40), "arms.control = 40 but there are only 23 arms"),
    (lambda s: s["arms"].update(texts=["x"]), "arms.texts has 1 entries, expected one per arm (23)"),
    (lambda s: s["heterogeneity"].update(nonlinearity=0.8, interactions=0.5),
     "nonlinearity + interactions + rough must be <= 1, found 1.3"),
    (lambda s: s["heterogeneity"].update(rough=0.7), "nonlinearity + interactions + rough must be <= 1, found"),
    (lambda s: s["heterogeneity"].update(arm_specific={"rough": 0.5, "interactions": 0.6}),
     "heterogeneity.arm_specific: nonlinearity + interactions + rough + bumps + cells must be <= 1, found "),
    (lambda s: s["heterogeneity"].update(arm_specific={"bumps": 0.7, "rough": 0.4}),
     "heterogeneity.arm_specific: nonlinearity + interactions + rough + bumps + cells must be <= 1, found "),
    (lambda s: s["heterogeneity"].update(arm_specific={"arm_spread": -1}), "arm_specific.arm_spread"),
    (lambda s: s["heterogeneity"].update(arm_specific={"cells": 0.5}),
     "heterogeneity.arm_specific.cell_covariates: cells = 0.5 needs binary or categorical covariates among "
     "arm_specific.covariates, found none"),
    (lambda s: s["heterogeneity"].update(arm_specific={"cells": 0.5, "cell_covariates": ["female", "age"]}),
     "found ['age']"),
    (lambda s: s["heterogeneity"].update(arm_specific={"covariates": ["age", "black"], "cells": 0.5,
                                                       "cell_covariates": ["female"]}), "found ['female']"),
    (lambda s: s["heterogeneity"].update(arm_specific={"covariates": ["black", "shoe_size"]}),
     "heterogeneity.arm_specific.covariates names undeclared covariate(s) 'shoe_size'"),
    (lambda s: s["covariates"][0].pop("sd"), "covariate age (continuous) needs sd"),
    (lambda s: s.update(shared_covariates=["shoe_size"]), "shared_covariates names undeclared covariate 'shoe_size'"),
    (lambda s: s["targets"].update(rho=1.5), "key 'targets.rho'"),
    (lambda s: s.update(colour="red"), "'colour' was unexpected"),
    (lambda s: s["heterogeneity"].update(segments=dict(effect=0.5, arms=[dict(arm=30, covariate="age", above=60)])),
     "heterogeneity.segments.arms[0]: found arm 30 and covariate 'age'; expected an arm 1..23"),
    (lambda s: s["heterogeneity"].update(segments=dict(effect=0.5, arms=[dict(arm=2, covariate="insurance")])),
     "expected an arm 1..23 and a continuous or binary covariate"),
])
def test_bad_simulator_spec(tmp_path, edit, expected):
    import yaml
    spec = yaml.safe_load(SPECS["walmart_like"].read_text())
    edit(spec)
    path = tmp_path / "sim.yaml"
    path.write_text(yaml.safe_dump(spec))
    with pytest.raises(simulator.SimulatorSpecError) as err:
        simulator.load_simulator_spec(path)
    assert str(err.value).startswith(str(path)) and expected in str(err.value), str(err.value)


@pytest.mark.simulation
def test_bumps_are_piecewise_constant_in_their_covariate_and_off_by_default():
    """arm_specific.bumps on one continuous covariate (identity link): each arm's deviation takes
    one value inside each bump (|z - c| < 0.45 SD, c in -1.2, 0, 1.2) and one outside them all, so
    at most 4 across every age, and a per-arm linear fit in the covariate leaves most of it;
    bumps 0 is the spec without the key, byte for byte (no random draws)."""
    spec = simulator.load_simulator_spec(SPECS["walmart_like"], n=20_000)
    spec["outcome"] = {"type": "continuous", "column": "y", "noise_sd": 0.5}
    spec["heterogeneity"]["arm_specific"] = {"covariates": ["age"], "nonlinearity": 0.0, "interactions": 0.0,
                                             "bumps": 1.0}
    sim = simulate.simulate_megastudy(spec)
    dev = sim.truth - sim.truth[:, [0]]
    levels = [len(np.unique(np.round(dev[:, a], 9))) for a in range(1, dev.shape[1])]
    assert max(levels) <= 4 and min(levels) >= 2, levels
    z = sim.observed["age"].to_numpy(float)
    design = np.column_stack([np.ones(len(z)), z])
    resid = dev - design @ np.linalg.lstsq(design, dev, rcond=None)[0]
    assert resid.var(axis=0)[1:].mean() > 0.5 * dev.var(axis=0)[1:].mean()

    base = simulator.load_simulator_spec(SPECS["penn_geisinger_like"], n=5_000)
    zero = simulator.load_simulator_spec(SPECS["penn_geisinger_like"], n=5_000)
    zero["heterogeneity"]["arm_specific"]["bumps"] = 0.0
    assert np.array_equal(simulate.simulate_megastudy(base).truth, simulate.simulate_megastudy(zero).truth)


@pytest.mark.simulation
def test_cells_give_each_combination_its_own_mean_and_are_off_by_default():
    """arm_specific.cells on two binaries and a 4-level categorical (identity link): each arm's
    deviation takes one value per combination of their levels, 2 x 2 x 4 = 16 at most, and a
    per-arm linear fit in their indicators (main effects) leaves part of it; cells 0 is the spec
    without the key, byte for byte (no random draws)."""
    spec = simulator.load_simulator_spec(SPECS["walmart_like"], n=20_000)
    spec["outcome"] = {"type": "continuous", "column": "y", "noise_sd": 0.5}
    cells = ["female", "black", "insurance"]
    spec["heterogeneity"]["arm_specific"] = {"covariates": cells, "nonlinearity": 0.0, "interactions": 0.0,
                                             "cells": 1.0, "cell_covariates": cells}
    sim = simulate.simulate_megastudy(spec)
    dev = sim.truth - sim.truth[:, [0]]
    obs = sim.observed
    key = obs[cells].astype(str).agg("|".join, axis=1)
    per_cell = pd.DataFrame(np.round(dev, 9)).groupby(key.to_numpy()).nunique()
    assert len(per_cell) == 16 and (per_cell.to_numpy() == 1).all()
    assert all(len(np.unique(np.round(dev[:, a], 9))) > 8 for a in range(1, dev.shape[1]))
    design = np.column_stack([np.ones(len(obs)), obs[["female", "black"]].to_numpy(float),
                              pd.get_dummies(obs["insurance"], drop_first=True).to_numpy(float)])
    resid = dev - design @ np.linalg.lstsq(design, dev, rcond=None)[0]
    assert resid.var(axis=0)[1:].mean() > 0.2 * dev.var(axis=0)[1:].mean()

    own = simulator.load_simulator_spec(SPECS["penn_geisinger_like"], n=5_000)
    base = copy.deepcopy(own)
    for key in ("cells", "cell_covariates"):  # the stand-in's own cells off: the spec without them
        base["heterogeneity"]["arm_specific"].pop(key)
    zero = copy.deepcopy(base)
    zero["heterogeneity"]["arm_specific"].update(cells=0.0, cell_covariates=["black"])
    truth = simulate.simulate_megastudy(base).truth
    assert np.array_equal(truth, simulate.simulate_megastudy(zero).truth)
    assert not np.array_equal(truth, simulate.simulate_megastudy(own).truth)


def test_segments_concentrate_the_arm_specific_heterogeneity_in_their_arms():
    """sparse_k4: arm 3 helps the under-30s, arm 6 the over-68s, arm 9 last year's vaccinated, arm 12
    frequent visitors; the true best arm follows the segments, and the arm means still hit their
    targets. Without the key nothing changes (the stand-ins' truths are the records')."""
    spec = simulator.load_simulator_spec(ROOT / "data" / "simulators" / "sparse_k4.yaml", n=8000)
    sim = simulate.simulate_megastudy(spec)
    truth, x = sim.truth, sim.observed
    others = np.delete(truth, [2, 5, 8, 11], axis=1).mean(axis=1)
    for arm, who in ((2, x["age"] < 30), (5, x["age"] > 68), (8, x["flu_vax_last_year"] == 1),
                     (11, x["prior_visits_12m"] > 5)):
        lift = truth[:, arm] - others
        assert lift[who].mean() - lift[~who].mean() > 0.10, arm  # about +15 pp at the segment, logit 0.7
    best = truth.argmax(axis=1)
    assert np.isin(best, [2, 5, 8, 11]).mean() > 0.6
    assert truth.max(axis=1).mean() - truth.mean(axis=0).max() > 0.05  # the oracle's gain over the best arm
    bare = copy.deepcopy(spec)
    del bare["heterogeneity"]["segments"]
    plain = simulate.simulate_megastudy(bare).truth
    assert simulate.moments(plain)["rho"] > simulate.moments(truth)["rho"] + 0.03
    assert np.allclose(plain.mean(axis=0), truth.mean(axis=0), atol=0.01)  # the same arm means, segments or not
