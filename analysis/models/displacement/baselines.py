"""Baseline displacement models (persistence, drift, loglinear) and the local linear trend."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..base import lognormal_paths, rng_for
from .measurement import Fit, FitData, NotEnoughData

# Per-day log volatility used while only one regional report is known (no observed change yet):
# 0.1 / sqrt(day) puts the 14-day 80% interval at about x/1.6 to x*1.6, wide on purpose.
PRIOR_VOLATILITY = 0.1


def _fit_local_trend(series: pd.DataFrame, cut_day: int, needs: int = 4):
    import statsmodels.api as sm

    if len(series) < needs:
        raise NotEnoughData(f"local_trend needs {needs} days with a regional cumulative report; {len(series)} known", parameter="model")
    first = int(series["end"].min())
    y = np.full(cut_day - first + 1, np.nan)
    y[series["end"].to_numpy(dtype=int) - first] = np.log(series["value"].to_numpy())
    mod = sm.tsa.UnobservedComponents(y, level="local linear trend")
    res = mod.fit(disp=False, method="lbfgs", maxiter=200)
    res.first_day = first
    return res


def _volatility(series: pd.DataFrame) -> float:
    """Per-day log volatility of the reports: sqrt(mean((d log C)^2 / dt))."""
    if len(series) < 2:
        return PRIOR_VOLATILITY
    d = np.diff(np.log(series["value"].to_numpy()))
    dt = np.diff(series["end"].to_numpy())
    return float(np.sqrt(np.mean(d**2 / dt)))


def _simulate_local_trend(res, days: np.ndarray, n_paths: int, rng, n_param_draws: int = 25) -> np.ndarray:
    """Mixture over parameter draws (delta method on log variances) of the Kalman predictive."""
    last = res.first_day + res.nobs - 1
    steps = int(days.max() - last)
    mod = res.model
    logp = np.log(np.maximum(res.params, 1e-12))
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.asarray(res.bse) / np.maximum(res.params, 1e-12)
    se = np.where(np.isfinite(se) & (se > 0), np.minimum(se, 2.0), 1.0)
    out = np.empty((n_paths, len(days)))
    which = np.arange(n_paths) % n_param_draws
    for k in range(n_param_draws):
        params = np.exp(logp + (se * rng.standard_normal(len(logp)) if k else 0.0))
        r = mod.filter(params) if k else res  # the filter alone: fitted values and forecasts need no smoother
        fc = r.get_forecast(max(steps, 1))
        mean = np.concatenate([r.fittedvalues, fc.predicted_mean])
        var = np.concatenate([np.full(res.nobs, np.nan), fc.var_pred_mean])
        idx = days - res.first_day
        rows = which == k
        centre, sd = np.exp(mean[idx]), np.sqrt(np.nan_to_num(var[idx], nan=float(r.scale if hasattr(r, "scale") else 0.0)))
        out[rows] = lognormal_paths(centre, sd, rng, int(rows.sum()))
    return out


class _ReportSeries:
    """What the series baselines share: the fit is the regional cumulative series, if it holds ``needs`` reports."""

    name: str
    needs: int

    def fit(self, data: FitData, spec) -> Fit:
        """The regional cumulative series itself is the fit (the baseline's arithmetic runs in ``simulate``)."""
        series = data.measurements.stock_series
        if len(series) < self.needs:
            raise NotEnoughData(
                f"{self.name} needs {self.needs} regional reports of the cumulative figure by {spec.as_of.date()}; {len(series)} known",
                parameter="model",
            )
        return Fit(self.name, spec.as_of, data.measurements, series, data.stock_claim_ids)

    @staticmethod
    def _days_values(fitted: Fit) -> tuple[np.ndarray, np.ndarray]:
        """The fitted series' grid days and values."""
        series = fitted.detail
        return series["end"].to_numpy(dtype=float), series["value"].to_numpy(dtype=float)


@dataclass(frozen=True)
class RandomWalk(_ReportSeries):
    """``persistence`` (the last reported value) or ``drift`` (the line from the first to the last report), with the reports' volatility.

    Both answer from the first regional report, anchored at zero on the baseline day
    with the prior volatility :data:`PRIOR_VOLATILITY` until two reports exist.
    """

    name: str
    drift: bool
    family: str = "displacement"
    needs: int = 1

    def simulate(self, fitted: Fit, days: np.ndarray, *, n_paths: int, seed: int) -> np.ndarray:
        """Comonotone lognormal paths around the last value (or the drift line), widening with the lead time."""
        rng = rng_for(seed, fitted.model, fitted.as_of)
        t, y = self._days_values(fitted)
        vol = _volatility(fitted.detail)
        lead = np.maximum(days - t[-1], 0)
        centre = np.full(len(days), y[-1])
        if self.drift:
            # With one report the line runs from zero on the baseline day (grid day 0), where C is zero by definition.
            t0, y0 = (t[0], y[0]) if len(t) > 1 else (0.0, 0.0)
            centre = y[-1] + (y[-1] - y0) / max(t[-1] - t0, 1.0) * lead
        return lognormal_paths(np.maximum(centre, 1.0), vol * np.sqrt(lead), rng, n_paths)


@dataclass(frozen=True)
class LogLinear(_ReportSeries):
    """OLS of ``log C`` on time with its Student-t prediction interval (at least 2 residual degrees of freedom)."""

    name: str = "loglinear"
    family: str = "displacement"
    needs: int = 4

    def simulate(self, fitted: Fit, days: np.ndarray, *, n_paths: int, seed: int) -> np.ndarray:
        """Comonotone paths from the regression's predictive t distribution."""
        import statsmodels.api as sm

        rng = rng_for(seed, fitted.model, fitted.as_of)
        t, y = self._days_values(fitted)
        ols = sm.OLS(np.log(y), sm.add_constant(t)).fit()
        pred = ols.get_prediction(sm.add_constant(days.astype(float), has_constant="add"))
        sd = np.sqrt(pred.var_pred_mean + ols.scale)
        z = stats.t.ppf(rng.uniform(size=n_paths), df=ols.df_resid)[:, None]
        return np.exp(pred.predicted_mean[None, :] + z * sd[None, :])


@dataclass(frozen=True)
class LocalTrend:
    """statsmodels' ``UnobservedComponents`` local linear trend on ``log C`` over a daily grid (Kalman filter)."""

    name: str = "local_trend"
    family: str = "displacement"
    needs: int = 4  # days with a regional cumulative report

    def fit(self, data: FitData, spec) -> Fit:
        """Maximum likelihood (L-BFGS) of the trend's variances on the days up to the cut-off."""
        m = data.measurements
        return Fit(self.name, spec.as_of, m, _fit_local_trend(m.stock_series, m.day(spec.as_of), self.needs), data.stock_claim_ids)

    def simulate(self, fitted: Fit, days: np.ndarray, *, n_paths: int, seed: int) -> np.ndarray:
        """A mixture over parameter draws of the Kalman predictive (:func:`_simulate_local_trend`)."""
        return _simulate_local_trend(fitted.detail, days, n_paths, rng_for(seed, fitted.model, fitted.as_of))


PERSISTENCE = RandomWalk("persistence", drift=False)
DRIFT = RandomWalk("drift", drift=True)
LOGLINEAR = LogLinear()
LOCAL_TREND = LocalTrend()
