"""The code's house rules: the package's parts import one way, every printed number of the paper
lives in one module, scripts are thin, and user-facing text carries no development history."""
import ast
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from actionable.paper import published
from conftest import ROOT

pytestmark = pytest.mark.unit

PACKAGE = ROOT / "actionable"
# Each part imports only from the parts before it.
LAYERS = ["stats", "studies", "paper", "app"]
# Imports inside functions are kept for optional heavy dependencies only (rpy2 starts R; pyarrow
# is needed for Parquet files alone).
LAZY_OK = {"rpy2", "pyarrow"}


def _modules():
    return sorted(p for p in PACKAGE.rglob("*.py"))


def _part(path: Path) -> str | None:
    rel = path.relative_to(PACKAGE).parts
    return rel[0] if len(rel) > 1 else None


def _imported(path: Path, node) -> list[str]:
    """Dotted names an import node brings in, resolved to absolute (actionable.x.y) where relative."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if node.level:
        base = list(path.relative_to(ROOT).with_suffix("").parts)[: -node.level]
        mod = ".".join(base + ([node.module] if node.module else []))
    else:
        mod = node.module
    return [f"{mod}.{a.name}" for a in node.names] if not node.module else [mod]


def layer_violations(path: Path, source: str) -> list[str]:
    """Imports in ``source`` (the text of ``path``) of a part that comes after the file's own."""
    own, bad = _part(path), []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        for name in _imported(path, node):
            parts = name.split(".")
            if parts[0] != "actionable" or len(parts) < 2:
                continue
            if parts[1] not in LAYERS:
                bad.append(f"{path.relative_to(ROOT)} imports {name}: not in a part")
            elif LAYERS.index(parts[1]) > LAYERS.index(own):
                bad.append(f"{path.relative_to(ROOT)} ({own}) imports {name} ({parts[1]} comes after {own})")
    return bad


def test_parts_import_one_way():
    bad = [v for path in _modules() if _part(path) for v in layer_violations(path, path.read_text())]
    assert not bad, "\n".join(bad)


def test_layer_check_can_fail():
    """The check sees relative and absolute imports that reach into a later part."""
    fake = PACKAGE / "stats" / "x.py"
    assert len(layer_violations(fake, "from ..paper import published\nimport actionable.app.cli\n")) == 2
    assert not layer_violations(fake, "from . import model\nfrom ..stats.seeds import stream_seed\n")
    assert layer_violations(fake, "from ..flat import x\n")  # a module outside the parts


def test_imports_inside_functions_only_for_optional_dependencies():
    bad = []
    for path in _modules():
        tree = ast.parse(path.read_text())
        for fn in ast.walk(tree):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(fn):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    names = _imported(path, node)
                    if not all(n.split(".")[0] in LAZY_OK for n in names):
                        bad.append(f"{path.relative_to(ROOT)}:{node.lineno} {fn.name} imports {', '.join(names)}")
    assert not bad, "\n".join(bad)


def test_stats_does_no_file_io_and_reads_no_config():
    """actionable.stats computes; reading and writing files and the config layout live in studies."""
    bad = []
    for path in sorted((PACKAGE / "stats").glob("*.py")):
        text = path.read_text()
        for pattern in (r"\bopen\(", r"\.read_csv\(", r"\.to_csv\(", r"np\.save\(", r"np\.load\(", r"yaml\.",
                        r"config\[", r"\bPath\("):
            if re.search(pattern, text):
                bad.append(f"{path.relative_to(ROOT)}: {pattern}")
    assert not bad, "\n".join(bad)


# ----------------------------------------------------------------------------- published values
PUBLISHED = PACKAGE / "paper" / "published.py"


def _significant(value) -> int:
    digits = re.sub(r"[^0-9]", "", f"{abs(value):.10g}".split("e")[0]).strip("0")
    return len(digits)


def published_values() -> set:
    """The distinctive numbers the paper prints (three or more significant digits, e.g. Table 5's
    cells, sigma-hat, Table 2's counts). Short ones (0.5, 23) are too common to police."""
    values = set()
    for node in ast.walk(ast.parse(PUBLISHED.read_text())):
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            if _significant(node.value) >= 3:
                values.add(node.value)
    return values


def _spellings(value) -> list[str]:
    """Text spellings of a value as prose and markdown write it (with or without thousands separators)."""
    if float(value).is_integer():
        v = int(value)
        return [f"{v:,}", str(v), f"{v:_}"]
    return [repr(float(value))]


