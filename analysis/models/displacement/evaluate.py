"""Displacement backtests, model selection and the report's comparisons with what was reported."""

from __future__ import annotations

import multiprocessing as mp
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...core.errors import ParameterError
from ...data.dataset import Dataset
from .. import registry
from ..base import (
    HORIZONS,
    Backtest,
    Forecast,
    fit_notes,
    horizon_bucket,
    score_samples,
)
from . import calibration
from .api import FAMILY, _fit, check_as_of, known_floor, simulate
from .growth import GrowthCurve
from .honest import at_ceiling
from .measurement import VARIABLE, GrowthPriors, Measurements, NotEnoughData, measurements


def backtest_targets(dataset: Dataset) -> pd.DataFrame:
    """Regional reports of the target quantity itself: stocks counted from the case baseline, read as point values."""
    m = measurements(dataset)
    t = m.table
    keep = t["region"] & t["qualifier_class"].isin(("point", "symmetric")) & (t["start"] == 0)
    return t[keep].reset_index(drop=True)


@dataclass(frozen=True)
class _Origin:
    """One backtest origin: the as-of view, its measurements and the targets due after it."""

    as_of: pd.Timestamp
    view: Dataset
    m: Measurements
    due: pd.DataFrame
    block: pd.DataFrame  # the identifying columns of every row scored at this origin (model filled in later)
    target_info_ns: np.ndarray  # each due target's information date (ns since the epoch)


def _origins(dataset: Dataset, targets: pd.DataFrame, horizons: tuple[int, ...]) -> list[_Origin]:
    origins = sorted(dataset.observations.loc[dataset.observations["variable"] == VARIABLE, "info_date"].unique())
    out = []
    for origin in map(pd.Timestamp, origins):
        due = targets[(targets["date_end"] > origin) & (targets["date_end"] <= origin + pd.Timedelta(days=max(horizons)))]
        if due.empty:
            continue
        view = dataset.as_of(origin)
        lead = (due["date_end"] - origin).dt.days.to_numpy()
        block = pd.DataFrame(
            {
                "as_of": origin,
                "model": "",
                "horizon_days": [horizon_bucket(int(x), horizons) for x in lead],
                "lead_days": lead,
                "date": due["date_end"].to_numpy(),
                "target_id": due["claim_id"].to_numpy(),
                "observed": due["value"].to_numpy(),
            }
        )
        info = due["info_date"].to_numpy(dtype="datetime64[ns]").astype(np.int64)
        out.append(_Origin(origin, view, measurements(view), due, block, info))
    return out


@dataclass
class _ModelRun:
    """One model's backtest over every origin: its rows, its gaps and (for the ensemble) its samples per origin."""

    rows: list[pd.DataFrame]
    skipped: list[dict]
    samples: dict[pd.Timestamp, np.ndarray]
    notes: list[dict]


def _score_block(o: _Origin, model: str, samples: np.ndarray) -> pd.DataFrame:
    return pd.concat([o.block.assign(model=model), score_samples(o.due["value"].to_numpy(), samples.T)], axis=1)


def _run_model(model: str, plan: list[_Origin], n_paths: int, seed: int, calibrated: bool, keep_samples: bool) -> _ModelRun:
    """Fit, simulate and score ``model`` at every origin; its calibrated version uses only its own earlier rows."""
    run = _ModelRun([], [], {}, [])
    # This model's raw cases so far, as arrays: origin, target's information date, horizon, PIT.
    past: list[tuple[np.ndarray, ...]] = []
    for o in plan:
        try:
            f = _fit(o.view, o.as_of, o.m, model, GrowthPriors())
        except NotEnoughData as exc:
            run.skipped.append({"as_of": o.as_of, "model": model, "reason": exc.message})
            continue
        run.notes += fit_notes(o.as_of, model, f.notes)
        days = o.due["end"].to_numpy(dtype=int)
        samples = simulate(f, days, n_paths, seed)
        if keep_samples:
            run.samples[o.as_of] = samples
        run.rows.append(_score_block(o, model, samples))
        if calibrated:
            rows = run.rows[-1]
            past.append((np.full(len(rows), o.as_of.value), o.target_info_ns, rows["horizon_days"].to_numpy(), rows["pit"].to_numpy()))
            # calibration.earlier_cases on arrays: earlier origins, targets public by this one.
            origin, info, h, pit = (np.concatenate(x) for x in zip(*past, strict=True))
            keep = (origin < o.as_of.value) & (info <= o.as_of.value)
            earlier = pd.DataFrame({"horizon_days": h[keep], "pit": pit[keep]})
            cal, _ = calibration.recalibrate(samples, o.block["horizon_days"].to_numpy(), earlier)
            cal = np.maximum(np.minimum(cal, o.m.population_at_risk), known_floor(o.m, days)[None, :])
            run.rows.append(_score_block(o, registry.calibrated_name(model), cal))
    return run


