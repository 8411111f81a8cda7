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

The front-line activity ``A(t)`` (people exposed per day) is built and documented in
:mod:`.front`.

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
from ...core.ids import unique_ids
from ...data.changes import changes_of_hands
from ...data.dataset import Dataset
from ..base import rng_for
from .front import EXPOSED_PRIOR, coupled_flow, front_activity
from .growth import GrowthModel, posterior_draws
from .measurement import Fit, FitData, GrowthPriors, Measurements

MODEL = "frontline"
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


@dataclass(frozen=True)
class FrontlinePriors:
    """Weak priors of the front-line model, (centre, sd) on the log scale; see the module docstring."""

    beta: tuple[float, float] = (math.log(0.5), 1.0)
    background: tuple[float, float] = (math.log(2000.0), 1.5)
    lag: tuple[float, float] = (math.log(3.0), 0.7)
    sigma: tuple[float, float] = (math.log(0.15), 0.7)
    decay: tuple[float, float] = (math.log(30.0), 0.7)


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
    from ...data.phases import territory_phases
    from ..territory import glm

    case = view.case
    start = pd.Timestamp(case.territory_baseline_date)
    n_days = (cut - start).days + 1
    phases, _ = territory_phases(view, start, n_days + 400)
    rng = rng_for(seed, glm.DEFAULT_MODEL, cut)
    draws = glm.imputed_counts(changes, start, n_days, rng, glm.N_IMPUTATIONS) if len(changes) else np.zeros((glm.N_IMPUTATIONS, 2, n_days))
    y = draws[:, 0, :]  # SIDES[0] is the government
    try:
        gov = glm._glm_rubin(y, phases[:n_days], momentum=False)
        model = glm.DEFAULT_MODEL
    except (ValueError, np.linalg.LinAlgError):  # no capture at all yet: the GLM has no finite fit
        gov, model = float(y.mean()), TERRITORY_FALLBACK
    ids = unique_ids(changes.get("claim_ids", []))
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
    ids = unique_ids(m.table["claim_id"], m.population_claim_ids, front["claim_ids"], tf.claim_ids, comp["claim_ids"])
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
