"""Displacement model entry points: check the cut-off, fit, simulate paths, forecast."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...core.errors import ParameterError
from ...core.validate import check_date_in_coverage, parse_date
from ...data.dataset import Dataset
from .. import registry
from ..base import Forecast
from ..spec import ForecastSpec
from .measurement import VARIABLE, Fit, FitData, GrowthPriors, Measurements, measurements

TARGET = "people_displaced_since_baseline"  # the forecast table's target column
FAMILY = registry.DISPLACEMENT
# The registry lists the models and names the default once; these are views of it, read at import.
MODELS: tuple[str, ...] = registry.names(FAMILY)
CALIBRATED: tuple[str, ...] = tuple(registry.calibrated_name(m) for m in MODELS)  # recalibrated on their own earlier backtest
ENSEMBLE: tuple[str, ...] = registry.FAMILIES[FAMILY].combinations  # the models mixed with weights from their earlier backtest (.ensemble)
DEFAULT_MODEL = registry.default_model(FAMILY)
DECIMALS = 0  # people: whole numbers in printed forecasts


def observation_dates(dataset: Dataset) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last information dates of displacement observations."""
    d = dataset.observations.loc[dataset.observations["variable"] == VARIABLE, "info_date"]
    if d.empty:
        raise ParameterError("the dataset holds no displacement observations", parameter="as_of")
    return d.min(), d.max()


def check_as_of(dataset: Dataset, as_of: str | pd.Timestamp, name: str = "as_of") -> pd.Timestamp:
    """The cut-off must fall from the first displacement report's information date to the end of the data's coverage.

    The upper bound is the case's coverage end (``Dataset.coverage``), not the last
    report's date, so whether a cut-off is accepted cannot depend on claims
    published after it.
    """
    first, _ = observation_dates(dataset)
    d = pd.Timestamp(parse_date(as_of, name=name))
    if d < first:
        obs = dataset.observations
        ids = obs.loc[(obs["variable"] == VARIABLE) & (obs["info_date"] == first), "claim_id"].sort_values()
        raise ParameterError(
            f"{d.date()} is before the first displacement report, public on {first.date()} (claim {ids.iloc[0]}); no model can answer before it",
            parameter=name,
        )
    return check_date_in_coverage(as_of, first, dataset.coverage[1], name=name)


def fit(dataset: Dataset, as_of, model: str = "drift", priors: GrowthPriors = GrowthPriors(), population_at_risk: float | None = None) -> Fit:
    """Fit ``model`` to the displacement observations public on or before ``as_of``."""
    registry.check_model(model, family=FAMILY, calibrated=False)
    cut = pd.Timestamp(as_of)
    view = dataset.as_of(cut)
    return _fit(view, cut, measurements(view, population_at_risk), model, priors)


def _fit(view: Dataset, cut: pd.Timestamp, m: Measurements, model: str, priors: GrowthPriors) -> Fit:
    return fit_spec(FitData(view, m), ForecastSpec(FAMILY, cut, model, options={"priors": priors}))


def fit_spec(data: FitData, spec: ForecastSpec) -> Fit:
    """Fit the registered model ``spec.model`` to ``data`` (the as-of view and its measurements)."""
    if data.measurements.table.empty:
        raise ParameterError(f"no displacement observations were public by {spec.as_of.date()}", parameter="as_of")
    return registry.get(spec.model, family=FAMILY).fit(data, spec)


def simulate(f: Fit, days: np.ndarray, n_paths: int = 10_000, seed: int = 0) -> np.ndarray:
    """Sample paths of the reported cumulative figure on grid ``days``: shape (n_paths, len(days)).

    No model may forecast more people displaced than there are people at risk, so
    every path is capped at the population at risk. Nor may it forecast fewer than
    a regional figure already reported for an earlier day (the cumulative stock
    only grows), so every path is floored at :func:`known_floor`.
    """
    capped = np.minimum(_simulate(f, days, n_paths, seed), f.measurements.population_at_risk)
    return np.maximum(capped, known_floor(f.measurements, days)[None, :])


def known_floor(m: Measurements, days: np.ndarray) -> np.ndarray:
    """Per grid day, the largest regional cumulative figure in ``m`` for that day or earlier (0 if none).

    ``m`` holds only reports public by the cut-off, so the floor uses no hindsight.
    Lower bounds ("over") and point figures count; upper bounds do not. Never above
    the population at risk.
    """
    s = m.stock_series
    days = np.asarray(days, dtype=int)
    if s.empty:
        return np.zeros(len(days))
    ends = s["end"].to_numpy(dtype=int)
    running = np.maximum.accumulate(s["value"].to_numpy(dtype=float))
    idx = np.searchsorted(ends, days, side="right") - 1
    floor = np.where(idx >= 0, running[np.maximum(idx, 0)], 0.0)
    return np.minimum(floor, m.population_at_risk)


def _simulate(f: Fit, days: np.ndarray, n_paths: int, seed: int) -> np.ndarray:
    return registry.get(f.model, family=FAMILY).simulate(f, days, n_paths=n_paths, seed=seed)


def forecast(dataset: Dataset, as_of, horizon_days: int, model: str = DEFAULT_MODEL, n_paths: int = 10_000, seed: int = 0, priors: GrowthPriors = GrowthPriors()) -> Forecast:
    """Predictive distribution of the regional cumulative figure for the ``horizon_days`` after ``as_of``.

    A keyword wrapper over :func:`forecast_spec`.
    """
    return forecast_spec(dataset, ForecastSpec(FAMILY, as_of, model, horizon_days=horizon_days, n_paths=n_paths, seed=seed, options={"priors": priors}))


def forecast_spec(dataset: Dataset, spec: ForecastSpec) -> Forecast:
    """The forecast ``spec`` asks for, from the claims in ``dataset`` public by ``spec.as_of``.

    Parameters
    ----------
    dataset : Dataset
        The full dataset; it is cut to ``spec.as_of`` here.
    spec : ForecastSpec
        A displacement spec with ``horizon_days`` set.

    Returns
    -------
    Forecast
        Paths of the regional cumulative figure for each day after the cut-off
        (target :data:`TARGET`), capped at the population at risk and floored at the
        figures already reported.
    """
    if spec.family != FAMILY or spec.horizon_days is None:
        raise ParameterError("expected a displacement spec with horizon_days", parameter="spec")
    cut = check_as_of(dataset, spec.as_of)
    if spec.model in ENSEMBLE:
        from .ensemble import ensemble_forecast

        return ensemble_forecast(dataset, cut, spec.horizon_days, spec.n_paths, spec.seed)[0]
    base = registry.calibrated_base(spec.model, FAMILY)
    if base is not None:
        from .calibration import calibrated_forecast

        return calibrated_forecast(dataset, cut, spec.horizon_days, base, spec.n_paths, spec.seed)[0]
    view = dataset.as_of(cut)
    f = fit_spec(FitData(view, measurements(view)), spec.replace(as_of=cut))
    dates = pd.date_range(cut + pd.Timedelta(days=1), periods=spec.horizon_days, freq="D")
    days = np.array([f.measurements.day(d) for d in dates])
    return Forecast(spec.model, cut, dates, simulate(f, days, spec.n_paths, spec.seed), f.claim_ids, target=TARGET, notes=f.notes)
