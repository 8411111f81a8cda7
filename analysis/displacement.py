"""Displacement: reconcile heterogeneous reports and forecast cumulative displacement.

Target quantity: ``C(t)``, people displaced in the region since the case's
displacement baseline (OCHA counts northwest Syria from 1 December 2019), per day.

Measurement model
-----------------
Every ``displaced_people`` observation is a noisy view of an interval of the
latent daily displacement:

* a stock since baseline ``B`` as of ``T`` measures ``C(T) - C(B - 1 day)``;
* a flow over ``[T1, T2]`` measures ``C(T2) - C(T1 - 1 day)``;
* a stock with no stated baseline counts from an unknown day in the case's
  ``unstated_baseline_window``; the likelihood averages over that window
  (uniform prior), so the model never silently re-bases it;
* a figure for part of the region (its ``area`` is not one of the case's
  ``region_areas``) is a lower bound on the regional figure.

Reports are multiplicatively noisy: ``log y = log mu + e``, ``e ~ N(0, sigma_s)``,
with one ``sigma`` for UN-system sources and one for all others. Qualifiers shape
the likelihood (:data:`analysis.vocab.QUALIFIERS`): ``lower`` is censored from
below, ``upper`` from above, ``below_close`` is a half-normal at or below the
stated value, ``symmetric`` and ``point`` are normal on the log scale and
``range`` is interval-censored. Conflicting figures all stay in; the noise
explains them.

Models
------
``logistic``, ``gompertz``, ``richards``
    Growth curves ``C = K (F(t) - F(0))`` with the ceiling ``K`` a share of the
    population at risk (the latest regional ``population`` figure known as of the
    cut-off). Fitted by penalised maximum likelihood with statsmodels'
    ``GenericLikelihoodModel``; the penalty is the documented weak prior in
    :class:`GrowthPriors`. Parameter uncertainty is the Laplace (inverse Hessian)
    approximation.
``piecewise_logistic``, ``piecewise_gompertz``
    The same curves on a warped clock: each regime (``seeds/case.yaml``:
    ``regimes``) multiplies the growth rate by its own factor. Only milestones
    public by the cut-off switch regimes; after it, the last regime continues.
``local_trend``
    statsmodels ``UnobservedComponents`` local linear trend on ``log C`` over a
    daily grid, the days without a report missing (the Kalman filter bridges them).
``persistence``, ``drift``, ``loglinear``
    Baselines: the last reported value, the straight line from first to last
    report (both random walks with the reports' own volatility), and an OLS fit
    of ``log C`` on time with its prediction interval.

Forecasts are Monte Carlo sample paths drawing parameter and report noise; see
:mod:`analysis.forecast`.
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special, stats
from statsmodels.base.model import GenericLikelihoodModel

from . import vocab
from .dataset import Dataset
from .errors import ParameterError
from .forecast import (
    HORIZONS,
    Backtest,
    Forecast,
    horizon_bucket,
    lognormal_paths,
    rng_for,
    score_samples,
)
from .params import check_date_in_coverage, check_horizon, check_model
from .phases import phase_schedule

_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)
VARIABLE = "displaced_people"
CURVES = ("logistic", "gompertz", "richards")
PIECEWISE = ("piecewise_logistic", "piecewise_gompertz")
BASELINES = ("persistence", "drift", "loglinear")
MODELS: tuple[str, ...] = vocab.DISPLACEMENT_MODELS
assert set(MODELS) == {*CURVES, *PIECEWISE, "local_trend", *BASELINES}
# The model the backtest favours (select_model: best mean CRPS skill against persistence); a test re-derives it.
DEFAULT_MODEL = "drift"
DECIMALS = 0  # people: whole numbers in printed forecasts


class NotEnoughData(ParameterError):
    """The data known as of the cut-off cannot identify the chosen model."""


@dataclass(frozen=True)
class GrowthPriors:
    """Weak priors (penalties) of the growth-curve models, on their unconstrained scales.

    ``share``: logit of the ceiling's share of the population at risk; centre 0.25
    (the UN's 2018 warning was 700,000 of 3 million), sd 1.5 on the logit scale,
    so the 90% prior range is roughly 2% to 85%.
    ``rate``: log growth rate per day; centre 0.05/day, sd 1.
    ``midpoint``: days from the baseline to the curve's inflection; centre 60, sd 60.
    ``sigma``: log report noise; centre 0.15 (15%), sd 0.7.
    ``shape``: Richards' log shape; centre 0 (logistic), sd 0.7.
    ``regime``: log rate multiplier of a non-initial regime; centre 0, sd 1.
    """

    share: tuple[float, float] = (math.log(0.25 / 0.75), 1.5)
    rate: tuple[float, float] = (math.log(0.05), 1.0)
    midpoint: tuple[float, float] = (60.0, 60.0)
    sigma: tuple[float, float] = (math.log(0.15), 0.7)
    shape: tuple[float, float] = (0.0, 0.7)
    regime: tuple[float, float] = (0.0, 1.0)


# --------------------------------------------------------------------------- data


def source_class(source: str) -> str:
    """``un`` for UN-system sources (the text names the UN or OCHA), else ``other``."""
    words = str(source).replace("-", " ").split()
    return "un" if any(w in ("UN", "OCHA", "UNHCR", "UNICEF") for w in words) else "other"


@dataclass(frozen=True)
class Measurements:
    """Displacement observations on the model's day grid (day 0 is the day before the baseline)."""

    origin: pd.Timestamp  # grid day 0: C is zero at the end of this day
    table: pd.DataFrame  # one row per observation, model-ready
    population_at_risk: float
    population_claim_ids: tuple[str, ...]

    def day(self, when) -> int:
        return int((pd.Timestamp(when) - self.origin).days)

    @functools.cached_property
    def stock_series(self) -> pd.DataFrame:
        """Regional figures of ``C`` itself (counted from the case baseline), for the baselines and the trend model.

        Stocks since the baseline, flows that start on it, and regional stocks with no
        stated baseline (read as since the baseline: an approximation the growth
        curves do not need). Lower bounds enter at their value; upper bounds stay out.
        Reports for the same day are combined by their geometric mean.
        """
        t = self.table
        keep = t["region"] & (t["qualifier_class"] != "upper") & ((t["start"] == 0) | t["start"].isna())
        t = t[keep].sort_values(["end", "claim_id"])
        ends = t["end"].to_numpy(dtype=int)
        days, first = np.unique(ends, return_index=True)
        logv = np.log(t["value"].to_numpy())
        ids = t["claim_id"].to_numpy()
        bounds = [*first[1:], len(t)] if len(t) else []
        return pd.DataFrame(
            {
                "end": days,
                "value": [float(np.exp(logv[i:j].mean())) for i, j in zip(first, bounds, strict=True)],
                "claim_ids": [" ".join(ids[i:j]) for i, j in zip(first, bounds, strict=True)],
            }
        )

    @property
    def dated_stocks(self) -> pd.DataFrame:
        """:attr:`stock_series` with the calendar ``date`` each figure refers to."""
        s = self.stock_series
        return s.assign(date=self.origin + pd.to_timedelta(s["end"], unit="D"))


def measurements(dataset: Dataset, population_at_risk: float | None = None) -> Measurements:
    """The model-ready displacement observations of ``dataset`` (already cut to an as-of view)."""
    case = dataset.case
    obs = dataset.observations
    origin = pd.Timestamp(case.displacement_baseline_date) - pd.Timedelta(days=1)
    disp = obs[obs["variable"] == VARIABLE].sort_values("claim_id").reset_index(drop=True)
    region = disp["area"].isin(case.region_areas)
    day = lambda s: (s - origin).dt.days  # noqa: E731
    start = pd.Series(np.nan, index=disp.index)
    flows = disp["kind"] == "flow"
    start[flows] = day(disp.loc[flows, "date_start"]) - 1
    stated = (disp["kind"] == "stock") & disp["baseline_date"].notna()
    start[stated] = day(disp.loc[stated, "baseline_date"]) - 1
    qclass = disp["qualifier_class"].where(region, "lower")
    table = pd.DataFrame(
        {
            "claim_id": disp["claim_id"],
            "source": disp["source"],
            "source_class": disp["source"].map(source_class),
            "region": region,
            "qualifier_class": qclass,
            "value": disp["value"].astype(float),
            "value_low": disp["value_low"].astype(float),
            "value_high": disp["value_high"].astype(float),
            "start": start.clip(lower=0),  # NaN: baseline not stated
            "end": day(disp["date_end"]).clip(lower=0),
            "date_end": disp["date_end"],
            "info_date": disp["info_date"],
            "kind": disp["kind"],
            "baseline_date": disp["baseline_date"],
        }
    )
    if population_at_risk is None:
        pop = obs[(obs["variable"] == "population") & obs["area"].isin(case.region_areas)]
        if pop.empty:
            raise ParameterError(
                "no regional population figure is known by this date; pass population_at_risk explicitly",
                parameter="population_at_risk",
            )
        latest = pop[pop["info_date"] == pop["info_date"].max()]
        population_at_risk = float(latest["value"].max())
        ids = tuple(latest.loc[latest["value"] == population_at_risk, "claim_id"])
    else:
        if population_at_risk <= 0:
            raise ParameterError(f"must be positive, got {population_at_risk}", parameter="population_at_risk")
        ids = ()
    return Measurements(origin, table, float(population_at_risk), ids)


# ------------------------------------------------------------------ growth curves


def _curve(kind: str, x: np.ndarray, shape: np.ndarray | float = 1.0) -> np.ndarray:
    """F(x) for x = rate * (clock - midpoint)."""
    if kind == "logistic":
        return special.expit(x)
    if kind == "gompertz":
        return np.exp(-np.exp(-np.clip(x, -50, 50)))
    # Richards: (1 + nu e^{-x})^{-1/nu}, computed in logs for stability.
    return np.exp(-np.log1p(shape * np.exp(-np.clip(x, -50, 50))) / shape)


def regime_schedule(dataset: Dataset, origin: pd.Timestamp, n_days: int) -> tuple[np.ndarray, tuple[str, ...]]:
    """Phase index per grid day, and the phase labels.

    Phase 0 (the case's ``initial_regime``) holds until the first regime milestone;
    each milestone listed under ``regimes`` in the case file starts its own phase,
    with its own growth-rate multiplier, once the milestone is in ``dataset``
    (that is, once its information date has passed in an as-of view).
    """
    case = dataset.case
    labels = tuple(f"{kind} from {mid}" for mid, kind in case.regimes)
    return phase_schedule(dataset.milestones, tuple(zip([m for m, _ in case.regimes], labels, strict=True)), f"{case.initial_regime} (initial)", origin, n_days)


@dataclass(frozen=True)
class _Block:
    """Observations that share a start-day layout: ``starts[obs, w]`` (one column, or the window's days)."""

    rows: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    sclass: np.ndarray
    logy: np.ndarray
    loglo: np.ndarray
    loghi: np.ndarray
    masks: dict

    @classmethod
    def of(cls, t: pd.DataFrame, rows: np.ndarray, window_days: np.ndarray | None) -> _Block:
        t = t.iloc[rows]
        starts = t["start"].to_numpy()[:, None] if window_days is None else np.tile(window_days, (len(t), 1))
        q = t["qualifier_class"].to_numpy()
        masks = {"density": (q == "point") | (q == "symmetric"), **{k: q == k for k in ("lower", "upper", "below_close", "range")}}
        return cls(
            rows=rows,
            starts=starts.astype(int),
            ends=t["end"].to_numpy(dtype=int),
            sclass=(t["source_class"] == "other").to_numpy(dtype=int),
            logy=np.log(t["value"].to_numpy()),
            loglo=np.log(t["value_low"].fillna(t["value"]).to_numpy()),
            loghi=np.log(t["value_high"].fillna(t["value"]).to_numpy()),
            masks={k: v for k, v in masks.items() if v.any()},
        )

    def loglik(self, c: np.ndarray, log_sigmas: np.ndarray) -> np.ndarray:
        """Log likelihood (draws, rows) given cumulative paths ``c`` and per-source-class log sigmas."""
        logmu = np.log(np.maximum(c[:, self.ends][:, :, None] - c[:, self.starts], 1.0))
        log_sigma = log_sigmas[:, self.sclass][:, :, None]
        logy = self.logy[None, :, None]
        z = (logy - logmu) * np.exp(-log_sigma)
        ll = np.empty_like(z)
        for kind, m in self.masks.items():
            if kind == "density":  # point and symmetric: normal on the log scale
                ll[:, m] = -0.5 * z[:, m] ** 2 - _HALF_LOG_2PI - log_sigma[:, m] - logy[:, m]
            elif kind == "lower":  # the truth is at or above the stated value
                ll[:, m] = special.log_ndtr(-z[:, m])
            elif kind == "upper":  # the truth is at or below the stated value
                ll[:, m] = special.log_ndtr(z[:, m])
            elif kind == "below_close":  # "nearly": the stated value a little above the truth (half-normal)
                dens = np.log(2) - 0.5 * z[:, m] ** 2 - _HALF_LOG_2PI - log_sigma[:, m] - logy[:, m]
                ll[:, m] = np.where(z[:, m] >= 0, dens, -1e6)
            else:  # range: interval-censored between value_low and value_high
                inv = np.exp(-log_sigma[:, m])
                hi = special.ndtr((self.loghi[None, m, None] - logmu[:, m]) * inv)
                lo = special.ndtr((self.loglo[None, m, None] - logmu[:, m]) * inv)
                ll[:, m] = np.log(np.maximum(hi - lo, 1e-300))
        ll = np.maximum(ll, -1e6)
        if ll.shape[2] == 1:
            return ll[:, :, 0]
        # Unknown baseline: average the likelihood over the window's days.
        top = ll.max(axis=2, keepdims=True)
        return top[:, :, 0] + np.log(np.mean(np.exp(ll - top), axis=2))


class GrowthModel(GenericLikelihoodModel):
    """Penalised likelihood of the reports under a (piecewise) growth curve."""

    def __init__(self, m: Measurements, curve: str, regimes: np.ndarray | None, n_regimes: int, priors: GrowthPriors, window: tuple[int, int]):
        t = m.table
        self.m = m
        self.curve = curve
        self.priors = priors
        self.n_regimes = n_regimes if regimes is not None else 1
        self.set_regimes(regimes)
        names = ["share_logit", "log_rate", "midpoint", "log_sigma_un", "log_sigma_other"]
        if curve == "richards":
            names.append("log_shape")
        names += [f"log_mult_{i}" for i in range(1, self.n_regimes)]
        self.n_days = int(max(t["end"].max(), window[1]) + 1)
        # Start days: a known start, or every day of the unstated-baseline window (one block each).
        unstated = t["start"].isna().to_numpy()
        window_days = np.arange(window[0], window[1] + 1)
        self.blocks = tuple(
            _Block.of(t, np.flatnonzero(rows), window_days if is_unstated else None)
            for is_unstated, rows in ((False, ~unstated), (True, unstated))
            if rows.any()
        )
        self.n_obs = len(t)
        self._needed_days = np.unique(np.concatenate([np.concatenate([b.starts.ravel(), b.ends]) for b in self.blocks]))
        self.logy = np.log(t["value"].to_numpy())
        super().__init__(np.exp(self.logy), extra_params_names=names)
        self._prior = (self.start_params(), self.prior_sd())

    # parameters ------------------------------------------------------------
    def unpack(self, p: np.ndarray) -> dict[str, np.ndarray]:
        """Natural parameters from (..., k) unconstrained ones; works on one vector or a batch."""
        p = np.atleast_2d(p)
        out = {
            "K": self.m.population_at_risk * special.expit(p[:, 0]),
            "rate": np.exp(p[:, 1]),
            "midpoint": p[:, 2],
            "sigma": np.exp(p[:, 3:5]),
        }
        j = 5
        if self.curve == "richards":
            out["shape"] = np.exp(p[:, j])
            j += 1
        else:
            out["shape"] = np.ones(len(p))
        mult = np.ones((len(p), self.n_regimes))
        mult[:, 1:] = np.exp(p[:, j:j + self.n_regimes - 1])
        out["mult"] = mult
        return out

    def set_regimes(self, regimes: np.ndarray | None) -> None:
        """Regime index per grid day; precomputes days spent in each regime before each day."""
        self.regimes = regimes
        if regimes is not None:
            onehot = np.eye(self.n_regimes)[regimes].T  # (regimes, days)
            self._days_in = np.concatenate([np.zeros((self.n_regimes, 1)), np.cumsum(onehot, axis=1)], axis=1)

    def clock(self, mult: np.ndarray, days: np.ndarray) -> np.ndarray:
        """Warped time at the start of each grid day: the sum of regime multipliers over earlier days."""
        if self.regimes is None:
            return np.broadcast_to(days.astype(float), (len(mult), len(days)))
        last = self._days_in.shape[1] - 1
        extra = np.maximum(days - last, 0)  # beyond the schedule the last regime continues
        base = mult @ self._days_in[:, np.minimum(days, last)]
        return base + mult[:, [self.regimes[-1]]] * extra[None, :]

    def cumulative(self, p: np.ndarray, days: np.ndarray | int) -> np.ndarray:
        """C on the given grid days (or days 0..n-1 for an int) per parameter vector: (draws, days)."""
        days = np.arange(days) if np.isscalar(days) else np.asarray(days, dtype=int)
        q = self.unpack(p)
        x = q["rate"][:, None] * (self.clock(q["mult"], days) - q["midpoint"][:, None])
        x0 = -(q["rate"] * q["midpoint"])[:, None]
        shape = q["shape"][:, None]
        return q["K"][:, None] * (_curve(self.curve, x, shape) - _curve(self.curve, x0, shape))

    def prior_sd(self) -> np.ndarray:
        pr = self.priors
        sd = [pr.share[1], pr.rate[1], pr.midpoint[1], pr.sigma[1], pr.sigma[1]]
        if self.curve == "richards":
            sd.append(pr.shape[1])
        return np.array(sd + [pr.regime[1]] * (self.n_regimes - 1))

    def start_params(self) -> np.ndarray:
        pr = self.priors
        p = [pr.share[0], pr.rate[0], pr.midpoint[0], pr.sigma[0], pr.sigma[0]]
        if self.curve == "richards":
            p.append(pr.shape[0])
        p += [pr.regime[0]] * (self.n_regimes - 1)
        return np.array(p, dtype=float)

    def log_prior(self, p: np.ndarray) -> np.ndarray:
        """Log prior density of each row of ``p`` (draws, k)."""
        p = np.atleast_2d(p)
        mean, sd = self._prior
        z = (p - mean) / sd
        return np.sum(-0.5 * z**2 - np.log(sd) - _HALF_LOG_2PI, axis=1)

    # likelihood ------------------------------------------------------------
    def loglik_draws(self, p: np.ndarray) -> np.ndarray:
        """Log likelihood of every observation under each row of ``p``: shape (draws, observations)."""
        p = np.atleast_2d(p)
        c = np.zeros((len(p), self.n_days))
        c[:, self._needed_days] = self.cumulative(p, self._needed_days)
        out = np.empty((len(p), self.n_obs))
        for block in self.blocks:
            out[:, block.rows] = block.loglik(c, p[:, 3:5])
        return out

    def log_posterior(self, p: np.ndarray) -> np.ndarray:
        return self.loglik_draws(p).sum(axis=1) + self.log_prior(p)

    def loglikeobs(self, params: np.ndarray) -> np.ndarray:
        ll = self.loglik_draws(params)[0]
        return ll + self.log_prior(params)[0] / len(ll)

    def loglike(self, params: np.ndarray) -> float:
        return float(self.log_posterior(params)[0])

    # Derivatives by central differences, every perturbed point in one vectorised call.
    def _steps(self, params: np.ndarray) -> np.ndarray:
        return 1e-4 * np.maximum(np.abs(params), 1.0)

    def score(self, params: np.ndarray) -> np.ndarray:
        h = self._steps(params)
        points = np.vstack([params + np.diag(h), params - np.diag(h)])
        f = self.log_posterior(points)
        k = len(params)
        return (f[:k] - f[k:]) / (2 * h)

    def hessian(self, params: np.ndarray) -> np.ndarray:
        k = len(params)
        h = self._steps(params) * 10
        e = np.diag(h)
        signs = ((1, 1), (1, -1), (-1, 1), (-1, -1))
        points = np.array([params + si * e[i] + sj * e[j] for i in range(k) for j in range(k) for si, sj in signs])
        f = self.log_posterior(points).reshape(k, k, 4)
        hess = (f[..., 0] - f[..., 1] - f[..., 2] + f[..., 3]) / (4 * np.outer(h, h))
        return (hess + hess.T) / 2


@dataclass(frozen=True)
class Fit:
    """A fitted model as of a date: everything needed to simulate forward."""

    model: str
    as_of: pd.Timestamp
    measurements: Measurements
    detail: object  # the statsmodels results, or the baseline's own summary
    claim_ids: tuple[str, ...]


def _psd(cov: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """A usable covariance: symmetrised, eigenvalues clipped; prior variances where the Hessian failed."""
    cov = np.asarray(cov, dtype=float)
    if not np.all(np.isfinite(cov)):
        return np.diag(fallback)
    cov = (cov + cov.T) / 2
    w, v = np.linalg.eigh(cov)
    w = np.clip(w, 1e-10, None)
    return (v * w) @ v.T


def _fit_curve(m: Measurements, dataset: Dataset, model: str, priors: GrowthPriors) -> GenericLikelihoodModel:
    curve = model.removeprefix("piecewise_")
    case = dataset.case
    window = (m.day(case.unstated_baseline_window[0]) - 1, m.day(case.unstated_baseline_window[1]) - 1)
    regimes, kinds = (None, ("all",))
    if model in PIECEWISE:
        n_days = m.day(case.analysis_end) + 400
        regimes, kinds = regime_schedule(dataset, m.origin, n_days)
    gm = GrowthModel(m, curve, regimes, len(kinds), priors, window)
    start = gm.start_params()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence is checked below, not warned about
        res = gm.fit(start_params=start, method="bfgs", maxiter=1000, gtol=1e-6, disp=0)
    return res


# --------------------------------------------------------------------- fitting


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
    return check_date_in_coverage(name, as_of, first, dataset.coverage[1])


def fit(dataset: Dataset, as_of, model: str = DEFAULT_MODEL, priors: GrowthPriors = GrowthPriors(), population_at_risk: float | None = None) -> Fit:
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
    series = m.stock_series
    ids = (*(i for day in series["claim_ids"] for i in day.split()), *m.population_claim_ids)
    if model == "local_trend":
        return Fit(model, cut, m, _fit_local_trend(series, m.day(cut)), ids)
    need = 4 if model == "loglinear" else 2  # loglinear: at least 2 residual degrees of freedom
    if len(series) < need:
        raise NotEnoughData(
            f"{model} needs {need} regional reports of the cumulative figure by {cut.date()}; {len(series)} known",
            parameter="model",
        )
    return Fit(model, cut, m, series, ids)


def _fit_local_trend(series: pd.DataFrame, cut_day: int):
    import statsmodels.api as sm

    if len(series) < 4:
        raise NotEnoughData(f"local_trend needs 4 days with a regional cumulative report; {len(series)} known", parameter="model")
    first = int(series["end"].min())
    y = np.full(cut_day - first + 1, np.nan)
    y[series["end"].to_numpy(dtype=int) - first] = np.log(series["value"].to_numpy())
    mod = sm.tsa.UnobservedComponents(y, level="local linear trend")
    res = mod.fit(disp=False, method="lbfgs", maxiter=200)
    res.first_day = first
    return res


# ------------------------------------------------------------------ forecasting


def simulate(f: Fit, days: np.ndarray, n_paths: int = 10_000, seed: int = 0) -> np.ndarray:
    """Sample paths of the reported cumulative figure on grid ``days``: shape (n_paths, len(days)).

    No model may forecast more people displaced than there are people at risk, so
    every path is capped at the population at risk.
    """
    return np.minimum(_simulate(f, days, n_paths, seed), f.measurements.population_at_risk)


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
    if f.model == "local_trend":
        return _simulate_local_trend(f.detail, days, n_paths, rng)
    return _simulate_baseline(f.model, f.detail, days, n_paths, rng)


def posterior_draws(res, n: int, rng: np.random.Generator, df: float = 5.0, max_proposals: int = 2000) -> tuple[np.ndarray, float]:
    """Parameter draws by sampling-importance-resampling from the Laplace approximation.

    The proposal is a multivariate t (``df`` degrees of freedom) at the penalised
    MLE with the inverse-Hessian covariance; weights are the penalised likelihood
    over the proposal density, so draws that contradict a censored report (a
    ceiling below a known lower bound, say) get no weight. Returns the draws and
    the importance sample's effective size.
    """
    gm: GrowthModel = res.model
    cov = _psd(res.cov_params(), gm.prior_sd() ** 2)
    proposal = stats.multivariate_t(loc=np.asarray(res.params), shape=cov, df=df)
    n_proposals = min(n, max_proposals)
    x = proposal.rvs(size=n_proposals, random_state=rng).reshape(n_proposals, -1)
    logw = gm.log_posterior(x) - proposal.logpdf(x)
    logw = np.where(np.isfinite(logw), logw, -np.inf)
    w = np.exp(logw - logw.max())
    w /= w.sum()
    ess = float(1.0 / np.sum(w**2))
    return x[rng.choice(n_proposals, size=n, p=w)], ess


def _frozen_regimes(gm: GrowthModel, cut_day: int) -> GrowthModel:
    import copy

    g = copy.copy(gm)
    reg = gm.regimes[: cut_day + 1].copy()
    g.set_regimes(reg)
    return g


def _volatility(series: pd.DataFrame) -> float:
    """Per-day log volatility of the reports: sqrt(mean((d log C)^2 / dt))."""
    d = np.diff(np.log(series["value"].to_numpy()))
    dt = np.diff(series["end"].to_numpy())
    return float(np.sqrt(np.mean(d**2 / dt)))


def _simulate_baseline(model: str, series: pd.DataFrame, days: np.ndarray, n_paths: int, rng) -> np.ndarray:
    t = series["end"].to_numpy(dtype=float)
    y = series["value"].to_numpy(dtype=float)
    if model == "loglinear":
        import statsmodels.api as sm

        ols = sm.OLS(np.log(y), sm.add_constant(t)).fit()
        pred = ols.get_prediction(sm.add_constant(days.astype(float), has_constant="add"))
        sd = np.sqrt(pred.var_pred_mean + ols.scale)
        z = stats.t.ppf(rng.uniform(size=n_paths), df=ols.df_resid)[:, None]
        return np.exp(pred.predicted_mean[None, :] + z * sd[None, :])
    vol = _volatility(series)
    lead = np.maximum(days - t[-1], 0)
    centre = np.full(len(days), y[-1])
    if model == "drift":
        centre = y[-1] + (y[-1] - y[0]) / (t[-1] - t[0]) * lead
    return lognormal_paths(np.maximum(centre, 1.0), vol * np.sqrt(lead), rng, n_paths)


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
        r = mod.smooth(params) if k else res
        fc = r.get_forecast(max(steps, 1))
        mean = np.concatenate([r.fittedvalues, fc.predicted_mean])
        var = np.concatenate([np.full(res.nobs, np.nan), fc.var_pred_mean])
        idx = days - res.first_day
        rows = which == k
        centre, sd = np.exp(mean[idx]), np.sqrt(np.nan_to_num(var[idx], nan=float(r.scale if hasattr(r, "scale") else 0.0)))
        out[rows] = lognormal_paths(centre, sd, rng, int(rows.sum()))
    return out


def forecast(dataset: Dataset, as_of, horizon_days: int, model: str = DEFAULT_MODEL, n_paths: int = 10_000, seed: int = 0, priors: GrowthPriors = GrowthPriors()) -> Forecast:
    """Predictive distribution of the regional cumulative figure for the ``horizon_days`` after ``as_of``."""
    horizon_days = check_horizon(horizon_days)
    check_model(model, MODELS)
    cut = check_as_of(dataset, as_of)
    f = fit(dataset, cut, model, priors)
    dates = pd.date_range(cut + pd.Timedelta(days=1), periods=horizon_days, freq="D")
    days = np.array([f.measurements.day(d) for d in dates])
    return Forecast(model, cut, dates, simulate(f, days, n_paths, seed), f.claim_ids)


# --------------------------------------------------------------------- backtest


def backtest_targets(dataset: Dataset) -> pd.DataFrame:
    """Regional reports of the target quantity itself: stocks counted from the case baseline, read as point values."""
    m = measurements(dataset)
    t = m.table
    keep = t["region"] & t["qualifier_class"].isin(("point", "symmetric")) & (t["start"] == 0)
    return t[keep].reset_index(drop=True)


def backtest(dataset: Dataset, models: tuple[str, ...] = MODELS, n_paths: int = 10_000, seed: int = 0, horizons: tuple[int, ...] = HORIZONS) -> Backtest:
    """Score every model at every origin against the reports that came later.

    Origins are the information dates of displacement observations. A target is a
    regional report of the cumulative figure (:func:`backtest_targets`) whose date
    falls 1..max(horizons) days after the origin; it counts toward the smallest
    horizon at or above its lead time. A model that the data at an origin cannot
    identify yields no rows for that origin but a row in ``skipped`` with the reason.
    """
    targets = backtest_targets(dataset)
    origins = sorted(dataset.observations.loc[dataset.observations["variable"] == VARIABLE, "info_date"].unique())
    rows, skipped = [], []
    for origin in map(pd.Timestamp, origins):
        due = targets[(targets["date_end"] > origin) & (targets["date_end"] <= origin + pd.Timedelta(days=max(horizons)))]
        if due.empty:
            continue
        view = dataset.as_of(origin)
        m = measurements(view)
        for model in models:
            try:
                f = _fit(view, origin, m, model, GrowthPriors())
            except NotEnoughData as exc:
                skipped.append({"as_of": origin, "model": model, "reason": exc.message})
                continue
            days = due["end"].to_numpy(dtype=int)
            samples = simulate(f, days, n_paths, seed)
            scores = score_samples(samples.T, due["value"].to_numpy())
            lead = (due["date_end"] - origin).dt.days.to_numpy()
            block = pd.DataFrame(
                {
                    "as_of": origin,
                    "model": model,
                    "horizon_days": [horizon_bucket(int(x), horizons) for x in lead],
                    "lead_days": lead,
                    "date": due["date_end"].to_numpy(),
                    "target_id": due["claim_id"].to_numpy(),
                    "observed": due["value"].to_numpy(),
                }
            )
            rows.append(pd.concat([block, scores], axis=1))
    scores = pd.concat(rows, ignore_index=True).sort_values(["as_of", "model", "date", "target_id"], ignore_index=True) if rows else pd.DataFrame()
    return Backtest(scores, pd.DataFrame(skipped, columns=["as_of", "model", "reason"]))


def select_model(summary: pd.DataFrame, reference: str = "persistence") -> str:
    """The model the backtest favours: the highest CRPS skill against ``reference``, averaged over horizons."""
    skill = summary[summary["model"] != reference].groupby("model")[f"skill_vs_{reference}"].mean()
    return str(skill.idxmax())


def plotted_reports(dataset: Dataset) -> pd.DataFrame:
    """Regional displacement reports for figures, flagged ``measures_target`` when they report C itself."""
    t = measurements(dataset).table
    t = t[t["region"]].copy()
    t["measures_target"] = (t["start"] == 0) | t["start"].isna()
    return t


def known_vs_happened(dataset: Dataset, fc: Forecast) -> pd.DataFrame:
    """The reports of C published after the forecast's cut-off and within its dates, scored against it."""
    targets = backtest_targets(dataset)
    due = targets[(targets["date_end"] > fc.as_of) & (targets["date_end"] <= fc.dates.max()) & (targets["info_date"] > fc.as_of)]
    if due.empty:
        return pd.DataFrame(columns=["date", "target_id", "source", "observed", "q10", "q50", "q90", "pit", "crps"])
    samples = np.stack([fc.at(d) for d in due["date_end"]])
    scores = score_samples(samples, due["value"].to_numpy())
    out = pd.DataFrame({"date": due["date_end"].dt.date.to_numpy(), "target_id": due["claim_id"].to_numpy(), "source": due["source"].to_numpy(), "observed": due["value"].to_numpy()})
    return pd.concat([out, scores[["q10", "q50", "q90", "pit", "crps"]]], axis=1).sort_values(["date", "target_id"], ignore_index=True)


def headline(dataset: Dataset, fc: Forecast, target_date) -> dict:
    """What the model expected for ``target_date`` and what the reports closest to it later said."""
    day = pd.Timestamp(target_date)
    if day not in fc.dates:
        raise ParameterError(
            f"{day.date()} is outside the forecast's dates {fc.dates.min().date()}..{fc.dates.max().date()}", parameter="target_date"
        )
    x = fc.at(day)
    targets = backtest_targets(dataset)
    later = targets[targets["info_date"] > fc.as_of]
    closest = later.iloc[(later["date_end"] - day).abs().argsort()[:1]] if len(later) else later
    return {
        "as_of": fc.as_of.date(),
        "target_date": day.date(),
        "model": fc.model,
        "median": float(np.median(x)),
        "q10": float(np.quantile(x, 0.1)),
        "q90": float(np.quantile(x, 0.9)),
        "report_value": float(closest["value"].iloc[0]) if len(closest) else None,
        "report_date": closest["date_end"].iloc[0].date() if len(closest) else None,
        "report_id": closest["claim_id"].iloc[0] if len(closest) else None,
        "report_source": closest["source"].iloc[0] if len(closest) else None,
    }


def compare_models(dataset: Dataset, as_of, target_date, n_paths: int = 10_000, seed: int = 0) -> pd.DataFrame:
    """Every model's forecast for ``target_date`` as of ``as_of``, or why it could not be fitted."""
    cut = check_as_of(dataset, as_of)
    day = pd.Timestamp(target_date)
    view = dataset.as_of(cut)
    m = measurements(view)
    rows = []
    for model in MODELS:
        try:
            f = _fit(view, cut, m, model, GrowthPriors())
        except NotEnoughData as exc:
            rows.append({"model": model, "q10": np.nan, "q50": np.nan, "q90": np.nan, "note": exc.message})
            continue
        x = simulate(f, np.array([m.day(day)]), n_paths, seed)[:, 0]
        q10, q50, q90 = np.quantile(x, (0.1, 0.5, 0.9))
        rows.append({"model": model, "q10": q10, "q50": q50, "q90": q90, "note": ""})
    return pd.DataFrame(rows)
