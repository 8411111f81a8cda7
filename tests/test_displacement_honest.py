"""Honest numbers in prose, and no forecast below a figure already reported."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.core.errors import ParameterError
from analysis.models import displacement as D
from analysis.models.displacement import honest


@pytest.mark.parametrize(
    "x, sig, expect",
    [(1_092_426, 2, "1,100,000"), (1_092_426, 3, "1,090,000"), (373_381, 2, "370,000"), (657_608, 3, "658,000"), (0, 2, "0")],
)
def test_people_are_rounded_to_significant_figures(x, sig, expect):
    assert honest.people(x, sig) == expect


def test_a_clipped_upper_bound_is_named_the_ceiling_not_a_quantile():
    phrase = honest.interval(373_381, 3_000_000, 3_000_000)
    assert "population ceiling" in phrase and "370,000" in phrase
    assert "to 3,000,000" not in phrase
    assert honest.interval(430_000, 1_400_000, 3_000_000) == "80% interval 430,000 to 1,400,000"


def test_bad_significant_figures_name_the_parameter():
    with pytest.raises(ParameterError) as e:
        honest.round_sig(5.0, 0)
    assert e.value.parameter == "sig"


def test_the_floor_is_the_running_maximum_of_regional_figures_known():
    series = pd.DataFrame({"end": [10, 20, 30], "value": [100.0, 300.0, 250.0], "claim_ids": ["a", "b", "c"]})

    class M:
        stock_series = series
        population_at_risk = 280.0

    floor = D.known_floor(M(), np.array([5, 10, 19, 25, 40]))
    # before any report: 0; then 100; from day 20 the 300 (capped at the 280 at risk) holds, even after the lower 250.
    assert floor.tolist() == [0.0, 100.0, 100.0, 280.0, 280.0]


@pytest.mark.parametrize("model", D.MODELS)
@pytest.mark.parametrize("as_of", ["2020-01-08", "2020-02-05", "2020-02-11"])
def test_no_median_falls_below_a_figure_already_reported(dataset, model, as_of):
    view = dataset.as_of(pd.Timestamp(as_of))
    try:
        fc = D.forecast(dataset, as_of, 14, model, n_paths=400)
    except D.NotEnoughData:
        pytest.skip(f"{model} cannot be fitted as of {as_of}")
    m = D.measurements(view)
    s = m.stock_series
    known = s["value"].max()
    q = fc.quantile_table()
    assert (q["q05"] >= min(known, m.population_at_risk) - 1e-6).all()
    # Lower bounds ("over", "more than") for the region in particular.
    t = m.table
    lower = t[t["region"] & (t["qualifier_class"] == "lower") & ((t["start"] == 0) | t["start"].isna())]
    if len(lower):
        assert (q["q50"] >= min(lower["value"].max(), m.population_at_risk) - 1e-6).all()


def test_the_headline_says_whether_its_upper_bound_is_the_ceiling(dataset):
    fc = D.forecast(dataset, "2020-01-08", 60, "drift", n_paths=1000)
    head = D.headline(dataset, fc, target_date="2020-03-01")
    assert head["ceiling"] > 0
    assert head["q90_at_ceiling"] == honest.at_ceiling(head["q90"], head["ceiling"])


def test_uniform_earlier_pits_leave_the_levels_alone_and_high_ones_move_them_up():
    from analysis.models.displacement import calibration as C

    levels = np.array([0.1, 0.5, 0.9])
    assert np.allclose(C.level_map(np.array([]), levels), levels)
    assert np.allclose(C.level_map((np.arange(1000) + 0.5) / 1000, levels), levels, atol=2e-3)
    # Three earlier reports all above the model's 90% quantile (PIT 0.95): hand-computed shrunk ECDF
    # G = 0.6 ECDF + 0.4 U, the ECDF through (0,0), three ties at 0.95 (1/6 .. 5/6), (1,1):
    # G(0.95-) = 0.6/6 + 0.38 = 0.48 and G(0.95+) = 0.6*5/6 + 0.38 = 0.88, so G^{-1}(0.5) = 0.95;
    # below the jump G(x) = x (0.1/0.95 + 0.4), so G^{-1}(0.2) = 0.2 / (0.1/0.95 + 0.4).
    got = C.level_map(np.full(3, 0.95), np.array([0.5, 0.2]))
    assert got == pytest.approx([0.95, 0.2 / (0.1 / 0.95 + 0.4)], abs=2e-3)
    x = np.arange(1.0, 101.0)
    moved = C.recalibrate_column(x[::-1].copy(), np.full(3, 0.95))
    assert np.median(moved) > np.median(x)
    assert np.all(np.argsort(moved) == np.argsort(x[::-1]))  # ranks kept


def test_a_calibrated_forecast_without_earlier_cases_says_it_is_uncalibrated(dataset):
    first = D.observation_dates(dataset)[0]
    fc, notes = D.calibrated_forecast(dataset, first + pd.Timedelta(days=1), 7, "gompertz", n_paths=300)
    assert fc.model == "gompertz_calibrated"
    assert all(n.startswith("uncalibrated") for n in notes.values())
    fc, notes = D.calibrated_forecast(dataset, pd.Timestamp("2020-02-11"), 7, "drift", n_paths=300)
    assert any(n.startswith("recalibrated") for n in notes.values())


def test_selection_refuses_a_model_that_wins_by_being_wide():
    summary = pd.DataFrame(
        {
            "model": ["wide", "wide", "honest", "honest", "persistence", "persistence"],
            "horizon_days": [7, 14] * 3,
            "coverage_80": [1.0, 1.0, 0.8, 0.75, 0.9, 0.9],
            "skill_vs_persistence": [0.3, 0.3, 0.1, 0.1, 0.0, 0.0],
        }
    )
    assert D.select_model(summary) == "honest"
    assert D.select_model(summary[summary["model"] != "honest"]) == "wide"  # nothing inside: the closest


def test_the_default_model_answers_from_the_first_regional_report(dataset):
    first = D.measurements(dataset).dated_stocks.sort_values("date")
    view_day = None
    for day in sorted(dataset.observations.loc[dataset.observations["variable"] == "displaced_people", "info_date"].unique()):
        if len(D.measurements(dataset.as_of(pd.Timestamp(day))).stock_series) == 1:
            view_day = pd.Timestamp(day)
            break
    assert view_day is not None and len(first)
    for model in (D.DEFAULT_MODEL, "drift", "persistence"):
        fc = D.forecast(dataset, view_day, 14, model, n_paths=500)
        q = fc.quantile_table()
        assert (q["q90"] > q["q10"]).all()  # a real interval from the prior volatility


def test_an_as_of_before_the_first_report_names_it(dataset):
    first = D.observation_dates(dataset)[0]
    with pytest.raises(ParameterError, match="before the first displacement report") as e:
        D.forecast(dataset, first - pd.Timedelta(days=1), 7)
    assert e.value.parameter == "as_of" and str(first.date()) in e.value.message


def test_calibrated_models_are_accepted_by_the_report_parameters():
    from analysis.report.params import DisplacementParams

    DisplacementParams(model="drift_calibrated").check()
    with pytest.raises(ParameterError):
        DisplacementParams(model="drift_wide").check()


def test_the_trust_sentence_reports_cases_coverage_and_skill():
    s = pd.DataFrame({"model": ["drift"], "horizon_days": [14], "cases": [7], "coverage_80": [6 / 7], "median_ape": [0.2], "skill_vs_persistence": [0.3]})
    text = honest.trust_sentence(s, "drift", 14)
    assert "held 6 of them" in text and "20%" in text and "better than persistence" in text and "+30%" in text and "weak evidence" in text
    assert "no case" in honest.trust_sentence(s, "drift", 7)


def test_a_comparison_table_names_the_ceiling_instead_of_printing_it():
    cmp = pd.DataFrame({"model": ["drift", "loglinear"], "q10": [373_381.0, np.nan], "q50": [1_092_426.0, np.nan], "q90": [3_000_000.0, np.nan]})
    out = honest.people_columns(cmp, ["q10", "q50", "q90"], 3_000_000.0)
    assert out.loc[0, ["q10", "q50", "q90"]].tolist() == ["373,000", "1,090,000", "at the population ceiling"]
    assert out.loc[1, "q90"] == ""  # a model that could not answer stays empty
    assert cmp["q90"].iloc[0] == 3_000_000.0  # the numbers themselves are untouched


def test_the_headline_paragraph_says_how_wide_and_what_the_backtest_says_at_this_horizon():
    import datetime as dt

    head = {"as_of": dt.date(2020, 1, 8), "target_date": dt.date(2020, 3, 1), "model": "drift", "median": 1_092_426.0,
            "q10": 373_381.0, "q90": 3_000_000.0, "ceiling": 3_000_000.0, "report_value": 950_000.0,
            "report_date": dt.date(2020, 3, 1), "report_id": "x:o1", "report_source": "UN OCHA"}
    summary = pd.DataFrame({"model": ["drift"], "horizon_days": [56], "cases": [12], "coverage_80": [1.0], "median_ape": [0.135], "skill_vs_persistence": [0.46]})
    text = honest.headline_paragraph(head, summary, "1 December 2019", 5)
    assert "1,100,000" in text and "1,092,426" not in text and "3,000,000)" in text and "up to the population ceiling" in text
    assert "spans 2.4 times the expected figure" in text and "the cap" in text  # (3,000,000 - 373,381) / 1,092,426
    assert "inside the 80% interval" in text and "15% above it" in text
    assert "At this horizon (the backtest's 56-day bucket)" in text and "held 12 of them" in text
    far = honest.headline_paragraph({**head, "target_date": dt.date(2020, 5, 1), "report_id": None}, summary, "1 December 2019", 5)
    assert "says nothing about this model" in far and "No later report" in far


def test_pit_panel_titles_do_not_touch():
    import matplotlib

    matplotlib.use("Agg")
    from analysis.report.figures import model_figures

    models = [*D.MODELS, "ensemble", "persistence_calibrated"]
    scores = pd.DataFrame({"model": np.repeat(models, 5), "pit": np.tile(np.linspace(0.1, 0.9, 5), len(models))})
    fig = model_figures.pit_histogram(scores, "PIT")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [ax.title.get_window_extent(renderer) for ax in fig.axes if ax.get_visible()]
    assert len(boxes) == len(models)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.overlaps(b), "two panel titles overlap"
        assert a.x0 >= 0 and a.x1 <= fig.bbox.x1
