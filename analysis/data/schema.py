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
    def conform(self, df: pd.DataFrame) -> pd.DataFrame:
        """Order columns as declared and cast each to its declared dtype."""
        missing = [c for c in self.columns if c not in df.columns]
        if missing:
            raise InputError(f"missing columns {missing}", file=self.name)
        extra = [c for c in df.columns if c not in self.columns]
        if extra:
            raise InputError(f"undeclared columns {extra}", file=self.name)
        out = df[self.columns].copy()
        for f in self.fields:
            col = out[f.name]
            if f.type == "date":
                out[f.name] = pd.to_datetime(col, errors="raise").astype("datetime64[ns]")
            elif f.type == "integer":
                out[f.name] = pd.to_numeric(col, errors="raise").astype("Int64")
            elif f.type == "number":
                out[f.name] = pd.to_numeric(col, errors="raise").astype("float64")
            elif f.type == "boolean":
                out[f.name] = col.astype("boolean")
            else:
                out[f.name] = col.astype("string")
        if self.primary_key:
            out = out.sort_values(list(self.primary_key), kind="stable").reset_index(drop=True)
        return out

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

    def validate(self, df: pd.DataFrame) -> pd.DataFrame:
        """Validate with pandera; raise InputError naming the first failing rows and fields."""
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
                f"{len(exc.failure_cases)} schema failure(s): " + "; ".join(lines), file=self.name
            ) from exc

    # -- files ----------------------------------------------------------------
    def write_csv(self, df: pd.DataFrame, path: Path | TextIO, float_format: str = "%.10g") -> None:
        """Validate, then write deterministically (fixed order, formats, line endings).

        A path is written atomically; an open text stream (stdout) is written as is.
        """
        df = self.validate(self.conform(df))
        options = dict(index=False, date_format="%Y-%m-%d", float_format=float_format, lineterminator="\n")
        if not isinstance(path, str | Path):
            df.to_csv(path, **options)
            return
        with atomic_path(path) as tmp:
            df.to_csv(tmp, **options)

    def read_csv(self, path: Path) -> pd.DataFrame:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
        return self.validate(self.conform(raw))

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
