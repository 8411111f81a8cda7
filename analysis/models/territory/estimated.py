"""Places changing hands in the world, estimated from the named ones.

The documents name only a share of the places that changed hands. The completeness
model (:func:`.coverage.completeness_model`) reads the aggregate claims ("more than
100 towns and villages since ...") as the true count K over an interval and the
named changes n over the same interval as a binomial thinning n ~ Binomial(K, c).

The estimated quantity is the cumulative number of places the government took
since the case's territory baseline, in the world. Each Monte Carlo path

1. draws a completeness share c from the model's sampling distribution
   (logit-normal, the GLM's intercept and its dispersion-widened standard error);
2. takes the named-place paths of :func:`.glm.simulate_counts` (the past named
   captures before the cut-off, then the simulated daily named captures);
3. before the cut-off, inverts the thinning: the places taken but not named when
   n were named are NegativeBinomial(n, c) (mean n (1 - c) / c; the posterior of
   K - n under the scale prior 1/K);
4. after it, reads the named captures as the thinned part of a world process: on a
   day whose (gamma-mixed) rate of named captures is lam, the places taken but not
   named are Poisson(lam (1 - c) / c), independent of the named count given lam
   (Poisson thinning). A day with no named capture can so still have unnamed ones,
   as the aggregate claims show ("20 villages" on a day the documents name none).
   Every path is non-decreasing and never below its named count.

The named count is the lower bound and stays available as the quantity
``named`` (the net places gained, as before). Every forecast table says which
quantity it holds in its ``target`` column.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from ...core.errors import ParameterError
from ...core.ids import unique_ids
from ...core.validate import check_choice
from ...data.changes import baseline_changes, daily_series
from ...data.dataset import Dataset
from .. import registry
from ..base import Z90, Forecast, rng_for
from ..spec import ForecastSpec
from .coverage import completeness_model
from .evaluate import _headline_row
from .glm import DEFAULT_MODEL, FAMILY, TerritoryFit, _fit, check_as_of, simulate_model

QUANTITIES: tuple[str, ...] = ("estimated", "named")
DEFAULT_QUANTITY = "estimated"
# The target column of each quantity's forecast table (statsforecast's unique_id).
TARGETS: dict[str, str] = {
    "estimated": "places_taken_by_government_estimated",
    "named": "net_places_gained_by_government_named",
}


def check_quantity(quantity: str) -> str:
    return check_choice(quantity, QUANTITIES, what="quantity", name="quantity")


def share_draws(model: dict, n_paths: int, rng: np.random.Generator) -> np.ndarray:
    """Completeness shares, one per path: expit(N(logit share, se)) with the model's 90% band giving se."""
    b = float(logit(model["share"]))
    se = (float(logit(model["high90"])) - b) / Z90
    return expit(b + se * rng.standard_normal(n_paths))


