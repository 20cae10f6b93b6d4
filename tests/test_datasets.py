"""Dataset specs: every kind of bad input gives an error naming the file, column and expectation."""
import copy

import numpy as np
import pandas as pd
import pytest
import yaml

from actionable.studies.datasets import DatasetError, load_dataset
from actionable.studies.split import stratified_split
from conftest import ROOT

BASE_SPEC = dict(
    name="tiny",
    data="tiny.csv",
    id="pid",
    outcome=dict(column="y", type="binary"),
    arm=dict(column="arm", control="ctrl"),
    covariates=[dict(name="age", type="continuous"), dict(name="female", type="binary"),
                dict(name="region", type="categorical")],
    assignment=dict(probabilities={"ctrl": 0.5, "a": 0.25, "b": 0.25}),
)


def base_frame(n=240, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "pid": np.arange(n), "arm": rng.choice(["ctrl", "a", "b"], n, p=[0.5, 0.25, 0.25]),
        "y": rng.integers(0, 2, n), "age": rng.normal(40, 10, n).round(),
        "female": rng.integers(0, 2, n), "region": rng.choice(["north", "south"], n),
    })


def write(tmp_path, spec=None, frame=None):
    spec = copy.deepcopy(BASE_SPEC) if spec is None else spec
    (frame if frame is not None else base_frame()).to_csv(tmp_path / "tiny.csv", index=False)
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(spec))
    return tmp_path / "spec.yaml"


def fails(tmp_path, spec=None, frame=None, min_arm_rows=10, *expected):
    with pytest.raises(DatasetError) as err:
        load_dataset(write(tmp_path, spec, frame), min_arm_rows=min_arm_rows)
    msg = str(err.value)
    for text in expected:
        assert text in msg, msg
    return msg


def test_valid_tiny_dataset(tmp_path):
    ds = load_dataset(write(tmp_path), min_arm_rows=10)
    assert ds.arms == ["ctrl", "a", "b"] and ds.control == "ctrl"
    assert ds.propensity == {"ctrl": 0.5, "a": 0.25, "b": 0.25}
    assert ds.summary()["covariates_discrete"] == 2


def test_missing_data_file(tmp_path):
    spec = copy.deepcopy(BASE_SPEC)
    spec["data"] = "nowhere.csv"
    fails(tmp_path, spec, None, 10, "spec.yaml", "nowhere.csv", "does not exist")


def test_unreadable_data_file(tmp_path):
    spec = copy.deepcopy(BASE_SPEC)
    spec["data"] = "folder.csv"
    (tmp_path / "folder.csv").mkdir()
    fails(tmp_path, spec, None, 10, "folder.csv", "cannot read as csv")


def test_unreadable_spec(tmp_path):
    with pytest.raises(DatasetError, match="cannot read file"):
        load_dataset(tmp_path / "missing.yaml")
    (tmp_path / "bad.yaml").write_text("name: [unclosed\n")
    with pytest.raises(DatasetError, match="bad.yaml: not valid YAML"):
        load_dataset(tmp_path / "bad.yaml")


def test_unknown_spec_key(tmp_path):
    spec = copy.deepcopy(BASE_SPEC)
    spec["outcomes"] = spec.pop("outcome")
    fails(tmp_path, spec, None, 10, "spec.yaml: invalid dataset spec", "'outcomes' was unexpected",
          "'outcome' is a required property")


@pytest.mark.parametrize("column,role", [("y", "outcome"), ("arm", "arm"), ("region", "covariate")])
def test_missing_declared_column(tmp_path, column, role):
    fails(tmp_path, None, base_frame().drop(columns=column), 10, "tiny.csv", f"missing column(s) '{column}'",
          "declared in the spec")


def test_non_numeric_outcome(tmp_path):
    f = base_frame().astype({"y": object})
    f.loc[3, "y"] = "yes"
    fails(tmp_path, None, f, 10, "tiny.csv", "outcome column 'y' must be numeric", "'yes'")


def test_missing_outcome(tmp_path):
    f = base_frame().astype({"y": float})
    f.loc[[1, 5], "y"] = np.nan
    fails(tmp_path, None, f, 10, "tiny.csv", "outcome column 'y' has 2 missing value(s)")


