"""Territorial change: places changing hands as a time series, a phase model of advance, forecasts.

From ``control_events`` to changes of hands
-------------------------------------------
Reports are read place by place, in date order, with one rule (tested):

* ``captured``, ``recaptured``, ``secured`` and ``withdrew`` are decisive: the
  place passes to ``to_side``. A decisive report for the side that already holds
  the place is a re-report and is merged into the change it confirms.
* ``entered``, ``encircled``, ``besieged`` and ``contested`` leave the holder as it
  was; a place entered and then held counts once, when it is taken. Such reports
  in the three days before a change widen that change's date interval backwards
  (the change happened somewhere between the first sign and the decisive report).
* ``attacked`` and ``repelled`` confirm the holder named in ``to_side``.
* Decisive reports for different sides whose date intervals overlap, attributed
  to different named claimants, conflict (Hazarin on 2 March 2020: government
  say SOHR and Al-Masdar, opposition say Turkish sources). Neither is counted;
  both are kept in ``Changes.conflicts`` with their sources. Reports from one
  text in sequence ("captured ... but later retreated") are a sequence, not a
  conflict.
* A place's holder before its first report is the side opposite the first
  decisive report's (or the side a first ``attacked``/``repelled`` report names).

Each change keeps its date interval; daily series spread it evenly over the
interval, and the models draw its day uniformly within it (multiple imputation),
so date uncertainty is carried, not collapsed.

Model
-----
Daily government captures and opposition captures each follow a negative
binomial GLM (statsmodels) with one level per phase from the milestones public
at the cut-off (``territory_phases`` in ``seeds/case.yaml``); an optional
momentum term adds log(1 + captures the previous day). Fits are combined over the
date imputations with Rubin's rules. Forecasts simulate daily counts from
parameter draws; the quantity forecast is the cumulative net number of places the
government gained since the case's territory baseline.
"""

from __future__ import annotations

import itertools
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy.special import expit

from . import vocab
from .dataset import Dataset
from .errors import ParameterError
from .forecast import (
    HORIZONS,
    Backtest,
    Forecast,
    horizon_bucket,
    rng_for,
    score_samples,
)
from .params import check_date_in_coverage, check_horizon, check_model
from .phases import phase_schedule

DECISIVE = ("captured", "recaptured", "secured", "withdrew")
CONFIRMING = ("attacked", "repelled")
SIDES = ("government", "opposition")
MODELS: tuple[str, ...] = vocab.TERRITORY_MODELS
DEFAULT_MODEL = "phase_glm"
DECIMALS = 1
LEAD_IN_DAYS = 3  # contested reports this close before a change widen its interval
N_IMPUTATIONS = 10
# Simulation guards, stated in the report: a momentum draw above 1 would make the
# advance explode, and no day's expected captures may exceed 100 places (three
# times the largest single-day aggregate claim in the shipped documents).
MAX_MOMENTUM = 1.0
MAX_DAILY_RATE = 100.0


# ----------------------------------------------------------- changes of hands


@dataclass(frozen=True)
class Changes:
    """Changes of hands (one row per change) and the conflicting reports left out."""

    changes: pd.DataFrame
    conflicts: pd.DataFrame


