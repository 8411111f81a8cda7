"""Territorial change: a phase model of advance, its completeness, backtests and forecasts.

Changes of hands are read from ``control_events`` by :mod:`analysis.data.changes`.

Model
-----
Daily government captures and opposition captures each follow a negative
binomial GLM (statsmodels) with one level per phase from the milestones public
at the cut-off (``territory_phases`` in ``seeds/case.yaml``); an optional
momentum term adds log(1 + captures the previous day). Fits are combined over the
date imputations with Rubin's rules. Forecasts simulate daily counts from
parameter draws; the quantity forecast is the cumulative net number of places the
government gained since the case's territory baseline.

Modules: :mod:`.glm` (fit, simulate, forecast), :mod:`.coverage` (named places against
aggregate claims), :mod:`.area` (area, share and road-length claims as measurements of the same advance), :mod:`.estimated` (places changing hands in the world from the named
ones, the default forecast quantity; ``quantity="named"`` gives the named net gains), :mod:`.evaluate` (backtests, coupling, headline). Their public names are re-exported here.
"""

from .area import SHARE_TARGET, area_per_place, road_length_check, share_anchor, share_forecast
from .coverage import completeness, completeness_model, latent_captures
from .estimated import (
    DEFAULT_QUANTITY,
    QUANTITIES,
    TARGETS,
    estimated_series,
    forecast,
    forecast_spec,
    share_draws,
    unnamed,
    world_daily,
)
from .estimated import backtest as backtest_estimated
from .estimated import coupling as coupling_estimated
from .estimated import headline as headline_estimated
from .estimated import series_as_reports as estimated_as_reports
from .evaluate import backtest, coupling, headline, phase_periods, series_as_reports
from .glm import (
    DECIMALS,
    DEFAULT_MODEL,
    FAMILY,
    MAX_DAILY_RATE,
    MAX_MOMENTUM,
    MODELS,
    N_IMPUTATIONS,
    TerritoryFit,
    check_as_of,
    fit,
    imputed_counts,
    simulate,
    simulate_counts,
)
