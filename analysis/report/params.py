"""Notebook parameters as frozen, validated spec objects.

Each notebook has one ``parameters`` cell whose names, types and defaults must
match its spec here (a test checks that). Papermill only *warns* about unknown
parameters, so each notebook calls :meth:`NotebookParams.from_namespace` right
after its parameters: a misspelt or unknown name, or a wrong type, stops the run
with a :class:`~analysis.core.errors.ParameterError` naming the parameter.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, fields
from typing import Any, ClassVar, Self

from ..core.errors import ParameterError
from ..core.validate import check_horizon, check_positive, parse_date
from ..models import registry

_IPYTHON_NAMES = {"In", "Out", "exit", "quit", "get_ipython", "open"}


@dataclass(frozen=True)
class NotebookParams:
    """Base class: subclasses declare typed fields with defaults (the notebook's contract)."""

    notebook: ClassVar[str] = ""

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> Self:
        """Build from explicit values; unknown names and wrong types raise ParameterError."""
        known = {f.name: f for f in fields(cls)}
        for name in values:
            if name not in known:
                close = [k for k in known if _similar(k, name)]
                hint = f"; did you mean {close[0]!r}?" if close else f"; known: {sorted(known)}"
                raise ParameterError(f"unknown parameter for notebook {cls.notebook}{hint}", parameter=name)
        kwargs = {}
        hints = typing.get_type_hints(cls)
        for name, f in known.items():
            if name in values:
                kwargs[name] = _coerce(name, values[name], hints[name])
            elif f.default is MISSING and f.default_factory is MISSING:
                raise ParameterError("missing", parameter=name)
        spec = cls(**kwargs)
        spec.check()
        return spec

    @classmethod
    def from_namespace(cls, namespace: Mapping[str, Any]) -> Self:
        """Build from a notebook's globals: every plain-data global must be a known parameter."""
        values = {
            k: v
            for k, v in namespace.items()
            if not k.startswith("_")
            and k not in _IPYTHON_NAMES
            and not isinstance(v, types.ModuleType | types.FunctionType | type | types.BuiltinFunctionType)
            and (v is None or isinstance(v, str | int | float | bool | list | dict | tuple))
        }
        return cls.from_mapping(values)

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        return {f.name: f.default for f in fields(cls)}

    def check(self) -> None:
        """Range checks that need no data; subclasses extend."""

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _similar(a: str, b: str) -> bool:
    import difflib

    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.75


def _coerce(name: str, value: Any, hint: Any) -> Any:
    origin = typing.get_origin(hint)
    allowed = typing.get_args(hint) if origin in (typing.Union, types.UnionType) else (hint,)
    for typ in allowed:
        base = typing.get_origin(typ) or typ
        if typ is type(None) and value is None:
            return None
        if base is float and isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if base is int and isinstance(value, int) and not isinstance(value, bool):
            return value
        if base in (str, bool) and isinstance(value, base):
            return value
        if base in (list, tuple) and isinstance(value, list | tuple):
            return tuple(value) if base is tuple else list(value)
    names = " or ".join(getattr(t, "__name__", str(t)) for t in allowed)
    raise ParameterError(f"expected {names}, got {type(value).__name__} {value!r}", parameter=name)


@dataclass(frozen=True)
class EventDatasetParams(NotebookParams):
    """Notebook 01, the event dataset."""

    notebook: ClassVar[str] = "01_event_dataset"
    as_of: str = "2020-06-30"

    def check(self) -> None:
        parse_date(self.as_of, name="as_of")


@dataclass(frozen=True)
class ForecastParams(NotebookParams):
    """What every forecasting notebook shares: a cut-off, a horizon, a model and a path count."""

    family: ClassVar[str] = ""  # the model family (analysis.models.registry): its models are the accepted names
    as_of: str = ""
    horizon_days: int = 1
    model: str = ""
    n_paths: int = 10_000

    def check(self) -> None:
        parse_date(self.as_of, name="as_of")
        check_horizon(self.horizon_days)
        registry.check_model(self.model, family=self.family)
        check_positive(self.n_paths, name="n_paths")


@dataclass(frozen=True)
class DisplacementParams(ForecastParams):
    """Notebook 02, the displacement forecast."""

    notebook: ClassVar[str] = "02_displacement"
    family: ClassVar[str] = registry.DISPLACEMENT
    as_of: str = "2020-01-08"
    horizon_days: int = 60
    model: str = registry.default_model(registry.DISPLACEMENT)
    n_paths: int = 10_000
    target_date: str = "2020-03-01"

    def check(self) -> None:
        super().check()
        days = (parse_date(self.target_date, name="target_date") - parse_date(self.as_of, name="as_of")).days
        if not 0 < days <= self.horizon_days:
            raise ParameterError(
                f"{self.target_date} must fall within the forecast, 1..{self.horizon_days} days after as_of {self.as_of}",
                parameter="target_date",
            )


@dataclass(frozen=True)
class TerritoryParams(ForecastParams):
    """Notebook 03, territorial change."""

    notebook: ClassVar[str] = "03_territory"
    family: ClassVar[str] = registry.TERRITORY
    as_of: str = "2020-01-28"
    horizon_days: int = 28
    model: str = registry.default_model(registry.TERRITORY)
    n_paths: int = 10_000


@dataclass(frozen=True)
class ScenarioParams(NotebookParams):
    """Notebook 04, scenarios: which scenario files to run, and overrides applied to each."""

    notebook: ClassVar[str] = "04_scenarios"
    scenarios: tuple = ("as_it_happened", "assynt_view", "january_ceasefire_holds", "no_turkish_intervention", "offensive_to_idlib_city")
    overrides: tuple = ()
    hindcast: str = "as_it_happened"  # the scenario that follows the milestones as they happened, run as shipped and checked against the record ("" for none)

    def check(self) -> None:
        """Each scenario file must exist and validate with the overrides applied (before any kernel starts)."""
        from ..core.errors import InputError
        from ..scenarios.spec import load_spec, parse_override

        if not self.scenarios or not all(isinstance(s, str) and s for s in self.scenarios):
            raise ParameterError("expected a non-empty list of scenario files or names", parameter="scenarios")
        overrides = []
        for o in self.overrides:
            try:
                overrides.append(parse_override(str(o)))
            except InputError as exc:
                raise ParameterError(str(exc), parameter="overrides") from exc
        for name in self.scenarios:
            try:
                load_spec(name, overrides)
            except InputError as exc:
                culprit = "overrides" if getattr(exc, "key", None) in {k for k, _ in overrides} else "scenarios"
                raise ParameterError(str(exc), parameter=culprit) from exc
        if self.hindcast:
            try:
                load_spec(self.hindcast)
            except InputError as exc:
                raise ParameterError(f"{exc}; name a scenario file, or leave it empty for no hindcast", parameter="hindcast") from exc


@dataclass(frozen=True)
class ForecastVsOutcomeParams(NotebookParams):
    """Notebook 05, an analyst's forecast against the outcome."""

    notebook: ClassVar[str] = "05_forecast_vs_outcome"
    doc_id: str = "assynt_2020-01-08"
    wep_scale: str = "icd203"
    resolution_rules: tuple = ()
    phrase_map: str = ""
    recalibration_gamma: float = 1.5

    def check(self) -> None:
        from ..scoring.wep import load_scales

        scales = load_scales(self.phrase_map or None)
        if self.wep_scale not in scales.names:
            raise ParameterError(f"unknown scale {self.wep_scale!r}; choose one of {', '.join(scales.names)}", parameter="wep_scale")
        if not all(isinstance(r, str) for r in self.resolution_rules):
            raise ParameterError("expected a list of rule names", parameter="resolution_rules")
        if self.recalibration_gamma <= 0:
            raise ParameterError(f"must be positive, got {self.recalibration_gamma}", parameter="recalibration_gamma")


NOTEBOOK_SPECS: dict[str, type[NotebookParams]] = {
    spec.notebook: spec for spec in (EventDatasetParams, DisplacementParams, TerritoryParams, ScenarioParams, ForecastVsOutcomeParams)
}
