"""Figures of forecasts and backtests, shared by the displacement and territory reports.

Pure functions: data in, matplotlib Figure out, in the project style.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .event_figures import shade_milestones
from .style import QUALIFIER_MARKERS, laid_out

FAN_COLOUR = "#2166ac"


def fan(ax, quantiles: pd.DataFrame, label: str, colour: str = FAN_COLOUR) -> None:
    """Draw the 90/80/50% bands and the median of a quantile table (date, q05..q95)."""
    for (lo, hi), alpha in ((("q05", "q95"), 0.15), (("q10", "q90"), 0.2), (("q25", "q75"), 0.3)):
        ax.fill_between(quantiles["date"], quantiles[lo], quantiles[hi], color=colour, alpha=alpha, lw=0)
    ax.plot(quantiles["date"], quantiles["q50"], color=colour, lw=1.5, label=f"{label}: median, 50/80/90% bands")


def observations_by_source(ax, obs: pd.DataFrame, as_of: pd.Timestamp, value: str = "value") -> None:
    """Reports as markers by qualifier; filled if known by ``as_of``, hollow if published later.

    Flows and stocks with another baseline are drawn at their end date, faint, since
    they measure a different interval than the plotted quantity.
    """
    for known, face in ((True, None), (False, "none")):
        sub = obs[(obs["info_date"] <= as_of) == known]
        for qual, g in sub.groupby("qualifier_class"):
            same = g["measures_target"] if "measures_target" in g else pd.Series(True, index=g.index)
            for target, gg in g.groupby(same):
                ax.scatter(
                    gg["date_end"], gg[value], marker=QUALIFIER_MARKERS.get(qual, "o"), s=28 if target else 16,
                    facecolors=face if face else ("black" if target else "#999999"), edgecolors="black" if target else "#999999",
                    lw=0.8, zorder=5, label=f"{'known' if known else 'published later'}: {qual}{'' if target else ' (other interval)'}",
                )
    handles, labels = ax.get_legend_handles_labels()
    seen = dict(zip(labels, handles, strict=False))
    ax.legend(seen.values(), seen.keys(), loc="upper left")


@laid_out
def forecast_fan(quantiles: pd.DataFrame, obs: pd.DataFrame, milestones: pd.DataFrame, as_of: pd.Timestamp, title: str, ylabel: str, start: pd.Timestamp | None = None) -> Figure:
    """Fan chart of a forecast with the reports before and after its cut-off."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    fan(ax, quantiles, quantiles["model"].iloc[0])
    observations_by_source(ax, obs, as_of)
    ax.axvline(as_of, color="black", lw=1)
    ax.annotate(f"as of {as_of.date()}", (as_of, 0.02), xycoords=("data", "axes fraction"), rotation=90, fontsize=7, ha="right", va="bottom")
    left = start if start is not None else min(obs["date_end"].min(), as_of)
    ax.set_xlim(left, quantiles["date"].max())
    shade_milestones(ax, milestones)
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_ylabel(ylabel)
    ax.set_title(panel_title(title, 80))  # a long title wraps instead of running off the page
    fig.autofmt_xdate()
    return fig


@laid_out
def backtest_summary(summary: pd.DataFrame, title: str) -> Figure:
    """CRPS skill against persistence, and 80% interval coverage, by horizon and model."""
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(8, 3.6))
    models = sorted(summary["model"].unique())
    width = 0.8 / max(len(models), 1)
    horizons = sorted(summary["horizon_days"].unique())
    x = np.arange(len(horizons))
    cmap = plt.get_cmap("tab10")
    for i, model in enumerate(models):
        s = summary[summary["model"] == model].set_index("horizon_days").reindex(horizons)
        a1.bar(x + i * width, s["skill_vs_persistence"].clip(lower=-1.5), width, color=cmap(i % 10), label=model)
        a2.bar(x + i * width, s["coverage_80"], width, color=cmap(i % 10))
    for ax in (a1, a2):
        ax.set_xticks(x + 0.4 - width / 2, [f"{h} d" for h in horizons])
        ax.set_xlabel("horizon")
    a1.axhline(0, color="black", lw=0.8)
    a1.set_ylabel("CRPS skill vs persistence (clipped at -1.5)")
    a2.axhline(0.8, color="black", lw=0.8, ls="--")
    a2.set_ylabel("share of reports inside the 80% interval")
    a2.set_ylim(0, 1.05)
    # Below both panels, so the legend never covers a bar (a dozen models once did).
    a1.legend(ncol=4, loc="upper left", bbox_to_anchor=(0.0, -0.2), fontsize=7, frameon=False)
    fig.suptitle(title, fontsize=10, fontweight="bold")
    return fig


