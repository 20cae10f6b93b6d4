"""The Snakemake workflow: lint, rule anatomy, conda envs covering imports, and an end-to-end run."""
import ast
import json
import re
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from conftest import ROOT, run_snakemake
from actionable.paper.published import TABLE4, TABLE6

pytestmark = pytest.mark.workflow

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


def test_conda_pins_are_the_versions_a_check_ran():
    """The envs pin what the Debian 13 check recorded (benchmarks/results/trixie.json), or for seaborn,
    which that check did not record, the Debian unstable check (sid.json), so a conda user gets versions
    that passed the suite; policytree is the one stated exception (conda-forge lags CRAN)."""
    sid = json.loads((ROOT / "benchmarks" / "results" / "sid.json").read_text())["versions"]
    ran = {"seaborn": sid["seaborn"], **json.loads((ROOT / "benchmarks" / "results" / "trixie.json").read_text())["versions"]}
    conda_to_ran = {"python": "python", "numpy": "numpy", "pandas": "pandas", "scipy": "scipy", "pyyaml": "PyYAML",
                    "jsonschema": "jsonschema", "pytables": "tables", "py-xgboost": "xgboost", "rpy2": "rpy2",
                    "matplotlib-base": "matplotlib", "seaborn-base": "seaborn", "snakemake-minimal": "snakemake",
                    "r-base": "R", "r-grf": "grf"}
    checked = 0
    for path in sorted((ROOT / "envs").glob("*.yaml")):
        for dep in yaml.safe_load(path.read_text())["dependencies"]:
            name, pin = re.split(r"\s*=\s*", dep, maxsplit=1)
            if name in conda_to_ran:
                tested = re.sub(r"[+~].*", "", ran[conda_to_ran[name]])  # Debian's +dfsg suffixes
                assert tested.startswith(pin.strip()), f"{path.name}: {name} ={pin} but the check ran {tested}"
                checked += 1
            else:
                assert name in ("r-policytree", "pyarrow"), f"{path.name}: {name} pinned but no check records it"
    assert checked >= 30


def test_lint_is_clean():
    res = run_snakemake("--lint")
    assert res.returncode == 0, res.stderr
    assert "Lints for" not in res.stdout + res.stderr, res.stdout + res.stderr


def test_replicate_picks_the_slurm_profile_of_the_snakemake_found(tmp_path):
    import os
    import subprocess

    from conftest import snakemake_major

    res = subprocess.run(["bash", ROOT / "bin" / "replicate.sh", "--slurm", "-n", "-d", tmp_path, "--configfile",
                          ROOT / ".test" / "config.yaml"], capture_output=True, text=True, timeout=600,
                         env={**os.environ, "ACTIONABLE_SKIP_SETUP": "1", "ACTIONABLE_PYTHON": sys.executable})
    assert res.returncode == 0, res.stderr[-3000:]
    want = "profiles/slurm-smk7" if snakemake_major() <= 7 else "profiles/slurm"
    assert re.search(rf"every job an sbatch job through {want}$", res.stderr, re.M), res.stderr[-3000:]
    assert "Job stats" in res.stdout  # the dry run planned the DAG with that profile


