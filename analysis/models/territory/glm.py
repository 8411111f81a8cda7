"""Territory models: phase negative-binomial GLMs over imputed change dates (Rubin's rules) and two baselines; fit, simulate, forecast."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.tools.sm_exceptions import (
    ConvergenceWarning,
    PerfectSeparationWarning,
    SingularMatrixWarning,
)

from ...core.errors import ParameterError
from ...core.ids import unique_ids
from ...core.validate import check_date_in_coverage, check_horizon
from ...data.changes import SIDES, baseline_changes, daily_series
from ...data.dataset import Dataset
from ...data.phases import territory_phases
from .. import registry
from ..base import Forecast, rng_for
from ..spec import ForecastSpec

FAMILY = registry.TERRITORY
# The registry lists the models and names the default once; these are views of it, read at import.
MODELS: tuple[str, ...] = registry.names(FAMILY)
DEFAULT_MODEL = registry.default_model(FAMILY)
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
    notes: tuple[str, ...] = ()  # the GLM fits' expected warnings and non-convergence, with how often


def check_as_of(dataset: Dataset, as_of, name: str = "as_of") -> pd.Timestamp:
    """The cut-off must fall between the territory baseline and the end of the data's coverage.

    The upper bound is the case's coverage end, so acceptance cannot depend on later claims.
    """
    if dataset.control_events.empty:
        raise ParameterError("the dataset holds no control events", parameter=name)
    return check_date_in_coverage(as_of, pd.Timestamp(dataset.case.territory_baseline_date), dataset.coverage[1], name=name)


def _design(phases: np.ndarray, n_phases: int, momentum: np.ndarray | None) -> np.ndarray:
    x = np.eye(n_phases)[phases]
    if momentum is not None:
        x = np.column_stack([x, np.log1p(momentum)])
    return x


def fit(dataset: Dataset, as_of, model: str = DEFAULT_MODEL, seed: int = 0) -> TerritoryFit:
    """Fit ``model`` to the control events public on or before ``as_of``."""
    registry.check_model(model, family=FAMILY)
    cut = check_as_of(dataset, as_of)
    view = dataset.as_of(cut)
    return _fit(view, cut, baseline_changes(view), model, seed)


@dataclass(frozen=True)
class FitData:
    """What a territory model is fitted on: the dataset as of the cut-off and its changes of hands since the baseline."""

    view: Dataset
    changes: pd.DataFrame


def _fit(view: Dataset, cut: pd.Timestamp, ch: pd.DataFrame, model: str, seed: int) -> TerritoryFit:
    return registry.get(model, family=FAMILY).fit(FitData(view, ch), ForecastSpec(FAMILY, cut, model, seed=seed))


def fit_rates(data: FitData, spec: ForecastSpec, rates) -> TerritoryFit:
    """The shared part of every territory fit: the level, the phases and ``N_IMPUTATIONS`` draws of each change's day.

    ``rates(y, phases)`` turns one side's imputed daily counts ``y[imputation, day]``
    (and the phase of each day) into that side's fitted parameters.
    """
    view, ch, cut = data.view, data.changes, spec.as_of
    start = pd.Timestamp(view.case.territory_baseline_date)
    n_days = (cut - start).days + 1
    level = float(daily_series(ch, start, cut)["cumulative_net_government"].iloc[-1]) if len(ch) else 0.0
    phases, _ = territory_phases(view, start, n_days + 400)
    rng = rng_for(spec.seed, spec.model, cut)
    draws = imputed_counts(ch, start, n_days, rng, N_IMPUTATIONS) if len(ch) else np.zeros((N_IMPUTATIONS, 2, n_days))
    params = {side: rates(draws[:, k, :], phases[:n_days]) for k, side in enumerate(SIDES)}
    ids = unique_ids(ch.get("claim_ids", []))
    notes = tuple(f"{spec.model} as of {cut.date()}, {side} captures: {n}" for side, p in params.items() if isinstance(p, dict) for n in p["notes"])
    return TerritoryFit(spec.model, cut, start, level, params, phases, ids, notes)


@dataclass(frozen=True)
class _TerritoryModel:
    """What the territory models share: per-side rates in ``TerritoryFit.params`` (a float, or a GLM's draws),
    simulated by :func:`simulate_counts`; the estimated quantity thins the same daily counts."""

    name: str
    family: str = FAMILY
    needs: int = 0  # the models fit with no change of hands known (zero rates)

    def simulate(self, fitted: TerritoryFit, days: np.ndarray, *, n_paths: int, seed: int) -> np.ndarray:
        """Cumulative net places gained by the government on ``days`` (days after the cut-off, 1 = the next day)."""
        days = np.asarray(days, dtype=int)
        return simulate(fitted, int(days.max()), n_paths, seed)[:, days - 1]


@dataclass(frozen=True)
class PhaseGLM(_TerritoryModel):
    """Negative binomial GLM per side with one level per phase (and optionally momentum), Rubin's rules over imputations."""

    momentum: bool = False

    def fit(self, data: FitData, spec: ForecastSpec) -> TerritoryFit:
        return fit_rates(data, spec, lambda y, phases: _glm_rubin(y, phases, momentum=self.momentum))


@dataclass(frozen=True)
class RateBaseline(_TerritoryModel):
    """A constant Poisson rate per side: the mean over every day since the baseline, or over the last ``window`` days."""

    window: int | None = None

    def fit(self, data: FitData, spec: ForecastSpec) -> TerritoryFit:
        return fit_rates(data, spec, lambda y, phases: float((y if self.window is None else y[:, -self.window:]).mean()))


# Warnings the GLM fits are expected to raise on these sparse daily counts: recorded in the fit's
# notes with how often they occurred. Any other warning is shown as usual.
EXPECTED_WARNINGS = (SingularMatrixWarning, ConvergenceWarning, PerfectSeparationWarning)


def _glm_fit(model, notes: list[str]):
    """``model.fit()``, its expected warnings and a fit that did not converge appended to ``notes``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = model.fit()
    for w in caught:
        if issubclass(w.category, EXPECTED_WARNINGS):
            notes.append(f"{w.category.__name__}: {str(w.message).splitlines()[0]}")
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if not res.converged:
        notes.append(f"the {model.family.__class__.__name__} GLM did not converge (IRLS); its last iterate is used")
    return res


def _glm_rubin(y: np.ndarray, phases: np.ndarray, momentum: bool):
    """Negative binomial GLM per imputation (phases seen so far), combined by Rubin's rules.

    A side with no capture at all in an imputation has no GLM fit (the IRLS cannot
    start from all-zero counts): every phase then gets the half-event convention below
    and the momentum term 0, and the notes say so.
    """
    seen = np.unique(phases)
    idx = {p: i for i, p in enumerate(seen)}
    ph = np.array([idx[p] for p in phases])
    est, var, notes = [], [], []
    for yi in y:
        mom = np.concatenate([[0.0], yi[:-1]]) if momentum else None
        x = _design(ph, len(seen), mom)
        if yi.sum() == 0:
            alpha = 1e-6  # Poisson: no dispersion can be estimated from no events
            b, c = np.zeros(x.shape[1]), np.zeros((x.shape[1], x.shape[1]))
            notes.append("no capture known by the cut-off: every phase's rate is the half-event convention")
        else:
            # Negative binomial with dispersion from the Poisson fit's Pearson chi2 (at least Poisson).
            pois = _glm_fit(sm.GLM(yi, x, family=sm.families.Poisson()), notes)
            alpha = max((pois.pearson_chi2 / max(pois.df_resid, 1) - 1) / max(yi.mean(), 1e-9), 1e-6)
            res = _glm_fit(sm.GLM(yi, x, family=sm.families.NegativeBinomial(alpha=alpha)), notes)
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
    counts = dict.fromkeys(notes, 0)
    for n in notes:
        counts[n] += 1
    summary = tuple(f"{n} ({k} of {len(y)} imputations)" for n, k in counts.items())
    return {"mean": est.mean(axis=0), "cov": cov, "alpha": last_alpha, "phases_seen": seen, "momentum": momentum, "notes": summary}


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
    registry.check_model(model, family=FAMILY)
    return _forecast(fit(dataset, as_of, model, seed), horizon_days, n_paths, seed)


def simulate_model(f: TerritoryFit, horizon_days: int, n_paths: int, seed: int) -> np.ndarray:
    """The registered model's paths of the named net gains, days as_of+1..as_of+horizon: (paths, days)."""
    days = np.arange(1, horizon_days + 1)
    return registry.get(f.model, family=FAMILY).simulate(f, days, n_paths=n_paths, seed=seed)


def _forecast(f: TerritoryFit, horizon_days: int, n_paths: int, seed: int) -> Forecast:
    dates = pd.date_range(f.as_of + pd.Timedelta(days=1), periods=horizon_days, freq="D")
    return Forecast(f.model, f.as_of, dates, simulate_model(f, horizon_days, n_paths, seed), f.claim_ids,
                    target="net_places_gained_by_government_named", notes=f.notes)


PHASE_GLM = PhaseGLM("phase_glm")
PHASE_GLM_MOMENTUM = PhaseGLM("phase_glm_momentum", momentum=True)
PERSISTENCE = RateBaseline("persistence", window=7)  # the rate of the last seven days continues
MEAN_RATE = RateBaseline("mean_rate")
