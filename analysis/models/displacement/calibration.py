"""Quantile recalibration of displacement forecasts on each model's own earlier backtest errors.

Method (empirical quantile recalibration, Kuleshov, Fenner and Ermon 2018,
"Accurate uncertainties for deep learning using calibrated regression"): if a
model's PIT values ``p = F(y)`` on earlier cases are not uniform, let ``G`` be
their distribution; the recalibrated predictive is ``G∘F``, so its quantile at
level ``tau`` is the model's quantile at level ``G^{-1}(tau)``. The map is monotone,
so it is the same on the log scale as on the natural one (the recalibration of log
errors), and applied to each day's samples by rank it keeps the paths' ordering.

``G`` is the piecewise-linear empirical CDF through ``(0, 0)``, the sorted PITs at
plotting positions ``(i + 1/2) / n`` and ``(1, 1)``, shrunk toward the uniform
(the prior that the model is calibrated) with ``PRIOR_CASES`` pseudo-cases:
``G = n/(n+k) ECDF + k/(n+k) U``.

No hindsight: the PITs for a forecast as of ``T`` come only from backtest cases
whose origin is before ``T`` and whose target report was public by ``T``. Each
horizon bucket uses its own cases when it has at least ``MIN_CASES``; otherwise
the cases of every horizon are pooled; with none at all the forecast is left
uncalibrated and says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import registry

MIN_CASES = 3
PRIOR_CASES = 2.0
_GRID = np.linspace(0.0, 1.0, 1001)


@dataclass(frozen=True)
class Calibration:
    """Which earlier cases recalibrated a forecast day: their PIT values and how they were chosen."""

    pits: np.ndarray
    pooled: bool

    @property
    def note(self) -> str:
        if len(self.pits) == 0:
            return "uncalibrated: no earlier backtest case was known by the cut-off"
        how = "pooled over horizons" if self.pooled else "at this horizon"
        return f"recalibrated on {len(self.pits)} earlier backtest cases {how}"


def level_map(pits: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """``G^{-1}(levels)`` for the shrunk empirical CDF ``G`` of ``pits`` (identity when there are none)."""
    pits = np.sort(np.clip(np.asarray(pits, dtype=float), 0.0, 1.0))
    n = len(pits)
    if n == 0:
        return np.asarray(levels, dtype=float)
    xs = np.concatenate([[0.0], pits, [1.0]])
    ys = np.concatenate([[0.0], (np.arange(n) + 0.5) / n, [1.0]])
    w = n / (n + PRIOR_CASES)
    g = w * np.interp(_GRID, xs, ys) + (1 - w) * _GRID  # strictly increasing
    return np.interp(levels, g, _GRID)


def recalibrate_column(x: np.ndarray, pits: np.ndarray) -> np.ndarray:
    """One day's samples moved to the recalibrated quantiles, each path keeping its rank."""
    n = len(x)
    if len(pits) == 0 or n == 0:
        return x
    order = np.argsort(x, kind="stable")
    levels = level_map(pits, (np.arange(n) + 0.5) / n)
    out = np.empty_like(x, dtype=float)
    out[order] = sorted_quantile(np.asarray(x, dtype=float)[order], levels)
    return out


