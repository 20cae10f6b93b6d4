"""Rendering of result tables as Markdown (no dependency beyond pandas)."""

from __future__ import annotations

import pandas as pd


def to_markdown(df: pd.DataFrame, floatfmt: str = "{:.3f}", notes: list[str] | None = None,
                title: str | None = None) -> str:
    def fmt(v):
        if isinstance(v, float):
            return floatfmt.format(v)
        return str(v)

    head = "| " + " | ".join(map(str, df.columns)) + " |"
    rule = "|" + "|".join("---" for _ in df.columns) + "|"
    body = ["| " + " | ".join(fmt(v) for v in row) + " |" for row in df.itertuples(index=False)]
    out = ([f"**{title}**", ""] if title else []) + [head, rule, *body]
    if notes:
        out += [""] + [f"{n}" for n in notes]
    return "\n".join(out) + "\n"
