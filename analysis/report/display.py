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
    cells = [[_cell(v) for v in row] for row in df.itertuples(index=False)]
    rule = "|" + "|".join("-" * w for w in column_weights(list(map(str, df.columns)), cells)) + "|"
    body = ["| " + " | ".join(row) + " |" for row in cells]
    return "\n".join([head, rule, *body])


def column_weights(header: list[str], cells: list[list[str]], low: int = 3, high: int = 40) -> list[int]:
    """Dashes per column of the pipe table's rule: pandoc makes column widths proportional to them.

    A column gets the width of its longest unbreakable piece (ids break after "_" and ":", prose at
    spaces), at least ``low`` and at most ``high``, so a hash or a date is not squeezed into a column
    as narrow as a column of prose.

    >>> column_weights(["spec_hash", "n"], [["14486e3adca5", "10000"]])
    [12, 5]
    """
    import re

    def piece(text: str) -> int:
        return max((len(p) for p in re.split(r"(?<=[_:])|\s+", text) if p), default=0)

    weights = []
    for j, name in enumerate(header):
        longest = max([piece(name)] + [piece(row[j]) for row in cells])
        longest_cell = max([len(name)] + [len(row[j]) for row in cells])
        weights.append(max(low, min(high, max(longest, longest_cell // 3))))
    return weights


def table(df: pd.DataFrame, max_rows: int | None = None):
    """Display ``df`` as a Markdown table (a real table in the PDF)."""
    from IPython.display import Markdown

    return Markdown(markdown_table(df, max_rows))


def text(markdown: str):
    """Display computed prose as Markdown."""
    from IPython.display import Markdown

    return Markdown(markdown)
