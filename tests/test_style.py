"""The figure style: one date-tick rule for every date axis."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from analysis.report.figures import style  # noqa: E402


def _ticks(start: str, end: str) -> pd.DatetimeIndex:
    values = style.DateTicks().tick_values(mdates.date2num(pd.Timestamp(start)), mdates.date2num(pd.Timestamp(end)))
    return pd.DatetimeIndex(mdates.num2date(values)).tz_localize(None)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2020-01-01", "2020-01-06", pd.date_range("2020-01-01", "2020-01-06")),  # every day
        ("2020-01-01", "2020-01-10", pd.date_range("2020-01-01", "2020-01-10", freq="2D")),  # every other day
        ("2020-01-01", "2020-02-10", pd.date_range("2020-01-06", "2020-02-10", freq="W-MON")),  # Mondays
        ("2019-12-10", "2020-03-20", pd.DatetimeIndex(["2019-12-15", "2020-01-01", "2020-01-15", "2020-02-01",
                                                        "2020-02-15", "2020-03-01", "2020-03-15"])),  # 1st and 15th
        ("2019-01-10", "2020-12-20", pd.date_range("2019-04-01", "2020-12-01", freq="3MS")),  # quarters
    ],
)
def test_date_ticks_are_the_finest_calendar_steps_that_fit(start, end, expected):
    ticks = _ticks(start, end)
    assert len(ticks) <= style.MAX_DATE_TICKS
    assert list(ticks) == list(expected)


def test_every_date_axis_gets_the_project_ticks():
    style.use()
    fig, ax = plt.subplots()
    days = pd.date_range("2019-12-01", "2020-03-31")
    ax.plot(days, np.arange(len(days)))
    fig.canvas.draw()
    assert isinstance(ax.xaxis.get_major_locator(), style.DateTicks)
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["Dec", "2020", "Feb", "Mar", "Apr"]  # concise: the year where it changes
    plt.close(fig)


def test_every_figure_function_is_laid_out():
    import inspect

    from analysis.report.figures import event_figures, maps, model_figures

    for module in (event_figures, maps, model_figures):
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ == module.__name__ and "Figure" in str(inspect.signature(fn).return_annotation):
                assert getattr(fn, "laid_out", False), f"{module.__name__}.{name} returns a figure without style.laid_out"


def test_legends_print_at_seven_points_or_more_and_shares_read_as_percent():
    import matplotlib.pyplot as plt

    from analysis.report.figures.model_figures import unit_formatter

    printed = 6.85 / 8.0  # figures are 8 in wide, set at the page's text width
    assert plt.rcParams["legend.fontsize"] * printed >= 7
    fig, ax = plt.subplots()
    share = unit_formatter("road_share_held")
    ax.yaxis.set_major_formatter(share)
    assert share(0.5, 0) == "50%"
    plt.close(fig)
    assert unit_formatter("displaced")(306712.4, 0) == "306,712"