def test_dry_run_lists_the_dag(tmp_path):
    res = run_snakemake("-n", "-d", tmp_path, "--configfile", ROOT / "config.yaml")
    assert res.returncode == 0, res.stderr
    for job in ("table1", "figures_motivating", "figure_illustration", "figure6_case", "figure6", "simulate_study",
                "fit_ols", "fit_slearner", "gather_tlearner", "estimate_moments", "our_model", "table_moments",
                "fit_macf", "fit_policy_tree", "figures_forest_paper", "figures_forest_study", "evaluate_policies",
                "table4", "sensitivity_curves", "figure12", "tables56", "prediction_error"):
        assert re.search(rf"^{job}\s+\d+", res.stdout, re.M), res.stdout
    # T-learner jobs of 8 arms: 23 + 20 arms, 23 + 20 more for Section 6's overlap analysis of both
    # studies, and two half-sample fits of each study's for the prediction error -> 4 x (3 + 3)
    assert re.search(r"^fit_tlearner\s+24\b", res.stdout, re.M), res.stdout
    assert "txgb_all/group2.npy" in res.stdout and "txgb_shared/group2.npy" in res.stdout
    assert "txgb_all_half1/group2.npy" in res.stdout and "txgb_all_half2/group2.npy" in res.stdout
    # a job per arm (for a cluster): 4 x 43 jobs
    cfg = yaml.safe_load((ROOT / "config.yaml").read_text())
    cfg["learners"]["tlearner_arms_per_job"] = 1
    (tmp_path / "per_arm.yaml").write_text(yaml.safe_dump(cfg))
    res = run_snakemake("-n", "-d", tmp_path / "work", "--configfile", tmp_path / "per_arm.yaml")
    assert re.search(r"^fit_tlearner\s+172\b", res.stdout, re.M), res.stdout
    assert "txgb_all/group22.npy" in res.stdout


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


def test_end_to_end_data_layer(small_run):
    for f in ["tables/table2.csv", "tables/table2.md", "tables/true_moments.csv",
              *[f"figures/figure{i}.png" for i in (7, 8, 13, 14)]]:
        assert (small_run / f).stat().st_size > 0, f
    t2 = pd.read_csv(small_run / "tables" / "table2.csv").set_index("study")
    # the user dataset went through the same rules as the stand-ins
    assert tuple(t2.loc["example_shop", ["observations", "arms", "covariates_total", "covariates_continuous",
                                          "covariates_discrete"]]) == (2400, 4, 4, 2, 2)
    assert tuple(t2.loc["walmart_like", ["observations", "arms", "covariates_total"]]) == (23000, 23, 12)
    assert list(t2.index[:2]) == ["walmart_like", "penn_geisinger_like"]  # the paper's row order
    for study in ("walmart_like", "penn_geisinger_like", "example_shop"):
        split = pd.read_csv(small_run / "data" / study / "split.csv")
        share = (split["set"] == "train").groupby(split["arm"]).mean()
        assert ((share - 0.7).abs() <= 0.005).all(), (study, share)
        rates = pd.read_csv(small_run / "descriptives" / study / "arm_rates.csv")
        assert rates["mean"].is_monotonic_decreasing and rates["control"].sum() == 1
    moments = pd.read_csv(small_run / "tables" / "true_moments.csv").set_index("study")
    assert (abs(moments["sigma"] / moments["target_sigma"] - 1) < 0.1).all(), moments
    assert (abs(moments["rho"] - moments["target_rho"]) < 0.05).all(), moments


def test_end_to_end_learners_and_moments(small_run):
    import numpy as np

    mom = pd.read_csv(small_run / "tables" / "moments.csv").set_index("study")
    assert set(mom.index) == {"walmart_like", "penn_geisinger_like", "example_shop"}
    for col in ("sigma", "rho", "s", "sigma_eps", "naive_sigma", "our_model_gain", "our_model_se"):
        assert np.isfinite(mom[col]).all(), col
    assert np.isfinite(mom.loc["penn_geisinger_like", "sigma_overlap"])
    assert mom.loc["penn_geisinger_like", "sigma_overlap"] < mom.loc["penn_geisinger_like", "sigma"]
    assert np.isnan(mom.loc["example_shop", "true_sigma"])  # no ground truth for a user's data
    # the extension: de-attenuated sigma, rho and the prediction error, from two half-sample T-learners
    for col in ("corrected_sigma", "corrected_rho", "sigma_eps_noise_corrected", "sigma_eps_split_half", "extension_gain"):
        assert np.isfinite(mom.loc[["walmart_like", "penn_geisinger_like"], col]).all(), col
    assert (mom["sigma_eps_noise_corrected"] < mom["sigma_eps"]).all()  # without the outcome's own noise
    # their holdout bootstrap SEs (.test/config.yaml: 50 draws): positive and below the estimates they qualify
    for col in ("corrected_sigma", "sigma_eps_noise_corrected", "forest_sigma_eps_noise_corrected"):
        se = mom.loc[["walmart_like", "penn_geisinger_like"], f"{col}_se"]
        assert ((se > 0) & (se < mom.loc[se.index, col])).all(), col
    for half in ("txgb_all_half1", "txgb_all_half2"):
        assert (small_run / "learners" / "walmart_like" / half / "predictions.npy").stat().st_size > 0
    split = pd.read_csv(small_run / "data" / "example_shop" / "split.csv")
    for learner in ("ols", "sxgb", "txgb_all"):
        preds = np.load(small_run / "learners" / "example_shop" / learner / "predictions.npy")
        assert preds.shape == ((split["set"] == "test").sum(), 4) and np.isfinite(preds).all()


