"""The replication report: one self-contained HTML page with every table and figure.

Tables come from the workflow's Markdown renderings (which already carry the paper's values in
brackets and the stand-ins' truth), figures are embedded as base64 PNGs, and a Content-Security-
Policy forbids every network request, so the page opens offline and shows exactly what the run
produced. A small inline script records how many figures decoded, for the headless-browser test.
"""

from __future__ import annotations

import base64
import html
import platform
import re
from importlib import metadata
from pathlib import Path

import pandas as pd
import yaml

from ..paper import published as paper
from ..stats import rbridge
from ..studies.config import read_yaml

# paper item -> (Markdown table, caption file in workflow/report)
TABLES = {
    1: ("results/theory/table1.md", "table1.rst"),
    2: ("results/tables/table2.md", "table2.rst"),
    3: (None, None),
    4: ("results/tables/table4.md", "table4.rst"),
    5: ("results/tables/table5.md", "tables5and6.rst"),
    6: ("results/tables/table6.md", "tables5and6.rst"),
}
EXTRA_TABLES = {  # Section 5.2's estimates and the stand-ins' truth
    "Estimated moments (sigma, rho, s, sigma_eps) and Our Model": ("results/tables/moments.md", "moments.rst"),
    "Robustness across repeated splits": ("results/tables/split_robustness.md", "split_robustness.rst"),
}
FIGURE_CAPTIONS = {1: "figure1.rst", 2: "figure2.rst", 3: "figures3to5.rst", 4: "figures3to5.rst",
                   5: "figures3to5.rst", 6: "figure6.rst", 7: "figures7and8.rst", 8: "figures7and8.rst",
                   9: "figures9to11.rst", 10: "figures9to11.rst", 11: "figures9to11.rst", 12: "figure12.rst",
                   13: "figures13and14.rst", 14: "figures13and14.rst"}

CSS = """
body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.45}
h1{font-size:1.6rem}h2{border-bottom:1px solid #ccc;padding-bottom:.2rem;margin-top:2.5rem}
table{border-collapse:collapse;margin:.6rem 0;font-size:.85rem}
td,th{border:1px solid #ccc;padding:.2rem .45rem;text-align:right}td:first-child,th:first-child{text-align:left}
th{background:#f3f3f3}.paper{color:#a33;white-space:nowrap}.note{font-size:.85rem;color:#444;margin:.2rem 0}
figure{margin:1.2rem 0}figure img{max-width:100%;border:1px solid #eee}figcaption{font-size:.85rem;color:#444}
.missing{color:#a33}pre{background:#f7f7f7;padding:.6rem;font-size:.8rem;overflow-x:auto}
nav a{margin-right:.6rem}
"""
# No network: only inline styles/scripts and data: images may load.
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'"
COUNT_SCRIPT = """
window.addEventListener('load', function () {
  var imgs = document.querySelectorAll('img.figure');
  var ok = Array.prototype.filter.call(imgs, function (i) { return i.complete && i.naturalWidth > 0; });
  document.body.setAttribute('data-figures', imgs.length);
  document.body.setAttribute('data-figures-loaded', ok.length);
});
"""


def _cell(text: str) -> str:
    """Escape a table cell; the paper's bracketed values get their own colour."""
    return re.sub(r"\[([^\]]*(?:\d|paper)[^\]]*)\]", r'<span class="paper">[\1]</span>', html.escape(text.strip()))


def markdown_to_html(md: str) -> str:
    """The workflow's Markdown tables (bold title, pipe table, notes) as HTML."""
    out, rows = [], []

    def flush():
        if rows:
            head, body = rows[0], [r for r in rows[1:] if not set("".join(r)) <= set("-: ")]
            out.append("<table><thead><tr>" + "".join(f"<th>{_cell(c)}</th>" for c in head) + "</tr></thead><tbody>"
                       + "".join("<tr>" + "".join(f"<td>{_cell(c)}</td>" for c in r) + "</tr>" for r in body)
                       + "</tbody></table>")
            rows.clear()

    for line in md.splitlines():
        if line.startswith("|"):
            rows.append(line.strip().strip("|").split("|"))
            continue
        flush()
        if line.startswith("**") and line.rstrip().endswith("**"):
            out.append(f"<h3>{html.escape(line.strip().strip('*'))}</h3>")
        elif line.strip():
            out.append(f'<p class="note">{_cell(line)}</p>')
    flush()
    return "\n".join(out)