def test_binary_outcome_other_values(tmp_path):
    f = base_frame()
    f.loc[0, "y"] = 2
    fails(tmp_path, None, f, 10, "tiny.csv", "outcome column 'y' is declared binary", "[2.0]")


def test_control_absent(tmp_path):
    spec = copy.deepcopy(BASE_SPEC)
    spec["arm"]["control"] = "placebo"
    fails(tmp_path, spec, None, 10, "tiny.csv", "control arm 'placebo'", "arm.control", "arms found: a, b, ctrl")


def test_fewer_than_two_arms(tmp_path):
    f = base_frame()
    f["arm"] = "ctrl"
    spec = copy.deepcopy(BASE_SPEC)
    spec["assignment"]["probabilities"] = "equal"
    fails(tmp_path, spec, f, 10, "tiny.csv", "has 1 arm", "at least 2")


def test_arm_below_minimum_rows(tmp_path):
    fails(tmp_path, None, None, 100, "tiny.csv", "fewer than 100 rows", "data.min_arm_rows", "'a' (")


@pytest.mark.parametrize("probs,expected", [
    ({"ctrl": 0.5, "a": 0.5}, "does not cover arm(s) 'b'"),
    ({"ctrl": 0.5, "a": 0.5, "b": 0.0}, "must be > 0"),
    ({"ctrl": 0.5, "a": 0.25, "b": 0.3}, "sum to 1.05, off by +0.05, more than the rounding tolerance 0.001"),
    ({"ctrl": 0.5, "a": 0.25, "b": 0.26}, "sum to 1.01, off by +0.01, more than the rounding tolerance 0.001. "
     "Write exact values as fractions (e.g. '1/4', '3/44'), or give some arms and let the rest share equally: "
     "{ctrl: 0.25, others: equal}"),
    ({"ctrl": "1/2", "a": "1/4", "b": "one quarter"}, "assignment.probabilities.b must be a number or a fraction"),
    ({"ctrl": 0.5, "others": "rest"}, "assignment.probabilities.others must be 'equal'"),
    ({"ctrl": 0.5, "a": 0.5, "others": "equal"}, "'others: equal' leaves 0 to share among 1 arm(s)"),
    ({"ctrl": 0.5, "a": 0.25, "b": 0.2, "c": 0.05}, "names arm(s) 'c' absent"),
])
def test_bad_assignment_probabilities(tmp_path, probs, expected):
    spec = copy.deepcopy(BASE_SPEC)
    spec["assignment"]["probabilities"] = probs
    fails(tmp_path, spec, None, 10, "spec.yaml", "assignment.probabilities", expected)


@pytest.mark.parametrize("probs", [
    {"ctrl": "1/2", "a": "1/4", "b": "1/4"},
    {"ctrl": 0.5, "others": "equal"},
    {"ctrl": "2/4", "a": " 1 / 4 ", "others": "equal"},
])
def test_exact_fractions_and_others_equal(tmp_path, probs):
    """Designs written exactly: fractions as text, and 'others: equal' for the arms not named."""
    spec = copy.deepcopy(BASE_SPEC)
    spec["assignment"]["probabilities"] = probs
    ds = load_dataset(write(tmp_path, spec), min_arm_rows=10)
    assert ds.propensity == {"ctrl": 0.5, "a": 0.25, "b": 0.25}  # exactly: 1/4 and (1 - 1/2) / 2 are binary fractions
    assert ds.summary()["propensity_declared"] == probs and not [w for w in ds.warnings if "probabilities" in w]


