r"""The front line as a daily series of exposed people, and the lagged coupling of displacement to it.

The front-line displacement model (:mod:`.frontline`) fits and forecasts through these; its
docstring gives the displacement, priors and forecast.

Front-line activity (people exposed per day)
--------------------------------------------
On grid day ``t`` (day 0 is the day before the displacement baseline):

.. math::

    A(t) = \sum_{g \in G} e_g\,\pi_g(t)
         + e_0 \,\bigl(W(t) - N(t)\bigr)
         + \sum_{o \in O} e_o\,\pi_o(t)
         + \sum_{x \in X} e_x\,\pi_x(t)

* ``G``: the named changes of hands to the government (:func:`analysis.data.changes.changes_of_hands`),
  ``O``: those to the opposition (fighting displaces whoever advances), ``X``: the
  reports of a place attacked, entered, encircled, besieged, contested or repelled;
  ``pi(t)`` spreads each over its date interval evenly (as
  :func:`~analysis.data.changes.daily_series` does).
* A place's people flee once: a named place's exposure ``e`` is shared out over all
  its events (changes of hands weigh 1, the other reports ``w_a`` =
  :data:`ATTACK_WEIGHT`), so a town reported attacked, encircled, entered and taken
  counts its population once, not four times.
* ``e``: the people exposed when a place is fought over: its sub-district's population
  (``places.subdistrict_population``, OpenSyria 2004) when the place is a sub-district's
  seat; the prior :data:`EXPOSED_PRIOR` for any other inhabited place (settlement,
  district, area) and for every place taken but not named; 0 for military bases, hills,
  road sections and facilities.
* ``N(t)``: named government captures that day; ``W(t) >= N(t)``: places taken in the
  world. ``W = N / c`` with ``c`` the completeness share
  (:func:`analysis.models.territory.coverage.completeness_model`, from the claims public
  by the cut-off; :data:`.frontline.SHARE_PRIOR` while fewer than two aggregate claims are known);
  then each aggregate government claim ("33 towns and villages in 60 hours") lifts
  ``W`` evenly over its interval to at least its stated value.

Milestones (the weather pause, the ceasefire, the renewed offensive, the intervention)
do not enter as separate curve pieces: they enter through the front line, since a
pause is a span without captures, and in the forecast through the territory model's
phase rates (its phases come from the milestones public by the cut-off).

"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...core.ids import unique_ids
from ...data.changes import CONFIRMING, changes_of_hands
from ...data.dataset import Dataset

# People exposed when an inhabited place that no sub-district names is fought over: a village
# of the 2004 census in Idlib's countryside holds a few thousand people (Idlib governorate's
# sub-districts average about 50,000 people over some 20 villages each).
EXPOSED_PRIOR = 3000.0
ATTACK_WEIGHT = 0.5  # a report of a place attacked weighs half a change of hands in sharing out its people
_UNINHABITED = ("military_base", "hill", "road_section", "facility")
_ACTIVITY_EVENTS = ("entered", "encircled", "besieged", "contested", *CONFIRMING)


# -- the coupling ---------------------------------------------------------------------
def coupled_flow(activity: np.ndarray, beta, background, lag, decay=np.inf) -> np.ndarray:
    """Daily displacement ``D(t) = b exp(-t / T) + beta (k * A)(t)`` for activity ``A[..., day]``.

    ``activity`` is (days,) or (rows, days); ``beta``, ``background`` (b), ``lag`` (mean lag
    in days, tau) and ``decay`` (T, days; infinite for a constant background) are scalars or
    (rows,). The geometric kernel runs as the recursion ``S(t) = r S(t-1) + (1 - r) A(t)``,
    ``r = tau / (1 + tau)``, from ``S = 0`` before day 0.

    Examples
    --------
    >>> coupled_flow(np.array([0.0, 1000.0, 0.0, 0.0]), 0.5, 10.0, 1.0).round(2).tolist()
    [[10.0, 260.0, 135.0, 72.5]]
    """
    beta, background, lag, decay = (np.atleast_1d(np.asarray(x, dtype=float)) for x in (beta, background, lag, decay))
    a = np.atleast_2d(np.asarray(activity, dtype=float))
    r = lag / (1.0 + lag)
    s = np.zeros(np.broadcast_shapes(beta.shape, (a.shape[0],)))
    fade = np.exp(-1.0 / decay)
    bg = background * np.ones_like(s)
    out = np.empty((len(s), a.shape[1]))
    for t in range(a.shape[1]):
        s = r * s + (1.0 - r) * a[:, t]
        out[:, t] = bg + beta * s
        bg = bg * fade
    return out


def exposure(places: pd.DataFrame, place_ids: pd.Series) -> np.ndarray:
    """People exposed when each place is fought over (module docstring): sub-district population, prior, or 0."""
    p = places.set_index("place_id")
    pop = p["subdistrict_population"].reindex(place_ids).to_numpy(dtype=float)
    feature = p["feature"].reindex(place_ids).to_numpy(dtype=object)
    prior = np.where(np.isin(feature, _UNINHABITED), 0.0, EXPOSED_PRIOR)
    return np.where(np.isfinite(pop), pop, prior)


def _spread(day_lo: np.ndarray, day_hi: np.ndarray, weight: np.ndarray, n_days: int) -> np.ndarray:
    """Sum of ``weight`` spread evenly over each inclusive day interval, clipped to grid days 1..n_days-1."""
    out = np.zeros(n_days)
    for lo, hi, w in zip(day_lo, day_hi, weight, strict=True):
        width = hi - lo + 1
        a, b = max(lo, 1), min(hi, n_days - 1)
        if b >= a and w:
            out[a:b + 1] += w / width
    return out


def front_activity(dataset: Dataset, origin: pd.Timestamp, n_days: int, share: float, changes: pd.DataFrame | None = None) -> dict[str, np.ndarray]:
    """Front-line series on grid days 0..n_days-1 from ``dataset`` (an as-of view): see the module docstring.

    Returns ``named`` (N: named government captures), ``world`` (W: places taken by the
    government in the world) and ``activity`` (A: people exposed), each per day, and the
    ``claim_ids`` behind them (changes of hands, other control events, aggregate claims).
    ``changes``: the changes of hands of ``dataset``'s control events, if already computed.
    """
    def day(s: pd.Series) -> np.ndarray:
        return (pd.to_datetime(s) - origin).dt.days.to_numpy(dtype=int)

    ch = changes_of_hands(dataset.control_events).changes if changes is None else changes
    named = np.zeros(n_days)
    if len(ch):
        gov = ch[ch["to_side"] == "government"]
        named = _spread(day(gov["date_start"]), day(gov["date_end"]), np.ones(len(gov)), n_days)
    world = named / share
    obs = dataset.observations
    claims = obs[(obs["variable"] == "places_captured") & (obs["side"] == "government")].sort_values("claim_id")
    for r in claims.itertuples():
        start = r.baseline_date if r.kind == "stock" else r.date_start
        if pd.isna(start):
            continue  # a stock with no baseline has no interval
        a, b = max(int((start - origin).days), 1), min(int((r.date_end - origin).days), n_days - 1)
        if b < a:
            continue
        deficit = float(r.value) - world[a:b + 1].sum()
        if deficit > 0:
            world[a:b + 1] += deficit / (b - a + 1)
    # Each named place exposes its people once, shared over its changes of hands and attacks by weight.
    ce = dataset.control_events
    att = ce[ce["event_type"].isin(_ACTIVITY_EVENTS)]
    ev = pd.concat([
        pd.DataFrame({"place_id": ch.get("place_id", pd.Series(dtype=object)), "date_start": ch.get("date_start"), "date_end": ch.get("date_end"), "weight": 1.0}),
        pd.DataFrame({"place_id": att["place_id"], "date_start": att["date_start"], "date_end": att["date_end"], "weight": ATTACK_WEIGHT}),
    ], ignore_index=True)
    ev = ev[day(ev["date_end"]) >= 1] if len(ev) else ev
    activity = EXPOSED_PRIOR * (world - named)
    if len(ev):
        total = ev.groupby("place_id")["weight"].transform("sum")
        frac = (ev["weight"] / total.where(total > 0)).fillna(0.0)
        activity = activity + _spread(day(ev["date_start"]), day(ev["date_end"]), exposure(dataset.places, ev["place_id"]) * frac.to_numpy(), n_days)
    return {"named": named, "world": world, "activity": activity, "claim_ids": unique_ids(map(str, ch.get("claim_ids", [])), att["claim_id"], claims["claim_id"])}
