"""Table 2: observations, arms and covariates of every study, beside the paper's counts."""

from __future__ import annotations

import pandas as pd

from .markdown import to_markdown
from .published import STUDY_ORDER, TABLE2

TABLE2_COLUMNS = ["observations", "arms", "covariates_total", "covariates_continuous", "covariates_discrete"]


def table2_row(summary: dict) -> dict:
    """Table 2's counts from a dataset summary (``Dataset.summary()``)."""
    return dict(study=summary["study"], observations=summary["n"], arms=summary["m"],
                covariates_total=summary["covariates_total"],
                covariates_continuous=summary["covariates_continuous"],
                covariates_discrete=summary["covariates_discrete"])


def table2(summaries: list, paper_names: dict) -> tuple[pd.DataFrame, str]:
    """The table (one row per study, the paper's counts beside its stand-in's, the paper's row order
    first) and its markdown. ``paper_names``: {study: the paper's name of the study it stands in for}."""
    rows = []
    for summary in summaries:
        row = table2_row(summary)
        row["paper_study"] = paper_names.get(row["study"], "")
        for col, val in zip(TABLE2_COLUMNS, TABLE2.get(row["paper_study"]) or [None] * len(TABLE2_COLUMNS)):
            row[f"paper_{col}"] = val
        rows.append(row)
    order = {name: i for i, name in enumerate(STUDY_ORDER)}  # other studies after the paper's
    table = pd.DataFrame(sorted(rows, key=lambda r: (order.get(r["paper_study"], len(order)), r["study"])))
    show = table[["study", *TABLE2_COLUMNS]].copy()
    for col in TABLE2_COLUMNS:
        show[col] = [f"{v:,}" + (f" [{p:,.0f}]" if pd.notna(p) else "") for v, p in zip(table[col], table[f"paper_{col}"])]
    show.columns = ["Dataset", "# Observations", "# Arms", "Covariates: total", "continuous", "discrete"]
    md = to_markdown(show, title="Table 2: Summary statistics of megastudies",
                     notes=["[paper] = the paper's value for the study this one stands in for. "
                            "Arms include the control; discrete = binary + categorical."])
    return table, md