def _cost_rank(model: str) -> tuple[bool, bool, bool]:
    """Slowest first: piecewise growth curves, the other growth curves, the local trend, the rest."""
    obj = registry.get(model, family=FAMILY)
    return (not model.startswith("piecewise_"), not isinstance(obj, GrowthCurve), model != "local_trend")


_PLAN: tuple = ()  # the arguments a forked worker reads (inherited, not pickled)


def _run_forked(model: str) -> _ModelRun:
    return _run_model(model, *_PLAN)


def default_workers() -> int:
    """Worker processes for a backtest: the processors this process may run on, at most 2 (``IDLIB_WORKERS`` overrides)."""
    env = os.environ.get("IDLIB_WORKERS")
    if env:
        return max(1, int(env))
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(2, cpus))


def _run_all(models: tuple[str, ...], args: tuple, workers: int) -> dict[str, _ModelRun]:
    """Every model's run, in ``workers`` forked processes when more than one (results do not depend on it)."""
    if workers <= 1 or len(models) <= 1 or "fork" not in mp.get_all_start_methods():
        return {model: _run_model(model, *args) for model in models}
    # Compile and import in the parent once, not in every worker: scoringrules' numba kernels
    # (about 5 s of CPU) and statsmodels' time-series API.
    score_samples(np.ones(1), np.ones((1, 2)))
    if {"local_trend", "loglinear"} & set(models):
        import statsmodels.api  # noqa: F401
    global _PLAN
    _PLAN = args
    try:
        # The slowest fits first, so the two workers finish together.
        order = sorted(models, key=_cost_rank)
        with ProcessPoolExecutor(max_workers=min(workers, len(models)), mp_context=mp.get_context("fork")) as pool:
            runs = dict(zip(order, pool.map(_run_forked, order), strict=True))
    finally:
        _PLAN = ()
    return {model: runs[model] for model in models}


def backtest(
    dataset: Dataset,
    models: tuple[str, ...] | None = None,
    n_paths: int = 10_000,
    seed: int = 0,
    horizons: tuple[int, ...] = HORIZONS,
    calibrated: bool = True,
    ensemble: bool = True,
    workers: int | None = None,
) -> Backtest:
    """Score every model at every origin against the reports that came later.

    Origins are the information dates of displacement observations. A target is a
    regional report of the cumulative figure (:func:`backtest_targets`) whose date
    falls 1..max(horizons) days after the origin; it counts toward the smallest
    horizon at or above its lead time. A model that the data at an origin cannot
    identify yields no rows for that origin but a row in ``skipped`` with the reason.

    With ``calibrated``, each model also appears as ``<model>_calibrated``: its
    samples recalibrated (:mod:`.calibration`) on its own rows from earlier origins
    whose targets were public by the origin, then scored the same way. With
    ``ensemble`` (and at least two models), the :mod:`.ensemble` of the models
    appears as ``ensemble``, weighted on the same earlier rows only.

    Each origin's view and measurements are built once and shared by every model;
    the models run in ``workers`` processes (default :func:`default_workers`). Every
    model draws from its own generator (:func:`~analysis.models.base.rng_for`), so
    the scores are byte-identical whatever the number of workers.
    """
    from . import ensemble as ens

    models = registry.names(FAMILY) if models is None else models
    targets = backtest_targets(dataset)
    target_info = targets.set_index("claim_id")["info_date"]
    plan = _origins(dataset, targets, horizons)
    with_ensemble = ensemble and len(models) > 1
    runs = _run_all(models, (plan, n_paths, seed, calibrated, with_ensemble), default_workers() if workers is None else workers)
    rows = [r for model in models for r in runs[model].rows]
    skipped = sorted((s for model in models for s in runs[model].skipped), key=lambda s: (s["as_of"], models.index(s["model"])))
    if with_ensemble:
        raw = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=["model", "as_of", "target_id"])
        for o in plan:
            members = {model: runs[model].samples[o.as_of] for model in models if o.as_of in runs[model].samples}
            if not members:
                continue
            w = ens.weights(raw, target_info, tuple(members), o.as_of)
            rows.append(_score_block(o, ens.NAME, ens.mix(members, w, n_paths)))
    scores = pd.concat(rows, ignore_index=True).sort_values(["as_of", "model", "date", "target_id"], ignore_index=True) if rows else pd.DataFrame()
    notes = [n for model in models for n in runs[model].notes]
    return Backtest(scores, pd.DataFrame(skipped, columns=["as_of", "model", "reason"]), pd.DataFrame(notes, columns=["as_of", "model", "note"]))


