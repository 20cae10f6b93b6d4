"""Arm labels a spec declares (arm.labels) reach every figure axis and the report verbatim: HTML-escaped
in the page, drawn in figures with a font that has their glyphs (accents, CJK, symbols and emoji)."""
import warnings

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from actionable.app import report  # noqa: E402
from actionable.app.policy import rules_markdown  # noqa: E402
from actionable.paper import figures  # noqa: E402
from actionable.studies.io import save_figure  # noqa: E402

LABELS = {"a": "<script>alert(1)</script>", "b": "crème brûlée, 10 €", "c": "限時優惠", "d": "free gift 🎉"}


def _rates():
    return pd.DataFrame(dict(arm=list(LABELS), n=[100] * 4, mean=[0.3, 0.32, 0.31, 0.29], lower=[0.25] * 4,
                             upper=[0.35] * 4, control=[True, False, False, False], label=list(LABELS.values())))


def _missing_glyphs(draw) -> list:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = draw()
        fig.canvas.draw()
        plt.close(fig)
    return [str(w.message) for w in caught if "missing from" in str(w.message)]


@pytest.mark.unit
def test_figures_show_the_labels_with_every_glyph():
    fig = figures.arm_rates(_rates(), "shop")
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == list(LABELS.values())
    plt.close(fig)
    shares = pd.DataFrame(dict(arm=list(LABELS), share=[0.4, 0.3, 0.2, 0.1], label=list(LABELS.values()),
                               control=[True, False, False, False]))
    fig = figures.assignment_shares({"shop": shares})
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == list(LABELS.values())
    plt.close(fig)
    assert set(figures.FONTS) <= {f.name for f in matplotlib.font_manager.fontManager.ttflist}, \
        "bin/setup.sh installs fonts-noto-cjk and fonts-symbola"
    assert _missing_glyphs(lambda: figures.arm_rates(_rates(), "shop")) == []
    assert _missing_glyphs(lambda: figures.assignment_shares({"shop": shares})) == []
    # the check can fail: DejaVu Sans alone has no CJK or emoji glyphs
    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
        assert _missing_glyphs(_plain)
    # an arm without a label shows its code
    no_label = _rates().assign(label=["", None, "x", ""])
    assert figures.arm_names(no_label) == ["a", "b", "x", "d"]


def _plain():
    fig, ax = plt.subplots(figsize=(3, 1))
    ax.set_title(LABELS["c"] + LABELS["d"])
    return fig


@pytest.mark.unit
def test_the_report_shows_the_labels_verbatim_and_escaped(tmp_path):
    study = tmp_path / "results"
    (study / "descriptives" / "shop").mkdir(parents=True)
    save_figure(figures.arm_rates(_rates(), "shop"), study / "descriptives" / "shop" / "arm_rates.png")
    (study / "policies" / "shop").mkdir(parents=True)
    def split(feature, cut, left, right):
        return dict(feature=feature, left_if=f"{feature} <= {cut}", right_if=f"{feature} > {cut}", left=left, right=right)

    leaves = [dict(arm=a, training_rows=100 + i) for i, a in enumerate("cbad")]
    record = dict(study="shop", depth=2, training_rows=406, implementation="exact", features=["age", "visits"],
                  fill=[40.0, 2.0], arm_labels=LABELS,
                  tree=split("age", 40, split("visits", 2, *leaves[:2]), split("visits", 5, *leaves[2:])))
    (study / "policies" / "shop" / "rules.md").write_text(rules_markdown(record))
    page, found = report.build(tmp_path, {"seed": 1}, {"Python": "3"}, tmp_path, "t", studies={"shop": {}},
                               paper_studies={})
    assert "study-shop-rules" in found["study_parts"] and "study-shop-arm-rates" in found["study_parts"]
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    for arm in "bcd":
        assert f"{arm} ({LABELS[arm]})" in page, arm  # accents, CJK and the emoji verbatim
    plt.close("all")
