"""Territory backtests, the displacement coupling, phase periods and the report's headline."""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm

from ...core.errors import ParameterError
from ...data.changes import baseline_changes, net_series
from ...data.dataset import Dataset
from ...data.phases import territory_phases
from .. import registry
from ..base import (
    HORIZONS,
    Backtest,
    Forecast,
    fit_notes,
    horizon_bucket,
    score_samples,
)
from .glm import FAMILY, _fit, _forecast


def backtest(dataset: Dataset, models: tuple[str, ...] | None = None, n_paths: int = 10_000, seed: int = 0, horizons: tuple[int, ...] = HORIZONS, step_days: int = 7) -> Backtest:
    """Rolling weekly origins; each forecast scored against the series the full dataset gives later.

    The truth for a target day is the cumulative net gain from every change of
    hands in the full dataset (so including reports published after the origin).
    ``models`` defaults to every registered territory model.
    """
    models = registry.names(FAMILY) if models is None else models
    start = pd.Timestamp(dataset.case.territory_baseline_date)
    last = dataset.control_events["info_date"].max()
    truth = net_series(dataset, last).set_index("date")["cumulative_net_government"]
    rows, notes = [], []
    origin = start + pd.Timedelta(days=step_days)
    while origin < last:
        view = dataset.as_of(origin)
        ch = baseline_changes(view)  # once per origin, shared by every model
        h_max = min(max(horizons), (last - origin).days)
        for model in models:
            fc = _forecast(_fit(view, origin, ch, model, seed), h_max, n_paths, seed)
            notes += fit_notes(origin, model, fc.notes)
            for h in horizons:
                if h > h_max:
                    continue
                day = origin + pd.Timedelta(days=h)
                sc = score_samples(np.array([truth[day]]), fc.at(day)[None, :])
                rows.append({"as_of": origin, "model": model, "horizon_days": horizon_bucket(h, horizons), "lead_days": h, "date": day,
                             "target_id": f"series:{day.date()}", "observed": truth[day], **sc.iloc[0].to_dict()})
        origin += pd.Timedelta(days=step_days)
    scores = pd.DataFrame(rows)
    # APE is undefined when the truth is 0; score it against max(|truth|, 1 place).
    scores["ape"] = (scores["q50"] - scores["observed"]).abs() / scores["observed"].abs().clip(lower=1)
    return Backtest(scores, pd.DataFrame(columns=["as_of", "model", "reason"]), pd.DataFrame(notes, columns=["as_of", "model", "note"]))


def coupling(dataset: Dataset, lag_days: int = 0) -> dict:
    """People displaced per net place the government gained, from intervals between regional reports.

    For consecutive regional reports of cumulative displacement since the
    baseline, regress the increase on the net places gained over the same
    interval (shifted by ``lag_days``), through the origin (statsmodels OLS).
    Returns the estimate, its 90% interval, the intervals used and their ids.
    """
    from .. import displacement

    s = displacement.measurements(dataset).dated_stocks
    start = pd.Timestamp(dataset.case.territory_baseline_date)
    series = net_series(dataset, start=start - pd.Timedelta(days=60)).set_index("date")["cumulative_net_government"]
    rows = []
    for a, b in zip(s.iloc[:-1].itertuples(), s.iloc[1:].itertuples(), strict=True):
        if (b.date - a.date).days < 2:
            continue
        d0, d1 = a.date - pd.Timedelta(days=lag_days), b.date - pd.Timedelta(days=lag_days)
        places = series.asof(d1) - series.asof(d0)
        rows.append({"from": a.date, "to": b.date, "displaced": b.value - a.value, "net_places": places, "ids": f"{a.claim_ids} -> {b.claim_ids}"})
    iv = pd.DataFrame(rows)
    if len(iv) < 2:
        raise ParameterError("fewer than two intervals between regional displacement reports", parameter="dataset")
    res = sm.OLS(iv["displaced"], iv[["net_places"]]).fit()
    lo, hi = res.conf_int(alpha=0.10).iloc[0]
    return {"per_place": float(res.params.iloc[0]), "low90": float(lo), "high90": float(hi), "n_intervals": len(iv), "r2": float(res.rsquared), "intervals": iv}


def phase_periods(dataset: Dataset, end: pd.Timestamp | None = None) -> list[tuple[str, pd.Timestamp, pd.Timestamp]]:
    """(label, first day, day after the last) of each phase known in ``dataset``, from the territory baseline."""
    start = pd.Timestamp(dataset.case.territory_baseline_date)
    end = pd.Timestamp(end or dataset.case.analysis_end)
    n = (end - start).days + 1
    idx, labels = territory_phases(dataset, start, n)
    out = []
    change = np.flatnonzero(np.diff(idx)) + 1
    bounds = [0, *change, n]
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        out.append((labels[idx[a]], start + pd.Timedelta(days=int(a)), start + pd.Timedelta(days=int(b))))
    return out


def series_as_reports(series: pd.DataFrame) -> pd.DataFrame:
    """The net series in the shape :func:`analysis.report.figures.model_figures.forecast_fan` draws reports in."""
    return pd.DataFrame(
        {"date_end": series["date"], "info_date": series["date"], "value": series["cumulative_net_government"], "qualifier_class": "point"}
    )


def _headline_row(fc: Forecast, target_date) -> pd.Series:
    """The quantile-table row of ``target_date`` (None: the forecast's last day); a day outside the forecast raises."""
    table = fc.quantile_table()
    if target_date is None:
        return table.iloc[-1]
    day = pd.Timestamp(target_date)
    rows = table[table["date"] == day]
    if rows.empty:
        raise ParameterError(
            f"{day.date()} is outside the forecast's dates {fc.dates.min().date()}..{fc.dates.max().date()}", parameter="target_date"
        )
    return rows.iloc[0]


def headline(series: pd.DataFrame, fc: Forecast, *, target_date=None) -> dict:
    """The forecast for ``target_date`` (None: its last day) and what the named places later gave for that day."""
    last = _headline_row(fc, target_date)
    observed = series.set_index("date")["cumulative_net_government"].get(last["date"])
    return {"date": last["date"].date(), "q10": last["q10"], "q50": last["q50"], "q90": last["q90"],
            "observed": None if observed is None else float(observed), "n_claims": len(fc.claim_ids)}