COVERAGE_BAND = (0.70, 0.90)  # 80% intervals must hold the figure this often for a model to be selectable


def select_model(summary: pd.DataFrame, reference: str = "persistence", band: tuple[float, float] = COVERAGE_BAND) -> str:
    """The model the backtest favours: the highest CRPS skill against ``reference``, averaged over horizons,
    among the models whose 80% coverage, averaged over horizons, lies inside ``band``.

    A model that wins only by being wide (coverage above the band) or narrow (below it)
    is not selectable; if no model is inside the band, the one closest to it is taken.
    """
    s = summary[summary["model"] != reference].groupby("model")
    skill, cover = s[f"skill_vs_{reference}"].mean(), s["coverage_80"].mean()
    inside = cover.between(*band)
    if not inside.any():
        gap = np.maximum(band[0] - cover, cover - band[1])
        inside = gap == gap.min()
    return str(skill[inside].idxmax())


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
    scores = score_samples(due["value"].to_numpy(), samples)
    out = pd.DataFrame({"date": due["date_end"].dt.date.to_numpy(), "target_id": due["claim_id"].to_numpy(), "source": due["source"].to_numpy(), "observed": due["value"].to_numpy()})
    return pd.concat([out, scores[["q10", "q50", "q90", "pit", "crps"]]], axis=1).sort_values(["date", "target_id"], ignore_index=True)


def headline(dataset: Dataset, fc: Forecast, *, target_date=None) -> dict:
    """What the model expected for ``target_date`` and what the reports closest to it later said.

    One signature with the territory headlines: the data, the forecast, then ``target_date``
    (keyword; None is the forecast's last day).
    """
    day = fc.dates.max() if target_date is None else pd.Timestamp(target_date)
    if day not in fc.dates:
        raise ParameterError(
            f"{day.date()} is outside the forecast's dates {fc.dates.min().date()}..{fc.dates.max().date()}", parameter="target_date"
        )
    x = fc.at(day)
    ceiling = measurements(dataset.as_of(fc.as_of)).population_at_risk
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
        "ceiling": ceiling,
        "q90_at_ceiling": at_ceiling(float(np.quantile(x, 0.9)), ceiling),
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
    for model in registry.names(FAMILY):
        try:
            f = _fit(view, cut, m, model, GrowthPriors())
        except NotEnoughData as exc:
            rows.append({"model": model, "q10": np.nan, "q50": np.nan, "q90": np.nan, "note": exc.message})
            continue
        x = simulate(f, np.array([m.day(day)]), n_paths, seed)[:, 0]
        q10, q50, q90 = np.quantile(x, (0.1, 0.5, 0.9))
        rows.append({"model": model, "q10": q10, "q50": q50, "q90": q90, "note": ""})
    return pd.DataFrame(rows)
