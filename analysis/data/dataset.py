"""Build, publish and load the sourced event dataset.

``build`` reads the seeds folder (catalog, documents, gazetteer, claims) and
returns validated tables; ``publish`` writes them as CSV with a Frictionless
``datapackage.json`` -- all or nothing; ``load`` reads a published dataset back.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, fields, replace
from datetime import date
from pathlib import Path

import pandas as pd

from ..core import paths
from ..core.errors import InputError
from ..core.io import atomic_dir, read_text, sha256, write_json
from .case import Case, load_case
from .catalog import load_catalog
from .claims import parse_claims
from .gazetteer import load_gazetteer
from .interop.export import write_hxl_copies
from .tables import CLAIM_TABLES, DATASET_TABLES


@dataclass(frozen=True)
class Dataset:
    """The event dataset: one frame per table of :data:`~analysis.data.tables.DATASET_TABLES` (checked below)."""

    case: Case
    documents: pd.DataFrame
    places: pd.DataFrame
    observations: pd.DataFrame
    control_events: pd.DataFrame
    milestones: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        return {t.name: getattr(self, t.name) for t in DATASET_TABLES}

    def as_of(self, as_of: date | str | pd.Timestamp) -> Dataset:
        """Only the claims whose information was public on or before ``as_of``."""
        cut = pd.Timestamp(as_of)
        claims = {t.name: getattr(self, t.name) for t in CLAIM_TABLES}
        return replace(self, **{name: df[df["info_date"] <= cut].reset_index(drop=True) for name, df in claims.items()})

    @property
    def info_dates(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """First and last information date over the claim tables."""
        all_dates = pd.concat([getattr(self, t.name)["info_date"] for t in CLAIM_TABLES])
        return all_dates.min(), all_dates.max()

    @property
    def coverage(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """Dates a cut-off may take: first information date to the case's analysis end."""
        first, last = self.info_dates
        return first, max(last, pd.Timestamp(self.case.analysis_end))


if [f.name for f in fields(Dataset)] != ["case", *(t.name for t in DATASET_TABLES)]:
    raise ImportError("Dataset's fields must be 'case' and the tables of DATASET_TABLES, in order")


def build(seeds: Path | None = None) -> Dataset:
    """Read the seeds folder and return the validated dataset (nothing is written)."""
    seeds = Path(seeds or paths.seeds_dir())
    case = load_case(seeds / "case.yaml")
    catalog = load_catalog(paths.catalog_file(seeds), paths.documents_dir(seeds))
    gaz = load_gazetteer(paths.gazetteer_file(seeds), paths.geo_dir(seeds), case.admin1_pcodes)
    rows: dict[str, list[dict]] = {t.name: [] for t in CLAIM_TABLES}
    files = sorted(paths.claims_dir(seeds).glob("*.yaml"))
    if not files:
        raise InputError("no annotation files (*.yaml)", file=paths.claims_dir(seeds))
    claimed_docs = set()
    for path in files:
        parsed = parse_claims(path, catalog.documents, gaz)
        doc_ids = {r["doc_id"] for rs in parsed.values() for r in rs}
        if doc_ids & claimed_docs:
            raise InputError(f"document {sorted(doc_ids & claimed_docs)} annotated in two files", file=path)
        claimed_docs |= doc_ids
        for name, rs in parsed.items():
            rows[name].extend(rs)
    tables = {}
    for table in CLAIM_TABLES:
        df = pd.DataFrame(rows[table.name], columns=table.columns)
        dupes = df[df.duplicated(list(table.primary_key), keep=False)]
        if len(dupes):
            raise InputError(f"duplicate key {dupes.iloc[0][list(table.primary_key)].tolist()}", file=table.name)
        tables[table.name] = table.validate(table.conform(df))
    return Dataset(case=case, documents=catalog.table, places=gaz.table, **tables)


def datapackage(case: Case, extra: tuple = ()) -> dict:
    """The Frictionless Data Package descriptor, derived from the table declarations."""
    return {
        "profile": "tabular-data-package",
        "name": f"{case.name}-events",
        "title": f"Sourced event dataset: {case.title}",
        "description": (
            "Claims extracted from the source documents, each row with its verbatim quote, "
            "character span, source, date precision and information date."
        ),
        "licenses": [{"name": "CC-BY-4.0", "title": "Annotations: CC BY 4.0; quotes remain their publishers'; geography: OCHA COD-AB CC BY 3.0 IGO and OpenSyria CC BY 4.0"}],
        "resources": [t.resource(f"{t.name}.csv") for t in (*DATASET_TABLES, *extra)],
    }


