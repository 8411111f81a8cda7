"""Numeric precision codes beside the package's words, by one documented rule.

ACLED ``time_precision``: 1 = exact day, 2 = within a week, 3 = within a month
or vaguer (ACLED codebook). UCDP GED ``date_prec``: 1 = exact day, 2 = 2-6 days,
3 = one week, 4 = one month, 5 = longer (UCDP GED codebook). The package's
``date_precision`` word is cut at the same interval lengths
(``vocab.precision_for_days``), so each word maps to exactly one code of each.

ACLED ``geo_precision``: 1 = the named town itself, 2 = a nearby or part of a
region, 3 = only a larger region is known. A ``subdistrict_seat`` is drawn at a
sub-district centroid, which is a region reading: 2. ``unplaced`` has no code.
"""

from __future__ import annotations

from .. import vocab

ACLED_TIME_PRECISION: dict[str, int] = {"day": 1, "few_days": 2, "week": 2, "month": 3, "longer": 3}
UCDP_DATE_PREC: dict[str, int] = {"day": 1, "few_days": 2, "week": 3, "month": 4, "longer": 5}
ACLED_GEO_PRECISION: dict[str, int | None] = {"subdistrict_seat": 2, "unplaced": None}

assert set(ACLED_TIME_PRECISION) == set(vocab.DATE_PRECISIONS) == set(UCDP_DATE_PREC)
assert set(ACLED_GEO_PRECISION) == set(vocab.GEO_PRECISIONS)


def _lookup(table: dict, word: str, field: str):
    if word not in table:
        raise ValueError(f"{field}: unknown value {word!r}; expected one of {sorted(table)}")
    return table[word]


def time_precision(date_precision: str) -> int:
    """ACLED time_precision for a package date_precision word.

    >>> [time_precision(w) for w in ("day", "week", "longer")]
    [1, 2, 3]
    """
    return _lookup(ACLED_TIME_PRECISION, date_precision, "date_precision")


def date_prec(date_precision: str) -> int:
    """UCDP GED date_prec for a package date_precision word.

    >>> [date_prec(w) for w in ("day", "few_days", "week", "month", "longer")]
    [1, 2, 3, 4, 5]
    """
    return _lookup(UCDP_DATE_PREC, date_precision, "date_precision")


def geo_precision_code(geo_precision: str) -> int | None:
    """ACLED geo_precision for a package geo_precision word (None = unplaced)."""
    return _lookup(ACLED_GEO_PRECISION, geo_precision, "geo_precision")
