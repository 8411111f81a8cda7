"""Displacement backtests, model selection and the report's comparisons with what was reported."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...core.errors import ParameterError
from ...data.dataset import Dataset
from ..base import (
    HORIZONS,
    Backtest,
    Forecast,
    horizon_bucket,
    score_samples,
)
from . import calibration
from .api import MODELS, _fit, check_as_of, known_floor, simulate
from .honest import at_ceiling
from .measurement import VARIABLE, GrowthPriors, NotEnoughData, measurements


def backtest_targets(dataset: Dataset) -> pd.DataFrame:
    """Regional reports of the target quantity itself: stocks counted from the case baseline, read as point values."""
    m = measurements(dataset)
    t = m.table
    keep = t["region"] & t["qualifier_class"].isin(("point", "symmetric")) & (t["start"] == 0)
    return t[keep].reset_index(drop=True)


def backtest(dataset: Dataset, models: tuple[str, ...] = MODELS, n_paths: int = 10_000, seed: int = 0, horizons: tuple[int, ...] = HORIZONS, calibrated: bool = True) -> Backtest:
    """Score every model at every origin against the reports that came later.

    Origins are the information dates of displacement observations. A target is a
    regional report of the cumulative figure (:func:`backtest_targets`) whose date
    falls 1..max(horizons) days after the origin; it counts toward the smallest
    horizon at or above its lead time. A model that the data at an origin cannot
    identify yields no rows for that origin but a row in ``skipped`` with the reason.

    With ``calibrated``, each model also appears as ``<model>_calibrated``: its
    samples recalibrated (:mod:`.calibration`) on its own rows from earlier origins
    whose targets were public by the origin, then scored the same way.
    """
    targets = backtest_targets(dataset)
    target_info = targets.set_index("claim_id")["info_date"]
    origins = sorted(dataset.observations.loc[dataset.observations["variable"] == VARIABLE, "info_date"].unique())
    rows, skipped = [], []
    own: dict[str, list[pd.DataFrame]] = {m: [] for m in models}  # each model's raw rows so far, for its calibration
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
            own[model].append(rows[-1])
            if calibrated:
                earlier = calibration.earlier_cases(pd.concat(own[model], ignore_index=True), target_info, model, origin)
                cal, _ = calibration.recalibrate(samples, block["horizon_days"].to_numpy(), earlier)
                cal = np.maximum(np.minimum(cal, m.population_at_risk), known_floor(m, days)[None, :])
                rows.append(pd.concat([block.assign(model=model + calibration.SUFFIX), score_samples(cal.T, due["value"].to_numpy())], axis=1))
    scores = pd.concat(rows, ignore_index=True).sort_values(["as_of", "model", "date", "target_id"], ignore_index=True) if rows else pd.DataFrame()
    return Backtest(scores, pd.DataFrame(skipped, columns=["as_of", "model", "reason"]))


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
