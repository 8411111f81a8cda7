"""What every forecasting model here shares: sample paths, quantile tables and proper scores.

A model's forecast is a :class:`Forecast`: Monte Carlo sample paths over a daily
date range, made with information up to ``as_of``. Quantile tables, interval
coverage, PIT values and CRPS (from :mod:`scoringrules`, not hand-written) are
computed from the samples the same way for every model, so the displacement and
territory backtests and the scenario engine score alike.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import numpy as np
import pandas as pd
from scipy.special import ndtri

from ..data.tables import (
    BACKTEST_NOTES,
    BACKTEST_SCORES,
    BACKTEST_SKIPPED,
    BACKTEST_SUMMARY,
    FORECAST_QUANTILES,
)

QUANTILES: tuple[float, ...] = (0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95)
QUANTILE_COLUMNS: tuple[str, ...] = tuple(f"q{round(q * 100):02d}" for q in QUANTILES)
# Central intervals whose coverage the backtests report, and the quantiles bounding them.
# The standard normal 95% quantile: a 90% central interval is mean +- Z90 sd (1.6448536269514722).
Z90: float = float(ndtri(0.95))
INTERVALS: dict[int, tuple[float, float]] = {50: (0.25, 0.75), 80: (0.10, 0.90), 90: (0.05, 0.95)}
HORIZONS: tuple[int, ...] = (7, 14, 28, 56)


@dataclass(frozen=True)
class Forecast:
    """Sample paths of a daily quantity: ``samples[path, day]`` for ``dates[day]``."""

    model: str
    as_of: pd.Timestamp
    dates: pd.DatetimeIndex
    samples: np.ndarray
    claim_ids: tuple[str, ...] = ()  # the claims the forecast rests on (all public by as_of)
    target: str = ""  # the quantity and unit the samples hold (the table's target column); each model names it
    notes: tuple[str, ...] = ()  # what the fit recorded (a fit that did not converge, an estimator's warnings)

    def __post_init__(self) -> None:
        if not self.target:
            raise ValueError("a forecast must name its target quantity")
        if self.samples.ndim != 2 or self.samples.shape[1] != len(self.dates):
            raise ValueError(f"samples shape {self.samples.shape} does not match {len(self.dates)} dates")

    def at(self, day: pd.Timestamp) -> np.ndarray:
        """Samples for one date (must lie within the forecast's dates)."""
        i = self.dates.get_loc(pd.Timestamp(day))
        return self.samples[:, i]

    def quantile_table(self) -> pd.DataFrame:
        """One row per day: target, date, model, as_of and the quantiles q05..q95."""
        q = np.quantile(self.samples, QUANTILES, axis=0, method="linear").T
        table = pd.DataFrame(q, columns=list(QUANTILE_COLUMNS))
        table.insert(0, "as_of", self.as_of)
        table.insert(0, "model", self.model)
        table.insert(0, "date", self.dates)
        table.insert(0, "target", self.target)
        return table


@dataclass(frozen=True)
class Backtest:
    """Scores per (origin, model, target), the (origin, model) pairs the data could not identify, and the fits' notes."""

    scores: pd.DataFrame
    skipped: pd.DataFrame
    notes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["as_of", "model", "note"]))


def fit_notes(as_of: pd.Timestamp, model: str, notes: tuple[str, ...]) -> list[dict]:
    """Rows of a backtest's notes table for one fit (none when the fit recorded nothing)."""
    return [{"as_of": as_of, "model": model, "note": n} for n in notes]


def notes_sentence(bt: Backtest) -> str:
    """A plain sentence on the backtest's fits that did not converge or raised a recorded warning.

    >>> import pandas as pd
    >>> scores = pd.DataFrame({"as_of": ["2019-12-23", "2019-12-23", "2020-01-08", "2020-01-08"],
    ...                        "model": ["gompertz", "drift", "gompertz", "ensemble"]})
    >>> notes = pd.DataFrame({"as_of": [pd.Timestamp("2019-12-23")], "model": ["gompertz"], "note": ["did not converge"]})
    >>> notes_sentence(Backtest(scores, pd.DataFrame(), notes))
    'Fits that did not converge or raised a recorded warning: 1 of the 3 (gompertz as of 2019-12-23); they are scored with the rest.'
    """
    fits = bt.scores[["as_of", "model"]].drop_duplicates()
    # A calibrated form reuses its model's fit and a combination (the ensemble) its members' fits: neither is a fit.
    from .registry import CALIBRATED_SUFFIX, FAMILIES

    combined = {name for family in FAMILIES.values() for name in family.combinations}
    fits = fits[~fits["model"].str.endswith(CALIBRATED_SUFFIX) & ~fits["model"].isin(combined)]
    if bt.notes.empty:
        return f"Every one of the {len(fits)} fits converged without a recorded warning."
    pairs = bt.notes[["as_of", "model"]].drop_duplicates().sort_values(["model", "as_of"])
    named = "; ".join(f"{m} as of {', '.join(str(pd.Timestamp(d).date()) for d in g['as_of'])}" for m, g in pairs.groupby("model", sort=True))
    return f"Fits that did not converge or raised a recorded warning: {len(pairs)} of the {len(fits)} ({named}); they are scored with the rest."


