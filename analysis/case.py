"""The case: what conflict a seeds folder describes, and its fixed conventions.

Everything specific to one conflict lives in ``seeds/case.yaml``; the machinery
reads it from there. Another conflict is another seeds folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .errors import InputError
from .io import read_yaml
from .parsing import parse_date

_KEYS = {
    "name": str,
    "title": str,
    "admin1_pcodes": list,
    "map_admin1_pcodes": list,
    "displacement_baseline_date": str,
    "territory_baseline_date": str,
    "analysis_start": str,
    "analysis_end": str,
    "governorate_area_km2": (int, float),
    "territory_area_name": str,
}


@dataclass(frozen=True)
class Case:
    name: str
    title: str
    admin1_pcodes: tuple[str, ...]  # governorates whose sub-districts can place a town
    map_admin1_pcodes: tuple[str, ...]  # governorates drawn on maps
    displacement_baseline_date: date  # cumulative displacement counts from here (OCHA convention)
    territory_baseline_date: date  # cumulative net places gained count from here
    analysis_start: date
    analysis_end: date
    governorate_area_km2: float
    territory_area_name: str


def load_case(path: Path) -> Case:
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise InputError("expected a mapping", file=path)
    for key in sorted(set(data) - set(_KEYS)):
        raise InputError("unknown key", file=path, field=key)
    values = {}
    for key, typ in _KEYS.items():
        if key not in data:
            raise InputError("missing", file=path, field=key)
        if not isinstance(data[key], typ):
            raise InputError(f"wrong type {type(data[key]).__name__}", file=path, field=key)
        value = data[key]
        if key.endswith("_date") or key.startswith("analysis_"):
            try:
                value = parse_date(value)
            except ValueError as exc:
                raise InputError(str(exc), file=path, field=key) from exc
        elif isinstance(value, list):
            value = tuple(str(v) for v in value)
        values[key] = value
    return Case(**values)
