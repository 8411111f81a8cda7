"""One figure style for every report: matplotlib rcParams, side colours and fixed output."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import matplotlib as mpl
import matplotlib.dates as mdates
import matplotlib.ticker as mticker
import matplotlib.units as munits
import numpy as np

P = ParamSpec("P")
R = TypeVar("R")

SIDE_COLOURS = {
    "government": "#b2182b",
    "opposition": "#2166ac",
    "contested": "#969696",
    "turkey": "#e08214",
    "russia": "#542788",
    "other": "#4d4d4d",
    "united_nations": "#1b7837",
}
QUALIFIER_MARKERS = {"point": "o", "lower": "^", "upper": "v", "below_close": "v", "symmetric": "D", "range": "|"}

RC = {
    "figure.figsize": (8.0, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "figure.autolayout": False,  # figure functions lay out once, when built (see laid_out)
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.frameon": False,
    "legend.fontsize": 8.5,  # figures are 8 in wide, printed at 6.85 in: >= 7 pt on paper
    "svg.hashsalt": "idlib-forecast",
    "path.simplify": True,
}


MAX_DATE_TICKS = 8
_DAY_STEPS = (1, 2, 7)  # days; weekly ticks fall on Mondays
_MONTH_STEPS = (1, 2, 3, 6, 12, 24, 60, 120)  # months; every tick on the first of a month


class DateTicks(mticker.Locator):
    """Date ticks on days, Mondays, the 1st and 15th, or month starts: the finest with at most :data:`MAX_DATE_TICKS`.

    Computed with NumPy calendar arithmetic: matplotlib's ``AutoDateLocator`` runs
    ``dateutil.rrule`` on every draw, which was most of the time spent drawing the
    reports' date axes.
    """

    def __call__(self):
        vmin, vmax = self.axis.get_view_interval()
        return self.tick_values(vmin, vmax)

    def tick_values(self, vmin, vmax):
        epoch = mdates.date2num(np.datetime64("1970-01-01"))  # the arithmetic below is in days since 1970-01-01
        lo, hi = (v - epoch for v in sorted((vmin, vmax)))
        for step in _DAY_STEPS:
            offset = 4 if step == 7 else 0  # 1970-01-05 was a Monday
            ticks = np.arange(np.ceil((lo - offset) / step) * step + offset, hi + 1e-9, step)
            if len(ticks) <= MAX_DATE_TICKS:
                return ticks + epoch
        months = np.arange(np.datetime64(int(np.floor(lo)), "D").astype("datetime64[M]"),
                           np.datetime64(int(np.ceil(hi)), "D").astype("datetime64[M]") + 1)
        firsts = months.astype("datetime64[D]").astype(float)
        candidates = [np.sort(np.concatenate([firsts, firsts + 14]))]  # the 1st and the 15th
        candidates += [firsts[months.astype(int) % step == 0] for step in _MONTH_STEPS]
        for days in candidates:
            days = days[(days >= lo - 1e-9) & (days <= hi + 1e-9)]
            if len(days) <= MAX_DATE_TICKS:
                return days + epoch
        return np.array([])


# What a concise axis prints once at its end, by the finest unit its labels show.
_OFFSET_FORMATS = ["", "%Y", "%b %Y", "%-d %b %Y", "%-d %b %Y", "%-d %b %Y %H:%M"]


class _DateConverter(mdates.DateConverter):
    """matplotlib's date converter with :class:`DateTicks` and concise labels."""

    def axisinfo(self, unit, axis):
        info = super().axisinfo(unit, axis)
        locator = DateTicks()
        info.majloc = locator
        info.majfmt = mdates.ConciseDateFormatter(locator, tz=unit, offset_formats=_OFFSET_FORMATS)
        return info


def laid_out(fn: Callable[P, R]) -> Callable[P, R]:
    """Decorate a figure function: its figure gets ``tight_layout`` once, when it is built, and is drawn once, for its PNG.

    ``figure.autolayout`` would redo the layout on every draw. Laying out once (the
    inline PNG is then drawn without a second tight-bounding-box pass), with
    :class:`DateTicks` and bars only for days that have events, took building and
    drawing every report's figures from 13.0 s to 9.0 s (all notebooks in one process).
    """

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        out = fn(*args, **kwargs)
        fig = out[0] if isinstance(out, tuple) else out
        fig.tight_layout()
        # tight_layout leaves a placeholder layout engine, for which every savefig first
        # draws the figure once more to "lay it out": drop it, the layout is done.
        fig.set_layout_engine(None)  # none, as figure.autolayout is off (RC)
        # Built, not yet drawn: without this, pyplot's after-cell "draw all stale figures"
        # renders it once before the inline backend renders it again for the PNG. Any
        # later change to an artist marks the figure stale again.
        fig.stale = False
        return out

    wrapper.laid_out = True  # type: ignore[attr-defined]
    return wrapper


def use() -> None:
    """Apply the project style and a fixed inline PNG format (no timestamps in outputs)."""
    mpl.rcParams.update(RC)
    converter = _DateConverter()
    for kind in (np.datetime64, dt.date, dt.datetime):
        munits.registry[kind] = converter
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("png", metadata={"Software": None}, bbox_inches=None)  # laid out when built (laid_out)
    except Exception:  # noqa: BLE001 - outside a kernel there is nothing to configure
        pass
