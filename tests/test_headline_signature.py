"""The headline functions share one signature: data, forecast, then ``target_date`` by keyword."""

import inspect

import numpy as np
import pandas as pd
import pytest

from analysis.core.errors import ParameterError
from analysis.models import displacement as D
from analysis.models import territory as T
from analysis.models.base import Forecast


@pytest.mark.parametrize("func", [D.headline, T.headline, T.headline_estimated])
def test_every_headline_takes_data_then_forecast_then_keyword_target_date(func):
    params = list(inspect.signature(func).parameters.values())
    assert [p.kind for p in params[:2]] == [inspect.Parameter.POSITIONAL_OR_KEYWORD] * 2
    assert params[1].name == "fc"
    assert params[2].name == "target_date" and params[2].kind is inspect.Parameter.KEYWORD_ONLY
    assert params[2].default is None


def _forecast() -> Forecast:
    dates = pd.date_range("2020-01-01", periods=3)
    samples = np.array([[1.0, 10.0, 100.0], [3.0, 30.0, 300.0]])
    return Forecast("toy", pd.Timestamp("2019-12-31"), dates, samples, target="places")


def test_territory_headline_picks_the_target_date_and_defaults_to_the_last_day():
    series = pd.DataFrame({"date": pd.date_range("2020-01-01", periods=3), "cumulative_net_government": [5.0, 6.0, 7.0]})
    fc = _forecast()
    last, second = T.headline(series, fc), T.headline(series, fc, target_date="2020-01-02")
    assert (last["q50"], last["observed"]) == (200.0, 7.0)
    assert (second["q50"], second["observed"]) == (20.0, 6.0)
    with pytest.raises(ParameterError) as err:
        T.headline(series, fc, target_date="2020-02-01")
    assert err.value.parameter == "target_date"