def table3_html() -> str:
    return ("<h3>Table 3: Personalization methods</h3>"
            + _simple_table(paper.TABLE3, ["method", "models", "nonlinearities", "objective", "here"])
            + '<p class="note">Descriptive in the paper; reproduced as stated, with where each method lives here.</p>')


def caption(report_dir: Path, name: str | None) -> str:
    if not name or not (report_dir / name).exists():
        return ""
    text = " ".join((report_dir / name).read_text().split())
    return html.escape(text.replace("``", ""))


def _image(png: Path, ident: str, label: str, text: str) -> str:
    data = base64.b64encode(png.read_bytes()).decode("ascii")
    return (f'<figure id="{ident}"><img class="figure" alt="{html.escape(label)}" src="data:image/png;base64,{data}">'
            f"<figcaption><b>{html.escape(label)}.</b> {text}</figcaption></figure>")


def image_html(png: Path, number: int, text: str) -> str:
    return _image(png, f"figure{number}", f"Figure {number}", text)


def _simple_table(rows: list[dict], columns: list[str]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(r.get(c, '')))}</td>" for c in columns) + "</tr>"
                   for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def warnings_html(input_warnings: dict) -> str:
    """The data's warnings per study (datasets.load_dataset): odd but legitimate input a reader should know."""
    items = [f"<li><b>{html.escape(study)}</b>: {html.escape(w)}</li>" for study, ws in input_warnings.items() for w in ws]
    if not items:
        return '<p class="note">None: every study\'s data passed the checks without a warning.</p>'
    return f'<ul class="warnings">{"".join(items)}</ul>'


# The page is a job of the workflow and reads only its declared inputs, so it cannot show the run's
# own timings: those are summarized once every job has finished.
RUNTIME_NOTE = ("Every job's wall time, CPU time and memory, and the workflow's critical path: "
                "results/runtime/runtime.md, written by bin/replicate.sh when the run ends (or by "
                "<code>python3 -m actionable.app.runtime</code> after any run); each job's own record is "
                "in logs/benchmarks/.")
PAPER_ONLY_TABLES = (5, 6)  # exchange parameters between the paper's two studies
THEORY_FIGURES = (1, 2, 3, 4, 5, 6)  # the model's own figures, produced by every configuration
# One study's analysis: (part id, heading, file under results/, kind, caption file)
STUDY_PARTS = [
    ("arm-rates", "Arm rates (as the paper's Figures 7-8)", "descriptives/{study}/arm_rates.png", "figure", "figures7and8.rst"),
    ("table4", "Personalization results (Table 4)", "evaluation/{study}/table4.md", "table", "table4.rst"),
    ("model", "Moments, Our Model and how well the model fits", None, "model", "moments.rst"),
    ("figure9", "Where the forest policy sends people (Figure 9)", "forests/{study}/figure9.png", "figure", "figures9to11.rst"),
    ("figure10", "What the forest splits on (Figure 10)", "forests/{study}/figure10.png", "figure", None),
    ("figure11", "Who goes to each arm (Figure 11)", "forests/{study}/figure11.png", "figure", None),
    ("figure12", "Sensitivity of the predicted gain (Figure 12)", "sensitivity/{study}/figure12.png", "figure", "figure12.rst"),
    ("table6", "What would raise the gain most (Table 6)", "sensitivity/{study}/table6.md", "table", "tables5and6.rst"),
    ("rules", "Who gets which arm: the policy tree as rules (PT-CF)", "policies/{study}/rules.md", "table", None),
    ("gain-curves", "How the gain builds up: gain curves", "evaluation/{study}/gain_curves.png", "figure",
     "gain_curves.rst"),
    ("splits", "The gains across repeated splits", "splits/{study}/gains.png", "figure", "split_robustness.rst"),
]
OPTIONAL_PARTS = {"splits"}  # made only by some configurations (splits.count > 1): absent is not missing