def test_a_rounded_sum_is_renormalized_and_both_are_recorded(tmp_path):
    """Six-decimal shares of a 1/4-and-equal design sum to 1.000002: accepted within 1e-3, divided by
    the sum, and the declared and the used values both in the summary and its warnings (the report)."""
    spec = copy.deepcopy(BASE_SPEC)
    spec["assignment"]["probabilities"] = {"ctrl": 0.500001, "a": 0.250001, "b": 0.25}
    ds = load_dataset(write(tmp_path, spec), min_arm_rows=10)
    total = 1.000002
    assert ds.propensity == pytest.approx({"ctrl": 0.500001 / total, "a": 0.250001 / total, "b": 0.25 / total}, abs=1e-15)
    assert sum(ds.propensity.values()) == pytest.approx(1.0, abs=1e-15)
    summary = ds.summary()
    assert summary["propensity_declared"] == {"ctrl": 0.500001, "a": 0.250001, "b": 0.25}
    assert [w for w in summary["warnings"] if "probabilities" in w] == [
        "assignment.probabilities sum to 1.000002 (within the rounding tolerance 0.001); IPW uses them divided by "
        "that sum: declared ctrl 0.500001, a 0.250001, b 0.25; used ctrl 0.5, a 0.2500005, b 0.2499995"]
    # exact numbers are kept as written, with nothing extra in the summary
    spec["assignment"]["probabilities"] = {"ctrl": 0.5, "a": 0.25, "b": 0.25}
    exact = load_dataset(write(tmp_path, spec), min_arm_rows=10).summary()
    assert "propensity_declared" not in exact and not [w for w in exact["warnings"] if "probabilities" in w]


def test_probabilities_per_block_take_fractions_too(tmp_path):
    spec = copy.deepcopy(BASE_SPEC)
    spec["assignment"] = dict(block="region", probabilities={"north": {"ctrl": "1/2", "others": "equal"},
                                                             "south": {"ctrl": 0.5, "a": 0.25, "b": 0.25}})
    ds = load_dataset(write(tmp_path, spec), min_arm_rows=10)
    assert np.allclose(ds.propensity_matrix(), [0.5, 0.25, 0.25])


def test_estimated_and_equal_probabilities(tmp_path):
    spec = copy.deepcopy(BASE_SPEC)
    spec["assignment"]["probabilities"] = "estimate"
    ds = load_dataset(write(tmp_path, spec), min_arm_rows=10)
    shares = ds.frame["arm"].value_counts(normalize=True)
    assert all(ds.propensity[a] == pytest.approx(shares[a]) for a in ds.arms)


def test_continuous_covariate_not_numeric(tmp_path):
    f = base_frame().astype({"age": object})
    f.loc[7, "age"] = "forty"
    fails(tmp_path, None, f, 10, "tiny.csv", "covariate 'age' is declared continuous but is not numeric", "'forty'")


def test_binary_covariate_other_values(tmp_path):
    f = base_frame()
    f.loc[0, "female"] = 3
    fails(tmp_path, None, f, 10, "tiny.csv", "covariate 'female' is declared binary")


def test_constant_covariate(tmp_path):
    f = base_frame()
    f["region"] = "north"
    fails(tmp_path, None, f, 10, "tiny.csv", "covariate 'region' is constant")


def test_duplicate_ids(tmp_path):
    f = base_frame()
    f.loc[10, "pid"] = 3
    fails(tmp_path, None, f, 10, "tiny.csv", "id column 'pid' has 1 duplicate id(s)", "must be unique")


def test_missing_covariate_values_are_allowed(tmp_path):
    f = base_frame().astype({"age": float, "region": object})
    f.loc[[0, 1], "age"] = np.nan
    f.loc[[2], "region"] = None
    ds = load_dataset(write(tmp_path, None, f), min_arm_rows=10)
    assert ds.summary()["missing_covariate_values"] == {"age": 2, "female": 0, "region": 1}


def test_study_too_small_to_split(tmp_path):
    f = base_frame(n=12, seed=3)
    f["arm"] = ["ctrl"] * 6 + ["a"] * 5 + ["b"]
    ds = load_dataset(write(tmp_path, None, f), min_arm_rows=1)
    with pytest.raises(DatasetError, match=r"tiny.csv: study too small to split: arm 'b' has 1 row"):
        stratified_split(ds, 0.7, seed=1)


def test_split_is_stratified_seeded_and_exact():
    ds = load_dataset(ROOT / "data" / "example_shop" / "spec.yaml", min_arm_rows=50)
    a = stratified_split(ds, 0.7, seed=5)
    b = stratified_split(ds, 0.7, seed=5)
    c = stratified_split(ds, 0.7, seed=6)
    pd.testing.assert_frame_equal(a, b)
    assert not a["set"].equals(c["set"])
    share = (a["set"] == "train").groupby(a["arm"]).mean()
    assert ((share - 0.7).abs() <= 0.005).all(), share  # within half a percentage point
    assert list(a["id"][:3]) == ["C00001", "C00002", "C00003"]


