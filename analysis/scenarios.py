"""Scenario engine: editable YAML specs run the fitted models forward as joint Monte Carlo paths.

A scenario file (``seeds/scenarios/*.yaml``) is read into a frozen :class:`ScenarioSpec`
by :mod:`analysis.scenario_spec` (re-exported here), which validates it and names the
file and the key of any error.

The engine (:func:`run`):

* **Territory.** Government captures and opposition recaptures of named places are
  counted per day. The *reference* capture rate of each side is the phase-GLM rate
  (:mod:`analysis.territory`) of the phase named by ``rate_reference``, fitted with
  the information public by ``fit_as_of``; each path draws its log rate from the
  fit's sampling distribution (parameter uncertainty). Day by day the government
  rate is multiplied by the intensity of the scenario phase in force, by the
  intervention's ``capture_multiplier`` from its date and by the ceasefire's
  ``capture_multiplier`` from its date; the opposition rate by the intervention's
  and the ceasefire's ``recapture_multiplier``. The fitted
  negative-binomial overdispersion enters as a gamma frailty per path and week
  with variance alpha / 7, which gives weekly totals the fitted NB variance
  (7 mu + 7 alpha mu^2) while each day's draw is a single Poisson. The daily
  loop is compiled with numba (:func:`_territory_paths`).
* **Roads.** Each capture (recapture) falls on a named place of ``road`` with
  probability ``road_share`` (drawn per path from Beta(k + 1/2, n - k + 1/2) of the
  government captures known by ``fit_as_of`` when ``fitted``), so the share of
  the road's places the government holds is tracked path by path.
* **Displacement** starts from the displacement model ``displacement_start``
  at ``as_of`` (its sampling spread) and grows by ``displacement_per_place``
  people per net place the government gains (the coupling of
  :func:`analysis.territory.coupling`, drawn per path from its sampling
  distribution when ``fitted``), capped at ``population_at_risk``. After a
  ceasefire a share ``return_rate`` of those displaced returns each day:
  ``displaced`` (the cumulative figure OCHA reports) keeps counting, and
  ``displaced_now`` subtracts the returns.

Every result carries the spec, its SHA-256 hash and the claim ids behind each
fitted number.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numba import njit

from . import displacement as D
from . import territory as T
from .dataset import Dataset
from .errors import InputError
from .forecast import QUANTILE_COLUMNS, QUANTILES
from .phases import phase_schedule
from .scenario_spec import (  # noqa: F401 - the spec API is re-exported here
    FITTED,
    REPORTED,
    VARIABLES,
    Ceasefire,
    Intervention,
    Phase,
    ScenarioError,
    ScenarioSpec,
    Threshold,
    _check_keys,
    _overridden,
    _raw,
    _read,
    _typed,
    load_spec,
    parse_override,
    resolve_path,
    scenarios_dir,
    shipped,
)

FRAILTY_DAYS = 7  # the weekly gamma frailty (see module docstring)


# ---------------------------------------------------------------- calibration


@dataclass(frozen=True)
class Calibration:
    """Everything the engine takes from the data, for one (as_of, fit_as_of, ...) combination."""

    as_of: pd.Timestamp
    fit_as_of: pd.Timestamp
    rate_reference: str
    log_rate: dict  # side -> (mean, sd) of the reference phase's log daily rate
    alpha: dict  # side -> NB overdispersion
    level: float  # net places the government gained, baseline to as_of
    start_displaced: np.ndarray  # draws of the cumulative displaced figure at as_of
    start_claim_ids: tuple[str, ...]
    population: float  # latest regional population figure at as_of (reported)
    population_claim_ids: tuple[str, ...]
    per_place: tuple[float, float]  # coupling estimate and its standard error
    per_place_claim_ids: tuple[str, ...]
    road_places: int  # named places on the road that change hands can reach
    road_held: int  # of those, held by the government at as_of
    road_share_counts: tuple[int, int]  # government captures on the road, all captures (to fit_as_of)
    rate_claim_ids: tuple[str, ...]

    def claim_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.rate_claim_ids, *self.start_claim_ids, *self.population_claim_ids, *self.per_place_claim_ids)))


def _check_dates(spec: ScenarioSpec, dataset: Dataset) -> None:
    first, last = pd.Timestamp(dataset.case.territory_baseline_date), dataset.coverage[1]
    for key in ("as_of", "fit_as_of"):
        day = getattr(spec, key)
        if not first <= day <= last:
            raise ScenarioError(f"{day.date()} is outside the data, {first.date()} to {last.date()}", file=spec.source, key=key)


_CACHE: dict[int, tuple[Dataset, dict]] = {}


def calibrate(dataset: Dataset, spec: ScenarioSpec, n_start: int = 4000) -> Calibration:
    """Fit what the spec names as ``fitted``/``reported`` with the information of its cut-offs.

    Cached per dataset object and calibration key, so sweeps over scenario-only
    parameters (dates, intensities, multipliers) fit once.
    """
    key = (spec.as_of, spec.fit_as_of, spec.rate_reference, spec.displacement_start, spec.road, n_start)
    held = _CACHE.get(id(dataset))
    if held is None or held[0] is not dataset:
        held = _CACHE[id(dataset)] = (dataset, {})
    if key not in held[1]:
        _check_dates(spec, dataset)
        held[1][key] = _calibrate(dataset, *key[:5], spec.source, n_start)
    return held[1][key]


def _calibrate(dataset: Dataset, as_of, fit_as_of, reference: str, start_model: str, road: str, source: str, n_start: int) -> Calibration:
    fit = T.fit(dataset, fit_as_of, "phase_glm")
    _, labels = phase_schedule(dataset.milestones, dataset.case.territory_phases, dataset.case.territory_initial_phase, fit.start, 1)
    if reference not in labels:
        raise ScenarioError(f"unknown phase {reference!r}; the case's phases are {list(labels)}", file=source, key="rate_reference")
    k = labels.index(reference)
    log_rate, alpha = {}, {}
    for side in T.SIDES:
        p = fit.params[side]
        seen = list(p["phases_seen"])
        if k not in seen:
            known = [labels[i] for i in seen]
            raise ScenarioError(f"phase {reference!r} is not yet known by fit_as_of {fit_as_of.date()}; known then: {known}", file=source, key="rate_reference")
        j = seen.index(k)
        log_rate[side] = (float(p["mean"][j]), float(np.sqrt(max(p["cov"][j, j], 0.0))))
        alpha[side] = float(p["alpha"])

    view = dataset.as_of(as_of)
    changes = T.baseline_changes(view)
    start = pd.Timestamp(dataset.case.territory_baseline_date)
    level = float(T.daily_series(changes, start, as_of)["cumulative_net_government"].iloc[-1]) if len(changes) else 0.0

    try:
        dfit = D.fit(dataset, as_of, start_model)
    except D.NotEnoughData as exc:
        raise ScenarioError(str(exc), file=source, key="displacement_start") from exc
    except InputError as exc:
        raise ScenarioError(str(exc), file=source, key="as_of") from exc
    cut_day = dfit.measurements.day(as_of)
    start_draws = D.simulate(dfit, np.array([cut_day]), n_start, seed=0)[:, 0]

    try:
        c = T.coupling(dataset.as_of(fit_as_of))
        per_place = (c["per_place"], (c["high90"] - c["low90"]) / (2 * 1.6448536269514722))
        per_ids = tuple(dict.fromkeys(i for s in c["intervals"]["ids"] for i in s.replace("->", " ").split()))
    except InputError:
        per_place, per_ids = (float("nan"), float("nan")), ()

    holders = T.road_holders(dataset, T.changes_of_hands(view.control_events).changes, road, as_of)
    fit_changes = T.changes_of_hands(dataset.as_of(fit_as_of).control_events).changes
    gov = fit_changes[fit_changes["to_side"] == "government"]
    return Calibration(
        as_of=as_of, fit_as_of=fit_as_of, rate_reference=reference, log_rate=log_rate, alpha=alpha, level=level,
        start_displaced=start_draws, start_claim_ids=tuple(dict.fromkeys(dfit.claim_ids)),
        population=float(dfit.measurements.population_at_risk), population_claim_ids=tuple(dfit.measurements.population_claim_ids),
        per_place=per_place, per_place_claim_ids=per_ids, road_places=len(holders),
        road_held=int((holders["side"] == "government").sum()),
        road_share_counts=(int(gov["place_id"].isin(holders["place_id"]).sum()), len(gov)),
        rate_claim_ids=fit.claim_ids,
    )


# --------------------------------------------------------------------- engine


@dataclass(frozen=True)
class ScenarioResult:
    spec: ScenarioSpec
    dates: pd.DatetimeIndex
    paths: dict  # variable -> (n_paths, horizon_days) array
    calibration: Calibration

    def thresholds(self, validate: bool = True) -> pd.DataFrame:
        """P(variable > value by date) for each threshold, with its Monte Carlo standard error."""
        from .tables import SCENARIO_THRESHOLDS

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
        from .tables import SCENARIO_QUANTILES

        frames = []
        for v in variables:
            q = np.quantile(self.paths[v], QUANTILES, axis=0).T
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


def run(spec: ScenarioSpec, dataset: Dataset | None = None, calibration: Calibration | None = None) -> ScenarioResult:
    """Simulate ``spec.n_paths`` joint paths of territory and displacement (vectorised)."""
    if calibration is None:
        if dataset is None:
            raise ValueError("run needs a dataset or a calibration")
        calibration = calibrate(dataset, spec)
    return ScenarioResult(spec, spec.dates, simulate(spec, calibration), calibration)


@njit(cache=True)
def _rotl(x, k):
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@njit(cache=True)
def _seed_state(seed):
    """xoshiro256** state from a seed via splitmix64 (Blackman and Vigna's recommended seeding)."""
    state = np.empty(4, np.uint64)
    z = np.uint64(seed)
    for j in range(4):
        z = z + np.uint64(0x9E3779B97F4A7C15)
        x = z
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        state[j] = x ^ (x >> np.uint64(31))
    return state


@njit(cache=True)
def _uniform(s):
    """Next uniform in [0, 1) from xoshiro256** (53 random bits); ``s`` is updated in place."""
    result = _rotl(s[1] * np.uint64(5), 7) * np.uint64(9)
    t = s[1] << np.uint64(17)
    s[2] ^= s[0]
    s[3] ^= s[1]
    s[1] ^= s[2]
    s[0] ^= s[3]
    s[2] ^= t
    s[3] = _rotl(s[3], 45)
    return (result >> np.uint64(11)) * (1.0 / 9007199254740992.0)


_INV = 1.0 / np.arange(1, 1001, dtype=np.float64)  # 1/k: the inversion multiplies instead of dividing


@njit(cache=True)
def _poisson(s, lam, p0):
    """One Poisson draw by inversion, given p0 = exp(-lam); numba's sampler (seeded too) above 30."""
    if lam > 30.0:
        return np.random.poisson(lam)
    u = _uniform(s)
    p = p0
    f = p
    k = 0
    while u > f and k < 1000:
        p *= lam * _INV[k]
        k += 1
        f += p
    return k


@njit(cache=True)
def _thin(s, count, share):
    """Binomial(count, share) as count Bernoulli draws (counts here are small)."""
    out = 0
    for _ in range(count):
        if _uniform(s) < share:
            out += 1
    return out


@njit(cache=True)
def _territory_paths(seed, gov_rate, opp_rate, gov_frailty, opp_frailty, gov_mult, opp_mult, share, road_places, road_held, frailty_days,
                     level, start, per_place, population):
    """Compiled inner loop: daily Poisson captures per side, thinned onto the road, per path.

    Rates are the path's reference rate x its weekly gamma frailty x the day's
    multiplier. Each capture (recapture) lands on the road with the path's share
    (binomial thinning), up to the road places left to take (held). One pass, no
    temporaries, and a small inline generator (xoshiro256**): this is what keeps
    10 scenarios x 10,000 paths x 120 days under a second on one core (``make bench``).
    """
    s = _seed_state(seed)
    np.random.seed(seed)  # for the rare rate above 30 a day
    n, h = gov_frailty.shape[0], gov_mult.shape[0]
    # float32 halves the memory written (the kernel's main cost after the draws); counts stay exact
    # and people keep a precision of 0.25 up to 4 million.
    captures = np.empty((n, h), np.float32)  # cumulative government captures
    net = np.empty((n, h), np.float32)  # net places gained by the government since the territory baseline
    displaced = np.empty((n, h), np.float32)  # start + people per place x net gains on days with a net gain, capped
    held = np.empty((n, h), np.float32)  # share of the road's places held by the government
    share_of = 1.0 / max(road_places, 1)
    for i in range(n):
        k = road_held
        cg = 0.0
        cn = level
        cp = 0.0
        lg = lo = -1.0
        eg = eo = 1.0
        for d in range(h):
            w = d // frailty_days
            # exp(-rate) changes only with the week's frailty or the day's multiplier: reuse it.
            x = gov_rate[i] * gov_frailty[i, w] * gov_mult[d]
            if x != lg:
                lg = x
                eg = np.exp(-x)
            x = opp_rate[i] * opp_frailty[i, w] * opp_mult[d]
            if x != lo:
                lo = x
                eo = np.exp(-x)
            g = _poisson(s, lg, eg)
            o = _poisson(s, lo, eo)
            # Thin only while it can matter: nothing left to take, or nothing held to lose.
            won = min(_thin(s, g, share[i]), road_places - k) if k < road_places else 0
            k = k + won - min(_thin(s, o, share[i]), k + won) if k + won > 0 else k + won
            cg += g
            cn += g - o
            if g > o:
                cp += g - o
            captures[i, d] = cg
            net[i, d] = cn
            displaced[i, d] = min(start[i] + per_place[i] * cp, population)
            held[i, d] = k * share_of
    return captures, net, displaced, held


def simulate(spec: ScenarioSpec, cal: Calibration) -> dict[str, np.ndarray]:
    n, h = spec.n_paths, spec.horizon_days
    rng = np.random.default_rng([spec.seed, int(spec.hash[:8], 16)])
    pop, per, share_ab = _resolved(spec, cal)
    gov_mult, opp_mult = multipliers(spec)
    weeks = -(-h // FRAILTY_DAYS)
    share = rng.beta(*share_ab, size=n) if share_ab is not None else np.full(n, float(spec.road_share))
    rates, frailties = [], []
    for side in ("government", "opposition"):
        mean, sd = cal.log_rate[side]
        rates.append(np.exp(mean + sd * rng.standard_normal(n)))
        a = cal.alpha[side] / FRAILTY_DAYS
        frailties.append(rng.gamma(1 / a, a, size=(n, weeks)) if a > 1e-9 else np.ones((n, weeks)))
    # Displacement: start draws, plus people per net place gained (no new displacement on net losses).
    start = rng.choice(cal.start_displaced, size=n)
    per_place = np.maximum(per[0] + per[1] * rng.standard_normal(n), 0.0)
    captures, net, displaced, held = _territory_paths(
        int(rng.integers(2**31 - 1)), rates[0], rates[1], frailties[0], frailties[1], gov_mult, opp_mult, share,
        cal.road_places, cal.road_held, FRAILTY_DAYS, float(cal.level), start, per_place, float(pop),
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
    return {"displaced": displaced, "displaced_now": now, "net_places": net, "government_captures": captures, "road_share_held": held}


# ----------------------------------------------------------------- comparison


def compare(results: Sequence[ScenarioResult]) -> pd.DataFrame:
    """One row per scenario: medians and 80% intervals at the horizon, and each threshold's probability."""
    from .tables import SCENARIO_SUMMARY

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


# --------------------------------------------------------------------- sweeps


@dataclass(frozen=True)
class Grid:
    base: Path
    n_paths: int
    axes: tuple[tuple[str, tuple], ...]  # (dotted key, values)
    source: str = ""

    def points(self) -> list[dict[str, Any]]:
        keys = [k for k, _ in self.axes]
        return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*(v for _, v in self.axes))]


_GRID = {"base": str, "n_paths": int, "grid": dict}


def load_grid(path: str | Path, seeds: Path | None = None) -> Grid:
    """A sweep file: ``base`` scenario, ``n_paths`` per point and ``grid`` of key -> list of values."""
    path = Path(path)
    if not path.is_file():
        raise ScenarioError("no such sweep file", file=path, key="(file)")
    data = _read(path)
    _check_keys(data, _GRID, path, "")
    for k, t in _GRID.items():
        _typed(data[k], t, path, k)
    if data["n_paths"] < 1:
        raise ScenarioError(f"must be at least 1 (got {data['n_paths']})", file=path, key="n_paths")
    base = path.parent / data["base"]
    base = base if base.is_file() else resolve_path(data["base"], seeds)
    axes = []
    for k, values in data["grid"].items():
        if not isinstance(values, list) or not values:
            raise ScenarioError("expected a non-empty list of values", file=path, key=f"grid.{k}")
        axes.append((str(k), tuple(values)))
    grid = Grid(base, data["n_paths"], tuple(axes), path.name)
    # Validate every distinct value once against the base, so a bad grid fails before any run.
    for k, values in grid.axes:
        for value in values:
            load_spec(base, {k: value, "n_paths": grid.n_paths}, seeds)
    return grid


def _settings(point: Mapping[str, Any]) -> str:
    return "; ".join(f"{k}={v}" for k, v in point.items())


def run_points(base: Path, points: Sequence[Mapping[str, Any]], n_paths: int, dataset: Dataset, offset: int = 0) -> list[pd.DataFrame]:
    """Run sweep points (one spec each) in this process; one tidy frame per point, a row per threshold."""
    raw = json.loads(json.dumps(_raw(base), default=str))
    frames = []
    for i, point in enumerate(points):
        spec = _overridden(raw, base, {**point, "n_paths": n_paths})
        t = run(spec, dataset).thresholds(validate=False)
        t.insert(0, "settings", _settings(point))
        t.insert(0, "point", offset + i)
        frames.append(t)
    return frames


def sweep(grid: Grid, dataset: Dataset, scheduler: str | None = None, chunk_size: int = 250) -> pd.DataFrame:
    """Run every grid point; in-process, or on the Dask cluster at ``scheduler`` (``pip install .[dask]``)."""
    from .tables import SWEEP_PROBABILITIES

    points = grid.points()
    chunks = [(i, points[i:i + chunk_size]) for i in range(0, len(points), chunk_size)]
    if scheduler is None:
        frames = [f for i, chunk in chunks for f in run_points(grid.base, chunk, grid.n_paths, dataset, i)]
    else:
        try:
            from distributed import Client
        except ImportError as exc:
            raise ScenarioError("sweeping on a cluster needs Dask: pip install 'idlib-forecast[dask]'", file=grid.source, key="--scheduler") from exc
        with Client(scheduler) as client:
            remote = client.scatter(dataset, broadcast=True)
            futures = [client.submit(run_points, grid.base, chunk, grid.n_paths, remote, i, pure=False) for i, chunk in chunks]
            frames = [f for part in client.gather(futures) for f in part]
    out = pd.concat(frames, ignore_index=True)
    return SWEEP_PROBABILITIES.validate(out[list(SWEEP_PROBABILITIES.columns)])


def spec_table(spec: ScenarioSpec) -> pd.DataFrame:
    """The spec as a two-column table of dotted keys and values (for reports)."""
    rows = []

    def walk(prefix: str, v):
        if isinstance(v, dict):
            for k, x in v.items():
                walk(f"{prefix}.{k}" if prefix else k, x)
        elif isinstance(v, list) and v and isinstance(v[0], dict):
            for i, x in enumerate(v):
                walk(f"{prefix}.{i}", x)
        else:
            rows.append({"key": prefix, "value": "none" if v is None else str(v)})

    walk("", spec.to_dict())
    return pd.DataFrame(rows)



def phase_rates(dataset: Dataset, fit_as_of) -> pd.DataFrame:
    """Fitted daily capture rate per phase and side (phase GLM), the basis for scenario intensities."""
    fit = T.fit(dataset, fit_as_of, "phase_glm")
    _, labels = phase_schedule(dataset.milestones, dataset.case.territory_phases, dataset.case.territory_initial_phase, fit.start, 1)
    rows = []
    for side in T.SIDES:
        p = fit.params[side]
        for j, k in enumerate(p["phases_seen"]):
            sd = float(np.sqrt(max(p["cov"][j, j], 0.0)))
            m = float(p["mean"][j])
            rows.append({"phase": labels[k], "side": side, "rate": np.exp(m), "low90": np.exp(m - 1.645 * sd), "high90": np.exp(m + 1.645 * sd)})
    return pd.DataFrame(rows)


def reported(dataset: Dataset) -> dict[str, pd.DataFrame]:
    """What the full record later gave for the simulated variables (date, value), to draw against scenarios."""
    out = {"displaced": D.measurements(dataset).dated_stocks[["date", "value"]]}
    net = T.net_series(dataset)
    out["net_places"] = pd.DataFrame({"date": net["date"], "value": net["cumulative_net_government"]})
    return out


def provenance(results: Sequence[ScenarioResult]) -> pd.DataFrame:
    """Per scenario, the claim ids behind each fitted or reported number it used."""
    rows = []
    for r in results:
        c, s = r.calibration, r.spec
        rows += [
            {"scenario": s.name, "quantity": f"capture rates ({s.rate_reference}, phase GLM to {c.fit_as_of.date()})",
             "value": f"gov {np.exp(c.log_rate['government'][0]):.2f}/day, opp {np.exp(c.log_rate['opposition'][0]):.3f}/day",
             "claims": f"{len(c.rate_claim_ids)} control-event claims public by {c.fit_as_of.date()}"},
            {"scenario": s.name, "quantity": f"starting displaced ({s.displacement_start}, {c.as_of.date()})",
             "value": f"median {np.median(c.start_displaced):,.0f}", "claims": " ".join(c.start_claim_ids)},
            {"scenario": s.name, "quantity": "population at risk",
             "value": f"{c.population:,.0f}" if s.population_at_risk == REPORTED else f"{float(s.population_at_risk):,.0f} (set)",
             "claims": " ".join(c.population_claim_ids) if s.population_at_risk == REPORTED else "scenario file"},
            {"scenario": s.name, "quantity": "displaced per net place",
             "value": f"{c.per_place[0]:,.0f} (sd {c.per_place[1]:,.0f})" if s.displacement_per_place == FITTED else f"{float(s.displacement_per_place):,.0f} (set)",
             "claims": " ".join(c.per_place_claim_ids) if s.displacement_per_place == FITTED else "scenario file"},
            {"scenario": s.name, "quantity": f"road share ({s.road})",
             "value": (f"{c.road_share_counts[0]} of {c.road_share_counts[1]} captures" if s.road_share == FITTED else f"{float(s.road_share):.2f} (set)")
             + f"; {c.road_held} of {c.road_places} road places held at start",
             "claims": "control events (as above)" if s.road_share == FITTED else "scenario file"},
        ]
    df = pd.DataFrame(rows)
    # Scenarios sharing a calibration share these rows: list each once, with the scenarios using it.
    return df.groupby(["quantity", "value", "claims"], sort=False)["scenario"].agg("; ".join).reset_index()[["scenario", "quantity", "value", "claims"]]


def spec_overview(specs: Sequence[ScenarioSpec]) -> pd.DataFrame:
    """One row per scenario: name, short hash, file, dates, paths and what it assumes (for reports)."""
    return pd.DataFrame([{"scenario": s.name, "spec hash": s.short_hash, "file": s.source, "start": s.as_of.date(),
                          "end": s.end.date(), "paths": s.n_paths, "what it assumes": s.description} for s in specs])


def all_quantiles(results: Sequence[ScenarioResult]) -> pd.DataFrame:
    """Every scenario's daily quantiles in one table."""
    return pd.concat([r.quantiles() for r in results], ignore_index=True)
