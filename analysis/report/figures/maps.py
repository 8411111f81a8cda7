"""Maps from the OCHA admin-2 boundaries with matplotlib only (no tile server, no invented coordinates)."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

from ...core import paths
from .style import SIDE_COLOURS, laid_out

ADM2_FILE = "syr_admbnda_adm2_uncs_unocha.json"
ATTRIBUTION = "Boundaries: OCHA COD-AB (CC BY 3.0 IGO); see seeds/geo/SOURCES.md."


def admin2(admin1_pcodes: tuple[str, ...], geo_dir: Path | None = None) -> list[dict]:
    """Admin-2 features (name, P-code, rings) of the given governorates."""
    path = Path(geo_dir or paths.geo_dir(paths.seeds_dir())) / ADM2_FILE
    data = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for f in data["features"]:
        p = f["properties"]
        if p["ADM1_PCODE"] not in admin1_pcodes:
            continue
        g = f["geometry"]
        polys = g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
        out.append({"name": p["ADM2_EN"], "pcode": p["ADM2_PCODE"], "rings": [np.asarray(poly[0]) for poly in polys]})
    return out


def _base(ax, districts: list[dict]) -> None:
    rings = [r for d in districts for r in d["rings"]]
    ax.add_collection(PolyCollection(rings, facecolors="#f4f4f4", edgecolors="#999999", linewidths=0.5))
    for d in districts:
        ring = max(d["rings"], key=len)
        ax.annotate(d["name"], ring.mean(axis=0), fontsize=5, color="#777777", ha="center")
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)


@laid_out
def changes_map(changes: pd.DataFrame, places: pd.DataFrame, districts: list[dict], phases: list[tuple[str, pd.Timestamp, pd.Timestamp]], roads: tuple[str, ...] = ("M5", "M4")) -> tuple[Figure, str]:
    """Small multiples by phase: placeable places that changed hands, coloured by side; road corridors.

    Returns the figure and its caption (what could not be placed, how roads are drawn).
    """
    placed = changes.dropna(subset=["latitude", "longitude"])
    n = len(phases)
    cols = min(n, 3)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(8, 3.2 * rows), squeeze=False)
    lon = np.concatenate([r[:, 0] for d in districts for r in d["rings"]])
    lat = np.concatenate([r[:, 1] for d in districts for r in d["rings"]])
    focus = places.dropna(subset=["latitude"])
    x0, x1 = focus["longitude"].min() - 0.3, focus["longitude"].max() + 0.3
    y0, y1 = focus["latitude"].min() - 0.25, focus["latitude"].max() + 0.25
    lines = {road: places[places["on_road"].fillna("").str.contains(road) & places["latitude"].notna()].sort_values("latitude") for road in roads}
    road_notes = [f"{road} through {len(on)} placeable town(s)" if len(on) >= 2 else f"{road}: fewer than two placeable towns, not drawn" for road, on in lines.items()]
    for ax, (label, start, end) in zip(axes.ravel(), phases, strict=False):
        _base(ax, districts)
        for (road, on), style in zip(lines.items(), ("-", "--"), strict=False):
            if len(on) >= 2:
                ax.plot(on["longitude"], on["latitude"], style, color="black", lw=1, label=f"{road} (approx.)")
        sel = placed[(placed["date_start"] >= start) & (placed["date_start"] < end)]
        for side, g in sel.groupby("to_side"):
            ax.scatter(g["longitude"], g["latitude"], s=30, color=SIDE_COLOURS.get(side, "#444"), edgecolors="black", lw=0.5, zorder=5, label=f"taken by {side}")
            for r in g.itertuples():
                ax.annotate(f"{r.place_name} {r.date_start:%d %b}", (r.longitude, r.latitude), fontsize=5, xytext=(3, 2), textcoords="offset points")
        ax.set_xlim(max(x0, lon.min()), min(x1, lon.max()))
        ax.set_ylim(max(y0, lat.min()), min(y1, lat.max()))
        ax.set_title(f"{label}\n{start:%d %b %Y} to {end - pd.Timedelta(days=1):%d %b %Y}", fontsize=7)
        ax.legend(loc="lower left")
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    unplaced = changes["latitude"].isna().sum()
    caption = (
        f"{len(placed)} of {len(changes)} changes of hands are at places the reference data can place (drawn at their OCHA sub-district's centroid); "
        f"{unplaced} are at places that cannot be placed and are not drawn. Roads are straight lines through the placeable towns a document puts on them "
        f"({'; '.join(road_notes)}): an approximation, not the road's course. {ATTRIBUTION}"
    )
    return fig, caption