def test_end_to_end_forests(small_run):
    import numpy as np

    for study, m in (("walmart_like", 23), ("penn_geisinger_like", 20), ("example_shop", 4)):
        tau = np.load(small_run / "forests" / study / "macf" / "tau.npy")
        assert tau.shape[1] == m and np.all(tau[:, 0] == 0) and np.isfinite(tau).all()
        pi = np.load(small_run / "forests" / study / "policy_tree" / "policy.npy")
        assert len(pi) == len(tau) and len(np.unique(pi)) <= 4  # depth 2
        assert "split_variable" in (small_run / "forests" / study / "policy_tree" / "tree.txt").read_text()
        # .test/config.yaml scatters each forest over 2 chunk jobs (example_shop: its own 3 and 60
        # trees, studies[].macf); the merged forest has all the trees
        info = json.loads((small_run / "forests" / study / "macf" / "info.json").read_text())
        assert (info["chunks"], info["num_trees"]) == ((3, 60) if study == "example_shop" else (2, 50))
        assert info["settings"]["num_trees"] == info["num_trees"]
        pt = json.loads((small_run / "forests" / study / "policy_tree" / "info.json").read_text())
        assert pt["backend"] == "exact" and pt["train_rows"] == (small_run.parent / "results" / "data" / study /
                                                                   "split.csv").read_text().count(",train")
        for n in (9, 10, 11):
            assert (small_run / "forests" / study / f"figure{n}.png").stat().st_size > 0
    for n in (9, 10, 11):
        assert (small_run / "figures" / f"figure{n}.png").stat().st_size > 0