def publish(dataset: Dataset, out_dir: Path, extra: tuple = ()) -> Path:
    """Write every table and ``datapackage.json`` into ``out_dir``, atomically.

    ``extra``: (table, frame) pairs published alongside, such as the prediction
    registry (:func:`analysis.scoring.registry_tables`). Resolutions and scores are
    the scoring stage's (:func:`analysis.scoring.publish_scores`), not the dataset's.
    """
    with atomic_dir(Path(out_dir)) as staging:
        for table in DATASET_TABLES:
            table.write_csv(getattr(dataset, table.name), staging / f"{table.name}.csv")
        for table, frame in extra:
            table.write_csv(frame, staging / f"{table.name}.csv")
        package = datapackage(dataset.case, tuple(t for t, _ in extra))
        package["resources"] += write_hxl_copies(staging, (*DATASET_TABLES, *(t for t, _ in extra)))
        for resource in package["resources"]:  # Frictionless "hash": what load() checks the files against
            resource["hash"] = f"sha256:{sha256(staging / resource['path'])}"
        write_json(staging / "datapackage.json", package)
    return Path(out_dir)


class DatasetChangedWarning(UserWarning):
    """A published dataset file differs from the checksum its ``datapackage.json`` records."""


def changed_files(dataset_dir: Path) -> list[str]:
    """The dataset's CSV files whose SHA-256 differs from the ``hash`` in ``datapackage.json``.

    A file published without a hash (a dataset from before hashes were recorded) counts as changed.

    Parameters
    ----------
    dataset_dir : Path
        A published dataset folder.

    Returns
    -------
    list of str
        File names, in the datapackage's order; empty when every file is as published.
    """
    d = Path(dataset_dir)
    try:
        package = json.loads(read_text(d / "datapackage.json"))
    except ValueError as exc:
        raise InputError(f"not valid JSON: {exc}", file=d / "datapackage.json") from None
    changed = []
    for resource in package.get("resources", []) if isinstance(package, dict) else []:
        path = d / str(resource.get("path", ""))
        if path.is_file() and resource.get("hash") != f"sha256:{sha256(path)}":
            changed.append(path.name)
    return changed


def load(dataset_dir: Path | None = None, seeds: Path | None = None) -> Dataset:
    """Read a published dataset. Raises with the fix when it has not been built."""
    d = Path(dataset_dir or paths.dataset_dir())
    if not (d / "datapackage.json").is_file():
        raise InputError("no published dataset here; run `idlib dataset` (or `make dataset`) first", file=d)
    changed = changed_files(d)
    if changed:
        warnings.warn(
            f"{d}: {', '.join(changed)} changed since the dataset was published (SHA-256 differs from "
            "datapackage.json); the results use the edited files. `idlib dataset --force` rebuilds from the seeds",
            DatasetChangedWarning, stacklevel=2,
        )
    case = load_case(Path(seeds or paths.seeds_dir()) / "case.yaml")
    tables = {t.name: t.read_csv(d / f"{t.name}.csv") for t in DATASET_TABLES}
    return Dataset(case=case, **tables)


def summary(dataset: Dataset) -> dict[str, pd.DataFrame]:
    """Rows per table, per document and per variable, for the build's printout."""
    claim_tables = {t.name: getattr(dataset, t.name) for t in CLAIM_TABLES}
    per_table = pd.DataFrame(
        {"table": list(dataset.tables()), "rows": [len(df) for df in dataset.tables().values()]}
    )
    per_doc = (
        pd.concat([df[["doc_id"]].assign(table=name) for name, df in claim_tables.items()])
        .value_counts(["doc_id", "table"])
        .unstack(fill_value=0)
        .reindex(columns=list(claim_tables), fill_value=0)
        .reset_index()
    )
    per_var = (
        dataset.observations.groupby(["variable", "kind"]).size().rename("rows").reset_index()
    )
    return {"tables": per_table, "documents": per_doc, "variables": per_var}