def write_quantiles(table: pd.DataFrame, stream: TextIO, decimals: int = 0) -> None:
    """Print a quantile table as CSV (the ``idlib forecast`` output), rounded to ``decimals``."""
    FORECAST_QUANTILES.write_csv(table, stream, float_format=f"%.{decimals}f")


def publish_backtest(bt, out_dir: Path, prefix: str) -> Path:
    """Write a backtest's scores, summary and gaps as ``<prefix>_*.csv`` into ``out_dir``, all or nothing."""
    out_dir = Path(out_dir)
    frames = {BACKTEST_SCORES: bt.scores, BACKTEST_SUMMARY: summarise_backtest(bt.scores), BACKTEST_SKIPPED: bt.skipped, BACKTEST_NOTES: bt.notes}
    # Validate everything before writing anything; each file is then replaced atomically.
    checked = {table: table.validate(table.conform(df)) for table, df in frames.items()}
    out_dir.mkdir(parents=True, exist_ok=True)
    for table, df in checked.items():
        table.write_csv(df, out_dir / f"{prefix}_{table.name.removeprefix('backtest_')}.csv")
    return out_dir


def rng_for(seed: int, model: str, as_of: pd.Timestamp) -> np.random.Generator:
    """A random generator fixed by (seed, model, cut-off): reruns give identical samples."""
    return np.random.default_rng([seed, zlib.crc32(model.encode()), int(as_of.value // 86_400_000_000_000) + 100_000])


def score_samples(observed: np.ndarray, samples: np.ndarray) -> pd.DataFrame:
    """Proper and calibration scores of ensembles ``samples[case, path]`` against ``observed[case]``.

    The observation comes first, as in scoringrules' ``crps_ensemble(obs, fct)`` that it wraps.

    Columns: the quantiles, CRPS (scoringrules' ensemble estimator), the PIT value
    (with ties split evenly), whether each central interval covers the observation,
    and the absolute percentage error of the median.

    Examples
    --------
    >>> s = score_samples(np.array([3.0]), np.array([[1.0, 2.0, 3.0, 4.0]]))
    >>> float(s["pit"].iloc[0]), float(s["q50"].iloc[0])
    (0.625, 2.5)
    """
    samples = np.asarray(samples, dtype=float)
    observed = np.asarray(observed, dtype=float)
    if observed.ndim != 1 or samples.ndim != 2 or len(observed) != len(samples):
        raise ValueError(
            f"score_samples(observed, samples) takes observed[case] and samples[case, path]; got shapes "
            f"{observed.shape} and {samples.shape}"
        )
    q = np.quantile(samples, QUANTILES, axis=1).T
    out = pd.DataFrame(q, columns=list(QUANTILE_COLUMNS))
    import scoringrules as sr  # imported here: its numba kernels compile on import (about 5 s)

    out["crps"] = np.asarray(sr.crps_ensemble(observed, samples, m_axis=-1), dtype=float)
    below = (samples < observed[:, None]).mean(axis=1)
    equal = (samples == observed[:, None]).mean(axis=1)
    out["pit"] = below + equal / 2
    for level, (lo, hi) in INTERVALS.items():
        out[f"covered_{level}"] = (q[:, QUANTILES.index(lo)] <= observed) & (observed <= q[:, QUANTILES.index(hi)])
    median = q[:, QUANTILES.index(0.5)]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["ape"] = np.where(observed != 0, np.abs(median - observed) / np.abs(observed), np.nan)
    return out


def horizon_bucket(lead_days: int, horizons: tuple[int, ...] = HORIZONS) -> int | None:
    """The backtest horizon a lead time counts toward: the smallest horizon at or above it."""
    for h in horizons:
        if lead_days <= h:
            return h
    return None


def summarise_backtest(scores: pd.DataFrame, reference: tuple[str, ...] = ("persistence", "drift")) -> pd.DataFrame:
    """Per model and horizon: cases, mean CRPS, coverage, median APE, and CRPS skill.

    Skill against a reference model is ``1 - CRPS_model / CRPS_reference`` over the
    cases (origin, target) that both models scored, so unequal availability cannot
    flatter a model.
    """
    if scores.empty:
        return pd.DataFrame()
    keys = ["as_of", "target_id"]
    rows = []
    for (model, h), g in scores.groupby(["model", "horizon_days"], sort=True):
        row = {
            "model": model,
            "horizon_days": h,
            "cases": len(g),
            "crps": g["crps"].mean(),
            **{f"coverage_{lvl}": g[f"covered_{lvl}"].mean() for lvl in INTERVALS},
            "median_ape": g["ape"].median(),
        }
        for ref in reference:
            r = scores[(scores["model"] == ref) & (scores["horizon_days"] == h)]
            both = g.merge(r[[*keys, "crps"]], on=keys, suffixes=("", "_ref"))
            denom = both["crps_ref"].sum()
            row[f"skill_vs_{ref}"] = 1 - both["crps"].sum() / denom if len(both) and denom > 0 else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def lognormal_paths(centre: np.ndarray, log_sd: np.ndarray, rng: np.random.Generator, n_paths: int) -> np.ndarray:
    """Comonotone sample paths with lognormal marginals: one standard normal draw per path.

    Used where a model gives each day's predictive distribution but not the joint
    one; the marginals (and so every per-day quantile and score) are exact.
    """
    z = rng.standard_normal(n_paths)[:, None]
    return centre[None, :] * np.exp(z * log_sd[None, :])
