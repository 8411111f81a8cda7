"""Notebook display helpers: tables as Markdown so PDFs get real tables."""

from __future__ import annotations

import pandas as pd


def _cell(value: object) -> str:
    if value is None or (not isinstance(value, str | list | tuple) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"
    # Long identifiers wrap after "_" and ":" by a rule in the typst template, so a copied id
    # carries no invisible character.
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(df: pd.DataFrame, max_rows: int | None = None) -> str:
    """A GitHub pipe table of ``df`` (index dropped)."""
    if max_rows is not None:
        df = df.head(max_rows)
    head = "| " + " | ".join(map(str, df.columns)) + " |"
    rule = "|" + "|".join("---" for _ in df.columns) + "|"
    body = ["| " + " | ".join(_cell(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def table(df: pd.DataFrame, max_rows: int | None = None):
    """Display ``df`` as a Markdown table (a real table in the PDF)."""
    from IPython.display import Markdown

    return Markdown(markdown_table(df, max_rows))


def text(markdown: str):
    """Display computed prose as Markdown."""
    from IPython.display import Markdown

    return Markdown(markdown)
