"""The replication report: unit checks of the HTML builder and the real page in headless Chromium."""
import re
import shutil
import subprocess

import pytest

from actionable.app import report
from conftest import ROOT
from actionable.paper.published import TABLE1, TABLE4

CHROMIUM = shutil.which("chromium")
ARTIFACTS = ROOT / "tests" / "artifacts"


def test_markdown_tables_keep_every_cell_and_mark_the_papers_values():
    md = ("**Table 9: Demo**\n\n| | A | B |\n|---|---|---|\n| row <1> | 24.40 [24.4] | E[Y^a] |\n\n"
          "[paper] = the paper's value.\n")
    out = report.markdown_to_html(md)
    assert "<h3>Table 9: Demo</h3>" in out
    assert out.count("<tr>") == 2 and out.count("<td>") == 3  # the separator row is dropped
    assert "row &lt;1&gt;" in out  # escaped
    assert '<span class="paper">[24.4]</span>' in out and '<span class="paper">[paper]</span>' in out
    assert 'E[Y^a]' in out  # not a paper value


def test_model_table_shows_the_extensions_own_error_with_its_bootstrap_se():
    """The report's model table names the T-learner error the extension row uses (our_model.prediction_error)
    with its holdout bootstrap SE and the matching truth; a forest error not identified says so."""
    nan = float("nan")
    row = dict(sigma=0.26, rho=0.77, s=0.0105, s_corrected=0.0074, sigma_eps=0.39, m=20, our_model_gain=0.057,
               our_model_se=0.001, our_model_gain_inf=0.05, extension_sigma_eps_estimator="arm_specific",
               sigma_eps_arm_specific=0.116, sigma_eps_arm_specific_se=0.0081, true_arm_specific=0.112,
               sigma_eps_noise_corrected=0.113, sigma_eps_noise_corrected_se=0.005, true_sigma_eps=0.139,
               forest_sigma_eps_arm_specific=nan, forest_sigma_eps_arm_specific_se=nan)
    out = report.model_html(row, None)
    assert "T-learner&#x27;s prediction error, arm_specific" in out  # the label, HTML-escaped
    assert "0.116 ± 0.0081" in out and "0.112" in out and "0.113" not in out
    assert "not identified" in out


def test_missing_items_are_named_not_silently_dropped(tmp_path):
    (tmp_path / "results" / "tables").mkdir(parents=True)
    (tmp_path / "results" / "tables" / "table2.md").write_text("**Table 2**\n\n| a |\n|---|\n| 1 |\n")
    page, found = report.build(tmp_path, {"seed": 1}, {"Python": "3"}, tmp_path, "t",
                               studies={"shop": {}}, paper_studies={"walmart": "shop"})
    assert found["tables"] == [2, 3]
    assert "study-shop-figure12" in found["missing"] and "study-shop-model" not in found["missing"]
    assert "table1" in found["missing"] and "figure14" in found["missing"]
    assert page.count("not produced by this configuration") == 14 and page.count("Not produced") == 4
    # the model part says "No moments"; a part only some configurations make (splits) is left out, not missing
    assert page.count("Missing: ") == len(report.STUDY_PARTS) - 1 - len(report.OPTIONAL_PARTS)
    assert "No moments for this study" in page and "study-shop-splits" not in page


