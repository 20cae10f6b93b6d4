"""The planner CLI: numbers agree with the model; bad input exits 2 naming the parameter."""
import re
import subprocess

from actionable.cli import main
from actionable.model import ArmMeans, expected_gain
from conftest import ROOT


def test_cli_prints_gain_and_se(capsys):
    rc = main(["gain", "--sigma", "0.1", "--rho", "0.6", "--s", "0.007", "--arms", "20",
               "--sigma-eps", "0.4", "--n", "20000", "--reps", "100", "--uniform", "population"])
    assert rc == 0
    out = capsys.readouterr().out
    mean, se = map(float, re.search(r"personalization: (\S+) \+/- (\S+)", out).groups())
    exact = expected_gain(ArmMeans.normal(0.007), 0.1, 0.6, 20, 0.4)
    assert abs(mean - exact) <= 3 * se
    assert f"{exact:.6g}" in out


def test_cli_default_is_the_printed_algorithm(capsys):
    # default: uniform arm chosen from n = 1000 simulated people's noisy means (Algorithm 2, step 6)
    rc = main(["gain", "--sigma", "0.078", "--rho", "0.61", "--s", "0.007", "--arms", "23",
               "--sigma-eps", "0.457", "--reps", "2000"])
    assert rc == 0
    out = capsys.readouterr().out
    mean, se = map(float, re.search(r"personalization: (\S+) \+/- (\S+)", out).groups())
    exact = expected_gain(ArmMeans.normal(0.007), 0.078, 0.61, 23, 0.457, n=1000)
    assert abs(mean - exact) <= 3 * se and "uniform=sample" in out and "of 1000 people" in out
    assert f"exact expectation of this algorithm: {exact:.6g}" in out
    assert exact > 0 > expected_gain(ArmMeans.normal(0.007), 0.078, 0.61, 23, 0.457)  # the paper's +0.4 vs a loss


def test_cli_bad_input(capsys):
    rc = main(["gain", "--sigma", "0", "--rho", "0.6", "--s", "0.007", "--arms", "20"])
    assert rc == 2
    assert "sigma must be > 0" in capsys.readouterr().err


def test_wrapper_uses_debian_python():
    res = subprocess.run([str(ROOT / "bin" / "actionable"), "gain", "--sigma", "1", "--rho", "0",
                          "--s", "0", "--arms", "2", "--n", "1000", "--reps", "20"],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert "exact expectation as n -> infinity (uniform arm at its true mean): 0.56419" in res.stdout  # 1/sqrt(pi)


# ---- actionable spec init / check: a researcher's first step
def test_spec_init_writes_a_spec_that_check_accepts_and_the_workflow_runs(tmp_path, capsys):
    import pandas as pd
    import yaml
    from conftest import run_snakemake
    out = tmp_path / "shop.yaml"
    assert main(["spec", "init", str(ROOT / "data" / "example_shop" / "example_shop.csv"), "--outcome", "spend",
                 "--arm", "variant", "-o", str(out)]) == 0
    spec = yaml.safe_load(out.read_text())
    hand = yaml.safe_load((ROOT / "data" / "example_shop" / "spec.yaml").read_text())
    # the inferred types are the hand-written spec's; the id and control are found by name
    assert spec["covariates"] == [{k: c[k] for k in ("name", "type")} for c in hand["covariates"]]
    assert spec["id"] == "customer_id" and spec["arm"]["control"] == "control"
    assert spec["outcome"] == {"column": "spend", "type": "continuous"}
    assert spec["assignment"] == {"probabilities": "estimate"}
    assert "4.9% missing" in out.read_text()  # age's missing share, noted beside it
    capsys.readouterr()
    assert main(["spec", "check", str(out)]) == 0
    text = capsys.readouterr().out
    assert "spec OK" in text and "2,400 rows" in text
    assert re.search(r"control\s+934 rows\s+share 0.389", text) and re.search(r"region\s+categorical\s+3.3% missing\s+4 levels", text)
    # a second init does not overwrite the checked spec
    assert main(["spec", "init", str(ROOT / "data" / "example_shop" / "example_shop.csv"), "--outcome", "spend",
                 "--arm", "variant", "-o", str(out)]) == 2
    # ... and the drafted spec runs: the workflow validates it, splits it and computes the arm rates
    cfg = yaml.safe_load((ROOT / ".test" / "config.yaml").read_text())
    cfg["studies"] = [{"name": "example_shop", "spec": str(out)}]
    cfg["moments"]["overlap"] = []
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(cfg))
    res = run_snakemake("results/descriptives/example_shop/arm_rates.csv", "--cores", 1, "-d", tmp_path / "work",
                        "--configfile", tmp_path / "config.yaml")
    assert res.returncode == 0, res.stderr[-3000:]
    rates = pd.read_csv(tmp_path / "work" / "results" / "descriptives" / "example_shop" / "arm_rates.csv")
    assert sorted(rates["arm"]) == ["control", "discount_10", "free_shipping", "scarcity"]


def test_spec_init_infers_types_and_leaves_out_what_cannot_be_used(tmp_path):
    import numpy as np
    import pandas as pd
    import yaml
    rng = np.random.default_rng(0)
    n = 400
    frame = pd.DataFrame({"arm": rng.choice(["A", "B", "C"], n), "y": rng.integers(0, 2, n),
                          "flag": rng.integers(0, 2, n), "score": rng.normal(size=n), "town": rng.choice(["x", "y"], n),
                          "note": [f"free text {i}" for i in range(n)], "same": 1, "tri": rng.integers(-1, 2, n)})
    frame.loc[:39, "score"] = np.nan
    frame.to_stata(tmp_path / "study.dta", write_index=False)
    out = tmp_path / "spec.yaml"
    assert main(["spec", "init", str(tmp_path / "study.dta"), "--outcome", "y", "--arm", "arm", "-o", str(out)]) == 0
    text = out.read_text()
    spec = yaml.safe_load(text)
    assert spec["outcome"]["type"] == "binary" and spec["arm"]["control"] == "A" and "CHECK: guessed" in text
    assert {c["name"]: c["type"] for c in spec["covariates"]} == {"flag": "binary", "score": "continuous",
                                                                  "town": "categorical", "tri": "continuous"}
    assert "score\", type: continuous}    # 10.0% missing" in text
    assert "#   note: text with 400 distinct values" in text and "#   same: constant" in text
    assert main(["spec", "check", str(out)]) == 0


def test_spec_check_names_the_problem_and_exits_2(tmp_path, capsys):
    import yaml
    spec = yaml.safe_load((ROOT / "data" / "example_shop" / "spec.yaml").read_text())
    spec["data"] = str(ROOT / "data" / "example_shop" / "example_shop.csv")
    spec["covariates"][2]["type"] = "continuous"
    spec["outcome"]["type"] = "binary"
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(spec))
    assert main(["spec", "check", str(tmp_path / "spec.yaml")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "outcome column 'spend' is declared binary but has values other than 0/1" in err
    assert main(["spec", "init", str(tmp_path / "nope.csv"), "--outcome", "y", "--arm", "a", "-o", str(tmp_path / "n.yaml")]) == 2
    assert "nope.csv does not exist" in capsys.readouterr().err