def title_for(studies: list, paper_studies: dict) -> str:
    """The replication when the paper's studies are configured; an analysis of the named studies otherwise."""
    if paper_studies:
        return "Replication of Shchetkina & Berman (2024)"
    return f"Personalization analysis of {', '.join(studies)} (methods of Shchetkina & Berman, 2024)"


def model_html(row: dict | None, diagnostics: dict | None) -> str:
    """A study's moments, Our Model and the model checks, from results/tables/moments.csv and our_model.json."""
    if row is None:
        return '<p class="missing">No moments for this study.</p>'
    def f(v, fmt="{:.4g}"):
        return "" if v is None or v != v else fmt.format(v)

    def pm(v, se):  # the holdout bootstrap SE where the run drew one; "not identified" where v is NaN
        return "not identified" if v is None or v != v else f(v) + ("" if se is None or se != se else f" ± {f(se, '{:.2g}')}")
    # the T-learner's error as the extension row uses it (our_model.prediction_error)
    est = row.get("extension_sigma_eps_estimator")
    est = est if isinstance(est, str) else "noise_corrected"
    rows = [dict(quantity="sigma (within-arm heterogeneity)", value=f(row["sigma"]), truth=f(row.get("true_sigma"))),
            dict(quantity="rho (cross-arm correlation)", value=f(row["rho"]), truth=f(row.get("true_rho"))),
            dict(quantity="s (SD of the arm means; corrected)", value=f"{f(row['s'])} ({f(row['s_corrected'])})",
                 truth=f(row.get("true_s"))),
            dict(quantity="sigma_eps (SD of y - yhat)", value=f(row["sigma_eps"]), truth=""),
            dict(quantity="m (arms)", value=str(row["m"]), truth=""),
            dict(quantity="Our Model: predicted gain (Monte Carlo SE)",
                 value=f"{f(row['our_model_gain'])} ({f(row['our_model_se'], '{:.2g}')})", truth=""),
            dict(quantity="Our Model as n -> infinity", value=f(row["our_model_gain_inf"]), truth=""),
            dict(quantity=f"T-learner's prediction error, {est} (extension; ± holdout bootstrap SE)",
                 value=pm(row.get(f"sigma_eps_{est}"), row.get(f"sigma_eps_{est}_se")),
                 truth=f(row.get("true_arm_specific" if est == "arm_specific" else "true_sigma_eps"))),
            dict(quantity="Our Model, prediction-error sigma_eps (extension)", value=f(row.get("extension_gain")),
                 truth=""),
            dict(quantity="the forest's arm-specific prediction error (extension; ± holdout bootstrap SE)",
                 value=pm(row.get("forest_sigma_eps_arm_specific"), row.get("forest_sigma_eps_arm_specific_se")),
                 truth=f(row.get("forest_true_arm_specific"))),
            dict(quantity="Our Model for the forest's predictions, their arm-specific error (extension)",
                 value=f(row.get("extension_forest_gain")), truth="")]
    out = [_simple_table(rows, ["quantity", "value", "truth"])]
    d = diagnostics or {}
    if d:
        checks = [dict(check="pairwise rho-hat: min / middle half / max",
                       result=f"{f(d.get('rho_min'), '{:.2f}')} / {f(d.get('rho_q25'), '{:.2f}')}-"
                              f"{f(d.get('rho_q75'), '{:.2f}')} / {f(d.get('rho_max'), '{:.2f}')}"),
                  dict(check="arm means normal (Shapiro-Wilk p)",
                       result=d.get("normality_note") or f(d.get("normality_p"), "{:.2g}"))]
        out.append(_simple_table(checks, ["check", "result"]))
        if d.get("warnings"):
            out.append('<ul class="model-warnings">' + "".join(f"<li>{html.escape(w)}</li>" for w in d["warnings"])
                       + "</ul>")
        else:
            out.append('<p class="note">The model checks raise no warning for this study.</p>')
    out.append('<p class="note">Gains in the outcome\'s units (proportions for binary outcomes); Table 4 above shows '
               "them in percentage points. The extension is this package's, not the paper's procedure (docs/methods.md).</p>")
    return "\n".join(out)


