"""Scenario engine: editable YAML specs run the fitted models forward as joint Monte Carlo paths.

A scenario file (``seeds/scenarios/*.yaml``) is read into a frozen :class:`ScenarioSpec`
by :mod:`analysis.scenarios.spec` (re-exported here), which validates it and names the
file and the key of any error.

The engine (:func:`run`):

* **Territory, in the world.** Places changing hands are counted in the world, not
  only the ones the documents name. The *reference* capture rate of each side is the
  phase-GLM rate of named places (:mod:`analysis.models.territory`) of the phase named by
  ``rate_reference``, fitted with the information public by ``fit_as_of``; each path draws
  its log rate from the fit's sampling distribution (parameter uncertainty) and the share
  of that side's places the documents name from the completeness model fitted on the
  aggregate claims public by ``fit_as_of`` (:func:`analysis.models.territory.completeness_model`;
  a side without two such claims counts its named places as all), and divides the one by
  the other. Each day's places split into named and not named (Poisson splitting), so the
  named ones stay as ``government_captures_named`` and ``net_places_named`` (a lower
  bound), and the path starts from the named places taken by ``as_of`` plus those taken
  but not named (NegBin(n, share)). Day by day the government rate is multiplied by the
  intensity of the scenario phase in force, by the intervention's ``capture_multiplier``
  from its date and by the ceasefire's ``capture_multiplier`` from its date; the opposition
  rate by the intervention's and the ceasefire's ``recapture_multiplier``. With one
  completeness share per side for the whole record, the ratio of two phases' rates is the
  same in the world as among named places, so intensities keep their meaning. The fitted
  negative-binomial overdispersion enters as a gamma frailty per path and week with
  variance alpha / 7, which gives weekly totals the fitted NB variance (7 mu + 7 alpha
  mu^2) while each day's draw is a single Poisson. The daily loop is compiled with numba
  (:func:`_territory_paths`).
* **Roads.** Only named places lie on ``road``. Each named capture (recapture) falls on a
  road place with probability ``road_share`` (drawn per path from Beta(k + 1/2, n - k + 1/2)
  when ``fitted``: k named government captures on the road of n made on days the road
  still had places to take, to ``fit_as_of``), so the share of the road's places the
  government holds is tracked path by path.
* **Displacement** starts from the displacement model ``displacement_start``
  at ``as_of`` (its sampling spread) and grows by ``displacement_per_place``
  people per place the government takes in the world (the coupling of
  :func:`analysis.models.territory.coupling_estimated`, fitted in the same unit and drawn
  per path from its sampling distribution when ``fitted``; the opposition's recaptures
  return nobody, as the documents report no returns), capped at ``population_at_risk``.
  After a ceasefire a share ``return_rate`` of those displaced returns each day:
  ``displaced`` (the cumulative figure OCHA reports) keeps counting, and
  ``displaced_now`` subtracts the returns.

:mod:`analysis.scenarios.hindcast` checks a scenario fitted on the whole record against
what the record later reported.

Every result carries the spec, its SHA-256 hash and the claim ids behind each
fitted number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data.dataset import Dataset
from ..models.base import QUANTILE_COLUMNS, QUANTILES
from .calibration import Calibration, calibrate
from .kernel import _territory_paths
from .spec import (
    FITTED,
    REPORTED,
    VARIABLES,
    ScenarioError,
    ScenarioSpec,
)

SHARES = ("road_share_held",)  # the variables that are shares; the others count people or places
SHARE_DECIMALS = 4

FRAILTY_DAYS = 7  # the weekly gamma frailty (see module docstring)


@dataclass(frozen=True)
class ScenarioResult:
    spec: ScenarioSpec
    dates: pd.DatetimeIndex
    paths: dict  # variable -> (n_paths, horizon_days) array
    calibration: Calibration

    def thresholds(self, validate: bool = True) -> pd.DataFrame:
        """P(variable > value by date) for each threshold, with its Monte Carlo standard error."""
        from ..data.tables import SCENARIO_THRESHOLDS

        rows = []
        n = self.spec.n_paths
        for t in self.spec.thresholds:
            x = self.paths[t.variable][:, self.dates.get_loc(t.by)]
            p = float(np.mean(x > t.value) if t.strict else np.mean(x >= t.value))
            rows.append({"scenario": self.spec.name, "spec_hash": self.spec.short_hash, "threshold": t.label, "variable": t.variable,
                         "by": t.by, "comparison": ">" if t.strict else ">=", "value": t.value, "probability": p,
                         "mc_se": float(np.sqrt(p * (1 - p) / n))})
        out = pd.DataFrame(rows, columns=SCENARIO_THRESHOLDS.columns)
        return SCENARIO_THRESHOLDS.validate(out) if validate else out

    def quantiles(self, variables: Sequence[str] = VARIABLES) -> pd.DataFrame:
        """Daily quantiles of each variable; counts (people, places) rounded to whole numbers, shares to 4 decimals."""
        from ..data.tables import SCENARIO_QUANTILES

        frames = []
        for v in variables:
            # People and places are counts, written as whole numbers; the road share to 4 decimals.
            q = np.round(np.quantile(self.paths[v], QUANTILES, axis=0).T, SHARE_DECIMALS if v in SHARES else 0)
            f = pd.DataFrame(q, columns=list(QUANTILE_COLUMNS))
            f.insert(0, "date", self.dates)
            f.insert(0, "variable", v)
            f.insert(0, "spec_hash", self.spec.short_hash)
            f.insert(0, "scenario", self.spec.name)
            frames.append(f)
        return SCENARIO_QUANTILES.validate(pd.concat(frames, ignore_index=True))

    def claim_ids(self) -> tuple[str, ...]:
        return self.calibration.claim_ids()


def _day_index(spec: ScenarioSpec, day: pd.Timestamp) -> int:
    """Index into the horizon's days (0 = the day after as_of), clipped at 0."""
    return max((day - spec.as_of).days - 1, 0)