@laid_out
def pit_histogram(scores: pd.DataFrame, title: str, bins: int = 5) -> Figure:
    """PIT values per model: flat is calibrated, U-shaped overconfident, humped underconfident."""
    models = sorted(scores["model"].unique())
    # A grid of at most PIT_COLUMNS panels a row, titles wrapped at the underscores, so no two titles touch.
    ncols = max(1, min(PIT_COLUMNS, len(models)))
    nrows = -(-len(models) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(8, 0.6 + 1.9 * nrows), sharex=True, sharey=True, squeeze=False)
    for ax, model in zip(axes.flat, models, strict=False):
        ax.hist(scores.loc[scores["model"] == model, "pit"], bins=np.linspace(0, 1, bins + 1), color=FAN_COLOUR, alpha=0.7)
        ax.set_title(panel_title(model), fontsize=7)
        ax.set_xticks([0, 0.5, 1])
        ax.tick_params(labelsize=6, labelbottom=True)
    for ax in axes.flat[len(models):]:
        ax.set_visible(False)
    fig.suptitle(title, fontsize=10, fontweight="bold")
    return fig


PIT_COLUMNS = 4


def panel_title(name: str, width: int = 20) -> str:
    """A title wrapped to lines of at most ``width`` characters; a bare model name's underscores read as spaces."""
    import textwrap

    text = name.replace("_", " ") if " " not in name else name
    return "\n".join(textwrap.wrap(text, width)) or name



@laid_out
def changes_by_side(series: pd.DataFrame, milestones: pd.DataFrame, colours: dict[str, str]) -> Figure:
    """Places changing hands per day: to the government up, to the opposition down, milestones marked."""
    fig, ax = plt.subplots(figsize=(8, 3.5))
    gov, opp = series[series["government_captures"] > 0], series[series["opposition_captures"] > 0]  # days with changes only
    ax.bar(gov["date"], gov["government_captures"], color=colours["government"], label="to the government")
    ax.bar(opp["date"], -opp["opposition_captures"], color=colours["opposition"], label="to the opposition")
    shade_milestones(ax, milestones)
    ax.set_ylabel("places per day")
    ax.set_title("Places changing hands per day, by side (each change spread over its date interval)")
    ax.legend(loc="lower left")
    return fig


def unit_formatter(variable: str):
    """Axis labels by unit: a share as a percentage, people and places as whole numbers with separators."""
    from matplotlib.ticker import PercentFormatter

    if "share" in variable:
        return PercentFormatter(xmax=1.0, decimals=0)
    return plt.FuncFormatter(lambda v, _: f"{v:,.0f}")


@laid_out
def scenario_fans(quantiles: pd.DataFrame, variable: str, ylabel: str, observed: pd.DataFrame | None = None, ncols: int = 2) -> Figure:
    """One panel per scenario: the fan of ``variable``, with what was later reported (``observed``: date, value)."""
    q = quantiles[quantiles["variable"] == variable]
    names = list(dict.fromkeys(q["scenario"]))
    nrows = -(-len(names) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(8, 2.6 * nrows), sharex=True, sharey=True, squeeze=False)
    for ax, name in zip(axes.flat, names, strict=False):
        fan(ax, q[q["scenario"] == name], "scenario")
        if observed is not None and len(observed):
            ax.plot(observed["date"], observed["value"], "k.", ms=3, label="reported")
        ax.set_title(name, fontsize=9)
        ax.yaxis.set_major_formatter(unit_formatter(variable))
    for ax in axes[:, 0]:
        ax.set_ylabel(ylabel)
    axes.flat[0].legend(loc="upper left")
    fig.autofmt_xdate()
    for k, ax in enumerate(axes.flat[len(names):], start=len(names)):
        ax.set_visible(False)
        if k - ncols >= 0:  # the panel above an empty slot is the last of its column: give it date labels
            above = axes.flat[k - ncols]
            above.xaxis.set_tick_params(labelbottom=True)
            for label in above.get_xticklabels():
                label.set(rotation=30, ha="right")
    return fig


@laid_out
def threshold_bars(matrix: pd.DataFrame) -> Figure:
    """Threshold probabilities (rows) by scenario (bars)."""
    fig, ax = plt.subplots(figsize=(8, 0.55 * len(matrix) * max(1, len(matrix.columns) / 3) + 1))
    y = np.arange(len(matrix))
    h = 0.8 / max(len(matrix.columns), 1)
    cmap = plt.get_cmap("tab10")
    for i, name in enumerate(matrix.columns):
        ax.barh(y + i * h, matrix[name], h, color=cmap(i % 10), label=name)
    ax.set_yticks(y + 0.4 - h / 2, matrix.index, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("probability")
    ax.set_title("Probability of each threshold, by scenario", fontsize=10)
    # Below the axis, so it covers none of the bars.
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.1), ncol=3, fontsize=7, frameon=False)
    return fig


