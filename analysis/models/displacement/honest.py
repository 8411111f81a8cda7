"""Honest numbers for prose: people rounded to what the data support, clipped bounds named as such.

A forecast of a few reports a week cannot support seven significant digits, so
prose prints people to two or three significant figures (:func:`people`). Every
sample path is capped at the population at risk; a quantile that sits on that cap
is the cap, not a model quantile, so :func:`interval` says "at the population
ceiling" instead of printing it as a bound.
"""

from __future__ import annotations

import math

from ...core.errors import ParameterError

# A quantile within this relative distance of the population at risk is read as clipped there.
CEILING_TOLERANCE = 1e-6


def round_sig(x: float, sig: int = 2) -> float:
    """``x`` rounded to ``sig`` significant figures (0 stays 0)."""
    if sig < 1:
        raise ParameterError(f"must be at least 1, got {sig}", parameter="sig")
    if x == 0 or not math.isfinite(x):
        return float(x)
    digits = sig - 1 - math.floor(math.log10(abs(x)))
    return float(round(x, digits))


def people(x: float, sig: int = 2) -> str:
    """A count of people for prose: ``sig`` significant figures, thousands separated ("680,000")."""
    return f"{round_sig(float(x), sig):,.0f}"


def at_ceiling(value: float, ceiling: float | None) -> bool:
    """Whether a quantile is the population cap rather than a model quantile."""
    return ceiling is not None and value >= ceiling * (1 - CEILING_TOLERANCE)


def interval(lo: float, hi: float, ceiling: float | None, level: int = 80, sig: int = 2) -> str:
    """An interval phrase for prose, e.g. "80% interval 430,000 to at the population ceiling (3,000,000)"."""
    low = f"at the population ceiling ({people(ceiling, sig)})" if at_ceiling(lo, ceiling) else people(lo, sig)
    if at_ceiling(hi, ceiling):
        return f"{level}% interval from {low} up to the population ceiling ({people(ceiling, sig)}); the upper bound is the cap, not a model quantile"
    return f"{level}% interval {low} to {people(hi, sig)}"


def width_ratio(lo: float, hi: float, median: float) -> float:
    """Interval width against the median: (hi - lo) / median."""
    return (hi - lo) / median if median > 0 else math.inf


def trust_sentence(summary, model: str, horizon: int) -> str:
    """A plain sentence on what the backtest says of ``model`` at ``horizon`` days (a summarise_backtest table)."""
    row = summary[(summary["model"] == model) & (summary["horizon_days"] == horizon)]
    if row.empty:
        return f"The backtest has no case of {model} at {horizon} days, so it says nothing about trusting it there."
    r = row.iloc[0]
    n = int(r["cases"])
    held = int(round(r["coverage_80"] * n))
    skill = r["skill_vs_persistence"]
    verdict = "better than" if skill > 0.05 else "worse than" if skill < -0.05 else "no better than"
    strength = "weak evidence" if n < 10 else "some evidence" if n < 30 else "reasonable evidence"
    return (
        f"At {horizon} days the backtest scored {model} on {n} later reports: its 80% interval held {held} of them, "
        f"the median was off by {r['median_ape']:.0%} (median), and it was {verdict} persistence "
        f"(CRPS skill {skill:+.0%}). {n} cases are {strength}."
    )


CEILING_CELL = "at the population ceiling"


def people_columns(table, columns, ceiling: float | None, sig: int = 3):
    """A copy of ``table`` for print: ``columns`` as people to ``sig`` significant figures, the cap named.

    A quantile at the population ceiling is the cap every path is clipped to, not a
    model quantile, so its cell reads "at the population ceiling" instead of a number;
    a missing value (a model that could not answer) stays empty.

    Parameters
    ----------
    table : pandas.DataFrame
        Rows with numeric columns of people (e.g. :func:`~.evaluate.compare_models`).
    columns : sequence of str
        The columns to format.
    ceiling : float or None
        The population at risk the forecasts were capped at.
    sig : int
        Significant figures.

    Returns
    -------
    pandas.DataFrame
        The same rows, those columns as text.
    """
    out = table.copy()
    for col in columns:
        out[col] = [
            "" if v != v else CEILING_CELL if at_ceiling(float(v), ceiling) else people(float(v), sig)
            for v in table[col].to_numpy(dtype=float)
        ]
    return out


def headline_paragraph(head: dict, summary, baseline: str, n_claims: int) -> str:
    """The report's answer in one paragraph: the forecast, its width against the figure, what came later,
    and what the backtest says of the model at this horizon.

    Parameters
    ----------
    head : dict
        :func:`~.evaluate.headline` of the forecast.
    summary : pandas.DataFrame
        The backtest summary (:func:`~analysis.models.base.summarise_backtest`).
    baseline : str
        The case baseline date as printed.
    n_claims : int
        Claims the forecast rests on.

    Returns
    -------
    str
        Markdown prose.
    """
    from ..base import HORIZONS, horizon_bucket

    median, lo, hi, ceiling = head["median"], head["q10"], head["q90"], head["ceiling"]
    lead = (head["target_date"] - head["as_of"]).days
    parts = [
        f"As of {head['as_of']:%-d %B %Y}, the **{head['model']}** model expected about **{people(median)}** people displaced "
        f"since {baseline} by {head['target_date']:%-d %B %Y}, {lead} days later ({interval(lo, hi, ceiling)})."
    ]
    capped = " (its upper end is the cap, so the model's own interval is wider still)" if at_ceiling(hi, ceiling) else ""
    parts.append(f"The 80% interval spans {width_ratio(lo, hi, median):.1f} times the expected figure{capped}.")
    if head.get("report_id"):
        v = head["report_value"]
        where = "inside the 80% interval" if lo <= v <= hi else "below the 80% interval" if v < lo else "above the 80% interval"
        parts.append(
            f"The reports later said {people(v, 3)} for {head['report_date']:%-d %B %Y} ({head['report_source']}, claim `{head['report_id']}`): "
            f"{where}; the median was {abs(median / v - 1):.0%} {'above' if median > v else 'below'} it."
        )
    else:
        parts.append("No later report of the figure exists.")
    bucket = horizon_bucket(lead)
    if bucket is None:
        parts.append(f"The backtest scores forecasts up to {max(HORIZONS)} days ahead; at {lead} days it says nothing about this model.")
    elif summary is not None and len(summary):
        parts.append(trust_sentence(summary, head["model"], bucket).replace(f"At {bucket} days", f"At this horizon (the backtest's {bucket}-day bucket)", 1))
    parts.append(
        f"The forecast rests on {n_claims} claims, all public by the cut-off; it is a forecast of the figure the UN would report, so it includes reporting noise."
    )
    return " ".join(parts)
