"""Scenario specs: the YAML files in ``seeds/scenarios/`` read into frozen, validated objects.

Every parameter is in the file or in the named base scenario it ``extends``; nothing
has a hidden default. Unknown keys, wrong types, dates outside the scenario, phases
after the horizon, negative rates and ``n_paths: 0`` raise :class:`ScenarioError`
naming the file and the key. Overrides are dotted keys (``ceasefire.date``,
``phases.2.intensity``).

This module is light (no model code), so parameters can be checked before any
notebook kernel starts; :mod:`analysis.scenarios` runs the specs.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ..core import paths
from ..core.errors import InputError
from ..core.io import check_keys, load_yaml, parse_yaml_value, read_text
from ..data.parsing import parse_date
from ..models import registry

# Territory variables count places in the world (estimated from the named ones); ``*_named``
# count the places the documents name (their lower bound).
VARIABLES = ("displaced", "displaced_now", "net_places", "government_captures", "road_share_held", "net_places_named",
             "government_captures_named")
FITTED = "fitted"
REPORTED = "reported"


class ScenarioError(InputError):
    """A scenario file or override is malformed: names the file and the key."""

    def __init__(self, message: str, *, file: str | Path | None, key: str, line: int | None = None) -> None:
        self.key = key
        super().__init__(message, file=file, field=key, line=line)


# ----------------------------------------------------------------------- spec


@dataclass(frozen=True)
class Phase:
    start: pd.Timestamp  # first day this intensity holds
    intensity: float  # multiplier on the reference government capture rate
    label: str


@dataclass(frozen=True)
class Ceasefire:
    date: pd.Timestamp
    capture_multiplier: float  # on the government capture rate from this day
    recapture_multiplier: float  # on the opposition recapture rate from this day
    return_rate: float  # share of the currently displaced returning per day from this day


@dataclass(frozen=True)
class Intervention:
    date: pd.Timestamp
    capture_multiplier: float  # on the government capture rate from this day
    recapture_multiplier: float  # on the opposition recapture rate from this day


@dataclass(frozen=True)
class Threshold:
    label: str
    variable: str
    by: pd.Timestamp
    value: float
    strict: bool  # True: P(X > value); False: P(X >= value)


@dataclass(frozen=True)
class ScenarioSpec:
    """One scenario, fully specified (see ``seeds/scenarios/README.md`` for every key)."""

    name: str
    description: str
    as_of: pd.Timestamp
    fit_as_of: pd.Timestamp
    horizon_days: int
    rate_reference: str
    phases: tuple[Phase, ...]
    ceasefire: Ceasefire | None
    intervention: Intervention | None
    population_at_risk: float | str
    displacement_start: str
    displacement_per_place: float | str
    road: str
    road_share: float | str
    n_paths: int
    seed: int
    thresholds: tuple[Threshold, ...]
    source: str = field(default="", compare=False)  # file it was read from (not hashed)

    @property
    def end(self) -> pd.Timestamp:
        return self.as_of + pd.Timedelta(days=self.horizon_days)

    @property
    def dates(self) -> pd.DatetimeIndex:
        return pd.date_range(self.as_of + pd.Timedelta(days=1), periods=self.horizon_days, freq="D")

    def to_dict(self) -> dict[str, Any]:
        """The spec as plain YAML data, keys in file order (``extends`` resolved)."""
        def plain(v):
            if isinstance(v, pd.Timestamp):
                return v.date().isoformat()
            if isinstance(v, dict):
                return {k: plain(x) for k, x in v.items()}
            if isinstance(v, list | tuple):
                return [plain(x) for x in v]
            return v

        d = asdict(self)
        d.pop("source")
        for t in d["thresholds"]:
            t[">" if t.pop("strict") else ">="] = t.pop("value")
        return plain(d)

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True, width=100)

    @cached_property
    def hash(self) -> str:
        """SHA-256 of the canonical JSON of :meth:`to_dict`: the fingerprint printed in reports."""
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()

    @property
    def short_hash(self) -> str:
        return self.hash[:12]


_TOP = {
    "name": str, "description": str, "extends": (str, type(None)), "as_of": "date", "fit_as_of": "date",
    "horizon_days": int, "rate_reference": str, "phases": list, "ceasefire": (dict, type(None)),
    "intervention": (dict, type(None)), "population_at_risk": ("number", REPORTED), "displacement_start": str,
    "displacement_per_place": ("number", FITTED), "road": str, "road_share": ("number", FITTED),
    "n_paths": int, "seed": int, "thresholds": list,
}
_PHASE = {"start": "date", "intensity": "number", "label": str}
_CEASEFIRE = {"date": "date", "capture_multiplier": "number", "recapture_multiplier": "number", "return_rate": "number"}
_INTERVENTION = {"date": "date", "capture_multiplier": "number", "recapture_multiplier": "number"}
# What a dotted override into a block the scenario leaves empty (``ceasefire: null``) starts
# from: the block's date must still be set; the rest default to a ceasefire that holds (no
# captures by either side, no returns) and to an intervention that changes nothing until its
# multipliers are set. Documented in the README's Scenarios section.
BLOCK_DEFAULTS: dict[str, dict[str, float]] = {
    "ceasefire": {"capture_multiplier": 0.0, "recapture_multiplier": 0.0, "return_rate": 0.0},
    "intervention": {"capture_multiplier": 1.0, "recapture_multiplier": 1.0},
}
_THRESHOLD = {"label": str, "variable": str, "by": "date"}  # plus exactly one of ">" / ">="


def scenarios_dir(seeds: Path | None = None) -> Path:
    return Path(seeds or paths.seeds_dir()) / "scenarios"


def shipped(seeds: Path | None = None) -> list[Path]:
    """The shipped scenario files, in name order."""
    return sorted(scenarios_dir(seeds).glob("*.yaml"))


def _read(path: Path) -> dict:
    """A scenario or sweep file's data; dates stay text (``_typed`` checks them, naming the key)."""
    if not Path(path).is_file():
        raise ScenarioError("no such scenario file", file=path, key="extends")
    try:
        data = load_yaml(read_text(path), file=path)
    except InputError as exc:  # not UTF-8, malformed YAML, a list as a key
        raise ScenarioError(exc.message, file=path, key="(file)", line=exc.line) from None
    if not isinstance(data, dict):
        raise ScenarioError("expected a mapping of keys to values", file=path, key="(file)")
    return data


