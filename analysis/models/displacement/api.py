"""Displacement model entry points: check the cut-off, fit, simulate paths, forecast."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...core.errors import ParameterError
from ...data import vocab
from ...data.dataset import Dataset
from ...report.params import check_date_in_coverage, check_horizon, check_model, parse_as_of
from ..base import (
    Forecast,
    rng_for,
)
from .baselines import BASELINES, _fit_local_trend, _simulate_baseline, _simulate_local_trend
from .calibration import SUFFIX
from .frontline import MODEL as FRONTLINE
from .frontline import fit_frontline, simulate_frontline
from .growth import CURVES, PIECEWISE, GrowthModel, _fit_curve, _frozen_regimes, posterior_draws
from .measurement import VARIABLE, GrowthPriors, Measurements, NotEnoughData, measurements

TARGET = "people_displaced_since_baseline"  # the forecast table's target column
MODELS: tuple[str, ...] = vocab.DISPLACEMENT_MODELS
CALIBRATED: tuple[str, ...] = tuple(m + SUFFIX for m in MODELS)  # recalibrated on their own earlier backtest
assert set(MODELS) == {*CURVES, *PIECEWISE, "local_trend", *BASELINES, FRONTLINE}
# The model the backtest favours (select_model: best mean CRPS skill against persistence among the
# models whose 80% intervals held 70-90% of the later reports); a test re-derives it.
DEFAULT_MODEL = "frontline"
DECIMALS = 0  # people: whole numbers in printed forecasts


@dataclass(frozen=True)
class Fit:
    """A fitted model as of a date: everything needed to simulate forward."""

    model: str
    as_of: pd.Timestamp
    measurements: Measurements
    detail: object  # the statsmodels results, or the baseline's own summary
    claim_ids: tuple[str, ...]


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
    d = pd.Timestamp(parse_as_of(name, as_of))
    if d < first:
        obs = dataset.observations
        ids = obs.loc[(obs["variable"] == VARIABLE) & (obs["info_date"] == first), "claim_id"].sort_values()
        raise ParameterError(
            f"{d.date()} is before the first displacement report, public on {first.date()} (claim {ids.iloc[0]}); no model can answer before it",
            parameter=name,
        )
    return check_date_in_coverage(name, as_of, first, dataset.coverage[1])


def fit(dataset: Dataset, as_of, model: str = "drift", priors: GrowthPriors = GrowthPriors(), population_at_risk: float | None = None) -> Fit:
    """Fit ``model`` to the displacement observations public on or before ``as_of``."""
    check_model(model, MODELS)
    cut = pd.Timestamp(as_of)
    view = dataset.as_of(cut)
    return _fit(view, cut, measurements(view, population_at_risk), model, priors)


def _fit(view: Dataset, cut: pd.Timestamp, m: Measurements, model: str, priors: GrowthPriors) -> Fit:
    if m.table.empty:
        raise ParameterError(f"no displacement observations were public by {cut.date()}", parameter="as_of")
    # Every model's paths are capped at the population at risk, so its claims count too.
    if model in CURVES or model in PIECEWISE:
        return Fit(model, cut, m, _fit_curve(m, view, model, priors), (*m.table["claim_id"], *m.population_claim_ids))
    if model == FRONTLINE:  # driven by the front line as known at the cut (frontline.py)
        ff = fit_frontline(view, cut, m)
        return Fit(model, cut, m, ff, ff.claim_ids)
    series = m.stock_series
    ids = (*(i for day in series["claim_ids"] for i in day.split()), *m.population_claim_ids)
    if model == "local_trend":
        return Fit(model, cut, m, _fit_local_trend(series, m.day(cut)), ids)
    # loglinear: at least 2 residual degrees of freedom; persistence and drift answer from the
    # first report, anchored at zero on the baseline day with a prior volatility (baselines.PRIOR_VOLATILITY).
    need = 4 if model == "loglinear" else 1
    if len(series) < need:
        raise NotEnoughData(
            f"{model} needs {need} regional reports of the cumulative figure by {cut.date()}; {len(series)} known",
            parameter="model",
        )
    return Fit(model, cut, m, series, ids)


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
    rng = rng_for(seed, f.model, f.as_of)
    m = f.measurements
    cut_day = m.day(f.as_of)
    if f.model in CURVES or f.model in PIECEWISE:
        res = f.detail
        gm: GrowthModel = res.model
        draws, _ = posterior_draws(res, n_paths, rng)
        if gm.regimes is not None:
            # After the cut-off the regime in force continues: no later milestone is known.
            gm = _frozen_regimes(gm, cut_day)
        c = gm.cumulative(draws, days)
        sigma_un = np.exp(draws[:, 3])
        return np.maximum(c, 0) * np.exp(sigma_un * rng.standard_normal(n_paths))[:, None]
    if f.model == FRONTLINE:
        return simulate_frontline(f.detail, f.as_of, cut_day, days, n_paths, seed)
    if f.model == "local_trend":
        return _simulate_local_trend(f.detail, days, n_paths, rng)
    return _simulate_baseline(f.model, f.detail, days, n_paths, rng)


def forecast(dataset: Dataset, as_of, horizon_days: int, model: str = DEFAULT_MODEL, n_paths: int = 10_000, seed: int = 0, priors: GrowthPriors = GrowthPriors()) -> Forecast:
    """Predictive distribution of the regional cumulative figure for the ``horizon_days`` after ``as_of``."""
    horizon_days = check_horizon(horizon_days)
    check_model(model, MODELS + CALIBRATED)
    cut = check_as_of(dataset, as_of)
    if model in CALIBRATED:
        from .calibration import calibrated_forecast

        return calibrated_forecast(dataset, cut, horizon_days, model.removesuffix(SUFFIX), n_paths, seed)[0]
    f = fit(dataset, cut, model, priors)
    dates = pd.date_range(cut + pd.Timedelta(days=1), periods=horizon_days, freq="D")
    days = np.array([f.measurements.day(d) for d in dates])
    return Forecast(model, cut, dates, simulate(f, days, n_paths, seed), f.claim_ids, target=TARGET)
