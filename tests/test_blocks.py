"""Designs beyond one probability per arm: randomization within blocks and per-row probabilities
reach IPW, AIPW and the forest's W.hat, and fix the bias one probability per arm would leave."""
import numpy as np
import pandas as pd
import pytest
import yaml

from actionable.stats import evaluation
from actionable.studies.datasets import DatasetError, load_dataset, load_truth
from conftest import ROOT, run_snakemake

pytestmark = pytest.mark.workflow

SPEC = ROOT / "data" / "example_blocks" / "spec.yaml"


def test_block_probabilities_remove_the_bias_of_one_probability_per_arm():
    ds = load_dataset(SPEC)
    e = ds.propensity_matrix()
    school = ds.frame["school"].str[1:].astype(int).to_numpy()
    assert ds.design == "blocks" and np.allclose(e[school <= 3], [0.7, 0.15, 0.15]) and np.allclose(e[school > 3], [0.2, 0.4, 0.4])
    arm, y, truth = ds.arm_indices(), ds.frame[ds.outcome].to_numpy(float), load_truth(ds)
    n = len(y)
    policies = {"control": np.zeros(n, int), "mentor": np.ones(n, int), "tutor": np.full(n, 2),
                "best": np.argmax(truth, axis=1)}
    blocks = {r["policy"]: r for r in evaluation.evaluate(policies, arm, y, e, 400, 1, "control", truth=truth)}
    fixed = {r["policy"]: r for r in evaluation.evaluate(policies, arm, y, np.array(list(ds.propensity.values())), 400, 1,
                                                           "control", truth=truth)}
    for k in policies:
        assert abs(blocks[k]["ipw"] - blocks[k]["oracle"]) < 2 * blocks[k]["ipw_se"], (k, blocks[k])
        assert abs(blocks[k]["hajek"] - blocks[k]["oracle"]) < 2 * blocks[k]["hajek_se"], (k, blocks[k])
    # one probability per arm: control looks worse and treatment better than they are, far beyond the noise
    assert fixed["control"]["hajek"] - fixed["control"]["oracle"] < -4 * fixed["control"]["hajek_se"]
    assert fixed["mentor"]["hajek"] - fixed["mentor"]["oracle"] > 4 * fixed["mentor"]["hajek_se"]


def _spec(tmp_path, **assignment):
    spec = yaml.safe_load(SPEC.read_text())
    spec["data"] = str(SPEC.parent / "example_blocks.csv")
    spec.pop("truth")
    spec["assignment"] = assignment
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(spec))
    return tmp_path / "spec.yaml"


def test_estimated_within_blocks_and_probability_columns(tmp_path):
    ds = load_dataset(_spec(tmp_path, block="school", probabilities="estimate"))
    e = ds.propensity_matrix()
    for s, g in ds.frame.groupby("school"):
        shares = g["program"].value_counts(normalize=True)
        assert np.allclose(e[(ds.frame["school"] == s).to_numpy()][0], [shares[a] for a in ds.arms])
    frame = pd.read_csv(SPEC.parent / "example_blocks.csv")
    declared = load_dataset(SPEC).propensity_matrix()
    for j, a in enumerate(["control", "mentor", "tutor"]):
        frame[f"p_{a}"] = declared[:, j]
    frame.to_csv(tmp_path / "with_p.csv", index=False)
    spec = yaml.safe_load(_spec(tmp_path, probability_columns={a: f"p_{a}" for a in ["control", "mentor", "tutor"]}).read_text())
    spec["data"] = str(tmp_path / "with_p.csv")
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(spec))
    ds = load_dataset(tmp_path / "spec.yaml")
    assert ds.design == "columns" and np.array_equal(ds.propensity_matrix(), declared)
    frame.loc[7, "p_mentor"] = 0.5  # row 8 now sums to 1.1
    frame.to_csv(tmp_path / "with_p.csv", index=False)
    with pytest.raises(DatasetError, match=r"must sum to 1 in every row; 1 row\(s\) do not, e.g. data row 8 sums to 1.1"):
        load_dataset(tmp_path / "spec.yaml")


@pytest.mark.parametrize("assignment, message", [
    (dict(block="school", probabilities={"S1": {"control": 0.7, "mentor": 0.15, "tutor": 0.15}}),
     r"assignment.probabilities has no entry for block 'S2' of column 'school'"),
    (dict(block="school", probabilities={f"S{i}": {"control": 0.5, "mentor": 0.5, "tutor": 0.0} for i in range(1, 7)}),
     r"assignment.probabilities.S1 must be > 0 for every arm"),
    (dict(block="school", probabilities={f"S{i}": {"control": 0.9, "mentor": 0.05, "tutor": 0.05} for i in range(1, 7)}),
     r"disagree with the arm shares in .*example_blocks.csv, block school='S1' beyond 6 binomial SDs"),
    (dict(probabilities={f"S{i}": {"control": 0.7, "mentor": 0.15, "tutor": 0.15} for i in range(1, 7)}),
     r"gives probabilities per block; name the block column in assignment.block"),
    (dict(block="town", probabilities="estimate"), r"missing column\(s\) 'town'"),
])
def test_bad_designs_are_named(tmp_path, assignment, message):
    with pytest.raises(DatasetError, match=message):
        load_dataset(_spec(tmp_path, **assignment))


def test_blocked_study_runs_end_to_end_and_ipw_recovers_the_truth(tmp_path):
    cfg = yaml.safe_load((ROOT / ".test" / "config.yaml").read_text())
    cfg["studies"] = [{"name": "example_blocks", "spec": str(SPEC)}]
    cfg["moments"]["overlap"] = []
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(cfg))
    res = run_snakemake("results/evaluation/example_blocks/policies.csv", "--cores", 2, "-d", tmp_path / "work",
                        "--configfile", tmp_path / "config.yaml", timeout=1200)
    assert res.returncode == 0, res.stderr[-3000:]
    ev = pd.read_csv(tmp_path / "work" / "results" / "evaluation" / "example_blocks" / "policies.csv").set_index("policy")
    best = ev.loc["Best Uniform"]  # a known policy: one arm for everyone
    assert abs(best["ipw"] - best["oracle"]) < 2 * best["ipw_se"], best
    assert ((ev["ipw"] - ev["oracle"]).abs() < 3 * ev["ipw_se"]).all(), ev[["ipw", "ipw_se", "oracle"]]
    assert ((ev["hajek"] - ev["oracle"]).abs() < 3 * ev["hajek_se"]).all(), ev[["hajek", "hajek_se", "oracle"]]