def changes_of_hands(control_events: pd.DataFrame) -> Changes:
    """Apply the module's rule to every place: the changes of hands and the conflicts.

    Works on plain records, place by place (a pandas filter per place and report
    cost seconds on a few hundred rows, and every territory computation starts here).
    """
    rows, conflicts = [], []
    ev = control_events.sort_values(["place_id", "date_start", "date_end", "event_id"])
    records = [dict(zip(ev.columns, t, strict=True)) for t in ev.itertuples(index=False, name=None)]
    lead_in = pd.Timedelta(days=LEAD_IN_DAYS)
    for place, group in itertools.groupby(records, key=lambda r: r["place_id"]):
        g = list(group)
        decisive = [r for r in g if r["event_type"] in DECISIVE and r["to_side"] in SIDES]
        # Conflicts: decisive reports for different sides with overlapping intervals.
        bad = set()
        for a in decisive:
            for b in decisive:
                if (
                    a["event_id"] < b["event_id"] and a["to_side"] != b["to_side"]
                    and a["date_start"] <= b["date_end"] and b["date_start"] <= a["date_end"]
                    and pd.notna(a["claimed_by"]) and pd.notna(b["claimed_by"]) and a["claimed_by"] != b["claimed_by"]
                ):
                    bad |= {a["event_id"], b["event_id"]}
                    conflicts.append({"place_id": place, "date": a["date_start"], "event_ids": f"{a['event_id']} {b['event_id']}",
                                      "sides": f"{a['to_side']} ({_who(a)}) / {b['to_side']} ({_who(b)})"})
        first = next((r for r in g if r["to_side"] in SIDES and (
            (r["event_type"] in DECISIVE and r["event_id"] not in bad) or r["event_type"] in CONFIRMING)), None)
        if first is None:
            continue
        holder = first["to_side"] if first["event_type"] in CONFIRMING else _other(first["to_side"])
        contested = [r for r in g if r["to_side"] == "contested"]
        current = None
        for r in g:
            if r["event_id"] in bad:
                continue
            if r["event_type"] in DECISIVE and r["to_side"] in SIDES:
                if r["to_side"] == holder:
                    if current is not None and current["to_side"] == holder:
                        current["claim_ids"].append(r["claim_id"])
                    continue
                lead = [c for c in contested if r["date_start"] - lead_in <= c["date_start"] <= r["date_start"]]
                current = {
                    "place_id": place, "place_name": r["place_name"], "from_side": holder, "to_side": r["to_side"],
                    "date_start": min([r["date_start"], *(c["date_start"] for c in lead)]), "date_end": r["date_end"],
                    "info_date": r["info_date"], "claim_ids": [*(c["claim_id"] for c in lead), r["claim_id"]],
                    "admin2_pcode": r["admin2_pcode"], "latitude": r["latitude"], "longitude": r["longitude"],
                }
                rows.append(current)
                holder = r["to_side"]
            elif r["event_type"] in CONFIRMING and r["to_side"] in SIDES and r["to_side"] != holder and current is None:
                holder = r["to_side"]
    out = pd.DataFrame(rows)
    if not out.empty:
        out["claim_ids"] = out["claim_ids"].map(lambda ids: " ".join(dict.fromkeys(ids)))
        out["n_reports"] = out["claim_ids"].str.split().map(len)
        out = out.sort_values(["date_start", "place_id"], ignore_index=True)
    return Changes(out, pd.DataFrame(conflicts, columns=["place_id", "date", "event_ids", "sides"]))


def _who(r: dict) -> str:
    return r["doc_id"] if pd.isna(r["claimed_by"]) else r["claimed_by"]


def _other(side: str) -> str:
    return "opposition" if side == "government" else "government"


# ------------------------------------------------------------------ daily series


