"""Declare a table once; derive its pandera schema, CSV, Frictionless resource and dictionary.

A :class:`Table` is the single declaration of a published table: its fields
(types, units, descriptions, allowed values), primary key and stage. Everything
else -- validation, column order, dtypes, ``datapackage.json`` and the data
dictionary printed in reports -- is computed from it (the PUDL pattern).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TextIO

import pandas as pd
import pandera.pandas as pa

from ..core.errors import InputError
from ..core.io import atomic_path

FieldType = Literal["string", "integer", "number", "date", "boolean"]

_PANDAS_DTYPE: dict[str, str] = {
    "string": "string",
    "integer": "Int64",
    "number": "float64",
    "date": "datetime64[ns]",
    "boolean": "boolean",
}


@dataclass(frozen=True)
class Field:
    """One column: name, type, description and optional unit, enum and bounds."""

    name: str
    type: FieldType
    description: str
    unit: str | None = None
    required: bool = True
    enum: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None

    def checks(self) -> list[pa.Check]:
        checks: list[pa.Check] = []
        if self.enum is not None:
            checks.append(pa.Check.isin(list(self.enum)))
        if self.minimum is not None:
            checks.append(pa.Check.ge(self.minimum))
        if self.maximum is not None:
            checks.append(pa.Check.le(self.maximum))
        return checks

    def frictionless(self) -> dict:
        out: dict = {
            "name": self.name,
            "type": self.type,
            "description": self.description,
        }
        if self.unit:
            out["unit"] = self.unit
        constraints: dict = {}
        if self.required:
            constraints["required"] = True
        if self.enum is not None:
            constraints["enum"] = list(self.enum)
        if self.minimum is not None:
            constraints["minimum"] = self.minimum
        if self.maximum is not None:
            constraints["maximum"] = self.maximum
        if constraints:
            out["constraints"] = constraints
        return out


@dataclass(frozen=True)
class Table:
    """A published table, declared once."""

    name: str
    title: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    stage: str = "core"
    unique_together: tuple[tuple[str, ...], ...] = field(default=())

    def __post_init__(self) -> None:
        names = [f.name for f in self.fields]
        if len(set(names)) != len(names):
            raise ValueError(f"table {self.name}: duplicate field names")
        missing = [k for k in self.primary_key if k not in names]
        if missing:
            raise ValueError(f"table {self.name}: primary key {missing} not among fields")

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"table {self.name} has no field {name!r}")

    # -- pandas ---------------------------------------------------------------
    def conform(self, df: pd.DataFrame, source: str | Path | None = None) -> pd.DataFrame:
        """Order columns as declared and cast each to its declared dtype.

        A value that is not of its field's type raises InputError naming ``source`` (default: the
        table's name), the CSV line and primary key of the row, and the field.
        """
        where = source if source is not None else self.name
        missing = [c for c in self.columns if c not in df.columns]
        if missing:
            raise InputError(f"missing columns {missing}", file=where)
        extra = [c for c in df.columns if c not in self.columns]
        if extra:
            raise InputError(f"undeclared columns {extra}", file=where)
        out = df[self.columns].copy()
        for f in self.fields:
            col = out[f.name]
            if f.type == "date":
                cast = pd.to_datetime(col, errors="coerce", format="ISO8601")
                self._check_cast(df, col, cast, f, source, "an ISO date YYYY-MM-DD")
                out[f.name] = cast.astype("datetime64[ns]")
            elif f.type in ("integer", "number"):
                cast = pd.to_numeric(col, errors="coerce")
                self._check_cast(df, col, cast, f, source, "a number")
                if f.type == "integer":
                    whole = cast.isna() | (cast % 1 == 0)
                    self._check_cast(df, col, cast.where(whole), f, source, "a whole number")
                out[f.name] = cast.astype("Int64" if f.type == "integer" else "float64")
            elif f.type == "boolean":
                out[f.name] = col.astype("boolean")
            else:
                out[f.name] = col.astype("string")
        if self.primary_key:
            out = out.sort_values(list(self.primary_key), kind="stable").reset_index(drop=True)
        return out

    def _check_cast(self, df: pd.DataFrame, raw: pd.Series, cast: pd.Series, f: Field, source, expected: str) -> None:
        """Raise naming the first value that was given but did not cast (in a file: CSV line = position + 2)."""
        bad = cast.isna() & raw.notna() & (raw.astype("string").str.strip() != "")
        if not bad.any():
            return
        pos = int(bad.to_numpy().nonzero()[0][0])
        key = "/".join(str(df.iloc[pos][k]) for k in self.primary_key if k in df.columns)
        raise InputError(
            f"{raw.iloc[pos]!r} is not {expected}" + (f" ({bad.sum()} such rows)" if bad.sum() > 1 else ""),
            file=source if source is not None else self.name, line=pos + 2 if source is not None else None,
            row=key or None, field=f.name,
        )

    def schema(self) -> pa.DataFrameSchema:
        return pa.DataFrameSchema(
            {
                f.name: pa.Column(
                    _PANDAS_DTYPE[f.type],
                    checks=f.checks(),
                    nullable=not f.required,
                    description=f.description,
                    title=f.name,
                )
                for f in self.fields
            },
            unique=list(self.primary_key) or None,
            strict=True,
            ordered=True,
            name=self.name,
        )

    def validate(self, df: pd.DataFrame, source: str | Path | None = None) -> pd.DataFrame:
        """Validate with pandera; raise InputError naming ``source`` (default: the table) and the first failing rows and fields."""
        try:
            return self.schema().validate(df, lazy=True)
        except pa.errors.SchemaErrors as exc:
            cases = exc.failure_cases.head(10)
            lines = []
            for _, case in cases.iterrows():
                idx = case.get("index")
                key = ""
                if idx is not None and not pd.isna(idx) and self.primary_key and int(idx) < len(df):
                    key = " " + "/".join(str(df.iloc[int(idx)][k]) for k in self.primary_key)
                lines.append(
                    f"{case.get('column')}{key}: {case.get('check')} failed for {case.get('failure_case')!r}"
                )
            raise InputError(
                f"{len(exc.failure_cases)} schema failure(s): " + "; ".join(lines),
                file=source if source is not None else self.name,
            ) from None

    # -- files ----------------------------------------------------------------
    def write_csv(self, df: pd.DataFrame, path: Path | TextIO, float_format: str = "%.10g", extra: tuple[str, ...] = ()) -> None:
        """Validate, then write deterministically (fixed order, formats, line endings).

        A path is written atomically; an open text stream (stdout) is written as is. ``extra``:
        columns this table does not declare (a sweep's grid keys, one column each), written as
        given after the first declared column.
        """
        if extra:
            df = df.sort_values(list(self.primary_key), kind="stable").reset_index(drop=True)  # conform keeps this order
            declared = self.validate(self.conform(df.drop(columns=list(extra))))
            df = pd.concat([declared.iloc[:, :1], df[list(extra)], declared.iloc[:, 1:]], axis=1)
        else:
            df = self.validate(self.conform(df))
        options = dict(index=False, date_format="%Y-%m-%d", float_format=float_format, lineterminator="\n")
        if not isinstance(path, str | Path):
            df.to_csv(path, **options)
            return
        with atomic_path(path) as tmp:
            df.to_csv(tmp, **options)

    def read_csv(self, path: Path) -> pd.DataFrame:
        """Read a published CSV back; bad values raise InputError naming the file, line and field."""
        try:
            raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")
        except FileNotFoundError:
            raise InputError("file not found (the dataset folder is incomplete; rebuild it with `idlib dataset`)", file=path) from None
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", file=path) from None
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise InputError(f"not a readable CSV: {str(exc).strip()}", file=path) from None
        return self.validate(self.conform(raw, source=path), source=path)

    def resource(self, path: str) -> dict:
        """The Frictionless Tabular Data Resource descriptor for this table."""
        return {
            "name": self.name,
            "path": path,
            "title": self.title,
            "description": self.description,
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": {
                "fields": [f.frictionless() for f in self.fields],
                "primaryKey": list(self.primary_key),
                "missingValues": [""],
            },
        }

    def dictionary(self) -> pd.DataFrame:
        """The data dictionary: one row per field."""
        return pd.DataFrame(
            {
                "field": [f.name for f in self.fields],
                "type": [f.type for f in self.fields],
                "unit": [f.unit or "" for f in self.fields],
                "required": [f.required for f in self.fields],
                "description": [f.description for f in self.fields],
            }
        )
