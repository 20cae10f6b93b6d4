"""Acting on the answer: the policy tree as rules that reproduce its arms, applied to new people
after the study's own checks; and, on a finished run, export and apply agree person by person."""
import json

import numpy as np
import pandas as pd
import pytest

from actionable.app import policy
from actionable.app.cli import main
from actionable.stats import policy_tree
from actionable.stats.features import FeatureEncoder
from actionable.studies.datasets import Dataset, DatasetError

COVARIATES = [dict(name="age", type="continuous"), dict(name="member", type="binary"),
              dict(name="region", type="categorical")]
ARMS = ["control", "a", "b"]
SETTINGS = dict(backend="exact", depth=2, bins=10, min_node_size=1, split_step=1, train_rows=None)


def people(n, seed, missing=True):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"pid": [f"P{i:05d}" for i in rng.permutation(n)], "age": rng.normal(45, 12, n).round(1),
                          "member": rng.integers(0, 2, n).astype(float),
                          "region": rng.choice(["north", "south", "east"], n).astype(object)})
    if missing:
        frame.loc[rng.choice(n, n // 20, replace=False), "age"] = np.nan
    return frame


def fitted(n=3000, seed=0):
    """A depth-2 tree on scores planted in age, membership and region, and its record."""
    frame = people(n, seed)
    enc = FeatureEncoder(COVARIATES).fit(frame)
    x = enc.transform(frame)
    age, member, north = np.nan_to_num(x[:, 0], nan=45.0), x[:, 1], frame["region"].eq("north").to_numpy()
    gamma = np.column_stack([np.zeros(n), (age > 50) * 1.0 - 0.4, member * north * 1.5 - 0.5])
    gamma += np.random.default_rng(seed + 1).normal(0, 0.3, gamma.shape)
    continuous = np.array([f == "age" for f in enc.names])
    fit = policy_tree.fit(x, gamma, x, continuous, SETTINGS, 0, names=enc.names, arms=ARMS)
    ds = Dataset(name="shop", spec=dict(id="pid"), spec_path="spec.yaml", data_path="d.csv", frame=frame, arms=ARMS,
                 control="control", propensity={}, covariates=COVARIATES, arm_labels={"b": "members in the north"})
    return frame, fit, json.loads(json.dumps(policy.tree_record(fit, x, enc, ds, SETTINGS)))


def test_the_rules_reproduce_the_trees_arms_and_read_as_conditions():
    frame, fit, record = fitted()
    arms, notes = policy.apply_tree(record, frame.copy())
    assert np.array_equal(arms, fit["policy"]) and len(np.unique(arms)) == 3
    assert notes == [f"{frame['age'].isna().sum()} person(s) without age: placed at the training median "
                     f"{np.nanmedian(frame['age']):.6g}"]
    text = policy.rules_markdown(record)
    assert "region is not north and age > " in text and "| region is north and member = 1 | b (members in the north) |" in text
    leaves = [line for line in text.splitlines() if line.startswith("| ") and "who" not in line]
    assert sum(int(line.rsplit("|", 2)[1].replace(",", "")) for line in leaves) == len(frame)  # every person once


def test_policytree_arrays_become_the_same_tree():
    """policytree's _tree_array (1-based columns and actions, -1 for a leaf) as this package's Tree."""
    array = np.array([[1, 1.3, 2, 3], [2, -0.6, 4, 5], [2, 1.0, 6, 7],
                      [-1, 1, 0, 0], [-1, 3, 0, 0], [-1, 2, 0, 0], [-1, 1, 0, 0]], dtype=float)
    x = np.array([[1.3, -0.6], [1.3, -0.5], [1.31, 1.0], [1.31, 1.01]])
    assert policy_tree.tree_from_array(array).predict(x).tolist() == [0, 2, 1, 0]


@pytest.mark.parametrize("edit,expected", [
    (lambda f: f.drop(columns="region"), "missing column(s) 'region' declared in the spec"),
    (lambda f: f.assign(region=f["region"].where(f.index != 3, "west")),
     "covariate 'region' has 1 category the study's training data did not have ('west'; 1 row(s))"),
    (lambda f: f.assign(age=f["age"].astype(object).where(f.index != 2, "forty")),
     "covariate 'age' is declared continuous but is not numeric (e.g. 'forty')"),
    (lambda f: f.assign(pid=f["pid"].where(f.index != 4, f["pid"].iloc[0])), "id column 'pid' has 1 duplicate id(s)"),
    (lambda f: f.assign(member=f["member"].where(f.index != 1, 2)),
     "covariate 'member' is declared binary but has values other than 0/1"),
])
def test_new_people_are_checked_before_anything_is_written(tmp_path, capsys, edit, expected):
    _, _, record = fitted()
    (tmp_path / "policies" / "shop").mkdir(parents=True)
    (tmp_path / "policies" / "shop" / "rules.json").write_text(json.dumps(record))
    new = people(40, 7, missing=False)
    new.to_csv(tmp_path / "good.csv", index=False)
    assert main(["policy", "apply", "--study", "shop", "--results", str(tmp_path), "--data",
                 str(tmp_path / "good.csv"), "-o", str(tmp_path / "good_arms.csv")]) == 0
    out = pd.read_csv(tmp_path / "good_arms.csv")
    assert list(out.columns) == ["pid", "method", "arm", "arm_label"] and len(out) == 40 and set(out["arm"]) <= set(ARMS)
    edit(new).to_csv(tmp_path / "new.csv", index=False)
    assert main(["policy", "apply", "--study", "shop", "--results", str(tmp_path), "--data", str(tmp_path / "new.csv"),
                 "-o", str(tmp_path / "arms.csv")]) == 2
    err = capsys.readouterr().err
    assert expected in err and str(tmp_path / "new.csv") in err and err.count("\n") == 1
    assert not (tmp_path / "arms.csv").exists()


def test_a_constant_covariate_among_new_people_is_fine():
    """One new person, or a cohort from one region, is legitimate input for a fitted policy."""
    frame, fit, record = fitted()
    one = frame.iloc[[5]].copy()
    arms, _ = policy.apply_tree(record, one)
    assert arms.tolist() == [fit["policy"][5]]


@pytest.mark.workflow
def test_apply_on_the_holdout_reproduces_the_exported_arms(small_run, tmp_path):
    """The fitted tree and forest, applied to the holdout people's rows as a new file, give each of
    them the arm the run exported for PT-CF and MACF."""
    from conftest import ROOT
    spec = ROOT / "data" / "example_shop" / "spec.yaml"
    data = pd.read_csv(spec.parent / "example_shop.csv")
    split = pd.read_csv(small_run / "data" / "example_shop" / "split.csv")
    data[(split["set"] == "test").to_numpy()].to_csv(tmp_path / "holdout.csv", index=False)
    exported = pd.read_csv(small_run / "policies" / "example_shop" / "assignments.csv", dtype={"arm": str})
    assert set(exported["method"]) == {"Best Uniform", "OLS", "S-XGB", "T-XGB", "MACF", "PT-CF"}
    tau = np.load(small_run / "forests" / "example_shop" / "macf" / "tau.npy")
    record = json.loads((small_run / "policies" / "example_shop" / "rules.json").read_text())
    macf = exported[exported["method"] == "MACF"]
    assert (macf["arm"].to_numpy() == np.asarray(record["arms"])[tau.argmax(axis=1)]).all()
    for method in ("PT-CF", "MACF"):
        out = tmp_path / f"{method}.csv"
        assert main(["policy", "apply", "--study", "example_shop", "--results", str(small_run), "--data",
                     str(tmp_path / "holdout.csv"), "--method", method, "-o", str(out)]) == 0
        mine = pd.read_csv(out, dtype={"arm": str}).set_index("customer_id")["arm"]
        theirs = exported[exported["method"] == method].set_index("customer_id")["arm"]
        assert len(mine) == len(theirs) == (split["set"] == "test").sum()
        assert mine.loc[theirs.index].equals(theirs), method