def sorted_quantile(xs: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """``np.quantile(xs, levels)`` (the default "linear" method) of an already sorted ``xs``, bit for bit.

    ``np.quantile`` partitions around every requested index, which for thousands of
    levels costs far more than the sort the caller already has; this reads the
    neighbours straight from the sorted array and interpolates as NumPy does
    (``a + (b - a) g``, or ``b - (b - a)(1 - g)`` for ``g >= 0.5``).
    """
    n = len(xs)
    virtual = (n - 1) * np.asarray(levels, dtype=float)
    prev = np.floor(virtual)
    gamma = virtual - prev
    prev = np.clip(prev, 0, n - 1).astype(np.intp)
    nxt = np.minimum(prev + 1, n - 1)
    top = virtual >= n - 1
    prev[top] = nxt[top] = n - 1
    a, b = xs[prev], xs[nxt]
    diff = b - a
    out = a + diff * gamma
    np.subtract(b, diff * (1 - gamma), out=out, where=gamma >= 0.5)
    return out


def earlier_cases(scores: pd.DataFrame, target_info: pd.Series, model: str, as_of: pd.Timestamp) -> pd.DataFrame:
    """Backtest rows of ``model`` from origins before ``as_of`` whose target report was public by ``as_of``."""
    if scores.empty:
        return scores
    s = scores[(scores["model"] == model) & (scores["as_of"] < as_of)]
    public = s["target_id"].map(target_info) <= as_of
    return s[public.to_numpy(dtype=bool)]


def calibration_for(cases: pd.DataFrame, horizon: int) -> Calibration:
    """The PITs that recalibrate a forecast at horizon bucket ``horizon``."""
    own = cases.loc[cases["horizon_days"] == horizon, "pit"].to_numpy(dtype=float)
    if len(own) >= MIN_CASES:
        return Calibration(own, pooled=False)
    return Calibration(cases["pit"].to_numpy(dtype=float), pooled=True)


def recalibrate(samples: np.ndarray, horizons: np.ndarray, cases: pd.DataFrame) -> tuple[np.ndarray, dict[int, Calibration]]:
    """Recalibrate ``samples[path, day]`` whose days fall in horizon buckets ``horizons[day]``."""
    out = np.array(samples, dtype=float, copy=True)
    used: dict[int, Calibration] = {}
    for h in np.unique(horizons):
        cal = used[int(h)] = calibration_for(cases, int(h))
        for j in np.flatnonzero(horizons == h):
            out[:, j] = recalibrate_column(out[:, j], cal.pits)
    return out, used


def calibrated_forecast(dataset, as_of: pd.Timestamp, horizon_days: int, model: str, n_paths: int = 10_000, seed: int = 0, backtest_paths: int | None = None):
    """The forecast of ``model`` recalibrated on its own backtest within ``dataset.as_of(as_of)``.

    The backtest runs on the as-of view, so its origins are earlier and its targets
    were public by the cut-off: nothing published later can reach the forecast.
    Returns the forecast (model named ``<model>_calibrated``) and the note of each
    horizon bucket's calibration.
    """
    from ..base import Forecast, horizon_bucket
    from .api import TARGET, fit, known_floor, simulate
    from .evaluate import backtest

    cut = pd.Timestamp(as_of)
    f = fit(dataset, cut, model)
    dates = pd.date_range(cut + pd.Timedelta(days=1), periods=horizon_days, freq="D")
    days = np.array([f.measurements.day(d) for d in dates])
    samples = simulate(f, days, n_paths, seed)
    view = dataset.as_of(cut)
    bt = backtest(view, (model,), n_paths=min(n_paths, 2000) if backtest_paths is None else backtest_paths, seed=seed, calibrated=False)
    from .evaluate import backtest_targets

    info = backtest_targets(view).set_index("claim_id")["info_date"]
    cases = earlier_cases(bt.scores, info, model, cut + pd.Timedelta(days=1)) if not bt.scores.empty else bt.scores
    buckets = np.array([horizon_bucket(i + 1) or 56 for i in range(horizon_days)])
    if cases.empty:
        cases = pd.DataFrame({"horizon_days": pd.Series(dtype=int), "pit": pd.Series(dtype=float)})
    cal, used = recalibrate(samples, buckets, cases)
    m = f.measurements
    cal = np.maximum(np.minimum(cal, m.population_at_risk), known_floor(m, days)[None, :])
    return Forecast(registry.calibrated_name(model), cut, dates, cal, f.claim_ids, target=TARGET, notes=f.notes), {h: c.note for h, c in used.items()}
