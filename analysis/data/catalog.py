"""The document catalog: every file in seeds/documents has one entry and an unchanged checksum."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from ..core.errors import InputError
from ..core.io import LineDict, check_keys, read_text, read_yaml, sha256
from . import vocab
from .parsing import parse_date
from .tables import DOCUMENTS

_REQUIRED = {f.name for f in DOCUMENTS.fields if f.required}
_ALLOWED = set(DOCUMENTS.columns)


@dataclass(frozen=True)
class Document:
    doc_id: str
    file_name: str
    kind: str
    published_date: date | None
    info_date_rule: str
    coverage_start: date
    coverage_end: date
    text: str


@dataclass(frozen=True)
class Catalog:
    table: pd.DataFrame
    documents: dict[str, Document]


def load_catalog(catalog_path: Path, documents_dir: Path) -> Catalog:
    """Read and check the catalog: entries complete, every file listed, checksums unchanged."""
    data = read_yaml(catalog_path)
    if not isinstance(data, dict) or not isinstance(data.get("documents"), list):
        raise InputError("expected a mapping with a 'documents' list", file=catalog_path)
    rows, docs = [], {}
    for entry in data["documents"]:
        line = entry.line if isinstance(entry, LineDict) else None
        if not isinstance(entry, dict):
            raise InputError("each document entry must be a mapping", file=catalog_path, line=line)
        check_keys(entry, _ALLOWED, file=catalog_path, line=line)
        for key in sorted(_REQUIRED - set(entry)):
            raise InputError("missing", file=catalog_path, line=line, field=key)
        doc_id = str(entry["doc_id"])
        if doc_id in docs:
            raise InputError(f"duplicate doc_id {doc_id!r}", file=catalog_path, line=line, field="doc_id")
        if entry["kind"] not in vocab.DOCUMENT_KINDS:
            raise InputError(f"kind must be one of {vocab.DOCUMENT_KINDS}", file=catalog_path, line=line, field="kind")
        path = documents_dir / str(entry["file_name"])
        if not path.is_file():
            raise InputError(f"document file {path.name} not found in {documents_dir.name}/", file=catalog_path, line=line, field="file_name")
        digest = sha256(path)
        if digest != entry["sha256"]:
            raise InputError(
                f"checksum of {path.name} changed: catalog {entry['sha256']}, file {digest}. "
                "Documents are immutable; add a new document instead.",
                file=catalog_path, line=line, field="sha256",
            )
        try:
            published = parse_date(entry["published_date"]) if entry.get("published_date") else None
            cov = (parse_date(entry["coverage_start"]), parse_date(entry["coverage_end"]))
        except ValueError as exc:
            raise InputError(str(exc), file=catalog_path, line=line) from exc
        if entry["info_date_rule"] == "publication" and published is None:
            raise InputError("info_date_rule 'publication' needs a published_date", file=catalog_path, line=line, field="published_date")
        docs[doc_id] = Document(
            doc_id=doc_id,
            file_name=path.name,
            kind=entry["kind"],
            published_date=published,
            info_date_rule=entry["info_date_rule"],
            coverage_start=cov[0],
            coverage_end=cov[1],
            text=read_text(path),
        )
        rows.append({c: entry.get(c) for c in DOCUMENTS.columns})
    listed = {d.file_name for d in docs.values()}
    for path in sorted(documents_dir.glob("*.txt")):
        if path.name not in listed:
            raise InputError(f"document {path.name} has no catalog entry", file=catalog_path)
    table = DOCUMENTS.validate(DOCUMENTS.conform(pd.DataFrame(rows, columns=DOCUMENTS.columns)))
    return Catalog(table=table, documents=docs)