def study_section(root: Path, study: str, about: dict, report_dir: Path, found: dict) -> str:
    """Every per-study analysis of the paper for one study."""
    out = [f'<section id="study-{study}" class="study"><h2>Study: {html.escape(study)}</h2>']
    if about.get("description"):
        out.append(f"<p>{html.escape(about['description'])}</p>")
    if about.get("warnings"):
        out.append('<p class="note">Input warnings:</p><ul class="warnings">'
                   + "".join(f"<li>{html.escape(w)}</li>" for w in about["warnings"]) + "</ul>")
    for part, heading, rel, kind, cap in STUDY_PARTS:
        ident = f"study-{study}-{part}"
        out.append(f'<div class="study-part" id="{ident}" data-part="{part}"><h3>{html.escape(heading)}</h3>')
        path = None if rel is None else root / "results" / rel.format(study=study)
        if kind == "model":
            out.append(model_html(about.get("moments"), about.get("diagnostics")))
        elif (path is None or not path.exists()) and part in OPTIONAL_PARTS:
            out.pop()
            continue
        elif path is None or not path.exists():
            out.append(f'<p class="missing">Missing: {html.escape(str(rel).format(study=study))}.</p>')
            found["missing"].append(ident)
            out.append("</div>")
            continue
        elif kind == "figure":
            out.append(_image(path, ident + "-figure", f"{study}: {heading}", caption(report_dir, cap)))
        else:
            out.append(markdown_to_html(path.read_text()))
            if cap:
                out.append(f'<p class="note"><i>{caption(report_dir, cap)}</i></p>')
        found["study_parts"].append(ident)
        out.append("</div>")
    out.append("</section>")
    return "\n".join(out)


