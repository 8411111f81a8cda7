"""Area, share-of-governorate and road-length claims read as measurements of the same advance.

The documents measure the advance four ways: places named one by one, aggregate counts
("33 towns and villages in 60 hours"), areas ("110 square kilometres", "600 square
kilometres in the offensive"), a share of the governorate ("43% of the Idlib Governorate
... controlled by government forces") and lengths of road ("over 40 kilometres of the M5").
This module ties the last three to the places estimate of :mod:`.estimated`:

* **Area a place stands for.** The shipped reference data have no village boundaries (the
  finest unit is the OCHA sub-district), so a place's area is approximated by one figure
  for every place: the area claimed over an interval divided by the places taken in the
  world over the same interval (:func:`area_per_place`). A claim that states its places in
  the same sentence ("22 villages and towns including 110 square kilometres") is paired with
  that count; one that does not ("600 square kilometres in the offensive") with the median of
  the completeness-corrected series over its interval. The ratio of the sums is the estimate
  and the per-claim ratios its range; no sub-district area is split among villages the
  documents never list.
* **Share of the governorate held.** Anchored at the latest share claim public by the cut-off
  and moved by the places taken after it times the area a place stands for, over the
  governorate's area from the case file (:func:`share_forecast`). Most named places cannot be
  placed in a governorate (no P-code), so every place counts as inside it: the share's
  change is an upper bound (places taken in the Aleppo countryside count too), and the
  interval says so in its ``target``.
* **Road length.** A length held by each side on the same day gives the share of the road's
  length held, set beside the share of the road's named places the government held that
  day (:func:`road_length_check`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...core.errors import ParameterError
from ...core.ids import unique_ids
from ...data.changes import changes_of_hands, road_holders
from ...data.dataset import Dataset
from ..base import Forecast, rng_for
from .estimated import estimated_series, forecast

SHARE_TARGET = "governorate_share_held_by_government_upper"


def area_per_place(dataset: Dataset) -> dict:
    """Square kilometres a place taken by the government stands for, from the area claims (see module docstring).

    Returns ``km2`` (ratio of the sums), ``low``/``high`` (the smallest and largest per-claim
    ratio), ``table`` (one row per area claim: its interval, area, places and how they were
    counted) and ``claim_ids``.
    """
    obs = dataset.observations
    area = obs[(obs["variable"] == "area_captured_km2") & (obs["side"] == "government")]
    if area.empty:
        raise ParameterError("no claim of area taken by the government", parameter="dataset")
    places = obs[(obs["variable"] == "places_captured") & (obs["side"] == "government")]
    est = estimated_series(dataset).set_index("date")["q50"]
    start = pd.Timestamp(dataset.case.territory_baseline_date)
    rows = []
    for r in area.itertuples():
        same = places[(places["doc_id"] == r.doc_id) & (places["quote"] == r.quote)]
        lo = r.baseline_date if pd.notna(r.baseline_date) else r.date_start
        if len(same):
            n, how, ids = float(same["value"].iloc[0]), "stated with the area", [r.claim_id, same["claim_id"].iloc[0]]
        else:
            before = est.asof(lo - pd.Timedelta(days=1)) if lo > start else 0.0
            n, how, ids = float(est.asof(r.date_end) - before), "completeness-corrected series over the interval", [r.claim_id]
        rows.append({"claim_id": r.claim_id, "date_start": lo, "date_end": r.date_end, "km2": float(r.value), "places": n,
                     "km2_per_place": float(r.value) / n if n > 0 else np.nan, "places_from": how, "ids": " ".join(ids)})
    t = pd.DataFrame(rows)
    ok = t[t["places"] > 0]
    if ok.empty:
        raise ParameterError("no area claim falls over an interval with places taken", parameter="dataset")
    return {"km2": float(ok["km2"].sum() / ok["places"].sum()), "low": float(ok["km2_per_place"].min()), "high": float(ok["km2_per_place"].max()),
            "table": t, "claim_ids": unique_ids(t["ids"])}


def share_anchor(dataset: Dataset) -> pd.Series:
    """The latest claim of the share of the case's governorate held by the government (``territory_share_pct``)."""
    obs = dataset.observations
    s = obs[(obs["variable"] == "territory_share_pct") & (obs["side"] == "government")].sort_values(["date_end", "claim_id"])
    if s.empty:
        raise ParameterError(f"no claim of the share of {dataset.case.territory_area_name} the government holds", parameter="as_of")
    return s.iloc[-1]


def share_forecast(dataset: Dataset, as_of, horizon_days: int, n_paths: int = 4000, seed: int = 0) -> Forecast:
    """Share of the case's governorate held by the government after ``as_of`` (percent), with the claims public by then.

    share(t) = anchor share + 100 x (places taken in the world between the anchor's date and t)
    x (km2 a place stands for, drawn per path uniformly between the per-claim ratios) / the
    governorate's area. An upper bound on the share (see the module docstring).
    """
    cut = pd.Timestamp(as_of)
    view = dataset.as_of(cut)
    anchor = share_anchor(view)
    a = area_per_place(view)
    fc = forecast(dataset, cut, horizon_days, n_paths=n_paths, seed=seed)
    # Places taken in the world by the anchor's day (the completeness-corrected series then); each forecast path
    # holds the places taken since the baseline, so its gain since the anchor is the difference.
    taken_then = float(estimated_series(view, cut).set_index("date")["q50"].asof(anchor["date_end"]))
    rng = rng_for(seed, "share", cut)
    km2 = rng.uniform(a["low"], a["high"], n_paths) if a["high"] > a["low"] else np.full(n_paths, a["km2"])
    gained = np.maximum(fc.samples - taken_then, 0.0)
    share = float(anchor["value"]) + 100.0 * gained * km2[:, None] / float(dataset.case.governorate_area_km2)
    ids = unique_ids([anchor["claim_id"]], a["claim_ids"], fc.claim_ids)
    return Forecast("share_from_places", cut, fc.dates, np.minimum(share, 100.0), ids, target=SHARE_TARGET)


def road_length_check(dataset: Dataset, road: str = "M5") -> pd.DataFrame:
    """Days with a length of ``road`` claimed for each side: the share of its length the government held, beside the named places'."""
    obs = dataset.observations
    var = f"{road.lower()}_held_km"
    km = obs[obs["variable"] == var]
    changes = changes_of_hands(dataset.control_events).changes
    rows = []
    for day, g in km.groupby("date_end"):
        sides = g.set_index("side")["value"]
        if not {"government", "opposition"} <= set(sides.index):
            continue
        gov, opp = float(sides["government"]), float(sides["opposition"])
        holders = road_holders(dataset, changes, road, day)
        rows.append({"date": day, "government_km": gov, "opposition_km": opp, "length_share": gov / (gov + opp),
                     "named_places_share": float((holders["side"] == "government").mean()) if len(holders) else np.nan,
                     "named_places": len(holders), "claim_ids": " ".join(g["claim_id"])})
    return pd.DataFrame(rows, columns=["date", "government_km", "opposition_km", "length_share", "named_places_share", "named_places", "claim_ids"])
