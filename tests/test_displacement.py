"""The displacement model: measurement model, likelihood shapes, forecasts, backtest, bad input."""

from __future__ import annotations

import dataclasses
import io

import numpy as np
import pandas as pd
import pytest

from analysis.cli import main
from analysis.core.errors import ParameterError
from analysis.models import displacement as D
from analysis.models.base import QUANTILE_COLUMNS, summarise_backtest, write_quantiles


@pytest.fixture(scope="module")
def table(dataset):
    return D.measurements(dataset).table.set_index("claim_id")


def test_stocks_flows_and_baselines_map_to_intervals_of_the_cumulative_figure(table):
    origin = pd.Timestamp("2019-11-30")  # day 0: the day before the 1 December baseline
    since_dec1 = table.loc["encyclopedia_offensive_2019-2020:o162"]  # 520,000 since 1 Dec, 5 Feb
    assert since_dec1["start"] == 0 and since_dec1["end"] == (pd.Timestamp("2020-02-05") - origin).days
    since_dec18 = table.loc["encyclopedia_offensive_2019-2020:o157"]  # 80,000 since 18 Dec
    assert since_dec18["start"] == (pd.Timestamp("2019-12-17") - origin).days
    flow = table.loc["encyclopedia_offensive_2019-2020:o164"]  # 142,000 during 10-14 Feb
    assert flow["start"] == (pd.Timestamp("2020-02-09") - origin).days
    assert flow["end"] == (pd.Timestamp("2020-02-14") - origin).days
    # No stated baseline: left open for the likelihood to average over the window.
    assert np.isnan(table.loc["encyclopedia_offensive_2019-2020:o159", "start"])


def test_part_of_the_region_is_a_lower_bound_and_sources_are_classed(table):
    sub = table.loc["encyclopedia_offensive_2019-2020:o078"]  # Atareb and Darat Izza sub-districts
    assert not sub["region"] and sub["qualifier_class"] == "lower"
    assert table.loc["encyclopedia_offensive_2019-2020:o167", "qualifier_class"] == "symmetric"  # "some 900,000"
    assert D.source_class("UN OCHA") == "un"
    assert D.source_class("Reuters citing the UN") == "un"
    assert D.source_class("SOHR") == "other"
    assert D.source_class("10 Canadian aid organisations") == "other"


def test_non_displacement_figures_stay_out(dataset, table):
    shelter = dataset.observations[dataset.observations["variable"] != "displaced_people"]["claim_id"]
    assert not set(shelter) & set(table.index)


def _one_observation_model(dataset, qualifier_class: str) -> D.GrowthModel:
    """A model over a single regional 'since baseline' report of 500,000 on day 60."""
    m = D.measurements(dataset)
    row = m.table.iloc[[0]].assign(
        region=True, qualifier_class=qualifier_class, value=500_000.0, value_low=np.nan, value_high=np.nan, start=0.0, end=60, source_class="un"
    )
    m1 = dataclasses.replace(m, table=row.reset_index(drop=True))
    return D.GrowthModel(m1, "logistic", None, 1, D.GrowthPriors(), (0, 0))


def _loglik_at_level(model: D.GrowthModel, level: float) -> float:
    """Log likelihood when C(60) = level (the share parameter moved to reach it)."""
    p = model.start_params()
    p[1], p[2] = np.log(0.2), 20.0  # fast, early curve: C(60) is close to the ceiling
    c60 = model.cumulative(p, [60])[0, 0]
    share = level / c60 / (1 + np.exp(-p[0]))  # C scales with the ceiling's share
    p[0] = np.log(share / (1 - share))
    return float(model.loglik_draws(p)[0, 0])


@pytest.mark.parametrize(
    ("qualifier", "expect"),
    [
        ("lower", "rises"),  # "over 500,000": more is more likely, up to certainty
        ("upper", "falls"),  # "as many as 500,000"
        ("below_close", "impossible_above"),  # "nearly 500,000": the truth is not above it
        ("symmetric", "peaks"),  # "about 500,000"
    ],
)
def test_qualifiers_shape_the_likelihood(dataset, qualifier, expect):
    model = _one_observation_model(dataset, qualifier)
    ll = [_loglik_at_level(model, v) for v in (300_000, 480_000, 500_000, 520_000, 800_000)]
    if expect == "rises":
        assert ll[0] < ll[2] < ll[4]
    elif expect == "falls":
        assert ll[0] > ll[2] > ll[4]
    elif expect == "impossible_above":
        assert ll[3] <= -1e5 and ll[1] > -50
    else:
        assert ll[2] > ll[1] > ll[0] and ll[2] > ll[3] > ll[4]