def build(root: Path, config: dict, versions: dict, report_dir: Path, title: str | None = None, input_warnings: dict | None = None,
          studies: dict | None = None, paper_studies: dict | None = None, pairs: list | None = None) -> tuple[str, dict]:
    """The page, and which tables, figures and per-study parts it holds (for the log and the tests).

    ``studies``: {study: dict(description, warnings, moments (its moments.csv row), diagnostics)};
    ``paper_studies``: {paper role: study}, empty for a researcher's own studies (the page is then
    an analysis of them, without the paper-only items); ``pairs``: Table 5's swap pairs "a--b".
    """
    root = Path(root)
    studies = studies or {}
    replication = bool(paper_studies) if paper_studies is not None else True
    title = title or title_for(list(studies), paper_studies or {})
    found = dict(tables=[], figures=[], missing=[], study_parts=[])
    sec = []
    if input_warnings is not None:
        sec.append('<h2 id="warnings">Warnings about the input data</h2>')
        sec.append(warnings_html(input_warnings))
    sec.append("<h2 id=\"tables\">Tables</h2>" if replication else
               "<h2 id=\"tables\">The model, and every study side by side</h2>")
    for number, (md, cap) in TABLES.items():
        if not replication and number in PAPER_ONLY_TABLES:
            continue
        sec.append(f'<section id="table{number}" class="table-item">')
        if number == 3:
            sec.append(table3_html())
            found["tables"].append(3)
        elif (root / md).exists():
            sec.append(markdown_to_html((root / md).read_text()))
            sec.append(f'<p class="note"><i>{caption(report_dir, cap)}</i></p>')
            found["tables"].append(number)
        else:
            sec.append(f'<h3>Table {number}</h3><p class="missing">Not produced by this configuration ({md}).</p>')
            found["missing"].append(f"table{number}")
        sec.append("</section>")
    for name, (md, cap) in EXTRA_TABLES.items():
        if (root / md).exists():
            sec.append(f'<section class="extra">{markdown_to_html((root / md).read_text())}'
                       f'<p class="note"><i>{caption(report_dir, cap)}</i></p></section>')
    sec.append("<h2 id=\"figures\">Figures</h2>" if replication else "<h2 id=\"figures\">The model's figures</h2>")
    for number, cap in FIGURE_CAPTIONS.items():
        if not replication and number not in THEORY_FIGURES:
            continue
        png = root / f"results/figures/figure{number}.png"
        if png.exists():
            sec.append(image_html(png, number, caption(report_dir, cap)))
            found["figures"].append(number)
        else:
            sec.append(f'<p class="missing" id="figure{number}">Figure {number}: not produced by this configuration.</p>')
            found["missing"].append(f"figure{number}")
    if not replication:
        sec.append('<p class="note">The paper\'s Tables 5-6 and Figures 7-14 compare its two studies; each study here '
                   "gets the same analyses in its own section below (give two studies the paper_role keys walmart and "
                   "penn_geisinger to lay them out as the paper does).</p>")
    if studies:
        sec.append('<h2 id="studies">Each study\'s analysis</h2>')
        for study, about in studies.items():
            sec.append(study_section(root, study, about, report_dir, found))
    if pairs:
        sec.append('<h2 id="swaps">Parameters exchanged between studies (Table 5)</h2>')
        for pair in pairs:
            md = root / "results" / "sensitivity" / "swaps" / f"{pair}.md"
            if md.exists():
                sec.append(f'<section id="swaps-{pair}" class="swaps">{markdown_to_html(md.read_text())}</section>')
                found["study_parts"].append(f"swaps-{pair}")
            else:
                sec.append(f'<p class="missing">Missing: results/sensitivity/swaps/{html.escape(pair)}.md.</p>')
                found["missing"].append(f"swaps-{pair}")
    sec.append('<h2 id="runtime">Runtime of each step</h2>')
    sec.append(f'<p class="note">{RUNTIME_NOTE}</p>')
    sec.append('<h2 id="software">Software</h2>')
    sec.append(_simple_table([dict(software=k, version=v) for k, v in versions.items()], ["software", "version"]))
    sec.append('<h2 id="config">Configuration</h2>')
    sec.append(f"<pre>{html.escape(yaml.safe_dump(config, sort_keys=False))}</pre>")
    nav = " ".join(f'<a href="#table{n}">Table {n}</a>' for n in found["tables"]) + " " + \
        " ".join(f'<a href="#figure{n}">Fig. {n}</a>' for n in found["figures"]) + " " + \
        " ".join(f'<a href="#study-{s}">{html.escape(s)}</a>' for s in studies)
    if replication:
        intro = ("<p>Shchetkina &amp; Berman (2024), <i>When Is Heterogeneity Actionable for Personalization?</i>: "
                 "every table and figure as reproduced by this run, then each study's own analysis. Values in "
                 "<span class=\"paper\">[brackets]</span> are the paper's published ones; for the synthetic stand-ins "
                 "the true values are shown where the tables have them (oracle rows, true moments).</p>")
    else:
        intro = ("<p>The analysis of Shchetkina &amp; Berman (2024), <i>When Is Heterogeneity Actionable for "
                 "Personalization?</i>, applied to this configuration's studies: how much each study's heterogeneity "
                 "is worth when acted on (Table 4), the moments that decide it and the paper's model of it (Our "
                 "Model), the policies the forest learns, and which change would raise the gain most.</p>")
    page = (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\"><title>{html.escape(title)}</title>"
            f"<style>{CSS}</style><script>{COUNT_SCRIPT}</script></head><body>"
            f"<h1>{html.escape(title)}</h1>{intro}<nav>{nav}</nav>" + "\n".join(sec) + "</body></html>\n")
    return page, found


def versions() -> dict:
    """Python's, the Python packages' and R's versions, and grf's and policytree's, for the report."""
    out = {"Python": platform.python_version()}
    for pkg in ("numpy", "pandas", "scipy", "xgboost", "scikit-learn", "matplotlib", "rpy2", "snakemake"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    out.update({"R": rbridge.package_version("base"), "grf": rbridge.package_version("grf"),
                "policytree": rbridge.package_version("policytree")})
    return out


def study_parts(summaries: list, our_model: list, moments: pd.DataFrame) -> dict:
    """{study: dict(description, warnings, moments, diagnostics)} from each study's data summary
    (summary.json) and Our Model record (our_model.json), in the same order, and the moments table."""
    rows = {r["study"]: r for r in moments.to_dict("records")}
    return {info["study"]: dict(description=read_yaml(info["spec"]).get("description", ""),
                                warnings=info.get("warnings", []), moments=rows.get(info["study"]),
                                diagnostics=om.get("diagnostics")) for info, om in zip(summaries, our_model)}
