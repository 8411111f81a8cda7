"""An ensemble of the displacement models, weighted on their own earlier backtest errors.

Method: inverse-score weighting (Taylor and Taylor 2023, "Combining probabilistic
forecasts of COVID-19 mortality in the United States", *European Journal of
Operational Research* 304: 25-41, who weight by the inverse of past interval
scores). The forecast as of ``T`` is the mixture ``sum_k w_k F_k`` of the models
``k`` that the data at ``T`` can identify, with

    ``w_k ∝ 1 / S_k``,  ``S_k = mean over the common cases c of CRPS_k(c) / mean_j CRPS_j(c)``,

the relative CRPS of model ``k`` on the backtest cases that every member scored,
taken from origins before ``T`` whose target report was public by ``T`` (so the
weights use no hindsight). Dividing by the members' mean CRPS on each case keeps the
weights scale-free: the later, larger figures do not outweigh the early ones. The
weights are shrunk toward equal with ``PRIOR_CASES`` pseudo-cases,
``w = n/(n+k) w_inv + k/(n+k) / K``; with no common case they are equal.

The mixture's sample paths are the members' own paths: member ``k`` contributes
its first ``n_k`` paths, ``n_k`` the largest-remainder rounding of ``w_k n``, so
every path is a path of one model (capped and floored like all of them) and the
result is reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .calibration import earlier_cases

NAME = "ensemble"
PRIOR_CASES = 2.0
_KEYS = ["as_of", "target_id"]


@dataclass(frozen=True)
class Weights:
    """Each member's weight and the number of earlier cases they rest on."""

    weights: pd.Series  # member -> weight, summing to 1
    cases: int

    @property
    def note(self) -> str:
        if self.cases == 0:
            return "equal weights: no earlier backtest case common to the members was known by the cut-off"
        top = self.weights.sort_values(ascending=False, kind="stable").head(3)
        lead = ", ".join(f"{m} {w:.0%}" for m, w in top.items())
        return f"weights from {self.cases} earlier backtest cases (inverse relative CRPS); largest: {lead}"


def weights(scores: pd.DataFrame, target_info: pd.Series, members: tuple[str, ...], as_of: pd.Timestamp) -> Weights:
    """Inverse relative-CRPS weights of ``members`` from backtest ``scores`` known by ``as_of``.

    Parameters
    ----------
    scores : pandas.DataFrame
        Backtest rows (``model``, ``as_of``, ``target_id``, ``crps``) of the members, any origins.
    target_info : pandas.Series
        Information date of each target report, by claim id.
    members : tuple of str
        The models the ensemble mixes at ``as_of`` (those the data then could identify).
    as_of : pandas.Timestamp
        The cut-off: only rows from earlier origins whose target was public by it count.

    Returns
    -------
    Weights
        One weight per member (summing to 1) and how many cases they rest on.
    """
    if not members:
        raise ValueError("an ensemble needs at least one member")
    k = len(members)
    equal = pd.Series(1.0 / k, index=list(members))
    per = [earlier_cases(scores, target_info, m, as_of)[[*_KEYS, "crps"]].set_index(_KEYS)["crps"].rename(m) for m in members]
    common = pd.concat(per, axis=1, join="inner") if per else pd.DataFrame()
    common = common[(common.mean(axis=1) > 0)] if len(common) else common
    n = len(common)
    if n == 0:
        return Weights(equal, 0)
    relative = common.div(common.mean(axis=1), axis=0).mean(axis=0)
    inv = 1.0 / np.maximum(relative.to_numpy(dtype=float), 1e-9)
    shrink = n / (n + PRIOR_CASES)
    w = shrink * inv / inv.sum() + (1 - shrink) / k
    return Weights(pd.Series(w / w.sum(), index=list(members)), n)


def allocate(w: np.ndarray, n: int) -> np.ndarray:
    """Largest-remainder rounding of ``w * n`` to whole paths summing to ``n`` (ties to the earlier member)."""
    raw = np.asarray(w, dtype=float) * n
    counts = np.floor(raw).astype(int)
    short = n - int(counts.sum())
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[:short]] += 1
    return counts


def mix(samples: dict[str, np.ndarray], w: Weights, n_paths: int) -> np.ndarray:
    """The mixture's sample paths: each member's first ``n_k`` paths, members in ``samples`` order.

    Parameters
    ----------
    samples : dict of str to numpy.ndarray
        Each member's paths ``[path, day]`` on the same days, at least ``n_paths`` each.
    w : Weights
        The members' weights (:func:`weights`).
    n_paths : int
        Paths in the mixture.

    Returns
    -------
    numpy.ndarray
        ``(n_paths, days)``.
    """
    names = list(samples)
    counts = allocate(w.weights.reindex(names).to_numpy(dtype=float), n_paths)
    parts = [samples[m][:c] for m, c in zip(names, counts, strict=True) if c]
    if any(len(p) < c for p, c in zip(parts, counts[counts > 0], strict=True)):
        raise ValueError("a member has fewer paths than its share of the mixture")
    return np.concatenate(parts, axis=0)


def ensemble_forecast(dataset, as_of: pd.Timestamp, horizon_days: int, n_paths: int = 10_000, seed: int = 0, backtest_paths: int | None = None):
    """The ensemble's forecast as of ``as_of``, weighted on a backtest within ``dataset.as_of(as_of)``.

    The backtest runs on the as-of view, so its origins are earlier and its targets
    were public by the cut-off: nothing published later can reach the weights.
    Returns the forecast (model ``ensemble``) and the weights' note.
    """
    from ..base import Forecast
    from .api import MODELS, TARGET, fit, simulate
    from .evaluate import backtest, backtest_targets
    from .measurement import NotEnoughData

    cut = pd.Timestamp(as_of)
    view = dataset.as_of(cut)
    dates = pd.date_range(cut + pd.Timedelta(days=1), periods=horizon_days, freq="D")
    members, claim_ids = {}, []
    for model in MODELS:
        try:
            f = fit(dataset, cut, model)
        except NotEnoughData:
            continue
        days = np.array([f.measurements.day(d) for d in dates])
        members[model] = simulate(f, days, n_paths, seed)
        claim_ids += [i for i in f.claim_ids if i not in claim_ids]
    bt = backtest(view, MODELS, n_paths=min(n_paths, 2000) if backtest_paths is None else backtest_paths, seed=seed, calibrated=False, ensemble=False)
    info = backtest_targets(view).set_index("claim_id")["info_date"]
    scores = bt.scores if not bt.scores.empty else pd.DataFrame(columns=["model", "as_of", "target_id", "crps"])
    # Cases from origins up to the cut-off itself count when their target was public by it.
    w = weights(scores, info, tuple(members), cut + pd.Timedelta(days=1))
    return Forecast(NAME, cut, dates, mix(members, w, n_paths), tuple(claim_ids), target=TARGET), w
