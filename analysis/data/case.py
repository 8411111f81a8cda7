"""The case: what conflict a seeds folder describes, and its fixed conventions.

Everything specific to one conflict lives in ``seeds/case.yaml``; the machinery
reads it from there. Another conflict is another seeds folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..core.errors import InputError
from ..core.io import check_keys, read_yaml
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
    "region_areas": list,
    "unstated_baseline_window": list,
    "initial_regime": str,
    "regimes": dict,
    "territory_initial_phase": str,
    "territory_phases": dict,
    "territory_initial_holder": str,
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
    # Area names (as written in observations) that mean the whole region; any other area is a part of it.
    region_areas: tuple[str, ...]
    # A stock with no stated baseline counts from a day in this window (uniform prior).
    unstated_baseline_window: tuple[date, date]
    # Regime kind in force before the first regime milestone.
    initial_regime: str
    # Milestone id -> regime kind from that milestone's start date (phases of the piecewise models).
    regimes: tuple[tuple[str, str], ...]
    # Phase in force before the first territory phase milestone, and milestone id -> phase label.
    territory_initial_phase: str
    territory_phases: tuple[tuple[str, str], ...]
    territory_initial_holder: str  # side holding a named place no change of hands mentions


def load_case(path: Path) -> Case:
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise InputError("expected a mapping", file=path)
    check_keys(data, _KEYS, file=path)
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
        elif key == "unstated_baseline_window":
            try:
                value = tuple(parse_date(v) for v in value)
            except (TypeError, ValueError) as exc:
                raise InputError(str(exc), file=path, field=key) from exc
            if len(value) != 2 or value[0] > value[1]:
                raise InputError("expected [first day, last day]", file=path, field=key)
        elif key in ("regimes", "territory_phases"):
            value = tuple((str(k), str(v)) for k, v in value.items())
        elif isinstance(value, list):
            value = tuple(str(v) for v in value)
        values[key] = value
    return Case(**values)
