"""The model registry: every forecasting model by name, and each family's default, declared once.

A model is an object (:class:`Model`): a ``name``, a ``family`` (``displacement`` or
``territory``), what it ``needs`` from the data, ``fit(data, spec)`` and
``simulate(fitted, days, *, n_paths, seed)``. Each object lives in the module that
implements it; :data:`ENTRIES` says where, one line per model, so the notebooks'
parameter checks, the CLI, the scenario spec and the README test can list the models
without importing statsmodels. The forecast entry points, the backtests and
``idlib forecast`` find a model through :func:`get`.

Adding a model is one new module defining its object plus one line here, e.g.
``Entry("holt", DISPLACEMENT, "analysis.models.displacement.holt:HOLT")``.
Every displacement model also comes recalibrated on its own earlier backtest, as
``<model>_calibrated`` (:mod:`analysis.models.displacement.calibration`).

>>> names(TERRITORY)
('phase_glm', 'phase_glm_momentum', 'persistence', 'mean_rate')
>>> default_model(DISPLACEMENT)
'frontline'
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from ..core.validate import check_choice

DISPLACEMENT = "displacement"
TERRITORY = "territory"
CALIBRATED_SUFFIX = "_calibrated"


@dataclass(frozen=True)
class Family:
    """What one family of models forecasts, and the model used when none is named.

    ``default_model`` is the backtest's choice for displacement (``select_model``: the best
    mean CRPS skill against persistence among the models whose 80% intervals held 70-90%
    of the later reports; a test re-derives it) and the phase GLM for territory.
    """

    name: str
    package: str  # the family's package: its forecast and backtest entry points
    default_model: str
    calibrated: bool  # every model of the family also comes as <model>_calibrated
    combinations: tuple[str, ...] = ()  # forecasts that mix the family's models (not models themselves)


FAMILIES: dict[str, Family] = {
    DISPLACEMENT: Family(DISPLACEMENT, "analysis.models.displacement", "frontline", calibrated=True, combinations=("ensemble",)),
    TERRITORY: Family(TERRITORY, "analysis.models.territory", "phase_glm", calibrated=False),
}


@dataclass(frozen=True)
class Entry:
    """One registered model: its name, family and where its object is (``module:attribute``)."""

    name: str
    family: str
    where: str


ENTRIES: tuple[Entry, ...] = (
    Entry("logistic", DISPLACEMENT, "analysis.models.displacement.growth:LOGISTIC"),
    Entry("gompertz", DISPLACEMENT, "analysis.models.displacement.growth:GOMPERTZ"),
    Entry("richards", DISPLACEMENT, "analysis.models.displacement.growth:RICHARDS"),
    Entry("piecewise_logistic", DISPLACEMENT, "analysis.models.displacement.growth:PIECEWISE_LOGISTIC"),
    Entry("piecewise_gompertz", DISPLACEMENT, "analysis.models.displacement.growth:PIECEWISE_GOMPERTZ"),
    Entry("local_trend", DISPLACEMENT, "analysis.models.displacement.baselines:LOCAL_TREND"),
    Entry("persistence", DISPLACEMENT, "analysis.models.displacement.baselines:PERSISTENCE"),
    Entry("drift", DISPLACEMENT, "analysis.models.displacement.baselines:DRIFT"),
    Entry("loglinear", DISPLACEMENT, "analysis.models.displacement.baselines:LOGLINEAR"),
    Entry("frontline", DISPLACEMENT, "analysis.models.displacement.frontline:FRONTLINE"),
    Entry("phase_glm", TERRITORY, "analysis.models.territory.glm:PHASE_GLM"),
    Entry("phase_glm_momentum", TERRITORY, "analysis.models.territory.glm:PHASE_GLM_MOMENTUM"),
    Entry("persistence", TERRITORY, "analysis.models.territory.glm:PERSISTENCE"),
    Entry("mean_rate", TERRITORY, "analysis.models.territory.glm:MEAN_RATE"),
)


@runtime_checkable
class Model(Protocol):
    """What every registered model provides.

    ``needs`` is the least number of the family's reports the model must see by the
    cut-off (displacement: regional reports of the cumulative figure); with fewer,
    ``fit`` raises :class:`~analysis.models.displacement.NotEnoughData`.
    ``fit(data, spec)`` takes the family's as-of inputs and a
    :class:`~analysis.models.spec.ForecastSpec`; ``simulate(fitted, days, *, n_paths, seed)``
    returns sample paths ``(n_paths, len(days))`` on the family's day grid.
    """

    name: str
    family: str
    needs: int

    def fit(self, data: Any, spec: Any) -> Any: ...

    def simulate(self, fitted: Any, days: Any, *, n_paths: int, seed: int) -> Any: ...


def _family(family: str) -> Family:
    check_choice(family, tuple(FAMILIES), what="model family", name="family")
    return FAMILIES[family]


def names(family: str) -> tuple[str, ...]:
    """The registered models of ``family``, in registry order."""
    _family(family)
    return tuple(e.name for e in ENTRIES if e.family == family)


def forecast_names(family: str) -> tuple[str, ...]:
    """Every name a forecast of ``family`` accepts: the models, their calibrated forms, then the combinations (``ensemble``)."""
    base, fam = names(family), _family(family)
    return (*base, *(calibrated_name(m) for m in base if fam.calibrated), *fam.combinations)


def default_model(family: str) -> str:
    """The model a forecast of ``family`` uses when none is named."""
    return _family(family).default_model


def calibrated_name(model: str) -> str:
    """The name of ``model`` recalibrated on its own earlier backtest (``drift_calibrated`` for ``drift``)."""
    return model + CALIBRATED_SUFFIX


def calibrated_base(model: str, family: str) -> str | None:
    """The model ``model`` recalibrates (``drift`` for ``drift_calibrated``), or None if it is not a calibrated form."""
    if not _family(family).calibrated or not model.endswith(CALIBRATED_SUFFIX):
        return None
    base = model.removesuffix(CALIBRATED_SUFFIX)
    return base if base in names(family) else None


def check_model(value: str, *, family: str, calibrated: bool = True, name: str = "model") -> str:
    """``value`` must name a model of ``family`` (or, with ``calibrated``, a calibrated form of one)."""
    return check_choice(value, forecast_names(family) if calibrated else names(family), what="model", name=name)


def get(name: str, *, family: str) -> Model:
    """The model object registered as ``name`` in ``family`` (its module is imported on first use)."""
    check_model(name, family=family, calibrated=False)
    entry = next(e for e in ENTRIES if e.family == family and e.name == name)
    module, _, attribute = entry.where.partition(":")
    model = getattr(importlib.import_module(module), attribute)
    if (model.name, model.family) != (entry.name, entry.family):
        raise TypeError(f"registry entry {entry} points at a model named {model.name!r} of family {model.family!r}")
    return model


def family_package(family: str):
    """The family's package (``analysis.models.displacement`` or ``...territory``): forecast and backtest entry points."""
    return importlib.import_module(_family(family).package)