def unnamed(named: np.ndarray, share: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Places taken but not named, given ``named[path, day]`` counts and ``share[path]``: NegBin(n, c), 0 where n = 0."""
    n = np.rint(np.asarray(named, dtype=float)).astype(np.int64)
    c = np.broadcast_to(np.asarray(share, dtype=float).reshape(-1, *([1] * (n.ndim - 1))), n.shape)
    out = rng.negative_binomial(np.maximum(n, 1), c)
    return np.where(n > 0, out, 0).astype(float)


def world_paths(f: TerritoryFit, past_named: int, model: dict, horizon_days: int, n_paths: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(estimated, named) cumulative places taken by the government, days as_of+1..as_of+horizon: (paths, days) each."""
    from .glm import simulate_counts

    sim = simulate_counts(f, horizon_days, n_paths, seed, rates=True)
    gov, lam = sim["government"], sim["government_rate"]
    rng = rng_for(seed + 2, f"estimated:{f.model}", f.as_of)
    c = share_draws(model, n_paths, rng)
    past = np.full((n_paths, 1), float(past_named))
    world0 = past[:, 0] + unnamed(past, c, rng)[:, 0]
    hidden = rng.poisson(lam * ((1 - c) / c)[:, None]).astype(float)
    world = world0[:, None] + np.cumsum(gov + hidden, axis=1)
    named = past + np.cumsum(gov, axis=1)
    return world, named


def past_government_named(changes: pd.DataFrame, start: pd.Timestamp, cut: pd.Timestamp) -> int:
    """Named places the government took between the baseline and ``cut`` (each change counted on its expected day)."""
    if not len(changes):
        return 0
    return int(round(float(daily_series(changes, start, cut)["government_captures"].sum())))


def forecast(dataset: Dataset, as_of, horizon_days: int, model: str = DEFAULT_MODEL, n_paths: int = 10_000, seed: int = 0,
             quantity: str = DEFAULT_QUANTITY) -> Forecast:
    """Predictive distribution of the territory ``quantity`` after ``as_of``; a keyword wrapper over :func:`forecast_spec`."""
    return forecast_spec(dataset, ForecastSpec(FAMILY, as_of, model, horizon_days=horizon_days, n_paths=n_paths, seed=seed, quantity=quantity))


def forecast_spec(dataset: Dataset, spec: ForecastSpec) -> Forecast:
    """The territory forecast ``spec`` asks for, from the claims in ``dataset`` public by ``spec.as_of``.

    Parameters
    ----------
    dataset : Dataset
        The full dataset; it is cut to ``spec.as_of`` here.
    spec : ForecastSpec
        A territory spec with ``horizon_days`` set; ``spec.quantity`` is ``estimated``
        (cumulative places taken by the government in the world, this module's
        docstring) or ``named`` (cumulative net places gained among the named ones).

    Returns
    -------
    Forecast
        Paths of the quantity for each day after the cut-off, its target column from :data:`TARGETS`.
    """
    if spec.family != FAMILY or spec.horizon_days is None:
        raise ParameterError("expected a territory spec with horizon_days", parameter="spec")
    check_quantity(spec.quantity)
    cut = check_as_of(dataset, spec.as_of)
    view = dataset.as_of(cut)
    return _forecast(view, cut, baseline_changes(view), spec.model, spec.horizon_days, spec.n_paths, spec.seed, spec.quantity)


def _forecast(view: Dataset, cut: pd.Timestamp, ch: pd.DataFrame, model: str, horizon_days: int, n_paths: int, seed: int,
              quantity: str, comp: dict | None = None) -> Forecast:
    f = _fit(view, cut, ch, model, seed)
    dates = pd.date_range(cut + pd.Timedelta(days=1), periods=horizon_days, freq="D")
    if quantity == "named":
        return Forecast(model, cut, dates, simulate_model(f, horizon_days, n_paths, seed), f.claim_ids, target=TARGETS["named"], notes=f.notes)
    comp = comp if comp is not None else completeness_model(view)
    world, _ = world_paths(f, past_government_named(ch, f.start, cut), comp, horizon_days, n_paths, seed)
    ids = unique_ids(f.claim_ids, comp["claim_ids"])
    return Forecast(model, cut, dates, world, ids, target=TARGETS["estimated"], notes=f.notes)


def estimated_series(dataset: Dataset, end: pd.Timestamp | None = None, n_paths: int = 4000, seed: int = 0) -> pd.DataFrame:
    """The completeness-corrected series from ``dataset``: named cumulative captures and the estimate's median and 80%/90% bands."""
    start = pd.Timestamp(dataset.case.territory_baseline_date)
    end = pd.Timestamp(end if end is not None else dataset.control_events["info_date"].max())
    s = daily_series(baseline_changes(dataset), start, end)
    comp = completeness_model(dataset)
    rng = rng_for(seed, "estimated_series", end)
    c = share_draws(comp, n_paths, rng)
    daily = np.rint(s["government_captures"].to_numpy())  # named captures, rounded per day (expected-day spread)
    named = np.cumsum(s["government_captures"].to_numpy())
    world = np.cumsum(np.broadcast_to(daily, (n_paths, len(daily))) + unnamed(np.broadcast_to(daily, (n_paths, len(daily))), c, rng), axis=1)
    world = world * (named / np.maximum(np.cumsum(daily), 1e-9))[None, :]  # rescale the rounding back to the named total
    q = np.quantile(world, [0.05, 0.10, 0.50, 0.90, 0.95], axis=0)
    return pd.DataFrame({"date": s["date"], "named": named, "q05": q[0], "q10": q[1], "q50": q[2], "q90": q[3], "q95": q[4]})


def check_enough_claims(dataset: Dataset, cut: pd.Timestamp) -> dict:
    """The completeness model from the claims public by ``cut``; a clear error when it is not identified."""
    try:
        return completeness_model(dataset.as_of(cut))
    except ParameterError as exc:
        raise ParameterError(f"as of {cut.date()}: {exc}; the estimated quantity needs them (use --quantity named)", parameter="as_of") from None


def backtest(dataset: Dataset, models: tuple[str, ...] | None = None, n_paths: int = 4000, seed: int = 0, horizons: tuple[int, ...] | None = None,
             step_days: int = 7):
    """Rolling weekly origins for the estimated quantity, scored against two kinds of later evidence.

    - ``claim:<id>``: each aggregate claim of places the government took over an interval that starts
      after the origin, against the forecast of places taken in the world over that interval
      (the claim's value as the observation, its qualifier ignored);
    - ``series:<date>``: the completeness-corrected series from the full dataset (its median) on the
      target day.

    A claim starting the day after the origin is left out (the paths start there).
    Origins where the claims public by then cannot identify the completeness model are listed as skipped.
    ``models`` defaults to every registered territory model.
    """
    models = registry.names(FAMILY) if models is None else models
    from ..base import HORIZONS, Backtest, fit_notes, horizon_bucket, score_samples

    horizons = horizons or HORIZONS
    start = pd.Timestamp(dataset.case.territory_baseline_date)
    last = dataset.control_events["info_date"].max()
    truth = estimated_series(dataset, last, seed=seed).set_index("date")["q50"]
    obs = dataset.observations
    claims = obs[(obs["variable"] == "places_captured") & (obs["side"] == "government")]
    rows, skipped, notes = [], [], []
    origin = start + pd.Timedelta(days=step_days)
    while origin < last:
        view = dataset.as_of(origin)
        ch = baseline_changes(view)
        h_max = min(max(horizons), (last - origin).days)
        try:
            comp = completeness_model(view)
        except ParameterError as exc:
            skipped += [{"as_of": origin, "model": m, "reason": str(exc)} for m in models]
            origin += pd.Timedelta(days=step_days)
            continue
        for model in models:
            f = _fit(view, origin, ch, model, seed)
            notes += fit_notes(origin, model, f.notes)
            world, _ = world_paths(f, past_government_named(ch, f.start, origin), comp, h_max, n_paths, seed)
            cases = []
            for h in horizons:
                if h <= h_max:
                    day = origin + pd.Timedelta(days=h)
                    cases.append((f"series:{day.date()}", day, h, world[:, h - 1], truth[day]))
            for c in claims.itertuples():
                lo, hi = (c.date_start - origin).days, (c.date_end - origin).days
                if lo >= 2 and hi <= h_max:  # world[:, d] is the day origin + d + 1; the interval is (day lo - 1, day hi]
                    cases.append((f"claim:{c.claim_id}", c.date_end, hi, world[:, hi - 1] - world[:, lo - 2], float(c.value)))
            for target_id, day, lead, samples, observed in cases:
                sc = score_samples(np.array([observed]), samples[None, :])
                rows.append({"as_of": origin, "model": model, "horizon_days": horizon_bucket(lead, horizons), "lead_days": lead, "date": day,
                             "target_id": target_id, "observed": observed, **sc.iloc[0].to_dict()})
        origin += pd.Timedelta(days=step_days)
    scores = pd.DataFrame(rows)
    scores["ape"] = (scores["q50"] - scores["observed"]).abs() / scores["observed"].abs().clip(lower=1)
    return Backtest(scores, pd.DataFrame(skipped, columns=["as_of", "model", "reason"]), pd.DataFrame(notes, columns=["as_of", "model", "note"]))


def series_as_reports(est: pd.DataFrame) -> pd.DataFrame:
    """The completeness-corrected series' median in the shape :func:`analysis.report.figures.model_figures.forecast_fan` draws reports in."""
    return pd.DataFrame({"date_end": est["date"], "info_date": est["date"], "value": est["q50"], "qualifier_class": "point"})


def headline(est: pd.DataFrame, fc: Forecast, *, target_date=None) -> dict:
    """The estimated forecast for ``target_date`` (None: its last day), against the corrected series
    (full record) and the named lower bound that day."""
    last = _headline_row(fc, target_date)
    row = est.set_index("date").reindex([last["date"]]).iloc[0]
    return {"date": last["date"].date(), "q05": last["q05"], "q50": last["q50"], "q95": last["q95"], "later_q50": row["q50"],
            "later_q05": row["q05"], "later_q95": row["q95"], "named": row["named"], "n_claims": len(fc.claim_ids)}


def world_daily(dataset: Dataset, start: pd.Timestamp, end: pd.Timestamp, comp: dict | None = None) -> pd.DataFrame:
    """Expected places the government took each day in the world, ``start`` to ``end``.

    The named captures of each day (each change spread over its interval) divided by the
    completeness share, then raised over every aggregate claim's interval to the claimed
    count where the documents claim more than that (shortest intervals first): a document
    saying "more than 30 villages in a single day" on a day that names two is read as at
    least 30 places taken that day, not as eight. Columns ``date``, ``named``, ``world``.
    """
    comp = comp if comp is not None else completeness_model(dataset)
    s = daily_series(baseline_changes(dataset), start, end)
    named = s["government_captures"].to_numpy(float)
    world = named / float(comp["share"])
    days = pd.DatetimeIndex(s["date"])
    table = comp["table"]
    for r in sorted(table.itertuples(), key=lambda r: ((r.date_end - r.date_start).days, r.claim_id)):
        idx = np.flatnonzero((days >= r.date_start) & (days <= r.date_end))
        if not len(idx):
            continue
        have = float(world[idx].sum())
        if r.claimed > have:
            world[idx] = world[idx] * (r.claimed / have) if have > 0 else r.claimed / len(idx)
    return pd.DataFrame({"date": days, "named": named, "world": world})


def coupling(dataset: Dataset, comp: dict | None = None) -> dict:
    """People displaced per place the government took in the world, from intervals between regional reports.

    For consecutive regional reports of cumulative displacement since the baseline (two days
    apart or more), the increase is regressed on the places the government took in the world
    over the same interval (:func:`world_daily`), through the origin, by weighted least squares
    with the variance of an increase proportional to its places (statsmodels WLS; an increase
    is a sum of per-place displacements, so three days with eight places are not as
    informative as five weeks with 140): the estimate is the ratio of people displaced to
    places taken over the intervals with any place taken. Places are counted as taken, not
    net: the documents report no returns when the opposition retakes a place. Returns the estimate, its 90% interval, the intervals and the
    claim ids (displacement reports, then the aggregate place claims).
    """
    import statsmodels.api as sm

    from .. import displacement

    comp = comp if comp is not None else completeness_model(dataset)
    s = displacement.measurements(dataset).dated_stocks
    if len(s) < 3:
        raise ParameterError("fewer than two intervals between regional displacement reports", parameter="dataset")
    start = min(pd.Timestamp(dataset.case.territory_baseline_date), s["date"].min())
    w = world_daily(dataset, start, s["date"].max(), comp).set_index("date")["world"].cumsum()
    rows = []
    for a, b in zip(s.iloc[:-1].itertuples(), s.iloc[1:].itertuples(), strict=True):
        if (b.date - a.date).days < 2:
            continue
        rows.append({"from": a.date, "to": b.date, "displaced": b.value - a.value, "places": float(w[b.date] - w[a.date]),
                     "ids": f"{a.claim_ids} -> {b.claim_ids}"})
    iv = pd.DataFrame(rows)
    if len(iv) < 2:
        raise ParameterError("fewer than two intervals between regional displacement reports", parameter="dataset")
    used = iv[iv["places"] > 0]
    if len(used) < 2:
        raise ParameterError("fewer than two intervals between regional displacement reports with a place taken", parameter="dataset")
    res = sm.WLS(used["displaced"], used[["places"]], weights=1.0 / used["places"]).fit()
    lo, hi = res.conf_int(alpha=0.10).iloc[0]
    ids = unique_ids((x.replace("->", " ") for x in iv["ids"]), comp["claim_ids"])
    return {"per_place": float(res.params.iloc[0]), "low90": float(lo), "high90": float(hi), "n_intervals": len(iv),
            "r2": float(res.rsquared), "intervals": iv, "claim_ids": ids}
