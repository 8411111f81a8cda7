"""A toy displacement model, registered only by tests/test_registry.py: the last regional report, held flat.

It shows what a new model is: one module defining an object with ``name``, ``family``,
``needs``, ``fit(data, spec)`` and ``simulate(fitted, days, *, n_paths, seed)``, plus one
``Entry`` in :data:`analysis.models.registry.ENTRIES`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.models.base import lognormal_paths, rng_for
from analysis.models.displacement import Fit, FitData, NotEnoughData

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
