"""The scoring stage: the prediction registry goes out with the dataset; resolutions and scores are their own stage.

``idlib dataset`` publishes the claim tables and the prediction registry (parsed from
``seeds/predictions/``, no model fitted). ``idlib score --publish`` then resolves every
reading against the published dataset and scores it on every verbal scale, the models'
probabilities included, into ``reports/scores/`` (``resolutions.csv``,
``prediction_scores.csv``): model-derived tables never land beside the claim tables.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..core.io import atomic_dir
from ..data.dataset import Dataset
from .analyst import score
from .registry import load_registry, predictions_dir
from .resolution import resolutions


def registry_tables(dataset: Dataset, seeds: Path | None = None) -> tuple:
    """(table, frame) pairs published with the dataset: the prediction registry (empty when the seeds hold no predictions)."""
    from ..data.tables import PREDICTIONS

    if not predictions_dir(seeds).is_dir():
        return ()
    registry, _ = load_registry(dataset, seeds)
    return ((PREDICTIONS, registry),)


def score_tables(dataset: Dataset, seeds: Path | None = None, scales=None) -> tuple:
    """(table, frame) pairs of the scoring stage: every reading resolved, and its scores on every scale."""
    from ..data.tables import PREDICTION_SCORES, RESOLUTIONS
    from .wep import load_scales

    if not predictions_dir(seeds).is_dir():
        return ()
    scales = scales or load_scales()
    registry, rules = load_registry(dataset, seeds)
    res = resolutions(registry, rules, dataset)
    cache: dict = {}
    scores = pd.concat([score(registry, res, dataset, s, scales, rules, cache=cache) for s in scales.names], ignore_index=True)
    return ((RESOLUTIONS, res), (PREDICTION_SCORES, scores))


def publish_scores(dataset: Dataset, out_dir: Path, seeds: Path | None = None, scales=None) -> Path:
    """Write :func:`score_tables` as ``<table>.csv`` into ``out_dir``, all or nothing (a failure keeps the previous files)."""
    tables = score_tables(dataset, seeds, scales)
    with atomic_dir(Path(out_dir)) as staging:
        for table, frame in tables:
            table.write_csv(frame, staging / f"{table.name}.csv")
    return Path(out_dir)


def published_tables(dataset: Dataset, seeds: Path | None = None, scales=None) -> tuple:
    """Every prediction table: the registry (published with the dataset) and the scoring stage's tables."""
    return (*registry_tables(dataset, seeds), *score_tables(dataset, seeds, scales))
