"""Displacement: reconcile heterogeneous reports and forecast cumulative displacement.

Target quantity: ``C(t)``, people displaced in the region since the case's
displacement baseline (OCHA counts northwest Syria from 1 December 2019), per day.

Measurement model
-----------------
Every ``displaced_people`` observation is a noisy view of an interval of the
latent daily displacement:

* a stock since baseline ``B`` as of ``T`` measures ``C(T) - C(B - 1 day)``;
* a flow over ``[T1, T2]`` measures ``C(T2) - C(T1 - 1 day)``;
* a stock with no stated baseline counts from an unknown day in the case's
  ``unstated_baseline_window``; the likelihood averages over that window
  (uniform prior), so the model never silently re-bases it;
* a figure for part of the region (its ``area`` is not one of the case's
  ``region_areas``) is a lower bound on the regional figure.

Reports are multiplicatively noisy: ``log y = log mu + e``, ``e ~ N(0, sigma_s)``,
with one ``sigma`` for UN-system sources and one for all others. Qualifiers shape
the likelihood (:data:`analysis.data.vocab.QUALIFIERS`): ``lower`` is censored from
below, ``upper`` from above, ``below_close`` is a half-normal at or below the
stated value, ``symmetric`` and ``point`` are normal on the log scale and
``range`` is interval-censored. Conflicting figures all stay in; the noise
explains them.

Models
------
``logistic``, ``gompertz``, ``richards``
    Growth curves ``C = K (F(t) - F(0))`` with the ceiling ``K`` a share of the
    population at risk (the latest regional ``population`` figure known as of the
    cut-off). Fitted by penalised maximum likelihood with statsmodels'
    ``GenericLikelihoodModel``; the penalty is the documented weak prior in
    :class:`GrowthPriors`. Parameter uncertainty is the Laplace (inverse Hessian)
    approximation.
``piecewise_logistic``, ``piecewise_gompertz``
    The same curves on a warped clock: each regime (``seeds/case.yaml``:
    ``regimes``) multiplies the growth rate by its own factor. Only milestones
    public by the cut-off switch regimes; after it, the last regime continues.
``local_trend``
    statsmodels ``UnobservedComponents`` local linear trend on ``log C`` over a
    daily grid, the days without a report missing (the Kalman filter bridges them).
``persistence``, ``drift``, ``loglinear``
    Baselines: the last reported value, the straight line from first to last
    report (both random walks with the reports' own volatility), and an OLS fit
    of ``log C`` on time with its prediction interval.

``<model>_calibrated``, ``ensemble``
    Each model recalibrated on its own earlier backtest errors (:mod:`.calibration`),
    and a mixture of the models weighted by their earlier relative CRPS (:mod:`.ensemble`).

Forecasts are Monte Carlo sample paths drawing parameter and report noise; see
:mod:`analysis.models.base`.


Modules: :mod:`.measurement` (reports as measurements), :mod:`.growth` (growth curves),
:mod:`.baselines` (baselines and the local trend), :mod:`.front` (the front-line series and the coupling), :mod:`.frontline` (the front-line model), :mod:`.api` (fit, simulate, forecast),
:mod:`.evaluate` (backtests and the report's comparisons), :mod:`.calibration`, :mod:`.ensemble`, :mod:`.honest` (numbers for prose). Their public names are re-exported here.
"""

from .api import (
    CALIBRATED,
    DECIMALS,
    DEFAULT_MODEL,
    ENSEMBLE,
    MODELS,
    Fit,
    check_as_of,
    fit,
    fit_spec,
    forecast,
    forecast_spec,
    known_floor,
    observation_dates,
    simulate,
)
from .calibration import calibrated_forecast, recalibrate
from .ensemble import ensemble_forecast
from .evaluate import (
    COVERAGE_BAND,
    backtest,
    backtest_targets,
    compare_models,
    headline,
    known_vs_happened,
    plotted_reports,
    select_model,
)
from .front import coupled_flow, front_activity
from .frontline import FrontlinePriors
from .growth import GrowthModel, posterior_draws, regime_schedule
from .measurement import (
    VARIABLE,
    FitData,
    GrowthPriors,
    Measurements,
    NotEnoughData,
    measurements,
    source_class,
)