def test_end_to_end_evaluation(small_run):
    t4 = pd.read_csv(small_run / "tables" / "table4.csv")
    policies = ["Best Uniform", "OLS", "S-XGB", "T-XGB", "MACF", "PT-CF"]
    for study, g in t4.groupby("study"):
        assert list(g["policy"]) == policies, study
        assert (g["ipw_se"] > 0).all() and (g.loc[g["policy"] != "Best Uniform", "gain_se"] > 0).all()
        assert g["aipw"].notna().all()
        assert g["oracle"].notna().all() == (study != "example_shop")  # truth only for the stand-ins
        assert g["hajek"].between(g["ipw"].min() / 2, g["ipw"].max() * 2).all() and (g["hajek_se"] > 0).all()
        assert (g["ess_min"] > 0).all() and "warning" in g
    md = (small_run / "tables" / "table4.md").read_text()
    assert md.count("| Hajek (normalized IPW) |") == 3
    assert "[paper: Walmart]" in md and f"[{TABLE4['Penn-Geisinger']['MACF']}]" in md
    for f in ("tables/table5.csv", "tables/table6.csv", "tables/table5.md", "tables/table6.md", "figures/figure12.png"):
        assert (small_run / f).stat().st_size > 0, f
    t6 = pd.read_csv(small_run / "tables" / "table6.csv")
    mom_all = pd.read_csv(small_run / "tables" / "moments.csv").set_index("study")
    # the extensions: labelled, their own rows; the forest's where its arm-specific error is identified for both
    forest_ok = mom_all.loc[["walmart_like", "penn_geisinger_like"], "forest_sigma_eps_arm_specific"].notna().all()
    assert set(t6["mode"]) == {"estimated", "paper", "extension"} | ({"extension_forest"} if forest_ok else set())
    assert f"[{TABLE6['Penn-Geisinger']['1% lower rho']:.3f}]" in (small_run / "tables" / "table6.md").read_text()
    # the printed algorithm (n = 1,000 simulated people) and its n -> infinity value, labelled, in every table
    assert "Our Model as n -> infinity" in md and "Our Model from the paper's parameters" in md
    assert "Our Model, prediction-error sigma_eps (extension)" in md and "this package's extension" in md
    for t in ("table5", "table6"):
        text = (small_run / "tables" / f"{t}.md").read_text()
        assert "(paper), n = 1,000" in text and "(paper), n -> infinity" in text, t
        assert "binary floor" in text, t
        assert "(extension), n -> infinity" in text and "not the paper's procedure" in text, t
    t5 = pd.read_csv(small_run / "tables" / "table5.csv").set_index(["mode", "study"])
    for col in ("Original", "sigma", "rho", "sigma_eps", "m"):  # MC agrees with the exact printed algorithm
        diff = (t5[col] - t5[f"{col}_exact"]).abs()
        assert (diff < 4 * t5[f"{col}_se"]).all(), (col, t5[[col, f"{col}_se", f"{col}_exact"]])
    curves = pd.read_csv(small_run / "sensitivity" / "walmart_like" / "curves.csv")
    assert curves["gain_inf"].notna().all() and (curves["gain"] - curves["gain_exact"]).abs().max() < 0.01


def test_same_config_same_tables_and_new_seed_changes_them(small_run, rerun, tmp_path):
    again = rerun[0] / "results"  # the second run (through SLURM in CI) of part of the same config
    files = ["theory/table1.csv", "theory/figure6.csv", "tables/table2.csv",
             "simulated/walmart_like/observed.csv", "simulated/walmart_like/truth.npy",
             "data/walmart_like/split.csv", "data/example_shop/split.csv", "descriptives/example_shop/arm_rates.csv",
             "learners/example_shop/sxgb/predictions.npy", "learners/example_shop/txgb_all/predictions.npy",
             "learners/example_shop/ols/predictions.npy", "forests/example_shop/macf/tau.npy",
             "forests/example_shop/policy_tree/tree.txt", "moments/example_shop/moments_all.json",
             "evaluation/example_shop/policies.csv", "sensitivity/example_shop/curves.csv"]
    for f in files:
        assert (small_run / f).read_bytes() == (again / f).read_bytes(), f
    # a new seed: the seeded steps upstream of everything else change (only these are built, for time;
    # the stand-ins themselves keep their own seeds from the study entries)
    changed = ["theory/table1.csv", "data/walmart_like/split.csv", "data/example_shop/split.csv"]
    res = run_snakemake(*[f"results/{f}" for f in changed], "--cores", 2, "-d", tmp_path / "run3",
                        "--configfile", ROOT / ".test" / "config.yaml", "--config", "seed=8")
    assert res.returncode == 0, res.stderr[-3000:]
    for f in changed:
        assert (small_run / f).read_bytes() != (tmp_path / "run3" / "results" / f).read_bytes(), f


