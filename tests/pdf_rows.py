"""Which table rows a notebook displayed, and whether a PDF shows every one of them."""

from __future__ import annotations

import json
import re
from pathlib import Path

from pypdf import PdfReader


def displayed_row_ids(executed: Path) -> list[str]:
    """The first cell of every body row of every Markdown table the executed notebook displayed."""
    ids = []
    for cell in json.loads(Path(executed).read_text(encoding="utf-8"))["cells"]:
        for out in cell.get("outputs", []):
            md = out.get("data", {}).get("text/markdown")
            if not md:
                continue
            lines = ("".join(md) if isinstance(md, list) else md).splitlines()
            for i, line in enumerate(lines):
                if i >= 2 and lines[1].startswith("|---") and line.startswith("| "):
                    first = re.split(r"(?<!\\)\|", line)[1].strip().replace("\\|", "|")
                    if first:
                        ids.append(first)
    return ids


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def missing_rows(executed: Path, pdf: Path) -> list[str]:
    """Row ids the notebook displayed that the PDF's text does not contain (whitespace ignored)."""
    text = _squash("".join(page.extract_text() for page in PdfReader(pdf).pages))
    return [rid for rid in displayed_row_ids(executed) if _squash(rid) not in text]
