"""Scenario calibration: the fitted rates, shares and couplings a scenario runs from, as of its fit date."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from ..core.errors import InputError, ParameterError
from ..core.ids import unique_ids
from ..data import changes as CH
from ..data.dataset import Dataset
from ..data.phases import territory_phases
from ..models import displacement as D
from ..models import territory as T
from ..models.base import Z90
from .spec import (
    ScenarioError,
    ScenarioSpec,
)


@dataclass(frozen=True)
class Calibration:
    """Everything the engine takes from the data, for one (as_of, fit_as_of, ...) combination."""

    as_of: pd.Timestamp
    fit_as_of: pd.Timestamp
    rate_reference: str
    log_rate: dict  # side -> (mean, sd) of the reference phase's log daily rate
    alpha: dict  # side -> NB overdispersion
    level: float  # net named places the government gained, baseline to as_of
    named_taken: dict  # side -> named places it took, baseline to as_of (rounded)
    completeness: dict  # side -> (logit of the share of places named, its standard error); (inf, 0) = all named
    completeness_claim_ids: tuple[str, ...]
    start_displaced: np.ndarray  # draws of the cumulative displaced figure at as_of
    start_claim_ids: tuple[str, ...]
    population: float  # latest regional population figure at as_of (reported)
    population_claim_ids: tuple[str, ...]
    per_place: tuple[float, float]  # coupling estimate and its standard error
    per_place_claim_ids: tuple[str, ...]
    road_places: int  # named places on the road that change hands can reach
    road_held: int  # of those, held by the government at as_of
    road_share_counts: tuple[int, int]  # named government captures on the road, all named captures while road places were left (to fit_as_of)
    rate_claim_ids: tuple[str, ...]

    def claim_ids(self) -> tuple[str, ...]:
        return unique_ids(self.rate_claim_ids, self.start_claim_ids, self.population_claim_ids, self.per_place_claim_ids,
                          self.completeness_claim_ids)

    def share_draws(self, side: str, rng: np.random.Generator, n: int) -> np.ndarray:
        """The share of ``side``'s places the documents name, one per path (logit-normal; 1 where all are named)."""
        b, se = self.completeness[side]
        return np.ones(n) if not np.isfinite(b) else expit(b + se * rng.standard_normal(n))


def _check_dates(dataset: Dataset, spec: ScenarioSpec) -> None:
    first, last = pd.Timestamp(dataset.case.territory_baseline_date), dataset.coverage[1]
    for key in ("as_of", "fit_as_of"):
        day = getattr(spec, key)
        if not first <= day <= last:
            raise ScenarioError(f"{day.date()} is outside the data, {first.date()} to {last.date()}", file=spec.source, key=key)


_CACHE: dict[int, tuple[Dataset, dict]] = {}


def calibrate(dataset: Dataset, spec: ScenarioSpec, *, n_start: int = 4000) -> Calibration:
    """Fit what the spec names as ``fitted``/``reported`` with the information of its cut-offs.

    Cached per dataset object and calibration key, so sweeps over scenario-only
    parameters (dates, intensities, multipliers) fit once.
    """
    key = (spec.as_of, spec.fit_as_of, spec.rate_reference, spec.displacement_start, spec.road, n_start)
    held = _CACHE.get(id(dataset))
    if held is None or held[0] is not dataset:
        held = _CACHE[id(dataset)] = (dataset, {})
    if key not in held[1]:
        _check_dates(dataset, spec)
        held[1][key] = _calibrate(dataset, *key[:5], spec.source, n_start)
    return held[1][key]


