"""Territory models: phase negative-binomial GLMs over imputed change dates (Rubin's rules) and two baselines; fit, simulate, forecast."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm

from ...core.errors import ParameterError
from ...data import vocab
from ...data.changes import SIDES, baseline_changes, daily_series
from ...data.dataset import Dataset
from ...data.phases import phase_schedule
from ...report.params import check_date_in_coverage, check_horizon, check_model
from ..base import (
    Forecast,
    rng_for,
)

MODELS: tuple[str, ...] = vocab.TERRITORY_MODELS
DEFAULT_MODEL = "phase_glm"
DECIMALS = 0  # places: whole numbers in printed forecasts (a quantile of a count of places is a count)
N_IMPUTATIONS = 10
# Simulation guards, stated in the report: a momentum draw above 1 would make the
# advance explode, and no day's expected captures may exceed 100 places (three
# times the largest single-day aggregate claim in the shipped documents).
MAX_MOMENTUM = 1.0
MAX_DAILY_RATE = 100.0


def imputed_counts(changes: pd.DataFrame, start: pd.Timestamp, n_days: int, rng: np.random.Generator, n: int) -> np.ndarray:
    """Integer daily counts per side for ``n`` draws of each change's day: (n, 2 sides, n_days)."""
    out = np.zeros((n, 2, n_days))
    for k, side in enumerate(SIDES):
        c = changes[changes["to_side"] == side]
        if c.empty:
            continue
        lo = (c["date_start"] - start).dt.days.to_numpy()
        width = (c["date_end"] - c["date_start"]).dt.days.to_numpy() + 1
        day = lo[None, :] + np.floor(rng.uniform(size=(n, len(c))) * width[None, :]).astype(int)
        for i in range(n):
            d = day[i][(day[i] >= 0) & (day[i] < n_days)]
            np.add.at(out[i, k], d, 1)
    return out


@dataclass(frozen=True)
class TerritoryFit:
    model: str
    as_of: pd.Timestamp
    start: pd.Timestamp  # day 0: the territory baseline
    level: float  # cumulative net gains up to as_of (expected, from the changes known then)
    params: dict  # per side: (mean, cov, alpha) of the GLM, or the baseline rates
    phases: np.ndarray
    claim_ids: tuple[str, ...]  # the control-event claims behind the changes used


def check_as_of(dataset: Dataset, as_of, name: str = "as_of") -> pd.Timestamp:
    """The cut-off must fall between the territory baseline and the end of the data's coverage.

    The upper bound is the case's coverage end, so acceptance cannot depend on later claims.
    """
    if dataset.control_events.empty:
        raise ParameterError("the dataset holds no control events", parameter=name)
    return check_date_in_coverage(name, as_of, pd.Timestamp(dataset.case.territory_baseline_date), dataset.coverage[1])


def _design(phases: np.ndarray, n_phases: int, momentum: np.ndarray | None) -> np.ndarray:
    x = np.eye(n_phases)[phases]
    if momentum is not None:
        x = np.column_stack([x, np.log1p(momentum)])
    return x


def fit(dataset: Dataset, as_of, model: str = DEFAULT_MODEL, seed: int = 0) -> TerritoryFit:
    """Fit ``model`` to the control events public on or before ``as_of``."""
    check_model(model, MODELS)
    cut = check_as_of(dataset, as_of)
    view = dataset.as_of(cut)
    return _fit(view, cut, baseline_changes(view), model, seed)


def _fit(view: Dataset, cut: pd.Timestamp, ch: pd.DataFrame, model: str, seed: int) -> TerritoryFit:
    start = pd.Timestamp(view.case.territory_baseline_date)
    n_days = (cut - start).days + 1
    level = float(daily_series(ch, start, cut)["cumulative_net_government"].iloc[-1]) if len(ch) else 0.0
    phases, _ = phase_schedule(view.milestones, view.case.territory_phases, view.case.territory_initial_phase, start, n_days + 400)
    rng = rng_for(seed, model, cut)
    draws = imputed_counts(ch, start, n_days, rng, N_IMPUTATIONS) if len(ch) else np.zeros((N_IMPUTATIONS, 2, n_days))
    params = {}
    for k, side in enumerate(SIDES):
        y = draws[:, k, :]
        if model == "mean_rate":
            params[side] = float(y.mean())
        elif model == "persistence":  # the rate of the last seven days continues
            params[side] = float(y[:, -7:].mean())
        else:
            params[side] = _glm_rubin(y, phases[:n_days], momentum=(model == "phase_glm_momentum"))
    ids = tuple(dict.fromkeys(i for c in ch.get("claim_ids", []) for i in c.split()))
    return TerritoryFit(model, cut, start, level, params, phases, ids)


