"""Checks of single values that need no data: each raises a ParameterError naming the parameter.

One argument order everywhere: the value first, then what it is checked against,
then the keyword ``name`` of the parameter the message names.

>>> check_horizon(14)
14
>>> check_choice("drift", ("persistence", "drift"), what="model", name="model")
'drift'
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from .errors import ParameterError


def parse_date(value: str | date, *, name: str) -> date:
    """An ISO date string (or a date or Timestamp already) as a date.

    Parameters
    ----------
    value : str, datetime.date or pandas.Timestamp
        ``YYYY-MM-DD`` or a date.
    name : str
        The parameter the error names.

    Raises
    ------
    ParameterError
        When ``value`` is not an ISO date.

    Examples
    --------
    >>> parse_date("2020-01-08", name="as_of")
    datetime.date(2020, 1, 8)
    """
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"expected an ISO date YYYY-MM-DD, got {value!r}", parameter=name) from exc


def check_date_in_coverage(value: str | date, first: pd.Timestamp, last: pd.Timestamp, *, name: str) -> pd.Timestamp:
    """A date that must fall within ``first..last`` (the data's coverage for its use), as a Timestamp.

    Examples
    --------
    >>> check_date_in_coverage("2020-01-08", pd.Timestamp("2019-12-01"), pd.Timestamp("2020-06-30"), name="as_of")
    Timestamp('2020-01-08 00:00:00')
    """
    d = pd.Timestamp(parse_date(value, name=name))
    if d < first or d > last:
        raise ParameterError(f"{d.date()} is outside the data's coverage {first.date()}..{last.date()}", parameter=name)
    return d


def check_horizon(value: int, *, name: str = "horizon_days") -> int:
    """A forecast horizon: a whole number of days, at least 1."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParameterError(f"expected a whole number of days, got {value!r}", parameter=name)
    if value <= 0:
        raise ParameterError(f"must be at least 1 day, got {value}", parameter=name)
    return int(value)


def check_choice(value: str, known: tuple[str, ...], *, what: str, name: str) -> str:
    """``value`` must be one of ``known``; the message lists them in order."""
    if value not in known:
        raise ParameterError(f"unknown {what} {value!r}; choose one of {', '.join(known)}", parameter=name)
    return value


def check_positive(value: int | float, *, name: str) -> int | float:
    """A count or size that must be above zero."""
    if value <= 0:
        raise ParameterError(f"must be positive, got {value}", parameter=name)
    return value