def test_forecast_quantiles_are_ordered_capped_and_reproducible(dataset):
    fc = D.forecast(dataset, "2020-02-11", 30, "piecewise_gompertz", n_paths=2000)
    q = fc.quantile_table()
    assert list(q.columns) == ["target", "date", "model", "as_of", *QUANTILE_COLUMNS]
    assert len(q) == 30 and q["date"].iloc[0] == pd.Timestamp("2020-02-12")
    values = q[list(QUANTILE_COLUMNS)].to_numpy()
    assert (np.diff(values, axis=1) >= 0).all()
    assert values.max() <= 3_000_000  # the population at risk known then
    # The latest reports said about 700,000 on 11 February: the median next day is near it.
    assert 500_000 < q["q50"].iloc[0] < 1_000_000
    again = D.forecast(dataset, "2020-02-11", 30, "piecewise_gompertz", n_paths=2000)
    np.testing.assert_array_equal(fc.samples, again.samples)
    # Traced to claims public by the cut-off, the population ceiling's among them.
    known = dataset.as_of("2020-02-11").observations
    assert set(fc.claim_ids) <= set(known["claim_id"])
    ceiling = D.measurements(dataset.as_of("2020-02-11")).population_claim_ids
    assert ceiling and set(ceiling) <= set(fc.claim_ids)


def test_piecewise_phases_come_from_milestones_known_at_the_cut_off(dataset):
    m = D.measurements(dataset)
    before, _ = D.regime_schedule(dataset.as_of("2020-01-20"), m.origin, 120)
    after, labels = D.regime_schedule(dataset.as_of("2020-03-10"), m.origin, 120)
    jan30 = m.day("2020-01-30")
    assert before[jan30] == before[m.day("2020-01-13")] != 0  # the renewed offensive is not yet known
    assert after[jan30] != after[m.day("2020-01-13")]
    assert "ceasefire" in labels[after[m.day("2020-01-13")]]


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"as_of": "2019-12-01"}, "as_of"),  # before the first displacement report
        ({"as_of": "2020-08-01"}, "as_of"),  # after the end of the data's coverage
        ({"horizon_days": 0}, "horizon_days"),
        ({"horizon_days": -5}, "horizon_days"),
        ({"model": "prophet"}, "model"),
    ],
)
def test_bad_forecast_parameters_name_the_parameter(dataset, kwargs, parameter):
    args = {"as_of": "2020-01-08", "horizon_days": 10, "model": "gompertz", **kwargs}
    with pytest.raises(ParameterError) as err:
        D.forecast(dataset, args["as_of"], args["horizon_days"], args["model"], n_paths=100)
    assert err.value.parameter == parameter


def test_a_dataset_without_displacement_reports_is_an_as_of_error(dataset):
    obs = dataset.observations
    empty = dataclasses.replace(dataset, observations=obs[obs["variable"] != "displaced_people"])
    with pytest.raises(ParameterError, match="no displacement observations") as err:
        D.forecast(empty, "2020-01-08", 10, "gompertz")
    assert err.value.parameter == "as_of"


def test_a_model_the_data_cannot_identify_says_what_it_needs(dataset):
    with pytest.raises(D.NotEnoughData, match="needs 4"):
        D.forecast(dataset, "2020-01-08", 10, "local_trend")


def test_cli_prints_one_row_per_day_with_the_quantile_columns(capsys, published_dataset):
    common = ["--dataset", str(published_dataset)]
    assert main(["forecast", "displacement", "--as-of", "2020-01-08", "--horizon-days", "7", "--model", "drift", "--paths", "500", *common]) == 0
    out = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert list(out.columns) == ["target", "date", "model", "as_of", *QUANTILE_COLUMNS]
    assert len(out) == 7 and set(out["as_of"]) == {"2020-01-08"}
    with pytest.raises(SystemExit) as exit_:  # refused by the option check, before any work
        main(["forecast", "displacement", "--as-of", "2020-01-08", "--horizon-days", "0", *common])
    assert exit_.value.code == 2
    assert "--horizon-days" in capsys.readouterr().err


def test_quantile_csv_is_byte_identical_across_runs(dataset):
    def once() -> str:
        out = io.StringIO()
        write_quantiles(D.forecast(dataset, "2020-02-05", 14, "gompertz", n_paths=1000).quantile_table(), out)
        return out.getvalue()

    assert once() == once()


@pytest.mark.slow
def test_backtest_scores_every_origin_and_the_default_model_is_the_one_it_favours(dataset):
    bt = D.backtest(dataset, n_paths=2000)
    s = bt.scores
    assert set(s["horizon_days"]) <= {7, 14, 28, 56}
    assert (s["lead_days"] >= 1).all() and (s["lead_days"] <= 56).all()
    assert (s["crps"] >= 0).all() and s["pit"].between(0, 1).all()
    # Every origin is a date a displacement report became public, and targets are later reports.
    info = set(dataset.observations.loc[dataset.observations["variable"] == "displaced_people", "info_date"])
    assert set(s["as_of"]) <= info
    assert (s["date"] > s["as_of"]).all()
    # Baselines that need two reports are skipped, with a reason, before there are two.
    assert not bt.skipped.empty and bt.skipped["reason"].str.contains("needs").all()
    summary = summarise_backtest(s)
    assert D.select_model(summary) == D.DEFAULT_MODEL
    persistence = summary[summary["model"] == "persistence"]
    assert (persistence["skill_vs_persistence"].abs() < 1e-12).all()