def _glm_rubin(y: np.ndarray, phases: np.ndarray, momentum: bool):
    """Negative binomial GLM per imputation (phases seen so far), combined by Rubin's rules."""
    seen = np.unique(phases)
    idx = {p: i for i, p in enumerate(seen)}
    ph = np.array([idx[p] for p in phases])
    est, var = [], []
    for yi in y:
        mom = np.concatenate([[0.0], yi[:-1]]) if momentum else None
        x = _design(ph, len(seen), mom)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # Negative binomial with dispersion from the Poisson fit's Pearson chi2 (at least Poisson).
            pois = sm.GLM(yi, x, family=sm.families.Poisson()).fit()
            alpha = max((pois.pearson_chi2 / max(pois.df_resid, 1) - 1) / max(yi.mean(), 1e-9), 1e-6)
            res = sm.GLM(yi, x, family=sm.families.NegativeBinomial(alpha=alpha)).fit()
        b = np.asarray(res.params, dtype=float).copy()
        c = np.asarray(res.cov_params(), dtype=float).copy()
        # A phase without any capture has no finite MLE: give it half an event over its
        # days (log rate log(0.5 / days), variance 1 / 0.5), the Jeffreys-style convention.
        for j in range(len(seen)):
            days = ph == j
            if yi[days].sum() == 0:
                b[j] = np.log(0.5 / days.sum())
                c[j, :] = c[:, j] = 0.0
                c[j, j] = 2.0
        est.append(b)
        var.append(c)
        last_alpha = alpha
    est = np.array(est)
    within = np.mean(var, axis=0)
    between = np.cov(est.T, ddof=1) if len(est) > 1 else np.zeros_like(within)
    cov = within + (1 + 1 / len(est)) * np.atleast_2d(between)
    return {"mean": est.mean(axis=0), "cov": cov, "alpha": last_alpha, "phases_seen": seen, "momentum": momentum}


def simulate(f: TerritoryFit, horizon_days: int, n_paths: int = 10_000, seed: int = 0) -> np.ndarray:
    """Cumulative net places gained by the government, days as_of+1..as_of+horizon: (paths, days)."""
    counts = simulate_counts(f, horizon_days, n_paths, seed)
    return f.level + np.cumsum(counts["government"] - counts["opposition"], axis=1)


def simulate_counts(f: TerritoryFit, horizon_days: int, n_paths: int = 10_000, seed: int = 0, rates: bool = False) -> dict[str, np.ndarray]:
    """Daily places taken by each side, days as_of+1..as_of+horizon: side -> (paths, days).

    With ``rates``, also ``<side>_rate``: each day's Poisson rate the count was drawn from (after the gamma mixing).
    """
    rng = rng_for(seed + 1, f.model, f.as_of)
    out = {}
    for side in ("government", "opposition"):
        p = f.params[side]
        if isinstance(p, float):
            out[side] = rng.poisson(p, size=(n_paths, horizon_days)).astype(float)
            if rates:
                out[f"{side}_rate"] = np.full((n_paths, horizon_days), p)
            continue
        w, v = np.linalg.eigh((p["cov"] + p["cov"].T) / 2)
        b = p["mean"] + (rng.standard_normal((n_paths, len(w))) * np.sqrt(np.clip(w, 0, None))) @ v.T
        phase = f.phases[(f.as_of - f.start).days]  # the phase in force continues
        col = int(np.flatnonzero(p["phases_seen"] == phase)[0])
        counts = np.zeros((n_paths, horizon_days))
        rate = np.zeros((n_paths, horizon_days))
        prev = np.zeros(n_paths)
        slope = np.minimum(b[:, -1], MAX_MOMENTUM) if p["momentum"] else 0.0
        for d in range(horizon_days):
            eta = b[:, col] + slope * np.log1p(prev)
            mu = np.exp(np.clip(eta, -10, np.log(MAX_DAILY_RATE)))
            # Negative binomial as a gamma-Poisson mixture.
            lam = rng.gamma(1 / p["alpha"], mu * p["alpha"]) if p["alpha"] > 1e-6 else mu
            counts[:, d] = rng.poisson(lam)
            rate[:, d] = lam
            prev = counts[:, d]
        out[side] = counts
        if rates:
            out[f"{side}_rate"] = rate
    return out


def forecast(dataset: Dataset, as_of, horizon_days: int, model: str = DEFAULT_MODEL, n_paths: int = 10_000, seed: int = 0) -> Forecast:
    """Predictive distribution of cumulative net places the government gained, after ``as_of``."""
    horizon_days = check_horizon(horizon_days)
    check_model(model, MODELS)
    return _forecast(fit(dataset, as_of, model, seed), horizon_days, n_paths, seed)


def _forecast(f: TerritoryFit, horizon_days: int, n_paths: int, seed: int) -> Forecast:
    dates = pd.date_range(f.as_of + pd.Timedelta(days=1), periods=horizon_days, freq="D")
    return Forecast(f.model, f.as_of, dates, simulate(f, horizon_days, n_paths, seed), f.claim_ids, target="net_places_gained_by_government_named")
