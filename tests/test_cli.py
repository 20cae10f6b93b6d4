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
