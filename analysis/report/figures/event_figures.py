"""Figures of the event dataset (notebook 01). Pure: data in, matplotlib Figure out."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from .style import QUALIFIER_MARKERS, SIDE_COLOURS, laid_out


def shade_milestones(ax, milestones: pd.DataFrame, types: tuple[str, ...] = ("ceasefire_start", "intervention", "offensive_phase", "highway_held")) -> None:
    """Mark milestones on a date axis: lines, labelled at the top."""
    ms = milestones[milestones["milestone_type"].isin(types)].drop_duplicates("date_start").sort_values("date_start")
    lo, hi = ax.get_xlim()
    for r in ms.itertuples():
        x = plt.matplotlib.dates.date2num(r.date_start)
        if not lo <= x <= hi:
            continue
        colour = "#1b7837" if r.milestone_type.startswith("ceasefire") else "#e08214" if r.milestone_type == "intervention" else "#777777"
        ax.axvline(r.date_start, color=colour, lw=0.8, ls="--", alpha=0.8)
        ax.annotate(r.label, (r.date_start, 1.0), xycoords=("data", "axes fraction"), rotation=90,
                    fontsize=6, va="top", ha="right", color=colour, xytext=(-1, -2), textcoords="offset points")


@laid_out
def claims_timeline(observations: pd.DataFrame, control_events: pd.DataFrame, milestones: pd.DataFrame, as_of: pd.Timestamp, top: int = 14) -> Figure:
    """When each source's claims became public (info_date), one row per source."""
    frames = [
        observations.assign(source_name=observations["source"], table="observation"),
        control_events.assign(source_name=control_events["claimed_by"].fillna(control_events["doc_id"]), table="control event"),
        milestones.assign(source_name=milestones["claimed_by"].fillna(milestones["doc_id"]), table="milestone"),
    ]
    allc = pd.concat([f[["info_date", "source_name", "table"]] for f in frames], ignore_index=True)
    order = allc["source_name"].value_counts().head(top).index[::-1]
    allc = allc[allc["source_name"].isin(order)]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for (tbl, marker) in (("observation", "o"), ("control event", "s"), ("milestone", "D")):
        sub = allc[allc["table"] == tbl]
        ax.scatter(sub["info_date"], sub["source_name"].map({s: i for i, s in enumerate(order)}), marker=marker, s=12, alpha=0.6, label=tbl)
    ax.set_yticks(range(len(order)), order)
    ax.axvline(as_of, color="black", lw=1)
    ax.set_xlabel("information date")
    ax.set_title(f"Claims by source and the date they became public (top {len(order)} sources; as of {as_of.date()})")
    ax.legend(loc="lower left")
    return fig


@laid_out
def displacement_claims(observations: pd.DataFrame, as_of: pd.Timestamp) -> Figure:
    """Displacement stocks by source; marker shape shows the qualifier, bars show ranges or flow intervals."""
    disp = observations[observations["variable"] == "displaced_people"]
    fig, ax = plt.subplots(figsize=(8, 4.2))
    sources = sorted(disp["source"].unique())
    cmap = plt.get_cmap("tab10")
    for i, src in enumerate(sources):
        sub = disp[disp["source"] == src]
        for r in sub.itertuples():
            colour = cmap(i % 10)
            if r.kind == "flow":
                ax.hlines(r.value, r.date_start, r.date_end, color=colour, lw=3, alpha=0.5)
            ax.scatter(r.date_end, r.value, marker=QUALIFIER_MARKERS[r.qualifier_class], color=colour, s=30, zorder=3,
                       facecolors="none" if r.kind == "flow" else colour)
        ax.scatter([], [], color=cmap(i % 10), label=src)
    for cls, m in (("point", "exact"), ("lower", "over / at least"), ("below_close", "nearly / as many as")):
        ax.scatter([], [], marker=QUALIFIER_MARKERS[cls], color="grey", label=m)
    ax.axvline(as_of, color="black", lw=1)
    ax.set_ylabel("people displaced")
    ax.yaxis.set_major_formatter(plt.matplotlib.ticker.FuncFormatter(lambda v, _: f"{v/1000:,.0f}k"))
    ax.set_title("Displacement claims by source (filled: stocks; hollow with bar: flows over their interval)")
    ax.legend(ncol=2, loc="upper left")
    return fig


@laid_out
def control_events_per_day(control_events: pd.DataFrame, milestones: pd.DataFrame, start, end) -> Figure:
    """Control events per day by the side holding the place afterwards, milestones marked."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    ce = control_events[(control_events["date_start"] >= start) & (control_events["date_start"] <= end)]
    counts = ce.groupby([ce["date_start"], "to_side"]).size().unstack(fill_value=0)
    counts = counts.reindex(pd.date_range(start, end, freq="D"), fill_value=0)
    fig, ax = plt.subplots(figsize=(8, 3.8))
    bottom = pd.Series(0, index=counts.index)
    for side in ("government", "opposition", "contested"):
        if side in counts:
            drawn = counts[side] > 0  # one bar per day with events: empty days would be hundreds of invisible patches
            ax.bar(counts.index[drawn], counts[side][drawn], bottom=bottom[drawn], color=SIDE_COLOURS[side], label=f"to {side}", width=0.9)
            bottom = bottom + counts[side]
    ax.set_xlim(start, end)
    shade_milestones(ax, milestones)
    ax.set_ylabel("places (event rows)")
    ax.set_title("Control events per day, by who holds the place afterwards (first day of each event's interval)")
    ax.legend(loc="upper left")
    return fig