def multipliers(spec: ScenarioSpec) -> tuple[np.ndarray, np.ndarray]:
    """Per-day multipliers of the reference rates: (government, opposition), each (horizon_days,)."""
    h = spec.horizon_days
    gov = np.empty(h)
    for i, p in enumerate(spec.phases):
        stop = _day_index(spec, spec.phases[i + 1].start) if i + 1 < len(spec.phases) else h
        gov[_day_index(spec, p.start):stop] = p.intensity
    opp = np.ones(h)
    if spec.intervention is not None:
        d = _day_index(spec, spec.intervention.date)
        gov[d:] *= spec.intervention.capture_multiplier
        opp[d:] *= spec.intervention.recapture_multiplier
    if spec.ceasefire is not None:
        d = _day_index(spec, spec.ceasefire.date)
        gov[d:] *= spec.ceasefire.capture_multiplier
        opp[d:] *= spec.ceasefire.recapture_multiplier
    return gov, opp


def _resolved(spec: ScenarioSpec, cal: Calibration) -> tuple[float, tuple[float, float], tuple[float, float] | None]:
    """Population, per-place (estimate, sd) and road share (a, b) Beta or fixed, from spec and calibration."""
    pop = cal.population if spec.population_at_risk == REPORTED else float(spec.population_at_risk)
    if spec.displacement_per_place == FITTED:
        if not np.isfinite(cal.per_place[0]):
            raise ScenarioError(
                f"'fitted' needs two intervals between regional displacement reports published by fit_as_of {spec.fit_as_of.date()}; "
                "give a number or a later fit_as_of", file=spec.source, key="displacement_per_place")
        per = cal.per_place
    else:
        per = (float(spec.displacement_per_place), 0.0)
    if spec.road_share == FITTED:
        k, n = cal.road_share_counts
        share = (k + 0.5, n - k + 0.5)
    else:
        share = None
    return pop, per, share


def run(dataset: Dataset | None, spec: ScenarioSpec, *, calibration: Calibration | None = None) -> ScenarioResult:
    """Simulate ``spec.n_paths`` joint paths of territory and displacement (vectorised).

    Data first, then the spec, like :func:`analysis.scenarios.calibration.calibrate`; a
    ``calibration`` already fitted for ``(dataset, spec)`` skips the fit (``dataset`` may then be None).
    """
    if calibration is None:
        if dataset is None:
            raise ValueError("run needs a dataset or a calibration")
        calibration = calibrate(dataset, spec)
    return ScenarioResult(spec, spec.dates, simulate(spec, calibration), calibration)


# Common random numbers: every random input has its own stream, seeded by ``seed`` and its name
# only (not by the rest of the spec), so two scenarios with the same seed and paths draw the same
# rates, frailties, road shares, starts and couplings, and the kernel's per-path streams give each
# day the same uniform; a difference between them is the parameter's effect, not new draws.
STREAMS: tuple[str, ...] = ("road_share", "rate_government", "rate_opposition", "frailty_government", "frailty_opposition",
                            "start", "per_place", "kernel", "named_government", "named_opposition", "unnamed_start")


def streams(seed: int) -> dict[str, np.random.Generator]:
    """One generator per random input of :func:`simulate`, from ``seed`` alone (NumPy SeedSequence.spawn)."""
    children = np.random.SeedSequence(seed).spawn(len(STREAMS))
    return {name: np.random.default_rng(c) for name, c in zip(STREAMS, children, strict=True)}