def test_bad_dataset_stops_the_run_and_leaves_nothing(tmp_path):
    data = pd.read_csv(ROOT / "data" / "example_shop" / "example_shop.csv")
    data["spend"] = data["spend"].astype(object)  # pandas 2 refuses text in a float column
    data.loc[5, "spend"] = "lots"  # non-numeric outcome
    data.to_csv(tmp_path / "shop.csv", index=False)
    spec = yaml.safe_load((ROOT / "data" / "example_shop" / "spec.yaml").read_text())
    spec["data"] = str(tmp_path / "shop.csv")
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(spec))
    cfg = yaml.safe_load((ROOT / ".test" / "config.yaml").read_text())
    cfg["studies"] = [{"name": "example_shop", "spec": str(tmp_path / "spec.yaml")}]  # replaces the default list
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(cfg))
    work = tmp_path / "work"
    res = run_snakemake("results/data/example_shop/split.csv", "--cores", 1, "-d", work,
                        "--configfile", tmp_path / "config.yaml")
    assert res.returncode != 0
    expected = "outcome column 'spend' must be numeric, found non-numeric values such as 'lots'"
    # checked when the workflow starts: one block naming the file, before any job, without a traceback
    block = res.stderr[res.stderr.index("error: "):]
    assert expected in block and "shop.csv" in block and len(block.strip().splitlines()) <= 10, res.stderr
    assert "Traceback" not in res.stdout + res.stderr and "validate_study" not in res.stdout + res.stderr
    assert not (work / "results").exists() and not (work / "logs").exists()
    # the debug switch shows where it came from
    env_res = run_snakemake("results/data/example_shop/split.csv", "--cores", 1, "-d", work,
                            "--configfile", tmp_path / "config.yaml", env={"ACTIONABLE_DEBUG": "1"})
    assert env_res.returncode != 0 and "load_dataset" in env_res.stdout + env_res.stderr


def test_a_users_study_list_replaces_the_default(tmp_path):
    cfg = yaml.safe_load((ROOT / "config.yaml").read_text())
    cfg["studies"] = [{"name": "example_shop", "spec": "data/example_shop/spec.yaml"}]
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(cfg))
    res = run_snakemake("-n", "-d", tmp_path / "work", "--configfile", tmp_path / "config.yaml")
    assert res.returncode == 0, res.stderr
    assert "simulate_study" not in res.stdout and "results/simulated/walmart_like" not in res.stdout
    assert "results/moments/walmart_like" not in res.stdout
    # the default's overlap analyses name studies this config lacks: skipped, with a warning that says so
    assert "config key 'moments.overlap': skipping study 'walmart_like'" in res.stdout + res.stderr
    assert re.search(r"^validate_study\s+1", res.stdout, re.M)
    assert "figure7.png" not in res.stdout  # no study stands in for the paper's Walmart


def test_duplicate_study_names_stop_the_run(tmp_path):
    cfg = yaml.safe_load((ROOT / "config.yaml").read_text())
    cfg["studies"].append(dict(cfg["studies"][0], paper_role="penn_geisinger"))
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(cfg))
    res = run_snakemake("-n", "-d", tmp_path / "work", "--configfile", tmp_path / "config.yaml")
    assert res.returncode != 0
    assert "config key 'studies': name walmart_like appears more than once" in res.stdout + res.stderr


def test_more_chunks_than_the_yhat_forest_has_tree_groups_stop_the_run(tmp_path):
    # 200 trees make 100 groups of 2 for the forest but only 25 for its 50-tree Y.hat forest
    cfg = yaml.safe_load((ROOT / "config.yaml").read_text())
    cfg["forests"]["macf"].update(num_trees=200, chunks=30)
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(cfg))
    res = run_snakemake("-n", "-d", tmp_path / "work", "--configfile", tmp_path / "config.yaml")
    assert res.returncode != 0
    assert ("key 'forests.macf.chunks': in the Y.hat forest" in res.stdout + res.stderr
            and "30 chunks leave a chunk without trees" in res.stdout + res.stderr)


def test_a_studys_own_forest_settings(tmp_path):
    """studies[].macf overrides forests.macf for that study alone: its chunk jobs and the settings
    they get; a bad override is named by its study's entry."""
    cfg = yaml.safe_load((ROOT / "config.yaml").read_text())
    cfg["studies"][1]["macf"] = {"num_trees": 600, "chunks": 3}
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(cfg))
    res = run_snakemake("-n", "-p", "-d", tmp_path / "work", "--configfile", tmp_path / "config.yaml")
    assert res.returncode == 0, res.stderr
    penn, walmart = cfg["studies"][1]["name"], cfg["studies"][0]["name"]
    chunks = set(re.findall(r"results/forests/(\w+)/macf/chunks/macf(\d+)\.rds", res.stdout))
    assert {c for s, c in chunks if s == penn} == {"0", "1", "2"}
    assert {c for s, c in chunks if s == walmart} == {"0", "1"}
    cfg["studies"][1]["macf"] = {"num_trees": 10, "chunks": 8}
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(cfg))
    res = run_snakemake("-n", "-d", tmp_path / "work", "--configfile", tmp_path / "config.yaml")
    assert res.returncode != 0
    assert f"key 'studies[1].macf ({penn}).chunks'" in res.stdout + res.stderr, res.stdout + res.stderr
    assert "8 chunks leave a chunk without trees" in res.stdout + res.stderr