def _calibrate(dataset: Dataset, as_of, fit_as_of, reference: str, start_model: str, road: str, source: str, n_start: int) -> Calibration:
    fit = T.fit(dataset, fit_as_of, "phase_glm")
    _, labels = territory_phases(dataset, fit.start, 1)
    if reference not in labels:
        raise ScenarioError(f"unknown phase {reference!r}; the case's phases are {list(labels)}", file=source, key="rate_reference")
    k = labels.index(reference)
    log_rate, alpha = {}, {}
    for side in CH.SIDES:
        p = fit.params[side]
        seen = list(p["phases_seen"])
        if k not in seen:
            known = [labels[i] for i in seen]
            raise ScenarioError(f"phase {reference!r} is not yet known by fit_as_of {fit_as_of.date()}; known then: {known}", file=source, key="rate_reference")
        j = seen.index(k)
        log_rate[side] = (float(p["mean"][j]), float(np.sqrt(max(p["cov"][j, j], 0.0))))
        alpha[side] = float(p["alpha"])

    view = dataset.as_of(as_of)
    changes = CH.baseline_changes(view)
    start = pd.Timestamp(dataset.case.territory_baseline_date)
    level = float(CH.daily_series(changes, start, as_of)["cumulative_net_government"].iloc[-1]) if len(changes) else 0.0

    try:
        dfit = D.fit(dataset, as_of, start_model)
    except D.NotEnoughData as exc:
        raise ScenarioError(str(exc), file=source, key="displacement_start") from exc
    except InputError as exc:
        raise ScenarioError(str(exc), file=source, key="as_of") from exc
    cut_day = dfit.measurements.day(as_of)
    start_draws = D.simulate(dfit, np.array([cut_day]), n_start, seed=0)[:, 0]

    # Places in the world: the share of each side's places the documents name, from the aggregate
    # claims public by fit_as_of (a side without two such claims counts its named places as all).
    fit_view = dataset.as_of(fit_as_of)
    comp, comp_ids = {}, []
    for side in CH.SIDES:
        try:
            m = T.completeness_model(fit_view, side)
        except ParameterError:
            comp[side] = (float("inf"), 0.0)
            continue
        b = float(logit(m["share"]))
        comp[side] = (b, (float(logit(m["high90"])) - b) / Z90)
        comp_ids += list(m["claim_ids"])
    named_taken = {side: int(round(float(CH.daily_series(changes, start, as_of)[f"{side}_captures"].sum()))) if len(changes) else 0
                   for side in CH.SIDES}

    try:
        c = T.coupling_estimated(fit_view)
        per_place = (c["per_place"], (c["high90"] - c["low90"]) / (2 * Z90))
        per_ids = c["claim_ids"]
    except InputError:
        per_place, per_ids = (float("nan"), float("nan")), ()

    holders = CH.road_holders(dataset, CH.changes_of_hands(view.control_events).changes, road, as_of)
    fit_changes = CH.changes_of_hands(fit_view.control_events).changes
    return Calibration(
        as_of=as_of, fit_as_of=fit_as_of, rate_reference=reference, log_rate=log_rate, alpha=alpha, level=level,
        named_taken=named_taken, completeness=comp, completeness_claim_ids=unique_ids(comp_ids),
        start_displaced=start_draws, start_claim_ids=unique_ids(dfit.claim_ids),
        population=float(dfit.measurements.population_at_risk), population_claim_ids=tuple(dfit.measurements.population_claim_ids),
        per_place=per_place, per_place_claim_ids=per_ids, road_places=len(holders),
        road_held=int((holders["side"] == "government").sum()),
        road_share_counts=road_share_counts(dataset, fit_changes, road, holders["place_id"]),
        rate_claim_ids=fit.claim_ids,
    )


def road_share_counts(dataset: Dataset, changes: pd.DataFrame, road: str, road_places: pd.Series) -> tuple[int, int]:
    """(named government captures on the road, named government captures on a day the road still had places to take).

    A capture on a day the government already held the whole road could not have fallen on it;
    counting it would dilute the share (the captures after the road was taken, in the west
    Aleppo countryside and the Ghab, are most of the later named ones).
    """
    gov = changes[changes["to_side"] == "government"]
    on_road = gov["place_id"].isin(road_places)
    if not len(road_places):
        return 0, len(gov)
    open_day = {}
    for day in sorted(set(gov["date_end"])):
        holders = CH.road_holders(dataset, changes, road, day - pd.Timedelta(days=1))
        open_day[day] = bool((holders["side"] != "government").any())
    left = gov["date_end"].map(open_day).astype(bool)
    return int((on_road & left).sum()), int(left.sum())
