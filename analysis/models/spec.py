"""The frozen forecast spec every model entry point takes: what to forecast, as of when, with which model.

>>> spec = ForecastSpec("displacement", "2020-01-08", "drift", horizon_days=14, n_paths=500)
>>> spec.as_of, spec.model, spec.horizon_days
(Timestamp('2020-01-08 00:00:00'), 'drift', 14)
>>> spec.replace(model="gompertz").model
'gompertz'
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import pandas as pd

from ..core.errors import ParameterError
from ..core.validate import check_horizon, check_positive, parse_date
from . import registry


@dataclass(frozen=True)
class ForecastSpec:
    """One forecast request, validated on construction.

    Parameters
    ----------
    family : str
        ``displacement`` or ``territory`` (:data:`analysis.models.registry.FAMILIES`).
    as_of : str, date or Timestamp
        The information cut-off: the model sees only claims public by then.
    model : str
        A registered model of ``family`` or, for displacement, its ``<model>_calibrated`` form.
    horizon_days : int or None
        Days after ``as_of`` to forecast; None for a fit only (the backtests choose their own horizons).
    n_paths, seed : int
        Monte Carlo paths and the seed of the model's random generator.
    quantity : str
        Territory: ``estimated`` or ``named`` (empty for displacement, which has one quantity).
    options : mapping
        Model options, e.g. ``priors`` (a :class:`~analysis.models.displacement.GrowthPriors`).

    Raises
    ------
    ParameterError
        Naming the first field out of range.
    """

    family: str
    as_of: pd.Timestamp
    model: str
    horizon_days: int | None = None
    n_paths: int = 10_000
    seed: int = 0
    quantity: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.horizon_days is not None:
            check_horizon(self.horizon_days)
        registry.check_model(self.model, family=self.family)
        object.__setattr__(self, "as_of", pd.Timestamp(parse_date(self.as_of, name="as_of")))
        check_positive(self.n_paths, name="n_paths")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ParameterError(f"expected a whole number of at least 0, got {self.seed!r}", parameter="seed")
        object.__setattr__(self, "options", MappingProxyType(dict(self.options)))

    def replace(self, **changes: Any) -> ForecastSpec:
        """A copy with ``changes`` applied (and validated)."""
        return dataclasses.replace(self, **{"options": dict(self.options), **changes})

    def option(self, key: str, default: Any) -> Any:
        """One model option, or ``default`` when the spec does not set it."""
        return self.options.get(key, default)
