"""One figure style for every report: matplotlib rcParams, side colours and fixed output."""

from __future__ import annotations

import matplotlib as mpl

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
    "figure.autolayout": True,
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.frameon": False,
    "legend.fontsize": 8,
    "svg.hashsalt": "idlib-forecast",
    "path.simplify": True,
}


def use() -> None:
    """Apply the project style and a fixed inline PNG format (no timestamps in outputs)."""
    mpl.rcParams.update(RC)
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("png", metadata={"Software": None})
    except Exception:  # noqa: BLE001 - outside a kernel there is nothing to configure
        pass