def resolve_path(name: str | Path, seeds: Path | None = None) -> Path:
    """A scenario given as a path, or as a file name or stem in the scenarios folder."""
    p = Path(name)
    if p.is_file():
        return p
    for cand in (scenarios_dir(seeds) / p, scenarios_dir(seeds) / f"{p}.yaml"):
        if cand.is_file():
            return cand
    raise ScenarioError(f"no scenario file {str(name)!r} (shipped: {[q.stem for q in shipped(seeds)]})", file=name, key="(file)")


def _raw(path: Path, chain: tuple[Path, ...] = ()) -> dict:
    """The file's keys merged over its base's (``extends``), recursively."""
    path = path.resolve()
    if path in chain:
        raise ScenarioError("extends itself in a cycle", file=path, key="extends")
    data = _read(path)
    base = data.get("extends")
    if base is None:
        return data
    if not isinstance(base, str):
        raise ScenarioError("expected a scenario name", file=path, key="extends")
    target = path.parent / (base if base.endswith(".yaml") else f"{base}.yaml")
    if not target.is_file():
        raise ScenarioError(f"base scenario {base!r} not found next to this file", file=path, key="extends")
    merged = _raw(target, (*chain, path))
    merged.update(data)  # top-level keys replace the base's whole value
    return merged


def _set(data: dict, dotted: str, value: Any, file) -> None:
    """Apply one override ``a.b.0.c=value`` to nested data (lists by index)."""
    keys = dotted.split(".")
    node: Any = data
    for i, k in enumerate(keys):
        last = i == len(keys) - 1
        if isinstance(node, list):
            if not k.isdigit() or int(k) >= len(node):
                raise ScenarioError(f"no item {k} in a list of {len(node)}", file=file, key=dotted)
            if last:
                node[int(k)] = value
            else:
                node = node[int(k)]
        elif isinstance(node, dict):
            if k not in node and not (i == 0 and k in _TOP):
                raise ScenarioError(f"unknown key {k!r}", file=file, key=dotted)
            if last:
                node[k] = value
            else:
                if node[k] is None and i == 0 and k in BLOCK_DEFAULTS:
                    node[k] = {"date": None, **BLOCK_DEFAULTS[k]}  # the block's documented defaults; its date must be set too
                if node[k] is None:
                    raise ScenarioError(f"{'.'.join(keys[:i + 1])} is none; set the whole block", file=file, key=dotted)
                node = node[k]
        else:
            raise ScenarioError(f"{'.'.join(keys[:i])} is not a block", file=file, key=dotted)