def _chromium(*args):
    """Headless Chromium with no network: a private network namespace where root may make one,
    and a dead proxy either way, on top of the page's own Content-Security-Policy."""
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-extensions", "--no-first-run", "--proxy-server=127.0.0.1:9", *args]
    if shutil.which("unshare") and subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0:
        cmd = ["unshare", "-n", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(CHROMIUM is None, reason="bin/setup.sh installs Debian's chromium")
def test_report_opens_offline_with_every_table_and_figure(small_run):
    page = small_run.parent / "reports" / "replication.html"
    text = page.read_text()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text), "the report must not load from the network"
    dom = _chromium("--virtual-time-budget=10000", "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    body = re.search(r"<body[^>]*>", dom.stdout).group(0)
    # the paper's 14 figures and six per study (arm rates, Figures 9-12, gain curves), every one decoded
    assert 'data-figures="32"' in body and 'data-figures-loaded="32"' in body, body
    assert "<title>Replication of Shchetkina &amp; Berman (2024)</title>" in dom.stdout
    # every study, including example_shop (no paper_role), gets every per-study part
    for study in ("walmart_like", "penn_geisinger_like", "example_shop"):
        section = re.search(rf'<section id="study-{study}" class="study">.*?</section>', dom.stdout, re.S).group(0)
        parts = re.findall(r'class="study-part" id="study-[a-z_]+-([a-z0-9-]+)"', section)
        assert parts == [p[0] for p in report.STUDY_PARTS if p[0] not in report.OPTIONAL_PARTS], (study, parts)
        assert 'class="missing"' not in section, study
    shop = re.search(r'<section id="study-example_shop".*?</section>', dom.stdout, re.S).group(0)
    assert "Hajek (normalized IPW)" in shop and "pairwise rho-hat" in shop and "rises most with a 1%" in shop
    assert 'id="swaps-penn_geisinger_like--walmart_like"' in dom.stdout
    for n in range(1, 7):
        section = re.search(rf'<section id="table{n}".*?</section>', dom.stdout, re.S)
        assert section and "<table>" in section.group(0), f"table {n}"
    for n in range(1, 15):
        assert f'id="figure{n}"' in dom.stdout
    # the paper's values sit beside the reproduced ones, and the truth where the stand-ins have it
    assert f"[{TABLE1[1][0]}]" in dom.stdout and f"[{TABLE4['Walmart']['our_model']}]" in dom.stdout and "True value (oracle)" in dom.stdout
    assert "true sigma" in dom.stdout and "policytree" in dom.stdout and "seed: 7" in dom.stdout
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report.png"
    res = _chromium("--hide-scrollbars", "--window-size=1280,6000", f"--screenshot={shot}", page.as_uri())
    assert res.returncode == 0 and shot.stat().st_size > 50_000, res.stderr[-2000:]


def test_input_warnings_have_their_own_section(tmp_path):
    page, _ = report.build(tmp_path, {"seed": 1}, {"Python": "3"}, tmp_path, "t",
                           {"shop": ["arm 'b' has 120 rows <few>"], "other": []})
    assert '<h2 id="warnings">Warnings about the input data</h2>' in page
    assert "<li><b>shop</b>: arm &#x27;b&#x27; has 120 rows &lt;few&gt;</li>" in page
    clean, _ = report.build(tmp_path, {"seed": 1}, {"Python": "3"}, tmp_path, "t", {"shop": []})
    assert "passed the checks without a warning" in clean


def test_a_config_without_the_papers_studies_gets_an_analysis_not_a_replication(small_run):
    """The same run's files, reported as a researcher's own study would be: titled for the study,
    no paper-only item listed as missing, and the study's whole analysis."""
    import pandas as pd
    row = pd.read_csv(small_run / "tables" / "moments.csv").set_index("study").loc["example_shop"].to_dict()
    studies = {"example_shop": dict(description="a shop", warnings=[], moments=dict(row, study="example_shop"),
                                    diagnostics={"rho_min": 0.1, "warnings": ["the arms are far from equicorrelated"]})}
    page, found = report.build(small_run.parent, {"seed": 1}, {"Python": "3"}, ROOT / "workflow" / "report",
                               None, {"example_shop": []}, studies, {}, [])
    assert "<title>Personalization analysis of example_shop (methods of Shchetkina &amp; Berman, 2024)</title>" in page
    assert found["missing"] == [] and "not produced" not in page.lower()
    assert found["tables"] == [1, 2, 3, 4] and found["figures"] == [1, 2, 3, 4, 5, 6]
    assert found["study_parts"] == [f"study-example_shop-{p[0]}" for p in report.STUDY_PARTS
                                    if p[0] not in report.OPTIONAL_PARTS]
    assert "<li>the arms are far from equicorrelated</li>" in page


def test_every_png_figure_has_a_vector_pdf_beside_it(tmp_path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from actionable.studies.io import save_figure
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    save_figure(fig, tmp_path / "f.png")
    first = (tmp_path / "f.pdf").read_bytes()
    assert first.startswith(b"%PDF") and (tmp_path / "f.png").read_bytes()[:4] == b"\x89PNG"
    save_figure(fig, tmp_path / "f.png")
    assert (tmp_path / "f.pdf").read_bytes() == first  # no timestamps: the same figure gives the same bytes


@pytest.mark.records
def test_long_jobs_log_a_heartbeat_with_their_progress(caplog):
    import logging
    import time
    from actionable.studies.io import heartbeat
    state = {"done": 0}
    with caplog.at_level(logging.INFO, logger="actionable.progress"):
        with heartbeat("sweep", every=0.2, status=lambda: f"{state['done']} of 5 points done"):
            for _ in range(5):
                time.sleep(0.13)
                state["done"] += 1
    lines = [r.getMessage() for r in caplog.records if r.name == "actionable.progress"]
    assert len(lines) >= 3 and lines[0].startswith("sweep: running for 0 s; ") and "of 5 points done" in lines[0]
    assert lines[-1].startswith("sweep: done in ")


def test_the_page_reads_no_file_the_rule_does_not_declare(tmp_path):
    """The report is a job: run times written after the run (results/runtime/) and Snakemake's
    benchmark files are not its inputs, so their presence must not change the page."""
    (tmp_path / "results" / "tables").mkdir(parents=True)
    (tmp_path / "results" / "tables" / "table2.md").write_text("**Table 2**\n\n| a |\n|---|\n| 1 |\n")
    before, _ = report.build(tmp_path, {"seed": 1}, {"Python": "3"}, tmp_path, "t")
    (tmp_path / "results" / "runtime").mkdir()
    (tmp_path / "results" / "runtime" / "summary.json").write_text('{"jobs": 3, "critical_path_seconds": 9.0}')
    (tmp_path / "results" / "runtime" / "jobs.csv").write_text("log,rule,seconds\nlogs/a.log,a,9.0\n")
    (tmp_path / "logs" / "benchmarks").mkdir(parents=True)
    (tmp_path / "logs" / "benchmarks" / "a.tsv").write_text("s\tmax_rss\n9.0\t10\n")
    after, _ = report.build(tmp_path, {"seed": 1}, {"Python": "3"}, tmp_path, "t")
    assert after == before and "results/runtime/runtime.md" in after