def _offenders(path: Path, values: set) -> list[str]:
    text = path.read_text()
    found = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and node.value in values \
                and not isinstance(node.value, bool):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            for v in values:
                for s in _spellings(v):
                    if re.search(rf"(?<![\d.]){re.escape(s)}(?![\d])", node.value):
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {s!r} in a string")
    return found


def python_files():
    for folder in ("actionable", "scripts", "tests", "benchmarks", "analyses", "workflow"):
        for path in sorted((ROOT / folder).rglob("*.py")) if (ROOT / folder).exists() else []:
            if path != PUBLISHED and not path.is_symlink() and "actionable" not in path.relative_to(ROOT).parts[1:2]:
                yield path


def test_published_values_live_in_one_module():
    values = published_values()
    assert {published.TABLE5["Penn-Geisinger"]["rho"], published.MOMENTS["Penn-Geisinger"]["sigma"],
            published.TABLE2["Walmart"][0]} <= values
    bad = [o for path in python_files() for o in _offenders(path, values)]
    assert not bad, "printed values of the paper outside actionable/paper/published.py:\n" + "\n".join(bad)


def test_published_value_check_sees_any_spelling(tmp_path):
    probe = ROOT / "tests" / "_probe_published.py"
    try:
        n, rho = published.TABLE2["Walmart"][0], published.TABLE5["Penn-Geisinger"]["rho"]
        probe.write_text(f"a = {n:_}\nb = {rho}\nc = 'Walmart had {n:,} people'\n")
        assert len(_offenders(probe, published_values())) == 3
    finally:
        probe.unlink()


# ----------------------------------------------------------------------------- thin scripts
MAX_SCRIPT_LINES = 25


def code_lines(path: Path) -> int:
    """Lines that are neither blank, comments nor the module docstring."""
    tree = ast.parse(path.read_text())
    doc = set()
    if tree.body and isinstance(tree.body[0], ast.Expr) and isinstance(tree.body[0].value, ast.Constant):
        doc = set(range(tree.body[0].lineno, tree.body[0].end_lineno + 1))
    return sum(1 for i, line in enumerate(path.read_text().splitlines(), 1)
               if line.strip() and not line.strip().startswith("#") and i not in doc)


def test_scripts_are_thin():
    """A workflow script reads its inputs, calls the package and writes its outputs: at most 25 lines of code."""
    long = {p.name: code_lines(p) for p in sorted((ROOT / "scripts").glob("*.py")) if code_lines(p) > MAX_SCRIPT_LINES}
    assert not long, long


def test_code_lines_count_code_only(tmp_path):
    probe = tmp_path / "s.py"
    probe.write_text('"""Doc\n\nmore doc."""\nimport a\n\n# comment\nx = 1  # trailing\n')
    assert code_lines(probe) == 2


# ----------------------------------------------------------------------------- user-facing text
HISTORY = re.compile(r"\bsessions?\b|\bissues?\b|this machine\b|\bbranch(es)?\b|\bpass(es)? \d|\bpass \d's|"
                     r"work period|\bearlier version of this\b|\bTODO\b", re.I)


def user_text():
    """README.md, docs/ and the folders' own READMEs and measurement log: what users read."""
    yield ROOT / "README.md"
    yield from sorted((ROOT / "docs").glob("*.md"))
    for folder in ("analyses", "benchmarks", "data", "config"):
        yield from sorted((ROOT / folder).glob("*.md"))


def history_words(text: str) -> list[str]:
    return [m.group(0) for m in HISTORY.finditer(text)]


def test_user_text_carries_no_development_history():
    """History lives in git: no work sessions, issue references, calibration pass numbers, branches
    or 'this machine' (measurements name their machine kind)."""
    bad = {p.relative_to(ROOT).as_posix(): history_words(p.read_text()) for p in user_text()}
    assert {k: v for k, v in bad.items() if v} == {}
    assert len(list(user_text())) >= 8


def test_history_check_can_fail():
    assert history_words("Measured in session 19 on this machine; pass 4's stand-in (issue 16).") == [
        "session", "this machine", "pass 4", "issue"]


def test_readme_is_a_guide():
    """At most 300 lines, both commands on its first screen, its measured figures pinned to one commit."""
    lines = (ROOT / "README.md").read_text().splitlines()
    assert len(lines) <= 300
    first = "\n".join(lines[:40])
    assert "bash bin/replicate.sh" in first and "bash bin/test.sh" in first