def parse_override(text: str) -> tuple[str, Any]:
    """``KEY=VALUE`` with VALUE read as YAML (``0.5``, ``2020-01-12``, ``null``, ``[a, b]``)."""
    if "=" not in text:
        raise ScenarioError("expected KEY=VALUE", file="--set", key=text)
    key, value = text.split("=", 1)
    try:
        return key.strip(), parse_yaml_value(value) if value.strip() else ""
    except InputError as exc:
        raise ScenarioError(exc.message, file="--set", key=key.strip()) from None


def load_spec(path: str | Path, overrides: Mapping[str, Any] | Iterable[tuple[str, Any]] = (), seeds: Path | None = None) -> ScenarioSpec:
    """Read, merge (``extends``), override and validate one scenario file."""
    path = resolve_path(path, seeds)
    return _overridden(json.loads(json.dumps(_raw(path), default=str)), path, overrides)  # dates as text


def _overridden(raw: dict, path: Path, overrides: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> ScenarioSpec:
    data = copy.deepcopy(raw)
    items = overrides.items() if isinstance(overrides, Mapping) else overrides
    given = {}
    for key, value in items:
        _set(data, key, json.loads(json.dumps(value, default=str)), path)
        given[key] = value
    try:
        return _validate(data, path)
    except ScenarioError as exc:
        if exc.key not in given:
            raise
        # The value came from an override, not from the file: say so.
        raise ScenarioError(f"{exc.message} (set by the override {exc.key}={given[exc.key]})", file=path, key=exc.key) from None


def _check_keys(block: Mapping, schema: Mapping, file, prefix: str) -> None:
    check_keys(block, schema, error=lambda message, k: ScenarioError(message, file=file, key=f"{prefix}{k}"))
    for k in schema:
        if k not in block:
            raise ScenarioError("missing (every parameter must be in the file or in the scenario it extends)", file=file, key=f"{prefix}{k}")


_ISO_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _typed(value, typ, file, key):
    options = typ if isinstance(typ, tuple) else (typ,)
    for t in options:
        if t == "date":
            try:
                return pd.Timestamp(parse_date(value))
            except (TypeError, ValueError) as exc:
                if isinstance(value, str) and _ISO_SHAPE.fullmatch(value.strip()):  # 2020-02-30: say so, not "wrong type"
                    raise ScenarioError(str(exc), file=file, key=key) from None
                continue
        if t == "number" and isinstance(value, int | float) and not isinstance(value, bool):
            if not np.isfinite(value):
                raise ScenarioError("must be finite", file=file, key=key)
            return float(value)
        if isinstance(t, str) and t not in ("date", "number") and value == t:
            return value
        if isinstance(t, type) and isinstance(value, t) and not (t is int and isinstance(value, bool)):
            return value
    want = " or ".join(t if isinstance(t, str) and t in ("date", "number") else (repr(t) if isinstance(t, str) else t.__name__) for t in options)
    raise ScenarioError(f"wrong type {type(value).__name__} ({value!r}); expected {want}", file=file, key=key)


def _non_negative(v: float, file, key: str) -> float:
    if v < 0:
        raise ScenarioError(f"must not be negative (got {v})", file=file, key=key)
    return v


def _validate(data: dict, file) -> ScenarioSpec:
    _check_keys(data, _TOP, file, "")
    v = {k: _typed(data[k], t, file, k) for k, t in _TOP.items()}
    v.pop("extends")
    as_of, end = v["as_of"], v["as_of"] + pd.Timedelta(days=max(v["horizon_days"], 0))
    if v["horizon_days"] < 1:
        raise ScenarioError(f"must be at least 1 day (got {v['horizon_days']})", file=file, key="horizon_days")
    if v["n_paths"] < 1:
        raise ScenarioError(f"must be at least 1 (got {v['n_paths']})", file=file, key="n_paths")
    if v["fit_as_of"] < as_of:
        raise ScenarioError("fit_as_of must not be before as_of (the start's information is part of the fit)", file=file, key="fit_as_of")

    def within(day: pd.Timestamp, key: str, first: pd.Timestamp) -> pd.Timestamp:
        if not first <= day <= end:
            raise ScenarioError(f"{day.date()} is outside the scenario, {first.date()} to {end.date()} (as_of + horizon_days)", file=file, key=key)
        return day

    phases = []
    if not v["phases"]:
        raise ScenarioError("at least one phase is needed (the intensity in force from the start)", file=file, key="phases")
    for i, p in enumerate(v["phases"]):
        if not isinstance(p, dict):
            raise ScenarioError("expected a mapping with start, intensity and label", file=file, key=f"phases.{i}")
        _check_keys(p, _PHASE, file, f"phases.{i}.")
        q = {k: _typed(p[k], t, file, f"phases.{i}.{k}") for k, t in _PHASE.items()}
        if i == 0 and q["start"] > as_of + pd.Timedelta(days=1):
            raise ScenarioError(f"the first phase must start by the day after as_of ({(as_of + pd.Timedelta(days=1)).date()})", file=file, key="phases.0.start")
        if i > 0:
            within(q["start"], f"phases.{i}.start", as_of + pd.Timedelta(days=1))
            if q["start"] <= phases[-1].start:
                raise ScenarioError("phases must start in date order", file=file, key=f"phases.{i}.start")
        phases.append(Phase(q["start"], _non_negative(q["intensity"], file, f"phases.{i}.intensity"), q["label"]))
    v["phases"] = tuple(phases)

    for key, schema, cls in (("ceasefire", _CEASEFIRE, Ceasefire), ("intervention", _INTERVENTION, Intervention)):
        if v[key] is None:
            continue
        if v[key].get("date", "") is None:
            raise ScenarioError(f"missing: a {key} block started by an override needs its date too", file=file, key=f"{key}.date")
        _check_keys(v[key], schema, file, f"{key}.")
        c = {k: _typed(v[key][k], t, file, f"{key}.{k}") for k, t in schema.items()}
        within(c["date"], f"{key}.date", as_of + pd.Timedelta(days=1))
        for k in ("capture_multiplier", "recapture_multiplier"):
            _non_negative(c[k], file, f"{key}.{k}")
        if "return_rate" in c and not 0 <= c["return_rate"] <= 1:
            raise ScenarioError(f"a daily share, between 0 and 1 (got {c['return_rate']})", file=file, key=f"{key}.return_rate")
        v[key] = cls(**c)

    if isinstance(v["population_at_risk"], float) and v["population_at_risk"] <= 0:
        raise ScenarioError(f"must be positive (got {v['population_at_risk']})", file=file, key="population_at_risk")
    if isinstance(v["displacement_per_place"], float):
        _non_negative(v["displacement_per_place"], file, "displacement_per_place")
    if isinstance(v["road_share"], float) and not 0 <= v["road_share"] <= 1:
        raise ScenarioError(f"a share, between 0 and 1 (got {v['road_share']})", file=file, key="road_share")
    if v["displacement_start"] not in registry.names(registry.DISPLACEMENT):
        raise ScenarioError(f"unknown displacement model; expected one of {list(registry.names(registry.DISPLACEMENT))}", file=file, key="displacement_start")

    thresholds = []
    for i, t in enumerate(v["thresholds"]):
        if not isinstance(t, dict):
            raise ScenarioError("expected a mapping", file=file, key=f"thresholds.{i}")
        ops = [k for k in (">", ">=") if k in t]
        if len(ops) != 1:
            raise ScenarioError("give exactly one of '>' or '>=' with the value", file=file, key=f"thresholds.{i}")
        rest = {k: x for k, x in t.items() if k not in (">", ">=")}
        _check_keys(rest, _THRESHOLD, file, f"thresholds.{i}.")
        q = {k: _typed(rest[k], ty, file, f"thresholds.{i}.{k}") for k, ty in _THRESHOLD.items()}
        if q["variable"] not in VARIABLES:
            raise ScenarioError(f"unknown variable {q['variable']!r}; expected one of {list(VARIABLES)}", file=file, key=f"thresholds.{i}.variable")
        within(q["by"], f"thresholds.{i}.by", as_of + pd.Timedelta(days=1))
        value = _typed(t[ops[0]], "number", file, f"thresholds.{i}.{ops[0]}")
        thresholds.append(Threshold(q["label"], q["variable"], q["by"], value, ops[0] == ">"))
    v["thresholds"] = tuple(thresholds)
    return ScenarioSpec(**v, source=Path(file).name)
