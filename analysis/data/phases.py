"""Phases of a conflict from its milestones: which phase holds on each day.

A case file lists milestone ids, each starting a named phase. A milestone only
switches the phase once it is in the (as-of) milestones table given, so a fit as
of a date knows only the phases announced by then; after the cut-off the phase
then in force continues.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def phase_schedule(
    milestones: pd.DataFrame,
    phases: tuple[tuple[str, str], ...],
    initial: str,
    origin: pd.Timestamp,
    n_days: int,
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Phase index per day (day 0 = ``origin``) and the labels (index 0 = ``initial``)."""
    labels = (initial, *(label for _, label in phases))
    idx = np.zeros(n_days, dtype=int)
    ms = milestones.set_index("milestone_id")
    switches = sorted(
        (int((ms.at[mid, "date_start"] - origin).days), i + 1)
        for i, (mid, _) in enumerate(phases)
        if mid in ms.index
    )
    for day, k in switches:
        idx[max(day, 0):] = k
    return idx, labels


def territory_phases(dataset, origin: pd.Timestamp, n_days: int) -> tuple[np.ndarray, tuple[str, ...]]:
    """:func:`phase_schedule` of the case's territory phases over ``dataset``'s milestones (an as-of view stays as of)."""
    case = dataset.case
    return phase_schedule(dataset.milestones, case.territory_phases, case.territory_initial_phase, origin, n_days)
