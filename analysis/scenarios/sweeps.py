"""Sweeps: a grid of scenario parameter values run point by point, in process or on Dask."""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..data.dataset import Dataset
from .engine import run
from .spec import (
    ScenarioError,
    _check_keys,
    _overridden,
    _raw,
    _read,
    _typed,
    load_spec,
    resolve_path,
)


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
    # Errors name the sweep file and its grid key: the base file is not where the typo is.
    for k, values in grid.axes:
        for value in values:
            try:
                load_spec(base, {k: value, "n_paths": grid.n_paths}, seeds)
            except ScenarioError as exc:
                if exc.key not in (k, "n_paths"):
                    raise
                raise ScenarioError(f"{exc.message} (in the base scenario {base.name})", file=path, key=f"grid.{k}" if exc.key == k else "n_paths") from None
    return grid


def run_points(base: Path, points: Sequence[Mapping[str, Any]], n_paths: int, dataset: Dataset, offset: int = 0) -> list[pd.DataFrame]:
    """Run sweep points (one spec each) in this process; one tidy frame per point, a row per threshold."""
    raw = json.loads(json.dumps(_raw(base), default=str))
    frames = []
    for i, point in enumerate(points):
        spec = _overridden(raw, base, {**point, "n_paths": n_paths})
        t = run(dataset, spec).thresholds(validate=False)
        for j, (key, value) in enumerate(point.items()):  # one column per grid key, after "point"
            t.insert(j, key, [value] * len(t))
        t.insert(0, "point", offset + i)
        frames.append(t)
    return frames


def sweep(grid: Grid, dataset: Dataset, scheduler: str | None = None, chunk_size: int = 250) -> pd.DataFrame:
    """Run every grid point; in-process, or on the Dask cluster at ``scheduler`` (``pip install .[dask]``).

    One row per point and threshold: ``point``, then one column per grid key (named as in the
    sweep file, holding the point's value), then the columns of ``SWEEP_PROBABILITIES``.
    """
    from ..data.tables import SWEEP_PROBABILITIES

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
    keys = [k for k, _ in grid.axes]
    declared = SWEEP_PROBABILITIES.validate(out[list(SWEEP_PROBABILITIES.columns)])
    return pd.concat([declared[["point"]], out[keys], declared.drop(columns="point")], axis=1)
