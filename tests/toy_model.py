"""Toy models, registered only by tests/test_registry.py: displacement held flat, territory at its last three days' rate.

It shows what a new model is: one module defining an object with ``name``, ``family``,
``needs``, ``fit(data, spec)`` and ``simulate(fitted, days, *, n_paths, seed)``, plus one
``Entry`` in :data:`analysis.models.registry.ENTRIES`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.models.base import lognormal_paths, rng_for
from analysis.models.displacement import Fit, FitData, NotEnoughData
from analysis.models.territory import glm

LOG_SD = 0.1  # the toy's fixed spread: 10% on the log scale, whatever the lead time


@dataclass(frozen=True)
class Flat:
    name: str = "toy_flat"
    family: str = "displacement"
    needs: int = 1

    def fit(self, data: FitData, spec) -> Fit:
        series = data.measurements.stock_series
        if len(series) < self.needs:
            raise NotEnoughData(f"{self.name} needs a regional report by {spec.as_of.date()}", parameter="model")
        return Fit(self.name, spec.as_of, data.measurements, float(series["value"].iloc[-1]), data.stock_claim_ids)

    def simulate(self, fitted: Fit, days: np.ndarray, *, n_paths: int, seed: int) -> np.ndarray:
        rng = rng_for(seed, fitted.model, fitted.as_of)
        return lognormal_paths(np.full(len(days), fitted.detail), np.full(len(days), LOG_SD), rng, n_paths)


TOY_FLAT = Flat()


@dataclass(frozen=True)
class RecentRate:
    """Each side's captures continue at their mean daily rate over the last three days before the cut-off."""

    name: str = "toy_recent"
    family: str = "territory"
    needs: int = 0

    def fit(self, data: glm.FitData, spec) -> glm.TerritoryFit:
        return glm.fit_rates(data, spec, self._rate)

    @staticmethod
    def _rate(y: np.ndarray, phases: np.ndarray) -> float:
        return float(y[:, -3:].mean())

    def simulate(self, fitted: glm.TerritoryFit, days: np.ndarray, *, n_paths: int, seed: int) -> np.ndarray:
        days = np.asarray(days, dtype=int)
        return glm.simulate(fitted, int(days.max()), n_paths, seed)[:, days - 1]


TOY_RECENT = RecentRate()