def test_paper_scale_deletes_forest_chunks_after_their_merge(tmp_path):
    res = run_snakemake("-n", "-d", tmp_path, "--configfile", ROOT / "config.yaml", ROOT / "config" / "paper_scale.yaml")
    assert res.returncode == 0, res.stderr
    gone = set(re.findall(r"Would remove temporary output (\S+)", res.stdout))
    # 10 Y.hat and 10 forest chunks per stand-in, and the forest chunks' statistics; nothing else
    rds = {g for g in gone if re.search(r"/macf/chunks/(yhat|macf)\d+\.rds$", g)}
    stats = {g for g in gone if re.search(r"/macf/chunks/macf\d+\.stats\.npz$", g)}
    assert len(rds) == 40 and len(stats) == 20 and gone == rds | stats
    default = run_snakemake("-n", "-d", tmp_path, "--configfile", ROOT / "config.yaml")
    kept = set(re.findall(r"Would remove temporary output (\S+)", default.stdout))
    assert kept and all(g.endswith(".stats.npz") for g in kept)  # the default keeps the chunks for re-merging


def test_a_container_image_can_be_named_for_apptainer(tmp_path):
    res = run_snakemake("-n", "-d", tmp_path, "--configfile", ROOT / ".test" / "config.yaml",
                        "--config", "container=docker://localhost/actionable:bookworm")
    assert res.returncode == 0, res.stderr
    bad = run_snakemake("-n", "-d", tmp_path, "--configfile", ROOT / ".test" / "config.yaml", "--config", "container=[1]")
    assert bad.returncode != 0 and "key 'container'" in bad.stdout + bad.stderr


# ---- the package's layout changes, its results do not
BASELINE = ROOT / "tests" / "baseline"


def test_small_run_reproduces_the_recorded_results(small_run):
    """Every csv, md and npy of the small config, and each summary.json without its timings, has the
    sha256 recorded in tests/baseline/ (tests/fingerprint.py): code moves leave every number as it was.
    Where the software differs from the recorded (another Debian release), the test says so and skips;
    the platform checks compare those runs' tables with this machine's instead."""
    from fingerprint import fingerprint, machine

    want = json.loads((BASELINE / "small_run.sha256.json").read_text())
    got = fingerprint(small_run)
    assert sorted(got) == sorted(want), set(got) ^ set(want)
    differ = [f for f in want if got[f] != want[f]]
    recorded, here = json.loads((BASELINE / "small_run.machine.json").read_text()), machine()
    if differ and here["software"] != recorded["software"]:
        pytest.skip(f"recorded with {recorded['software']}, run with {here['software']}: {len(differ)} files differ")
    if differ and here != recorded and len(differ) <= 5:  # more than a few is a change, not rounding
        pytest.skip(f"recorded on {recorded}, run on {here}: {differ} differ (last bits; the file set is the same)")
    assert not differ, differ


def test_every_config_plans_the_recorded_jobs_per_rule():
    """snakemake -n plans as many jobs of each rule as recorded for the default, small and paper-scale configs."""
    from job_counts import CONFIGS, job_counts

    want = json.loads((BASELINE / "job_counts.json").read_text())
    for name, files in CONFIGS.items():
        assert job_counts(ROOT / "Snakefile", [ROOT / f for f in files], ROOT) == want[name], name
