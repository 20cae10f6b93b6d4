"""Config validation: a bad value stops everything with a message naming the key."""
import copy

import pytest
import yaml

from actionable.studies.config import ConfigError, load_config, validate_config
from conftest import ROOT, run_snakemake


@pytest.fixture
def config():
    with open(ROOT / "config.yaml") as fh:
        return yaml.safe_load(fh)


def test_default_config_is_valid(config):
    out = validate_config(copy.deepcopy(config))
    assert out["monte_carlo"]["chunk_mb"] == 128


@pytest.mark.parametrize(
    "path,value,key,expected",
    [
        (["theory", "figure6", "sigma"], -1, "theory.figure6.sigma", "minimum of 0"),
        (["theory", "figure6", "rho"], [0.5, 1.5], "theory.figure6.rho[1]", "maximum of 1"),
        (["theory", "figure6", "arms"], [1, 2, 3], "theory.figure6.arms[0]", "minimum of 2"),
        (["theory", "figure6", "uniform"], "both", "theory.figure6.uniform", "is not one of"),
        (["theory", "figure6", "cases", "d", "spike_prob"], 1.0, "theory.figure6.cases.d.spike_prob", "pi of Eq. 8"),
        (["theory", "table1", "n"], "many", "theory.table1.n", "is not of type 'integer'"),
        (["seed"], -3, "seed", "minimum of 0"),
        (["our_model", "n"], 0, "our_model.n", "minimum of 1"),
        (["our_model", "n"], 999.5, "our_model.n", "is not of type 'integer'"),
        (["our_model", "uniform"], "infinite", "our_model.uniform", "is not one of"),
        (["sensitivity", "n"], -5, "sensitivity.n", "minimum of 1"),
        (["sensitivity", "n"], "1000", "sensitivity.n", "is not of type 'integer'"),
        (["sensitivity", "uniform"], "Sample", "sensitivity.uniform", "is not one of"),
        (["sensitivity", "paper_sigma_eps"], "fitted", "sensitivity.paper_sigma_eps", "is not one of"),
        # JSON schema's bounds never reject NaN (every comparison with it is false)
        (["learners", "xgboost", "eta"], float("nan"), "learners.xgboost.eta", "found nan, expected a finite number"),
        (["learners", "xgboost", "min_child_weight"], float("nan"), "learners.xgboost.min_child_weight",
         "found nan, expected a finite number"),
        (["data", "train_share"], float("nan"), "data.train_share", "found nan, expected a finite number"),
        (["monte_carlo", "chunk_mb"], float("inf"), "monte_carlo.chunk_mb", "found inf, expected a finite number"),
    ],
)
def test_bad_values_name_the_key(config, path, value, key, expected):
    node = config
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value
    with pytest.raises(ConfigError) as err:
        validate_config(config, source="config.yaml")
    msg = str(err.value)
    assert msg.startswith("config.yaml: invalid configuration")
    line = next((x for x in msg.splitlines() if f"key '{key}':" in x), "")  # the key and what was wrong, together
    assert expected in line, msg


@pytest.mark.workflow
def test_duplicate_keys_are_refused(tmp_path):
    # PyYAML (and Snakemake) keep the last of a repeated key without a word
    bad = tmp_path / "dup.yaml"
    bad.write_text("seed: 1\nour_model:\n  reps: 10\n  reps: 20\n")
    with pytest.raises(ConfigError, match=r"dup.yaml: key 'reps' appears twice \(lines 3 and 4\)"):
        load_config(bad)
    # through the workflow: a --configfile that repeats a key stops the run before any job
    cfg = (ROOT / "config.yaml").read_text().replace("seed: 20241122", "seed: 20241122\nseed: 5")
    (tmp_path / "dup_config.yaml").write_text(cfg)
    res = run_snakemake("-n", "-d", tmp_path / "work", "--configfile", tmp_path / "dup_config.yaml")
    assert res.returncode != 0
    assert "dup_config.yaml: key 'seed' appears twice" in res.stdout + res.stderr


def test_unknown_and_missing_keys(config):
    config["theroy"] = config.pop("theory")
    with pytest.raises(ConfigError) as err:
        validate_config(config)
    msg = str(err.value)
    assert "'theroy' was unexpected" in msg and "'theory' is a required property" in msg


def test_unreadable_config(tmp_path):
    with pytest.raises(ConfigError, match="cannot read file"):
        load_config(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("seed: [1,\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(bad)


@pytest.mark.workflow
def test_workflow_stops_before_any_job(tmp_path):
    res = run_snakemake("--cores", 1, "-d", tmp_path, "--configfile", ROOT / "config.yaml",
                        "--config", "seed=-5")
    assert res.returncode != 0
    assert "key 'seed'" in res.stderr + res.stdout
    assert not (tmp_path / "results").exists()


def test_study_needs_exactly_one_source(config):
    config["studies"][0]["spec"] = "also.yaml"  # both simulator and spec
    with pytest.raises(ConfigError) as err:
        validate_config(config, source="config.yaml")
    assert "key 'studies[0]'" in str(err.value) and "is valid under each of" in str(err.value)
    config["studies"] = []
    with pytest.raises(ConfigError, match=r"key 'studies': \[\] (is too short|should be non-empty)"):
        validate_config(config, source="config.yaml")


def test_forest_chunks_add_up_to_num_trees_in_whole_ci_groups():
    from actionable.stats.forests import chunk_trees

    for total, chunks, group in [(50, 2, 2), (2000, 10, 2), (301, 4, 2), (90, 7, 3), (10, 5, 2)]:
        sizes = [chunk_trees(dict(num_trees=total, ci_group_size=group), chunks, i) for i in range(chunks)]
        assert all(s % group == 0 and s > 0 for s in sizes)
        assert 0 <= sum(sizes) - total < group  # grf itself rounds up to a whole group
        assert max(sizes) - min(sizes) <= group
    with pytest.raises(ValueError, match="without trees"):
        chunk_trees(dict(num_trees=3), 4, 3)


def test_nested_schema_defaults_are_filled(config):
    """A config that leaves out nested keys gets the schema's defaults (not only top-level ones)."""
    del config["learners"]["tlearner_arms_per_job"]
    del config["forests"]["macf"]["chunks"]
    config["forests"]["policy_tree"].pop("backend", None)
    filled = validate_config(config, source="config.yaml")
    assert filled["learners"]["tlearner_arms_per_job"] == 8
    assert filled["forests"]["macf"]["chunks"] == 1 and filled["forests"]["policy_tree"]["backend"] == "exact"


@pytest.mark.parametrize("text,expected", [
    ("", "found an empty file"),
    ("- seed: 7\n", "found a list"),
    ("seed: 7\ndata:\n\tmin_arm_rows: 50\n", "not valid YAML"),
])
@pytest.mark.workflow
def test_replicate_checks_config_files_snakemake_cannot_read(tmp_path, capsys, text, expected):
    # bin/replicate.sh runs this first: Snakemake's own reading of these ends in a traceback without the file
    from actionable.studies.config import check_config_files

    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    assert check_config_files(["-n", "--configfile", str(ROOT / "config.yaml"), str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"error: {bad}" in err and expected in err and len(err.strip().splitlines()) <= 5
    assert check_config_files(["--configfile", str(ROOT / "config.yaml")]) == 0
