"""On the full-size stand-ins, the paper's procedure lands near the paper's estimates (Section 5.2, 6)."""
import numpy as np
import pytest
import yaml

from actionable.stats import learners, moments
from actionable.studies.datasets import load_dataset, load_truth
from actionable.studies.split import stratified_split
from actionable.studies.study import training_matrices
from actionable.studies import simulator
from conftest import ROOT
from test_simulate import _write_study
from actionable.paper.published import MOMENTS

CONFIG = yaml.safe_load((ROOT / "config.yaml").read_text())
PAPER = {s: (MOMENTS[r]["sigma"], MOMENTS[r]["rho"]) for s, r in (("walmart_like", "Walmart"), ("penn_geisinger_like", "Penn-Geisinger"))}


def txgb_estimates(ds, split, covariates=None):
    x_tr, a_tr, y_tr, x_te, a_te, y_te, _ = training_matrices(ds, split, covariates=covariates)
    xgb = CONFIG["learners"]["xgboost"]
    yhat = np.column_stack([learners.fit_predict_tlearner_arm(x_tr[a_tr == a], y_tr[a_tr == a], x_te, xgb, True,
                                                              seed=100 + a, threads=2)[0] for a in range(len(ds.arms))])
    test = (split["set"] == "test").to_numpy()
    return moments.estimate(yhat, a_te, y_te, CONFIG["moments"]["quantile_groups"], truth=load_truth(ds)[test])


@pytest.fixture(scope="module", params=sorted(PAPER))
def stand_in(request, tmp_path_factory):
    spec = simulator.load_simulator_spec(ROOT / "data" / "simulators" / f"{request.param}.yaml")
    folder = tmp_path_factory.mktemp(request.param)
    _write_study(spec, folder)
    ds = load_dataset(folder / "spec.yaml", min_arm_rows=50)
    return request.param, ds, stratified_split(ds, 0.7, seed=11)


@pytest.mark.simulation
def test_sigma_and_rho_land_near_the_papers(stand_in):
    study, ds, split = stand_in
    est = txgb_estimates(ds, split)
    sigma, rho = PAPER[study]
    assert abs(est["sigma"] / sigma - 1) < 0.20, est["sigma"]
    assert abs(est["rho"] - rho) < 0.10, est["rho"]
    if study == "penn_geisinger_like":  # Section 6: only the covariates shared with Walmart
        shared = txgb_estimates(ds, split, covariates=ds.covariate_set("shared"))
        assert shared["sigma"] < 0.5 * est["sigma"]
        assert abs(shared["sigma"] - 0.089) < 0.03, shared["sigma"]