def test_citation_file_names_the_package_the_paper_and_its_tools():
    """CITATION.cff as cffconvert reads it: the required keys, the paper as preferred citation with
    its authors and DOI, and grf and policytree among the references with their authors."""
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    for key in ("cff-version", "message", "title", "version", "date-released", "license", "authors",
                "preferred-citation", "references"):
        assert cff.get(key), key
    paper = cff["preferred-citation"]
    assert [a["family-names"] for a in paper["authors"]] == ["Shchetkina", "Berman"]
    assert paper["doi"].endswith("2411.16552") and paper["year"] == 2024
    titles = " ".join(r["title"] for r in cff["references"])
    assert "grf" in titles and "policytree" in titles
    assert all(r["authors"] and all("family-names" in a for a in r["authors"]) for r in cff["references"])


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_links_between_the_documents_resolve():
    """Every relative link in README.md and docs/ points to a file that exists, and to a heading of it."""
    assert _slug("Section 5.2's estimates") == "section-52s-estimates"
    bad = []
    for page in user_text():
        for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text()):
            if re.match(r"[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            dest = (page.parent / path).resolve() if path else page
            if not dest.exists():
                bad.append(f"{page.relative_to(ROOT)}: {target} (no such file)")
            elif anchor and dest.suffix == ".md":
                slugs = {_slug(h) for h in re.findall(r"^#+ (.+)$", dest.read_text(), re.M)}
                if anchor not in slugs:
                    bad.append(f"{page.relative_to(ROOT)}: {target} (no such heading)")
    assert not bad, "\n".join(bad)


def test_an_installed_package_validates_a_config(tmp_path):
    """The schemas ship as package data: a wheel built from pyproject.toml, unpacked away from the
    project, validates config.yaml (and refuses a misspelt key)."""
    src = tmp_path / "src"
    shutil.copytree(PACKAGE, src / "actionable", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", src)
    build = subprocess.run([sys.executable, "-c", "import setuptools.build_meta as b; print(b.build_wheel('dist'))"],
                           cwd=src, capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr[-2000:]
    wheel = src / "dist" / build.stdout.strip().splitlines()[-1]
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(tmp_path / "site")
    bad = tmp_path / "bad.yaml"
    bad.write_text((ROOT / "config.yaml").read_text() + "\nsed: 1\n")
    code = ("import sys; from actionable.studies.config import SCHEMAS, ConfigError, load_config\n"
            "assert 'site' in str(SCHEMAS), SCHEMAS\n"
            f"print(len(load_config({str(ROOT / 'config.yaml')!r})['studies']))\n"
            f"try:\n    load_config({str(bad)!r})\nexcept ConfigError as e:\n    print('refused', e)\n")
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                         env={"PYTHONPATH": str(tmp_path / "site"), "PATH": "/usr/bin:/bin"})
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.splitlines()[0] == "2" and "refused" in run.stdout and "sed" in run.stdout


def _trip(text: str) -> list[tuple[str, list[str]]]:
    """The first table under docs/code-map.md's trip heading: (file, identifiers it names) per step."""
    section = text.split("## A config key to the Table 4 cell it changes", 1)[1]
    rows = []
    for line in section.splitlines():
        m = re.match(r"\| \d+ \| `([^`]+)` \| (.*) \|$", line)
        if m:
            rows.append((m.group(1), re.findall(r"`([a-z_][a-z0-9_]*)`", m.group(2))))
        elif rows:
            break
    return rows


def test_the_code_maps_config_key_reaches_table4_in_six_files_that_hold_what_it_says():
    trip = _trip((ROOT / "docs" / "code-map.md").read_text())
    files = {f for f, _ in trip}
    assert 3 <= len(files) <= 6, files
    for path, names in trip:
        text = (ROOT / path).read_text()
        for name in names:  # every function, rule or key a step names is in that step's file
            assert re.search(rf"\b{name}\b", text), f"docs/code-map.md: `{name}` is not in {path}"
    # the key itself: config.yaml's value reaches the bootstrap the SE is taken over
    cfg = yaml.safe_load((ROOT / "config.yaml").read_text())
    assert cfg["evaluation"]["bootstrap"] >= 100
    assert 'settings=config["evaluation"]' in (ROOT / "workflow/rules/evaluation.smk").read_text()
    assert 'cfg["bootstrap"]' in (PACKAGE / "paper" / "table4.py").read_text()


def test_the_trip_check_can_fail():
    bad = "## A config key to the Table 4 cell it changes\n\n| 1 | `config.yaml` | `no_such_key_anywhere` |\n"
    (path, names), = _trip(bad)
    assert not re.search(rf"\b{names[0]}\b", (ROOT / path).read_text())
