"""Claim ids gathered from several places, each once, in the order first seen."""

from __future__ import annotations

from collections.abc import Iterable


def unique_ids(*groups: Iterable[str]) -> tuple[str, ...]:
    """The ids of ``groups`` in first-seen order, each once.

    Each item is split on white space, so a table cell listing several claim ids
    (``"c1 c2"``, as the ``claim_ids`` columns do) gives each of them; claim ids hold
    no white space.

    Parameters
    ----------
    *groups : iterable of str
        Ids, or space-separated lists of ids.

    Returns
    -------
    tuple of str

    Examples
    --------
    >>> unique_ids(["c2 c1", "c3"], ("c1", "c4"))
    ('c2', 'c1', 'c3', 'c4')
    """
    return tuple(dict.fromkeys(i for group in groups for item in group for i in item.split()))
