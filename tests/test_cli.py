"""The planner CLI: numbers agree with the model; bad input exits 2 naming the parameter."""
import re
import subprocess

import pytest

from actionable.app.cli import main
from actionable.stats.model import ArmMeans, expected_gain
from conftest import ROOT


def _json(capsys, *argv):
    import json
    assert main(["gain", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_cli_prints_gain_and_se(capsys):
    argv = ["--sigma", "0.1", "--rho", "0.6", "--s", "0.007", "--arms", "20", "--sigma-eps", "0.4", "--n", "20000",
            "--reps", "100", "--uniform", "population"]
    res = _json(capsys, *argv)
    exact = expected_gain(ArmMeans.normal(0.007), 0.1, 0.6, 20, 0.4)
    assert abs(res["gain"] - exact) <= 3 * res["se"] and res["exact"] == res["gain_inf"] == exact
    assert main(["gain", *argv]) == 0
    out = capsys.readouterr().out
    mean, se = re.search(r"^    (\S+) ± (\S+) \(Monte Carlo SE; 100 repetitions", out, re.M).groups()
    decimals = len(se.split(".")[1])
    assert len(mean.split(".")[1]) == decimals and float(se) >= 10 ** (1 - decimals)  # two significant digits of the SE
    assert abs(float(mean) - res["gain"]) <= 0.5 * 10 ** -decimals
    assert f"{exact:.6g}" in out and "uniform arm valued at its true mean" in out


def test_cli_default_is_the_printed_algorithm(capsys):
    # default: uniform arm chosen from n = 1000 simulated people's noisy means (Algorithm 2, step 6)
    argv = ["--sigma", "0.078", "--rho", "0.61", "--s", "0.007", "--arms", "23", "--sigma-eps", "0.457",
            "--reps", "2000", "--binary", "--base-rate", "0.312"]
    res = _json(capsys, *argv)
    exact = expected_gain(ArmMeans.normal(0.007), 0.078, 0.61, 23, 0.457, n=1000)
    assert abs(res["gain"] - exact) <= 3 * res["se"] and res["uniform"] == "sample" and res["n"] == 1000
    assert res["gain_pp"] == res["gain"] * 100 and res["relative"] == res["gain"] / 0.312
    assert exact > 0 > res["gain_inf"]  # the paper's +0.4 pp vs a loss once the uniform arm is worth its true mean
    assert main(["gain", *argv]) == 0
    out = capsys.readouterr().out
    assert "as printed (the uniform arm chosen from the mean predictions of n = 1,000 simulated people)" in out
    assert f"exact expectation of this algorithm: {exact:.6g}" in out
    assert re.search(r"= 0\.\d+ ± 0\.\d+ percentage points", out) and "% over the best uniform arm's mean 0.312" in out


def test_cli_plans_from_a_finished_runs_moments(capsys, tmp_path):
    table = tmp_path / "moments.csv"
    table.write_text("study,m,sigma,rho,s,sigma_eps,binary,best_arm_mean\n"
                     "a,23,0.078,0.61,0.007,0.457,True,0.312\nb,4,4.7,0.26,2.7,12.6,False,31.3\n")
    res = _json(capsys, "--from-moments", str(table), "--study", "a", "--reps", "50")
    assert res["inputs"] == dict(m=23, sigma=0.078, rho=0.61, s=0.007, sigma_eps=0.457, spike_prob=0.0, binary=True,
                                 base_rate=0.312, source=f"{table} (a)")
    assert "gain_pp" in res and "relative" in res
    res = _json(capsys, "--from-moments", str(table), "--study", "b", "--rho", "0.1", "--reps", "50")
    assert res["inputs"]["rho"] == 0.1 and res["inputs"]["m"] == 4 and "gain_pp" not in res  # flags override; continuous
    assert main(["gain", "--from-moments", str(table), "--study", "zz"]) == 2
    assert "--study must name one of its studies (a, b), got 'zz'" in capsys.readouterr().err


def test_cli_bad_input(capsys):
    rc = main(["gain", "--sigma", "0", "--rho", "0.6", "--s", "0.007", "--arms", "20"])
    assert rc == 2
    assert "sigma must be > 0" in capsys.readouterr().err
    assert main(["gain", "--sigma", "0.1"]) == 2
    assert "give --rho, --s, --arms (or --from-moments with --study)" in capsys.readouterr().err


def test_wrapper_uses_the_projects_python():
    res = subprocess.run([str(ROOT / "bin" / "actionable"), "gain", "--sigma", "1", "--rho", "0",
                          "--s", "0", "--arms", "2", "--n", "1000", "--reps", "20"],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert "as n -> infinity (the uniform arm valued at its true mean): 0.56419" in res.stdout  # 1/sqrt(pi)
    top = subprocess.run([str(ROOT / "bin" / "actionable"), "--help"], capture_output=True, text=True, timeout=60)
    assert "Plan a personalization experiment" in top.stdout


# ---- actionable spec init / check: a researcher's first step
@pytest.mark.workflow
def test_spec_init_writes_a_spec_that_check_accepts_and_the_workflow_runs(tmp_path, capsys):
    import pandas as pd
    import yaml
    from conftest import run_snakemake
    out = tmp_path / "shop.yaml"
    # saved as Excel's "CSV UTF-8" does: a byte-order mark before the first column's name
    data = tmp_path / "example_shop.csv"
    data.write_bytes(b"\xef\xbb\xbf" + (ROOT / "data" / "example_shop" / "example_shop.csv").read_bytes())
    assert main(["spec", "init", str(data), "--outcome", "spend", "--arm", "variant", "-o", str(out)]) == 0
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
    assert main(["spec", "init", str(data), "--outcome", "spend", "--arm", "variant", "-o", str(out)]) == 2
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


def _draft_and_check(tmp_path, frame, *extra):
    """spec init on a frame, then spec check on its draft: every draft a test writes must pass."""
    import yaml
    frame.to_csv(tmp_path / "data.csv", index=False)
    out = tmp_path / "draft" / "spec.yaml"
    assert main(["spec", "init", str(tmp_path / "data.csv"), "--outcome", "y", "--arm", "arm", "-o", str(out), *extra]) == 0
    assert main(["spec", "check", str(out)]) == 0
    return yaml.safe_load(out.read_text()), out.read_text()


def _megastudy(n=3000, seed=1):
    import numpy as np
    import pandas as pd
    rng = np.random.default_rng(seed)
    arms = ["control"] + [f"msg{i:02d}" for i in range(1, 12)]
    return pd.DataFrame({"arm": rng.choice(arms, n, p=[0.25] + [0.75 / 11] * 11), "y": rng.integers(0, 2, n),
                         "age": rng.normal(45, 12, n).round(1), "visits": rng.poisson(3, n)})


@pytest.mark.parametrize("name,make", [
    ("person", lambda n, rng: range(1, n + 1)),  # enrolment order
    ("uid", lambda n, rng: rng.permutation(n) + 10_000),
    ("respondent", lambda n, rng: [f"R-{i:06d}" for i in rng.permutation(n)]),
    ("code", lambda n, rng: rng.choice(10**9, n, replace=False).astype(float)),  # whole numbers stored as floats
])
def test_spec_init_takes_an_id_column_whatever_its_name(tmp_path, capsys, name, make):
    import numpy as np
    frame = _megastudy()
    frame.insert(0, name, list(make(len(frame), np.random.default_rng(2))))
    spec, text = _draft_and_check(tmp_path, frame)
    assert spec["id"] == name and name not in [c["name"] for c in spec["covariates"]]
    assert f'id: "{name}"    # a different ' in text and "an identifier, not a covariate" in text
    assert [c["name"] for c in spec["covariates"]] == ["age", "visits"]


def test_spec_init_leaves_out_a_second_id_and_keeps_distinct_floats(tmp_path, capsys):
    import numpy as np
    frame = _megastudy()
    n = len(frame)
    frame.insert(0, "person", np.arange(n))
    frame["row_number"] = np.arange(n)[::-1]
    frame["income"] = np.random.default_rng(3).lognormal(10, 1, n)  # distinct in every row, but not whole numbers
    spec, text = _draft_and_check(tmp_path, frame)
    assert spec["id"] == "person" and "#   row_number: a different whole number in every row" in text
    assert [c["name"] for c in spec["covariates"]] == ["age", "visits", "income"]


def test_spec_init_never_writes_a_draft_that_check_rejects(tmp_path, capsys):
    """Columns the type inference accepts but the check refuses are left out with the check's reason."""
    import numpy as np
    frame = _megastudy(n=600)
    frame["town"] = [f"t{i % 150}" for i in range(len(frame))]  # 150 levels: the per-arm OLS would be saturated
    frame["ratio"] = np.random.default_rng(4).normal(size=len(frame))
    frame.loc[5, "ratio"] = np.inf
    spec, text = _draft_and_check(tmp_path, frame)
    assert [c["name"] for c in spec["covariates"]] == ["age", "visits"]
    assert "#   town: refused by spec check: categorical covariate 'town' has 150 levels" in text
    assert "#   ratio: refused by spec check: covariate 'ratio' has infinite values" in text
    # what no covariate choice can fix is refused at init, with the check's message
    frame.loc[3, "y"] = np.nan
    frame.to_csv(tmp_path / "data.csv", index=False)
    assert main(["spec", "init", str(tmp_path / "data.csv"), "--outcome", "y", "--arm", "arm",
                 "-o", str(tmp_path / "bad.yaml")]) == 2
    assert "outcome column 'y' has 1 missing value(s)" in capsys.readouterr().err
    assert not (tmp_path / "bad.yaml").exists()


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
