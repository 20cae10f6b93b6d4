"""The Snakemake workflow: lint, rule anatomy, conda envs covering imports, and an end-to-end run."""
import ast
import re
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from conftest import ROOT, run_snakemake

RULES = sorted((ROOT / "workflow" / "rules").glob("*.smk"))
# import name -> conda-forge package name, where they differ
CONDA_NAME = {"yaml": "pyyaml", "sklearn": "scikit-learn", "xgboost": "py-xgboost",
              "matplotlib": "matplotlib-base", "seaborn": "seaborn-base", "PIL": "pillow"}


def rule_blocks():
    """(rule name, body) of every rule in workflow/rules/*.smk."""
    for smk in RULES:
        text = smk.read_text()
        for m in re.finditer(r"^rule (\w+):\n((?:[ \t]+.*\n|\n)*)", text, re.M):
            yield smk, m.group(1), m.group(2)


def directive(body, name):
    m = re.search(rf"^\s+{name}:\s*\n\s+\"([^\"]+)\"", body, re.M)
    return m.group(1) if m else None


def third_party_imports(path: Path, seen=None) -> set:
    """Top-level modules imported by a file and, transitively, by the actionable modules it uses."""
    seen = set() if seen is None else seen
    if path in seen:
        return set()
    seen.add(path)
    found = set()
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import inside the package
                base = path.parent
                names_ = [node.module] if node.module else [a.name for a in node.names]
                for nm in names_:
                    mod = base / (nm.replace(".", "/") + ".py")
                    if mod.exists():
                        found |= third_party_imports(mod, seen)
                continue
            names = [node.module]
        for name in names:
            top = name.split(".")[0]
            if top == "actionable":
                parts = name.split(".")
                mod = ROOT.joinpath(*parts).with_suffix(".py")
                for cand in [mod, ROOT / "actionable" / "__init__.py"]:
                    if cand.exists():
                        found |= third_party_imports(cand, seen)
                if isinstance(node, ast.ImportFrom) and len(parts) == 1:
                    for a in node.names:
                        sub = ROOT / "actionable" / f"{a.name}.py"
                        if sub.exists():
                            found |= third_party_imports(sub, seen)
            elif top not in sys.stdlib_module_names and top != "snakemake":
                found.add(top)
    return found


def test_every_rule_has_the_anatomy():
    blocks = list(rule_blocks())
    assert len(blocks) >= 5
    for smk, name, body in blocks:
        for d in ("log", "conda", "script", "threads", "resources", "benchmark"):
            assert re.search(rf"^\s+{d}:", body, re.M), f"{smk.name}: rule {name} lacks {d}:"


def test_conda_envs_cover_script_imports():
    for smk, name, body in rule_blocks():
        env = yaml.safe_load((smk.parent / directive(body, "conda")).read_text())
        assert env["channels"][0] == "conda-forge"
        deps = {re.split(r"[ =<>]", d)[0] for d in env["dependencies"] if isinstance(d, str)}
        for d in env["dependencies"]:
            assert isinstance(d, str) and re.search(r"=\d", d), f"{name}: unpinned {d!r}"
        script = (smk.parent / directive(body, "script")).resolve()
        for mod in third_party_imports(script):
            assert CONDA_NAME.get(mod, mod) in deps, f"rule {name}: {script.name} imports {mod}, missing from its env"


def test_lint_is_clean():
    res = run_snakemake("--lint")
    assert res.returncode == 0, res.stderr
    assert "Lints for" not in res.stdout + res.stderr, res.stdout + res.stderr


def test_dry_run_lists_the_dag(tmp_path):
    res = run_snakemake("-n", "-d", tmp_path, "--configfile", ROOT / "config.yaml")
    assert res.returncode == 0, res.stderr
    for job in ("table1", "figures_motivating", "figure_illustration", "figure6_case", "figure6"):
        assert re.search(rf"^{job}\s+\d+", res.stdout, re.M), res.stdout


def _run_small(workdir, *extra):
    res = run_snakemake("--cores", 2, "-d", workdir, "--configfile", ROOT / ".test" / "config.yaml", *extra)
    assert res.returncode == 0, res.stderr[-3000:]
    return workdir / "results"


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    return _run_small(tmp_path_factory.mktemp("run1"))


def test_end_to_end_outputs(small_run):
    for f in ["theory/table1.csv", "theory/table1.md", "theory/figure6.csv",
              *[f"figures/figure{i}.png" for i in range(1, 7)]]:
        path = small_run / f
        assert path.exists() and path.stat().st_size > 0, f
        assert not list(path.parent.glob(f".{path.name}.*")), "temporary file left behind"
    t1 = pd.read_csv(small_run / "theory" / "table1.csv")
    assert (((t1["simulated"] - t1["eq7"]).abs() / t1["se"]) <= 3).all()
    f6 = pd.read_csv(small_run / "theory" / "figure6.csv")
    assert set(f6["case"]) == {"a", "b", "c", "d"}
    assert (((f6["gain"] - f6["exact"]).abs() / f6["se"]) <= 4).all(), f6
    for rho, g in f6[f6["case"] == "d"].groupby("rho"):
        peak = int(g.loc[g["gain"].idxmax(), "m"])
        assert g["m"].min() < peak < g["m"].max(), g


def test_same_config_same_tables_and_new_seed_changes_them(small_run, tmp_path):
    again = _run_small(tmp_path / "run2")
    for f in ["theory/table1.csv", "theory/figure6.csv"]:
        assert (small_run / f).read_bytes() == (again / f).read_bytes(), f
    other = _run_small(tmp_path / "run3", "--config", "seed=8")
    assert (small_run / "theory/table1.csv").read_bytes() != (other / "theory/table1.csv").read_bytes()
