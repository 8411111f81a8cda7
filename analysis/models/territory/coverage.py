"""How completely the named places cover the changes of hands that aggregate claims report."""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy.special import expit

from ...core.errors import ParameterError
from ...data.changes import changes_of_hands
from ...data.dataset import Dataset
from ..base import Z90

COMPLETENESS_COLUMNS = ("claim_id", "side", "date_start", "date_end", "qualifier", "claimed", "named", "ratio", "source")


def completeness(dataset: Dataset) -> pd.DataFrame:
    """Aggregate ``places_captured`` claims against the named places over the same interval.

    ``named`` counts changes to the claim's side whose interval overlaps the
    claim's (for a stock, from its baseline). The ratio named/claimed is the
    share of the claimed places the documents name.
    """
    obs = dataset.observations
    agg = obs[obs["variable"] == "places_captured"].copy()
    ch = changes_of_hands(dataset.control_events).changes
    rows = []
    for r in agg.itertuples():
        lo = r.baseline_date if (r.kind == "stock" and pd.notna(r.baseline_date)) else r.date_start
        if r.kind == "stock" and pd.isna(r.baseline_date):
            continue  # no interval to compare
        sel = ch[(ch["to_side"] == r.side) & (ch["date_end"] >= lo) & (ch["date_start"] <= r.date_end)]
        rows.append({"claim_id": r.claim_id, "side": r.side, "date_start": lo, "date_end": r.date_end, "qualifier": r.qualifier,
                     "claimed": r.value, "named": len(sel), "ratio": len(sel) / r.value, "source": r.source})
    # With no aggregate claim the table is empty but keeps its columns, so callers can filter it.
    return pd.DataFrame(rows, columns=COMPLETENESS_COLUMNS)


def completeness_model(dataset: Dataset, side: str = "government") -> dict:
    """How complete the named places are: the aggregate claims as observations of the same process.

    Each aggregate claim of places taken by ``side`` over an interval (``completeness``)
    is read as the true count K over that interval; the named changes n over the
    same interval are a binomial thinning of it, n ~ Binomial(K, c). The share c
    is fitted by a binomial GLM with an intercept only (statsmodels); its standard
    error is widened by the Pearson dispersion when that exceeds 1 (quasi-binomial),
    since the claims overlap and are not independent.
    A claim with more named places than it claims counts K = n. "More than"
    claims are read at their value, which makes c an upper bound.
    """
    comp = completeness(dataset)
    comp = comp[comp["side"] == side]
    if len(comp) < 2:
        raise ParameterError(f"fewer than two aggregate claims of places taken by the {side}", parameter="dataset")
    k = np.maximum(comp["claimed"].to_numpy(float), comp["named"].to_numpy(float))
    n = comp["named"].to_numpy(float)
    endog = np.column_stack([n, k - n])
    res = sm.GLM(endog, np.ones((len(n), 1)), family=sm.families.Binomial()).fit()
    dispersion = float(res.pearson_chi2 / max(res.df_resid, 1))
    b, se = float(res.params[0]), float(res.bse[0]) * np.sqrt(max(dispersion, 1.0))  # never narrower than binomial
    return {"side": side, "share": expit(b), "low90": expit(b - Z90 * se), "high90": expit(b + Z90 * se),
            "claims": len(comp), "named": int(n.sum()), "claimed": int(k.sum()), "dispersion": dispersion,
            "claim_ids": tuple(comp["claim_id"]), "table": comp}


def latent_captures(series: pd.DataFrame, model: dict) -> pd.DataFrame:
    """Cumulative places taken by the model's side, named and estimated in full (named / completeness, 90% band)."""
    col = "government_captures" if model["side"] == "government" else "opposition_captures"
    named = series[col].cumsum()
    return pd.DataFrame({"date": series["date"], "named": named, "estimate": named / model["share"],
                         "low90": named / model["high90"], "high90": named / model["low90"]})
