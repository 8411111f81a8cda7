r"""The front-line displacement model: daily displacement driven by the front line, fitted through the reports.

People flee because the front line moves toward where they live. This model reads
the front line as known on the cut-off day (places changing hands, places attacked,
the aggregate claims of places taken) as a daily series of *exposed people*, lets a
share of them flee with a lag, and fits that share, the lag and a background flow
through the same measurement model as the growth curves
(:class:`~analysis.models.displacement.growth.GrowthModel`'s likelihood: stocks since a
baseline, flows over intervals, unknown baselines, qualifiers, partial areas, source
noise). Forecasts run the front line forward with the territory model (places taken
in the world, thinned as in :func:`analysis.models.territory.estimated.world_paths`)
and displacement from it, path by path, with parameter uncertainty.

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
  by the cut-off; :data:`SHARE_PRIOR` while fewer than two aggregate claims are known);
  then each aggregate government claim ("33 towns and villages in 60 hours") lifts
  ``W`` evenly over its interval to at least its stated value.

Milestones (the weather pause, the ceasefire, the renewed offensive, the intervention)
do not enter as separate curve pieces: they enter through the front line, since a
pause is a span without captures, and in the forecast through the territory model's
phase rates (its phases come from the milestones public by the cut-off).

Displacement
------------
Daily regional displacement and its cumulative figure:

.. math::

    S(t) = r\,S(t-1) + (1-r)\,A(t), \qquad r = \tau / (1 + \tau), \qquad
    D(t) = b\,e^{-t/T} + \beta\,S(t), \qquad C(T_1) = \sum_{t=1}^{T_1} D(t),

that is, ``D = b exp(-t/T) + beta (k * A)`` with the geometric lag kernel
``k(l) = (1 - r) r^l`` (``l >= 0`` days; mean lag ``tau`` days; Koyck's distributed
lag). ``beta`` is the share of exposed people who are displaced and counted; ``b``
is the background flow per day on the baseline day, fading with time constant ``T``
(the air campaign that preceded and surrounds the ground front, which the named
front line does not record: December 2019's reports show about 10,000 people a day
before many places were named as taken). Reports are measurements of
``C`` exactly as for the growth curves (:mod:`.measurement`): ``log y = log(C(T_2) -
C(T_1 - 1)) + e``, ``e ~ N(0, sigma_s)`` by source class, with the qualifier's
censoring and the unknown-baseline window averaged.

Priors (penalties on the unconstrained scale; :class:`FrontlinePriors`)
-----------------------------------------------------------------------
``log beta ~ N(log 0.5, 1)``: half the exposed flee (90% prior range 10% to 2.6
times the exposure, which allows for the 2004 census undercounting today's
population, swollen by earlier displacement); ``log b ~ N(log 2000, 1.5)`` people
per day; ``log tau ~ N(log 3, 0.7)`` days; ``log T ~ N(log 30, 0.7)`` days (the
background halves in about three weeks); ``log sigma ~ N(log 0.15, 0.7)`` for each
source class, as for the growth curves. With a single report the priors carry the
fit and the interval says how little is known: the model answers from the first
regional report on.

Forecast
--------
Parameters are drawn by sampling-importance-resampling from the Laplace
approximation (:func:`.growth.posterior_draws`). Each path draws the territory
model's daily places taken in the world after the cut-off (``phase_glm`` with its
completeness share; the phase in force continues; ``mean_rate`` while the GLM cannot
be fitted, in the first days of the offensive) and exposes
``e_f`` people per place, the mean exposure per place taken in the past,
``(sum A) / (sum W)``, shrunk toward :data:`EXPOSED_PRIOR` with :data:`PRIOR_PLACES`
pseudo-places; no day takes more than the territory model's guard
(:data:`analysis.models.territory.glm.MAX_DAILY_RATE`, 100 places) in the world. The
filter runs on through the forecast days.

The level is the latest regional figure of ``C`` known by the cut-off
(:attr:`~.measurement.Measurements.stock_series`, a lower bound at its value) times
one report's noise ``exp(s z)``, ``s`` = :data:`LEVEL_SIGMA` (the prior centre of the
report noise: the fitted ``sigma_un`` also absorbs the coupling's misfit of the level,
which the anchor removes); from its day ``T_L`` on, each path adds the model's own
increments, ``C_path(t) = y_L e^{s z} + C(t) - C(T_L)``,
so the nowcast between reports moves with the front line known since ``T_L`` and the
simulated one after the cut-off, while the level is what was last reported. Before any
regional figure exists the path is the model's ``C(t)`` with the report noise.
:func:`.api.simulate` then caps paths at the population at risk and floors them at the
figures already reported.

References
----------
* Kuleshov, Fenner and Ermon (2018) for the recalibrated twin ``frontline_calibrated``
  (:mod:`.calibration`).
* Koyck (1954), *Distributed lags and investment analysis*, for the geometric lag.
* OCHA's northwest Syria situation reports count displacement since 1 December 2019,
  the target quantity.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...core.errors import ParameterError
from ...data.changes import CONFIRMING, changes_of_hands
from ...data.dataset import Dataset
from ..base import rng_for
from .growth import GrowthModel, posterior_draws
from .measurement import Fit, FitData, GrowthPriors, Measurements

MODEL = "frontline"
# People exposed when an inhabited place that no sub-district names is fought over: a village
# of the 2004 census in Idlib's countryside holds a few thousand people (Idlib governorate's
# sub-districts average about 50,000 people over some 20 villages each).
EXPOSED_PRIOR = 3000.0
ATTACK_WEIGHT = 0.5  # a report of a place attacked weighs half a change of hands in sharing out its people
SHARE_PRIOR = 0.3  # share of places taken that the documents name, until two aggregate claims are known
SHARE_PRIOR_HIGH90 = 0.6  # its upper 90% bound (logit-normal, as territory.share_draws reads it)
# Log noise of the level (one regional figure): the prior centre of the report noise. The fitted sigma_un
# also absorbs how badly the coupling fits the level, which anchoring on the figure removes.
LEVEL_SIGMA = 0.15
PRIOR_PLACES = 10.0  # pseudo-places shrinking the future exposure per place toward EXPOSED_PRIOR
# Most Laplace proposals for the parameter draws (sampling-importance-resampling; one per path up to this):
# the censored reports make the importance weights uneven, and the growth curves' 2,000 leave few effective draws.
PROPOSALS = 10_000
TERRITORY_FALLBACK = "mean_rate"  # the territory model while the phase GLM cannot be fitted (first days of the offensive)
_UNINHABITED = ("military_base", "hill", "road_section", "facility")
_ACTIVITY_EVENTS = ("entered", "encircled", "besieged", "contested", *CONFIRMING)


@dataclass(frozen=True)
class FrontlinePriors:
    """Weak priors of the front-line model, (centre, sd) on the log scale; see the module docstring."""

    beta: tuple[float, float] = (math.log(0.5), 1.0)
    background: tuple[float, float] = (math.log(2000.0), 1.5)
    lag: tuple[float, float] = (math.log(3.0), 0.7)
    sigma: tuple[float, float] = (math.log(0.15), 0.7)
    decay: tuple[float, float] = (math.log(30.0), 0.7)


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
    ids = (*(i for c in ch.get("claim_ids", []) for i in str(c).split()), *att["claim_id"], *claims["claim_id"])
    return {"named": named, "world": world, "activity": activity, "claim_ids": tuple(dict.fromkeys(ids))}


# -- the likelihood -------------------------------------------------------------------
class FrontlineModel(GrowthModel):
    """Penalised likelihood of the reports under the front-line coupling (the growth curves' measurement model).

    Parameters (unconstrained): ``log_beta, log_background, log_lag, log_sigma_un, log_sigma_other, log_decay``
    (the report noise at positions 3 and 4, where the growth curves' likelihood reads it).
    """

    def __init__(self, m: Measurements, activity: np.ndarray, priors: FrontlinePriors, window: tuple[int, int]):
        self.activity = np.asarray(activity, dtype=float)
        self.fl_priors = priors
        super().__init__(m, "logistic", None, 1, GrowthPriors(), window)
        self.data.xnames = ["log_beta", "log_background", "log_lag", "log_sigma_un", "log_sigma_other", "log_decay"]

    def prior_sd(self) -> np.ndarray:
        pr = self.fl_priors
        return np.array([pr.beta[1], pr.background[1], pr.lag[1], pr.sigma[1], pr.sigma[1], pr.decay[1]])

    def start_params(self) -> np.ndarray:
        pr = self.fl_priors
        return np.array([pr.beta[0], pr.background[0], pr.lag[0], pr.sigma[0], pr.sigma[0], pr.decay[0]])

    def cumulative(self, p: np.ndarray, days: np.ndarray | int) -> np.ndarray:
        days = np.arange(days) if np.isscalar(days) else np.asarray(days, dtype=int)
        return cumulative_paths(self.activity, np.atleast_2d(p))[:, days]


def cumulative_paths(activity: np.ndarray, p: np.ndarray) -> np.ndarray:
    """``C`` on grid days 0..n-1 (C = 0 on day 0) per parameter row ``p`` (:class:`FrontlineModel`'s order)."""
    a = np.atleast_2d(activity)
    d = coupled_flow(a, np.exp(p[:, 0]), np.exp(p[:, 1]), np.exp(p[:, 2]), np.exp(p[:, 5]))
    d[:, 0] = 0.0
    return np.cumsum(d, axis=1)


@dataclass(frozen=True)
class FrontlineFit:
    """What :func:`fit_frontline` hands to the simulation: the fitted likelihood and the front line as of the cut."""

    res: object  # statsmodels results of FrontlineModel
    front: dict  # front_activity series up to the cut-off day
    completeness: dict  # share and high90 (from the claims, or the prior)
    territory: object  # the territory model's fit as of the cut-off
    exposed_per_place: float  # e_f
    claim_ids: tuple[str, ...]
    anchor: tuple[int, float, bool] | None = None  # (grid day, value, is a lower bound) of the latest regional figure of C


def latest_figure(m: Measurements) -> tuple[int, float, bool] | None:
    """The latest regional figure of ``C`` known (:attr:`Measurements.stock_series`): day, value, and whether it is only a lower bound."""
    s = m.stock_series
    if s.empty:
        return None
    last = s.iloc[-1]
    q = m.table.set_index("claim_id").loc[last["claim_ids"].split(), "qualifier_class"]
    return int(last["end"]), float(last["value"]), bool((q == "lower").all())


def _completeness(view: Dataset) -> dict:
    from ..territory.coverage import completeness_model

    prior = {"share": SHARE_PRIOR, "high90": SHARE_PRIOR_HIGH90, "claim_ids": ()}
    obs = view.observations
    if ((obs["variable"] == "places_captured") & (obs["side"] == "government")).sum() < 2:
        return prior  # the completeness model needs two aggregate claims
    try:
        return completeness_model(view)
    except ParameterError:
        return prior


def government_front(view: Dataset, cut: pd.Timestamp, changes: pd.DataFrame, seed: int = 0):
    """The territory model's ``phase_glm`` for the government's captures only (the side whose advance this model follows).

    The same imputations, phases and Rubin's-rules fit as :func:`analysis.models.territory.glm.fit`
    (the opposition side, which the forecast does not use, is left at rate 0); while the GLM
    cannot be fitted (the first days of the offensive), the mean daily rate (``mean_rate``).
    """
    from ...data.phases import phase_schedule
    from ..territory import glm

    case = view.case
    start = pd.Timestamp(case.territory_baseline_date)
    n_days = (cut - start).days + 1
    phases, _ = phase_schedule(view.milestones, case.territory_phases, case.territory_initial_phase, start, n_days + 400)
    rng = rng_for(seed, glm.DEFAULT_MODEL, cut)
    draws = glm.imputed_counts(changes, start, n_days, rng, glm.N_IMPUTATIONS) if len(changes) else np.zeros((glm.N_IMPUTATIONS, 2, n_days))
    y = draws[:, 0, :]  # SIDES[0] is the government
    try:
        gov = glm._glm_rubin(y, phases[:n_days], momentum=False)
        model = glm.DEFAULT_MODEL
    except (ValueError, np.linalg.LinAlgError):  # no capture at all yet: the GLM has no finite fit
        gov, model = float(y.mean()), TERRITORY_FALLBACK
    ids = tuple(dict.fromkeys(i for c in changes.get("claim_ids", []) for i in c.split()))
    return glm.TerritoryFit(model, cut, start, 0.0, {"government": gov, "opposition": 0.0}, phases, ids)


def fit_frontline(view: Dataset, cut: pd.Timestamp, m: Measurements, priors: FrontlinePriors = FrontlinePriors(), seed: int = 0) -> FrontlineFit:
    """Fit the front-line model to the reports and front line in ``view`` (an as-of view at ``cut``)."""
    case = view.case
    cut_day = m.day(cut)
    comp = _completeness(view)
    ch = changes_of_hands(view.control_events).changes
    front = front_activity(view, m.origin, cut_day + 1, float(comp["share"]), ch)
    window = (m.day(case.unstated_baseline_window[0]) - 1, m.day(case.unstated_baseline_window[1]) - 1)
    n_days = int(max(m.table["end"].max(), window[1], cut_day) + 1)
    act = np.zeros(n_days)
    act[: cut_day + 1] = front["activity"][: n_days]
    model = FrontlineModel(m, act, priors, window)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence is judged by the draws' importance weights, not warned about
        res = model.fit(start_params=model.start_params(), method="bfgs", maxiter=1000, gtol=1e-6, disp=0)
    tf = government_front(view, cut, ch[ch["date_end"] >= pd.Timestamp(case.territory_baseline_date)] if len(ch) else ch, seed)
    e_f = (front["activity"].sum() + EXPOSED_PRIOR * PRIOR_PLACES) / (front["world"].sum() + PRIOR_PLACES)
    ids = tuple(dict.fromkeys((*m.table["claim_id"], *m.population_claim_ids, *front["claim_ids"], *tf.claim_ids, *comp["claim_ids"])))
    return FrontlineFit(res, front, {"share": float(comp["share"]), "high90": float(comp["high90"])}, tf, float(e_f), ids, latest_figure(m))


def simulate_frontline(f: FrontlineFit, as_of: pd.Timestamp, cut_day: int, days: np.ndarray, n_paths: int, seed: int) -> np.ndarray:
    """Paths of the reported cumulative figure on grid ``days``: the front line and displacement jointly (uncapped).

    Each path has its own parameter draw, its own completeness share and its own
    simulated front line after the cut-off (the territory model's named captures per
    day plus the unnamed ones, Poisson-thinned as in
    :func:`analysis.models.territory.estimated.world_paths`).
    """
    from ..territory import glm
    from ..territory.estimated import share_draws
    from ..territory.glm import simulate_counts

    days = np.asarray(days, dtype=int)
    rng = rng_for(seed, MODEL, as_of)
    draws, _ = posterior_draws(f.res, n_paths, rng, max_proposals=PROPOSALS)
    last = int(max(days.max(), cut_day))
    act = np.zeros((n_paths, last + 1))
    act[:, : cut_day + 1] = f.front["activity"][None, : cut_day + 1]
    horizon = last - cut_day
    if horizon > 0:
        sim = simulate_counts(f.territory, horizon, n_paths, seed, rates=True)
        c = share_draws(f.completeness, n_paths, rng)
        hidden = rng.poisson(sim["government_rate"] * ((1 - c) / c)[:, None])
        # The territory model's guard on a day's captures (glm.MAX_DAILY_RATE) holds for the places taken in the world too.
        act[:, cut_day + 1:] = f.exposed_per_place * np.minimum(sim["government"] + hidden, glm.MAX_DAILY_RATE)
    c = cumulative_paths(act, draws)
    noise = np.exp(np.exp(draws[:, 3]) * rng.standard_normal(n_paths))
    if f.anchor is None:  # no regional figure yet: the model's own level, with the report noise
        return np.maximum(c[:, days], 0.0) * noise[:, None]
    # From the latest regional figure on, the model moves the figure by its increments; the figure (a lower
    # bound at its value, as in Measurements.stock_series) is the level, with one report's noise.
    day, value, _ = f.anchor
    level = value * np.exp(LEVEL_SIGMA * rng.standard_normal(n_paths))
    moved = level[:, None] + c[:, days] - c[:, [day]]
    return np.where(days[None, :] > day, moved, np.maximum(c[:, days], 0.0) * noise[:, None])


@dataclass(frozen=True)
class Frontline:
    """The registered front-line model (:mod:`analysis.models.registry`): :func:`fit_frontline` and :func:`simulate_frontline`.

    ``needs`` is 0: the priors carry it from the first displacement report on.
    """

    name: str = MODEL
    family: str = "displacement"
    needs: int = 0

    def fit(self, data: FitData, spec) -> Fit:
        """The front line and the reports public by ``spec.as_of`` (``data``: the as-of view and its measurements)."""
        ff = fit_frontline(data.view, spec.as_of, data.measurements, spec.option("frontline_priors", FrontlinePriors()))
        return Fit(self.name, spec.as_of, data.measurements, ff, ff.claim_ids)

    def simulate(self, fitted: Fit, days: np.ndarray, *, n_paths: int, seed: int) -> np.ndarray:
        """Paths of the reported cumulative figure on ``days``: front line and displacement jointly."""
        return simulate_frontline(fitted.detail, fitted.as_of, fitted.measurements.day(fitted.as_of), days, n_paths, seed)


FRONTLINE = Frontline()