def daily_series(changes: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Expected places changing hands per day by side (each change spread over its interval), and net gains."""
    days = pd.date_range(start, end, freq="D")
    out = pd.DataFrame({"date": days})
    for side in SIDES:
        v = np.zeros(len(days))
        for r in changes[changes["to_side"] == side].itertuples():
            span = pd.date_range(max(r.date_start, start), min(r.date_end, end), freq="D")
            if len(span) == 0:
                continue
            width = (r.date_end - r.date_start).days + 1
            v[(span - start).days] += 1.0 / width
        out[f"{side}_captures"] = v
    out["net_government"] = out["government_captures"] - out["opposition_captures"]
    out["cumulative_net_government"] = out["net_government"].cumsum()
    return out


def baseline_changes(dataset: Dataset) -> pd.DataFrame:
    """Changes of hands in ``dataset`` that end on or after the case's territory baseline."""
    ch = changes_of_hands(dataset.control_events).changes
    return ch[ch["date_end"] >= pd.Timestamp(dataset.case.territory_baseline_date)] if len(ch) else ch


def net_series(dataset: Dataset, end: pd.Timestamp | None = None, start: pd.Timestamp | None = None) -> pd.DataFrame:
    """:func:`daily_series` of the changes since the baseline, from ``start`` (default: the baseline) to ``end``
    (default: the last control event's information date)."""
    start = pd.Timestamp(start if start is not None else dataset.case.territory_baseline_date)
    end = pd.Timestamp(end if end is not None else dataset.control_events["info_date"].max())
    return daily_series(baseline_changes(dataset), start, end)


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


# --------------------------------------------------------------------- models


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


def simulate_counts(f: TerritoryFit, horizon_days: int, n_paths: int = 10_000, seed: int = 0) -> dict[str, np.ndarray]:
    """Daily places taken by each side, days as_of+1..as_of+horizon: side -> (paths, days)."""
    rng = rng_for(seed + 1, f.model, f.as_of)
    out = {}
    for side in ("government", "opposition"):
        p = f.params[side]
        if isinstance(p, float):
            out[side] = rng.poisson(p, size=(n_paths, horizon_days)).astype(float)
            continue
        w, v = np.linalg.eigh((p["cov"] + p["cov"].T) / 2)
        b = p["mean"] + (rng.standard_normal((n_paths, len(w))) * np.sqrt(np.clip(w, 0, None))) @ v.T
        phase = f.phases[(f.as_of - f.start).days]  # the phase in force continues
        col = int(np.flatnonzero(p["phases_seen"] == phase)[0])
        counts = np.zeros((n_paths, horizon_days))
        prev = np.zeros(n_paths)
        slope = np.minimum(b[:, -1], MAX_MOMENTUM) if p["momentum"] else 0.0
        for d in range(horizon_days):
            eta = b[:, col] + slope * np.log1p(prev)
            mu = np.exp(np.clip(eta, -10, np.log(MAX_DAILY_RATE)))
            # Negative binomial as a gamma-Poisson mixture.
            lam = rng.gamma(1 / p["alpha"], mu * p["alpha"]) if p["alpha"] > 1e-6 else mu
            counts[:, d] = rng.poisson(lam)
            prev = counts[:, d]
        out[side] = counts
    return out


def forecast(dataset: Dataset, as_of, horizon_days: int, model: str = DEFAULT_MODEL, n_paths: int = 10_000, seed: int = 0) -> Forecast:
    """Predictive distribution of cumulative net places the government gained, after ``as_of``."""
    horizon_days = check_horizon(horizon_days)
    check_model(model, MODELS)
    return _forecast(fit(dataset, as_of, model, seed), horizon_days, n_paths, seed)


def _forecast(f: TerritoryFit, horizon_days: int, n_paths: int, seed: int) -> Forecast:
    dates = pd.date_range(f.as_of + pd.Timedelta(days=1), periods=horizon_days, freq="D")
    return Forecast(f.model, f.as_of, dates, simulate(f, horizon_days, n_paths, seed), f.claim_ids)


# ------------------------------------------------------------------- backtest


def backtest(dataset: Dataset, models: tuple[str, ...] = MODELS, n_paths: int = 10_000, seed: int = 0, horizons: tuple[int, ...] = HORIZONS, step_days: int = 7) -> Backtest:
    """Rolling weekly origins; each forecast scored against the series the full dataset gives later.

    The truth for a target day is the cumulative net gain from every change of
    hands in the full dataset (so including reports published after the origin).
    """
    start = pd.Timestamp(dataset.case.territory_baseline_date)
    last = dataset.control_events["info_date"].max()
    truth = net_series(dataset, last).set_index("date")["cumulative_net_government"]
    rows = []
    origin = start + pd.Timedelta(days=step_days)
    while origin < last:
        view = dataset.as_of(origin)
        ch = baseline_changes(view)  # once per origin, shared by every model
        h_max = min(max(horizons), (last - origin).days)
        for model in models:
            fc = _forecast(_fit(view, origin, ch, model, seed), h_max, n_paths, seed)
            for h in horizons:
                if h > h_max:
                    continue
                day = origin + pd.Timedelta(days=h)
                sc = score_samples(fc.at(day)[None, :], np.array([truth[day]]))
                rows.append({"as_of": origin, "model": model, "horizon_days": horizon_bucket(h, horizons), "lead_days": h, "date": day,
                             "target_id": f"series:{day.date()}", "observed": truth[day], **sc.iloc[0].to_dict()})
        origin += pd.Timedelta(days=step_days)
    scores = pd.DataFrame(rows)
    # APE is undefined when the truth is 0; score it against max(|truth|, 1 place).
    scores["ape"] = (scores["q50"] - scores["observed"]).abs() / scores["observed"].abs().clip(lower=1)
    return Backtest(scores, pd.DataFrame(columns=["as_of", "model", "reason"]))


# --------------------------------------------------- aggregate claims, coupling


def completeness(dataset: Dataset) -> pd.DataFrame:
    """Aggregate ``places_captured`` claims against the named places over the same interval.

    ``named`` counts changes to the claim's side whose interval overlaps the
    claim's (for a stock, from its baseline). The ratio named/claimed is the
    share of the claimed places the documents name.
    """
    obs = dataset.observations
    agg = obs[obs["variable"] == "places_captured"].copy()
    ch = changes_of_hands(dataset.control_events).changes
    rows = []
    for r in agg.itertuples():
        lo = r.baseline_date if (r.kind == "stock" and pd.notna(r.baseline_date)) else r.date_start
        if r.kind == "stock" and pd.isna(r.baseline_date):
            continue  # no interval to compare
        sel = ch[(ch["to_side"] == r.side) & (ch["date_end"] >= lo) & (ch["date_start"] <= r.date_end)]
        rows.append({"claim_id": r.claim_id, "side": r.side, "date_start": lo, "date_end": r.date_end, "qualifier": r.qualifier,
                     "claimed": r.value, "named": len(sel), "ratio": len(sel) / r.value, "source": r.source})
    return pd.DataFrame(rows)


def coupling(dataset: Dataset, lag_days: int = 0) -> dict:
    """People displaced per net place the government gained, from intervals between regional reports.

    For consecutive regional reports of cumulative displacement since the
    baseline, regress the increase on the net places gained over the same
    interval (shifted by ``lag_days``), through the origin (statsmodels OLS).
    Returns the estimate, its 90% interval, the intervals used and their ids.
    """
    from . import displacement

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
    idx, labels = phase_schedule(dataset.milestones, dataset.case.territory_phases, dataset.case.territory_initial_phase, start, n)
    out = []
    change = np.flatnonzero(np.diff(idx)) + 1
    bounds = [0, *change, n]
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        out.append((labels[idx[a]], start + pd.Timedelta(days=int(a)), start + pd.Timedelta(days=int(b))))
    return out


def series_as_reports(series: pd.DataFrame) -> pd.DataFrame:
    """The net series in the shape :func:`analysis.model_figures.forecast_fan` draws reports in."""
    return pd.DataFrame(
        {"date_end": series["date"], "info_date": series["date"], "value": series["cumulative_net_government"], "qualifier_class": "point"}
    )


def headline(series: pd.DataFrame, fc: Forecast) -> dict:
    """The forecast for its last day and what the named places later gave for that day."""
    last = fc.quantile_table().iloc[-1]
    observed = series.set_index("date")["cumulative_net_government"].get(last["date"])
    return {"date": last["date"].date(), "q10": last["q10"], "q50": last["q50"], "q90": last["q90"],
            "observed": None if observed is None else float(observed), "n_claims": len(fc.claim_ids)}


# ------------------------------------------------- completeness and districts


def completeness_model(dataset: Dataset, side: str = "government") -> dict:
    """How complete the named places are: the aggregate claims as observations of the same process.

    Each aggregate claim of places taken by ``side`` over an interval (``completeness``)
    is read as the true count K over that interval; the named changes n over the
    same interval are a binomial thinning of it, n ~ Binomial(K, c). The share c
    is fitted by a binomial GLM with an intercept only (statsmodels); its standard
    error is widened by the Pearson dispersion when that exceeds 1 (quasi-binomial),
    since the claims overlap and are not independent.
    A claim with more named places than it claims counts K = n. "More than"
    claims are read at their value, which makes c an upper bound.
    """
    comp = completeness(dataset)
    comp = comp[comp["side"] == side]
    if len(comp) < 2:
        raise ParameterError(f"fewer than two aggregate claims of places taken by the {side}", parameter="dataset")
    k = np.maximum(comp["claimed"].to_numpy(float), comp["named"].to_numpy(float))
    n = comp["named"].to_numpy(float)
    endog = np.column_stack([n, k - n])
    res = sm.GLM(endog, np.ones((len(n), 1)), family=sm.families.Binomial()).fit()
    dispersion = float(res.pearson_chi2 / max(res.df_resid, 1))
    b, se = float(res.params[0]), float(res.bse[0]) * np.sqrt(max(dispersion, 1.0))  # never narrower than binomial
    return {"side": side, "share": expit(b), "low90": expit(b - 1.645 * se), "high90": expit(b + 1.645 * se),
            "claims": len(comp), "named": int(n.sum()), "claimed": int(k.sum()), "dispersion": dispersion,
            "claim_ids": tuple(comp["claim_id"]), "table": comp}


def latent_captures(series: pd.DataFrame, model: dict) -> pd.DataFrame:
    """Cumulative places taken by the model's side, named and estimated in full (named / completeness, 90% band)."""
    col = "government_captures" if model["side"] == "government" else "opposition_captures"
    named = series[col].cumsum()
    return pd.DataFrame({"date": series["date"], "named": named, "estimate": named / model["share"],
                         "low90": named / model["high90"], "high90": named / model["low90"]})


def district_series(dataset: Dataset, districts: list[dict]) -> pd.DataFrame:
    """Changes of hands by OCHA admin-2 district where the place can be placed, and the unplaced rest.

    One row per district with any change: places taken by each side, net gain and the
    first and last change; a final row counts the changes that no P-code places.
    """
    ch = changes_of_hands(dataset.control_events).changes
    names = {d["pcode"]: d["name"] for d in districts}
    rows = []
    for code, g in ch.groupby(ch["admin2_pcode"].fillna("unplaced"), sort=True):
        gov, opp = int((g["to_side"] == "government").sum()), int((g["to_side"] == "opposition").sum())
        rows.append({"admin2_pcode": code, "district": names.get(code, "not placeable (no OCHA P-code)" if code == "unplaced" else code),
                     "to_government": gov, "to_opposition": opp, "net_government": gov - opp,
                     "first": g["date_end"].min(), "last": g["date_end"].max(), "places": ", ".join(sorted(set(g["place_name"])))[:120]})
    out = pd.DataFrame(rows)
    return pd.concat([out[out["admin2_pcode"] != "unplaced"], out[out["admin2_pcode"] == "unplaced"]], ignore_index=True)


def road_holders(dataset: Dataset, changes: pd.DataFrame, road: str, day: pd.Timestamp) -> pd.DataFrame:
    """Each named place on ``road`` (military posts aside) and the side holding it on ``day``.

    The side is that of the place's last change of hands ending on or before ``day``
    (``claim_ids`` are that change's), or the case's ``territory_initial_holder``
    when no change is known.
    """
    places = dataset.places
    on_road = places[places["on_road"].fillna("").str.split(r",\s*").apply(lambda r: road in r) & (places["feature"] != "military_base")]
    last = (changes[changes["date_end"] <= day].sort_values(["date_end", "place_id"])
            .drop_duplicates("place_id", keep="last").set_index("place_id"))
    rows = []
    for pid in on_road["place_id"]:
        known = pid in last.index
        rows.append({"place_id": pid, "side": last.at[pid, "to_side"] if known else dataset.case.territory_initial_holder,
                     "claim_ids": last.at[pid, "claim_ids"] if known else ""})
    return pd.DataFrame(rows, columns=["place_id", "side", "claim_ids"])