def test_example_shop_spec_loads_as_declared():
    ds = load_dataset(ROOT / "data" / "example_shop" / "spec.yaml", min_arm_rows=50)
    assert ds.arms == ["control", "discount_10", "free_shipping", "scarcity"]
    assert not ds.binary and ds.propensity["control"] == 0.4
    assert ds.frame["region"].dtype == object and ds.frame["region"].isna().sum() > 0
    assert ds.arm_labels["scarcity"] == "Only a few left"


def test_hdf5_columnar_format_reads_like_csv(tmp_path):
    pytest.importorskip("tables")
    src = ROOT / "data" / "example_shop"
    frame = pd.read_csv(src / "example_shop.csv")
    frame.to_hdf(tmp_path / "shop.h5", key="data", format="table")
    spec = yaml.safe_load((src / "spec.yaml").read_text())
    spec["data"] = "shop.h5"
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(spec))
    from_h5 = load_dataset(tmp_path / "spec.yaml", min_arm_rows=50)
    from_csv = load_dataset(src / "spec.yaml", min_arm_rows=50)
    pd.testing.assert_frame_equal(from_h5.frame.reset_index(drop=True), from_csv.frame, check_dtype=False)
    assert from_h5.propensity == from_csv.propensity


def test_stata_dta_reads_like_csv(tmp_path):
    src = ROOT / "data" / "example_shop"
    frame = pd.read_csv(src / "example_shop.csv")
    frame.to_stata(tmp_path / "shop.dta", write_index=False)  # Stata keeps a missing region as ""
    spec = yaml.safe_load((src / "spec.yaml").read_text())
    spec["data"] = "shop.dta"
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(spec))
    from_dta = load_dataset(tmp_path / "spec.yaml", min_arm_rows=50)
    from_csv = load_dataset(src / "spec.yaml", min_arm_rows=50)
    pd.testing.assert_frame_equal(from_dta.frame, from_csv.frame, check_dtype=False)
    assert from_dta.frame["region"].isna().sum() == from_csv.frame["region"].isna().sum() > 0
    # a file that is not Stata: one line naming the file and the format
    (tmp_path / "bad.dta").write_text("a,b\n1,2\n")
    spec["data"] = "bad.dta"
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(spec))
    with pytest.raises(DatasetError, match=r"bad.dta: cannot read as stata .*Stata \(save\)"):
        load_dataset(tmp_path / "spec.yaml")


def test_parquet_needs_pyarrow_or_reads_like_csv(tmp_path):
    src = ROOT / "data" / "example_shop"
    spec = yaml.safe_load((src / "spec.yaml").read_text())
    spec["data"] = "shop.parquet"
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(spec))
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        (tmp_path / "shop.parquet").write_bytes(b"PAR1")
        with pytest.raises(DatasetError, match=r"shop.parquet: Parquet input needs the pyarrow package"):
            load_dataset(tmp_path / "spec.yaml")
        return
    pd.read_csv(src / "example_shop.csv").to_parquet(tmp_path / "shop.parquet")
    pd.testing.assert_frame_equal(load_dataset(tmp_path / "spec.yaml").frame, load_dataset(src / "spec.yaml").frame)


def test_gzipped_csv_reads_like_csv(tmp_path):
    src = ROOT / "data" / "example_shop"
    pd.read_csv(src / "example_shop.csv").to_csv(tmp_path / "shop.csv.gz", index=False)
    spec = yaml.safe_load((src / "spec.yaml").read_text())
    spec["data"] = "shop.csv.gz"
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(spec))
    pd.testing.assert_frame_equal(load_dataset(tmp_path / "spec.yaml").frame, load_dataset(src / "spec.yaml").frame)


# ---- inputs that used to pass and give wrong numbers without a word
def test_duplicate_column_names_are_refused(tmp_path):
    # pandas would rename the second 'y' to 'y.1' and read the first: a junk column as the outcome
    frame = base_frame()
    frame.insert(1, "junk", 0)
    write(tmp_path, None, frame)
    text = (tmp_path / "tiny.csv").read_text().replace("junk", "y", 1)
    (tmp_path / "tiny.csv").write_text(text)
    with pytest.raises(DatasetError) as err:
        load_dataset(tmp_path / "spec.yaml", min_arm_rows=10)
    assert "tiny.csv" in str(err.value) and "'y' (columns 2, 4)" in str(err.value)


