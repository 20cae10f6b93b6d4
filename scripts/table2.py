"""Table 2: observations, arms and covariates of every study, beside the paper's counts."""
import json

import pandas as pd

from actionable.descriptives import PAPER_TABLE2, TABLE2_COLUMNS, table2_row
from actionable.io import script_log, write_csv, write_text
from actionable.tables import to_markdown

with script_log(snakemake) as log:
    rows = []
    roles = {v: k for k, v in snakemake.params.paper_studies.items()}
    paper_name = {"walmart": "Walmart", "penn_geisinger": "Penn-Geisinger"}
    for path in snakemake.input:
        row = table2_row(json.load(open(path)))
        paper = PAPER_TABLE2.get(paper_name.get(roles.get(row["study"]), ""))
        row["paper_study"] = paper_name.get(roles.get(row["study"]), "")
        for col, val in zip(TABLE2_COLUMNS, paper or [None] * 5):
            row[f"paper_{col}"] = val
        rows.append(row)
    order = {"Walmart": 0, "Penn-Geisinger": 1}  # the paper's row order, other studies after
    table = pd.DataFrame(sorted(rows, key=lambda r: (order.get(r["paper_study"], 2), r["study"])))
    write_csv(table, snakemake.output.csv)
    show = table[["study", *TABLE2_COLUMNS]].copy()
    for col in TABLE2_COLUMNS:
        show[col] = [f"{v:,}" + (f" [{p:,.0f}]" if pd.notna(p) else "") for v, p in zip(table[col], table[f"paper_{col}"])]
    show.columns = ["Dataset", "# Observations", "# Arms", "Covariates: total", "continuous", "discrete"]
    write_text(to_markdown(show, title="Table 2: Summary statistics of megastudies",
                           notes=["[paper] = the paper's value for the study this one stands in for. "
                                  "Arms include the control; discrete = binary + categorical."]),
               snakemake.output.md)
    log.info("\n%s", table.to_string())
