"""Displacement reports as measurements: which source class, which interval of the latent curve, which likelihood."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...core.errors import ParameterError
from ...data.dataset import Dataset

VARIABLE = "displaced_people"


class NotEnoughData(ParameterError):
    """The data known as of the cut-off cannot identify the chosen model."""


@dataclass(frozen=True)
class GrowthPriors:
    """Weak priors (penalties) of the growth-curve models, on their unconstrained scales.

    ``share``: logit of the ceiling's share of the population at risk; centre 0.25
    (the UN's 2018 warning was 700,000 of 3 million), sd 1.5 on the logit scale,
    so the 90% prior range is roughly 2% to 85%.
    ``rate``: log growth rate per day; centre 0.05/day, sd 1.
    ``midpoint``: days from the baseline to the curve's inflection; centre 60, sd 60.
    ``sigma``: log report noise; centre 0.15 (15%), sd 0.7.
    ``shape``: Richards' log shape; centre 0 (logistic), sd 0.7.
    ``regime``: log rate multiplier of a non-initial regime; centre 0, sd 1.
    """

    share: tuple[float, float] = (math.log(0.25 / 0.75), 1.5)
    rate: tuple[float, float] = (math.log(0.05), 1.0)
    midpoint: tuple[float, float] = (60.0, 60.0)
    sigma: tuple[float, float] = (math.log(0.15), 0.7)
    shape: tuple[float, float] = (0.0, 0.7)
    regime: tuple[float, float] = (0.0, 1.0)


def source_class(source: str) -> str:
    """``un`` for UN-system sources (the text names the UN or OCHA), else ``other``."""
    words = str(source).replace("-", " ").split()
    return "un" if any(w in ("UN", "OCHA", "UNHCR", "UNICEF") for w in words) else "other"


@dataclass(frozen=True)
class Measurements:
    """Displacement observations on the model's day grid (day 0 is the day before the baseline)."""

    origin: pd.Timestamp  # grid day 0: C is zero at the end of this day
    table: pd.DataFrame  # one row per observation, model-ready
    population_at_risk: float
    population_claim_ids: tuple[str, ...]

    def day(self, when) -> int:
        return int((pd.Timestamp(when) - self.origin).days)

    @functools.cached_property
    def stock_series(self) -> pd.DataFrame:
        """Regional figures of ``C`` itself (counted from the case baseline), for the baselines and the trend model.

        Stocks since the baseline, flows that start on it, and regional stocks with no
        stated baseline (read as since the baseline: an approximation the growth
        curves do not need). Lower bounds enter at their value; upper bounds stay out.
        Reports for the same day are combined by their geometric mean.
        """
        t = self.table
        keep = t["region"] & (t["qualifier_class"] != "upper") & ((t["start"] == 0) | t["start"].isna())
        t = t[keep].sort_values(["end", "claim_id"])
        ends = t["end"].to_numpy(dtype=int)
        days, first = np.unique(ends, return_index=True)
        logv = np.log(t["value"].to_numpy())
        ids = t["claim_id"].to_numpy()
        bounds = [*first[1:], len(t)] if len(t) else []
        return pd.DataFrame(
            {
                "end": days,
                "value": [float(np.exp(logv[i:j].mean())) for i, j in zip(first, bounds, strict=True)],
                "claim_ids": [" ".join(ids[i:j]) for i, j in zip(first, bounds, strict=True)],
            }
        )

    @property
    def dated_stocks(self) -> pd.DataFrame:
        """:attr:`stock_series` with the calendar ``date`` each figure refers to."""
        s = self.stock_series
        return s.assign(date=self.origin + pd.to_timedelta(s["end"], unit="D"))


@dataclass(frozen=True)
class Fit:
    """A fitted model as of a date: everything needed to simulate forward."""

    model: str
    as_of: pd.Timestamp
    measurements: Measurements
    detail: object  # the statsmodels results, or the baseline's own summary
    claim_ids: tuple[str, ...]
    notes: tuple[str, ...] = ()  # what the fit recorded: an optimiser that stopped before converging


@dataclass(frozen=True)
class FitData:
    """What a displacement model is fitted on: the dataset as of the cut-off and its measurements."""

    view: Dataset
    measurements: Measurements

    @property
    def stock_claim_ids(self) -> tuple[str, ...]:
        """The claims behind :attr:`Measurements.stock_series` and the population at risk."""
        m = self.measurements
        return (*(i for day in m.stock_series["claim_ids"] for i in day.split()), *m.population_claim_ids)


def measurements(dataset: Dataset, population_at_risk: float | None = None) -> Measurements:
    """The model-ready displacement observations of ``dataset`` (already cut to an as-of view)."""
    case = dataset.case
    obs = dataset.observations
    origin = pd.Timestamp(case.displacement_baseline_date) - pd.Timedelta(days=1)
    disp = obs[obs["variable"] == VARIABLE].sort_values("claim_id").reset_index(drop=True)
    region = disp["area"].isin(case.region_areas)
    day = lambda s: (s - origin).dt.days  # noqa: E731
    start = pd.Series(np.nan, index=disp.index)
    flows = disp["kind"] == "flow"
    start[flows] = day(disp.loc[flows, "date_start"]) - 1
    stated = (disp["kind"] == "stock") & disp["baseline_date"].notna()
    start[stated] = day(disp.loc[stated, "baseline_date"]) - 1
    qclass = disp["qualifier_class"].where(region, "lower")
    table = pd.DataFrame(
        {
            "claim_id": disp["claim_id"],
            "source": disp["source"],
            "source_class": disp["source"].map(source_class),
            "region": region,
            "qualifier_class": qclass,
            "value": disp["value"].astype(float),
            "value_low": disp["value_low"].astype(float),
            "value_high": disp["value_high"].astype(float),
            "start": start.clip(lower=0),  # NaN: baseline not stated
            "end": day(disp["date_end"]).clip(lower=0),
            "date_end": disp["date_end"],
            "info_date": disp["info_date"],
            "kind": disp["kind"],
            "baseline_date": disp["baseline_date"],
        }
    )
    if population_at_risk is None:
        pop = obs[(obs["variable"] == "population") & obs["area"].isin(case.region_areas)]
        if pop.empty:
            raise ParameterError(
                "no regional population figure is known by this date; pass population_at_risk explicitly",
                parameter="population_at_risk",
            )
        latest = pop[pop["info_date"] == pop["info_date"].max()]
        population_at_risk = float(latest["value"].max())
        ids = tuple(latest.loc[latest["value"] == population_at_risk, "claim_id"])
    else:
        if population_at_risk <= 0:
            raise ParameterError(f"must be positive, got {population_at_risk}", parameter="population_at_risk")
        ids = ()
    return Measurements(origin, table, float(population_at_risk), ids)