def simulate(spec: ScenarioSpec, cal: Calibration) -> dict[str, np.ndarray]:
    """Joint daily paths of every variable in :data:`VARIABLES`: (n_paths, horizon_days) each.

    Territory runs on places in the world: each path draws the share of each side's places
    the documents name (the completeness model of the calibration), divides the fitted named
    rate by it, and starts from the named places taken by ``as_of`` plus those taken but not
    named (NegBin(n, share), as :func:`analysis.models.territory.unnamed`). The named places
    stay as ``*_named`` (a lower bound), and only they can fall on the road.
    """
    from ..models.territory import unnamed

    n, h = spec.n_paths, spec.horizon_days
    rng = streams(spec.seed)
    pop, per, share_ab = _resolved(spec, cal)
    gov_mult, opp_mult = multipliers(spec)
    weeks = -(-h // FRAILTY_DAYS)
    share = rng["road_share"].beta(*share_ab, size=n) if share_ab is not None else np.full(n, float(spec.road_share))
    rates, frailties, named_share, world0, named0 = [], [], [], [], []
    for side in ("government", "opposition"):
        mean, sd = cal.log_rate[side]
        c = cal.share_draws(side, rng[f"named_{side}"], n)
        named_share.append(c)
        rates.append(np.exp(mean + sd * rng[f"rate_{side}"].standard_normal(n)) / c)
        a = cal.alpha[side] / FRAILTY_DAYS
        frailties.append(rng[f"frailty_{side}"].gamma(1 / a, a, size=(n, weeks)) if a > 1e-9 else np.ones((n, weeks)))
        k = np.full(n, float(cal.named_taken[side]))
        named0.append(k)
        world0.append(k + unnamed(k, c, rng["unnamed_start"]))
    # Displacement: start draws, plus people per place taken in the world (the coupling is fitted in the same unit).
    start = rng["start"].choice(cal.start_displaced, size=n)
    per_place = np.maximum(per[0] + per[1] * rng["per_place"].standard_normal(n), 0.0)
    captures, named, net, net_named, displaced, held = _territory_paths(
        int(rng["kernel"].integers(2**31 - 1)), rates[0], rates[1], named_share[0], named_share[1], frailties[0], frailties[1],
        gov_mult, opp_mult, share, cal.road_places, cal.road_held, FRAILTY_DAYS, world0[0], world0[1], named0[0], named0[1],
        start, per_place, float(pop),
    )
    now = displaced
    if spec.ceasefire is not None and spec.ceasefire.return_rate > 0:
        now = displaced.copy()
        d0 = _day_index(spec, spec.ceasefire.date)
        returned = np.zeros(n)
        new = np.diff(displaced, axis=1, prepend=start[:, None])
        current = displaced[:, d0 - 1] if d0 > 0 else start
        for d in range(d0, h):
            back = spec.ceasefire.return_rate * current
            returned += back
            current = current - back + new[:, d]
            now[:, d] = displaced[:, d] - returned
    return {"displaced": displaced, "displaced_now": now, "net_places": net, "government_captures": captures, "road_share_held": held,
            "net_places_named": net_named, "government_captures_named": named}


def compare(results: Sequence[ScenarioResult]) -> pd.DataFrame:
    """One row per scenario: medians and 80% intervals at the horizon, and each threshold's probability."""
    from ..data.tables import SCENARIO_SUMMARY

    rows = []
    for r in results:
        row = {"scenario": r.spec.name, "spec_hash": r.spec.short_hash, "as_of": r.spec.as_of, "end": r.spec.end, "n_paths": r.spec.n_paths}
        for v in ("displaced", "displaced_now", "net_places"):
            q10, q50, q90 = np.quantile(r.paths[v][:, -1], [0.1, 0.5, 0.9])
            row |= {f"{v}_q10": q10, f"{v}_q50": q50, f"{v}_q90": q90}
        rows.append(row)
    return SCENARIO_SUMMARY.validate(pd.DataFrame(rows, columns=SCENARIO_SUMMARY.columns))


def threshold_matrix(results: Sequence[ScenarioResult]) -> pd.DataFrame:
    """Threshold probabilities, thresholds as rows and scenarios as columns (for reports)."""
    t = pd.concat([r.thresholds() for r in results], ignore_index=True)
    return t.pivot_table(index="threshold", columns="scenario", values="probability", sort=False)


def threshold_differences(results: Sequence[ScenarioResult], reference: int = 0) -> pd.DataFrame:
    """Each scenario's threshold probabilities minus the reference scenario's, with the Monte Carlo error of the difference.

    Scenarios run with the same seed and paths share their draws (:data:`STREAMS`), so the
    difference is estimated on paired paths: its standard error is sd(I_a - I_b) / sqrt(n),
    with I the path's indicator of the threshold. Thresholds are matched by label.
    """
    base = results[reference]
    rows = []
    for r in results:
        if r is base:
            continue
        paired = r.spec.n_paths == base.spec.n_paths and r.spec.seed == base.spec.seed
        for t in r.spec.thresholds:
            match = [b for b in base.spec.thresholds if b.label == t.label]
            if not match or t.by not in base.dates:
                continue
            ia, ib = _indicator(r, t), _indicator(base, match[0])
            diff = ia.mean() - ib.mean()
            se = (np.std(ia - ib, ddof=1) / np.sqrt(len(ia)) if paired
                  else np.sqrt(ia.var(ddof=1) / len(ia) + ib.var(ddof=1) / len(ib)))
            rows.append({"scenario": r.spec.name, "reference": base.spec.name, "threshold": t.label, "difference": float(diff),
                         "mc_se": float(se), "paired": paired})
    return pd.DataFrame(rows, columns=["scenario", "reference", "threshold", "difference", "mc_se", "paired"])


def _indicator(r: ScenarioResult, t) -> np.ndarray:
    x = r.paths[t.variable][:, r.dates.get_loc(t.by)]
    return (x > t.value if t.strict else x >= t.value).astype(float)