@pytest.mark.parametrize("value,expected", [(np.inf, "infinite values"), (1e308, "too large to compute")])
def test_covariates_must_be_finite_and_computable(tmp_path, value, expected):
    frame = base_frame()
    frame.loc[3, "age"] = value
    fails(tmp_path, None, frame, 10, "tiny.csv", "'age'", expected)


def test_constant_outcome_is_refused(tmp_path):
    frame = base_frame()
    frame["y"] = 0
    fails(tmp_path, None, frame, 10, "tiny.csv", "outcome column 'y'", "same value (0) in every row")


def test_case_variant_arm_labels_are_refused(tmp_path):
    spec = copy.deepcopy(BASE_SPEC)
    spec["assignment"] = dict(probabilities="estimate")
    frame = base_frame()
    frame.loc[frame.index[:5], "arm"] = "Ctrl "
    fails(tmp_path, spec, frame, 1, "tiny.csv", "differ only in case", "'Ctrl ' (5 rows) vs 'ctrl'")


def test_declared_probabilities_must_match_the_arm_shares(tmp_path):
    spec = copy.deepcopy(BASE_SPEC)
    frame = base_frame(n=2000)
    keep = (frame["arm"] != "b") | (np.arange(len(frame)) % 50 == 0)  # b keeps ~10 of ~500 rows
    msg = fails(tmp_path, spec, frame[keep], 5, "spec.yaml", "assignment.probabilities disagree", "'b' declared 0.25")
    assert "probabilities: estimate" in msg
    # the same shares within sampling noise pass
    load_dataset(write(tmp_path, spec, base_frame(n=2000)), min_arm_rows=10)


def test_duplicate_yaml_keys_in_a_spec(tmp_path):
    write(tmp_path)
    text = (tmp_path / "spec.yaml").read_text()
    (tmp_path / "spec.yaml").write_text(text + "name: tiny2\n")
    with pytest.raises(DatasetError, match=r"spec.yaml: key 'name' appears twice \(lines \d+ and \d+\)"):
        load_dataset(tmp_path / "spec.yaml", min_arm_rows=10)


def test_json_outputs_are_valid_json(tmp_path):
    import json

    from actionable.studies.io import write_json

    write_json(dict(a=float("nan"), b=[1.0, float("inf")], c=np.float64(2.5), d=np.array([np.nan, 1])), tmp_path / "x.json")
    text = (tmp_path / "x.json").read_text()
    assert "NaN" not in text and "Infinity" not in text
    assert json.loads(text) == dict(a=None, b=[1.0, None], c=2.5, d=[None, 1.0])


def test_odd_but_legitimate_data_gives_warnings_not_errors(tmp_path):
    # rare arms, shares 3-6 binomial SDs off the declared design, a categorical near saturation
    frame = base_frame(n=2000)
    ds = load_dataset(write(tmp_path, None, frame), min_arm_rows=10)
    assert not [w for w in ds.warnings if "fewer than 300" in w], ds.warnings
    small = load_dataset(write(tmp_path, None, base_frame()), min_arm_rows=10)  # 240 rows: every arm is rare
    assert sum("fewer than 300" in w for w in small.warnings) == 3 and small.summary()["warnings"] == small.warnings
    # b declared 0.25 of 2,000 (500 expected, SD 19.4): 420 rows is 4.1 SDs off
    rows = np.flatnonzero(frame["arm"] == "b")
    shifted = frame.copy()
    shifted.loc[rows[: len(rows) - 420], "arm"] = "ctrl"
    ds = load_dataset(write(tmp_path, None, shifted), min_arm_rows=10)
    assert any("unusually far from the declared probabilities" in w and "'b' declared 0.25" in w for w in ds.warnings), ds.warnings
    # 60 regions for arms of ~500 rows: close to saturated, not refused
    many = frame.assign(region=[f"r{i % 60}" for i in range(len(frame))])
    ds = load_dataset(write(tmp_path, None, many), min_arm_rows=10)
    assert any("'region' has 60 levels" in w for w in ds.warnings), ds.warnings