@laid_out
def outcome_timeline(changes: pd.DataFrame, stocks: pd.DataFrame, milestones: pd.DataFrame, issued: pd.Timestamp, end: pd.Timestamp) -> Figure:
    """What happened after a forecast: named places taken per side (cumulative) and displacement reports.

    ``changes``: changes of hands (date_end, to_side); ``stocks``: regional displacement reports (date, value).
    """
    from .style import SIDE_COLOURS

    start = min(issued, changes["date_end"].min()) if len(changes) else issued
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(8, 5.2), sharex=True)
    for side, g in changes[(changes["date_end"] > issued) & (changes["date_end"] <= end)].groupby("to_side"):
        days = g.sort_values("date_end")["date_end"]
        a1.step(days, np.arange(1, len(days) + 1), where="post", color=SIDE_COLOURS.get(side, "grey"), label=f"taken by the {side}")
    a1.set_ylabel("named places taken\nsince the forecast")
    a1.legend(loc="upper left")
    s = stocks[stocks["date"] <= end]
    a2.plot(s["date"], s["value"], "ko-", ms=3, lw=0.8, label="regional displacement reports")
    a2.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    a2.set_ylabel("people displaced\nsince the baseline")
    a2.legend(loc="upper left")
    for ax in (a1, a2):
        shade_milestones(ax, milestones[(milestones["date_start"] >= start) & (milestones["date_start"] <= end)])
        ax.axvline(issued, color="black", lw=1.2)
        ax.set_xlim(start - pd.Timedelta(days=3), end)
    a1.annotate(f"forecast issued {issued.date()}", (issued, 0.95), xycoords=("data", "axes fraction"), fontsize=7, ha="left", va="top")
    fig.autofmt_xdate()
    return fig


@laid_out
def probability_ranges(scores: pd.DataFrame) -> Figure:
    """Each resolved reading: the analyst's range (bar), the model's probability (diamond) and the outcome (0 or 1)."""
    s = scores[scores["resolution"].isin(["yes", "no"])].reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(8, 0.38 * max(len(s), 1) + 1.2))
    y = np.arange(len(s))
    ax.barh(y, s["p_high"] - s["p_low"], left=s["p_low"], height=0.5, color=FAN_COLOUR, alpha=0.5, label="analyst's words as a range")
    ax.scatter(s["model_p"], y, marker="D", color="black", s=22, zorder=3, label="model, same day")
    outcome = (s["resolution"] == "yes").astype(float)
    ax.scatter(outcome, y, marker="|", color="#b2182b", s=160, zorder=4, label="outcome (0 = no, 1 = yes)")
    labels = [f"{pid.split(':')[-1]} {rule}" for pid, rule in zip(s["prediction_id"], s["rule"], strict=True)]
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlim(-0.02, 1.02)
    ax.set_xlabel("probability of the event")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3)
    return fig


@laid_out
def named_vs_claimed(latent: pd.DataFrame, claims: pd.DataFrame, share: float, side: str = "government") -> Figure:
    """Named places taken, the estimate in full (named / completeness) and each aggregate claim as a bar.

    A claim of K places over [start, end] is drawn from the estimate at its start up by K, at its end date.
    """
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.step(latent["date"], latent["named"], where="post", color="black", lw=1.2, label=f"named places taken by the {side}")
    ax.fill_between(latent["date"], latent["low90"], latent["high90"], step="post", color=FAN_COLOUR, alpha=0.25, lw=0)
    ax.step(latent["date"], latent["estimate"], where="post", color=FAN_COLOUR, lw=1.2,
            label=f"estimated in full: named / {share:.2f} (90% band)")
    base = latent.set_index("date")["estimate"]
    for r in claims.itertuples():
        y0 = float(base.asof(r.date_start - pd.Timedelta(days=1))) if r.date_start > base.index[0] else 0.0
        ax.vlines(r.date_end, y0, y0 + r.claimed, color="#b2182b", lw=2, alpha=0.8)
    ax.vlines([], 0, 0, color="#b2182b", lw=2, label="aggregate claim: places taken over its interval")
    ax.set_ylabel("places taken since the baseline")
    ax.legend(loc="upper left")
    fig.autofmt_xdate()
    return fig
