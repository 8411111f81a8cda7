"""Territorial change: the changes-of-hands rule, the documents' milestones, forecasts and bad input."""

from __future__ import annotations

import dataclasses
import io

import numpy as np
import pandas as pd
import pytest

from analysis.core.errors import ParameterError
from analysis.data import changes as CH
from analysis.models import territory as T
from analysis.models.base import write_quantiles


@pytest.fixture(scope="module")
def result(dataset):
    return CH.changes_of_hands(dataset.control_events)


def _changes(result, place):
    return result.changes[result.changes["place_id"] == place].reset_index(drop=True)


def test_maarat_entered_on_28_january_and_counted_once(dataset, result):
    ce = dataset.control_events
    entered = ce[(ce["place_id"] == "maarrat-al-numan") & (ce["event_type"] == "entered")]
    assert set(entered["date_start"]) == {pd.Timestamp("2020-01-28")}
    ch = _changes(result, "maarrat-al-numan")
    assert len(ch) == 1 and ch.loc[0, "to_side"] == "government"
    assert ch.loc[0, "date_end"] == pd.Timestamp("2020-01-28")
    assert ch.loc[0, "n_reports"] >= 3  # re-reports from three documents merged


def test_saraqib_encircled_and_entered_6_february_retaken_27_february_and_2_to_3_march(dataset, result):
    ce = dataset.control_events
    feb6 = ce[(ce["place_id"] == "saraqib") & (ce["date_start"] == "2020-02-06")]
    assert {"encircled", "entered"} <= set(feb6["event_type"])
    ch = _changes(result, "saraqib")
    assert list(ch["to_side"]) == ["government", "opposition", "government"]
    assert ch.loc[0, "date_start"] == pd.Timestamp("2020-02-06")
    assert ch.loc[1, "date_start"] == pd.Timestamp("2020-02-27")
    assert (ch.loc[2, "date_start"], ch.loc[2, "date_end"]) == (pd.Timestamp("2020-03-02"), pd.Timestamp("2020-03-03"))


def test_whole_m5_held_11_february_and_over_30_places_on_16_february(dataset):
    ms = dataset.milestones
    assert (ms[ms["milestone_type"] == "highway_held"]["date_start"] == pd.Timestamp("2020-02-11")).any()
    obs = dataset.observations
    aleppo = obs[(obs["variable"] == "places_captured") & (obs["date_end"] == "2020-02-16")]
    assert ((aleppo["value"] >= 30) & (aleppo["qualifier_class"] == "lower")).any()


def test_conflicting_claimants_are_left_out_and_kept_side_by_side(result):
    hazarin = result.conflicts[result.conflicts["place_id"] == "hazarin"]
    assert len(hazarin) == 1 and "Turkish sources" in hazarin.iloc[0]["sides"]
    assert _changes(result, "hazarin").query("date_start == '2020-03-02'").empty


def test_rule_on_a_small_synthetic_history(dataset):
    row = dataset.control_events.iloc[0]

    def ev(i, day, etype, side, claimed=pd.NA):
        return {**row.to_dict(), "event_id": f"x{i}", "claim_id": f"x{i}", "place_id": "p", "place_name": "P",
                "date_start": pd.Timestamp(day), "date_end": pd.Timestamp(day), "event_type": etype, "to_side": side, "claimed_by": claimed}

    events = pd.DataFrame([
        ev(1, "2020-01-01", "entered", "contested"),
        ev(2, "2020-01-02", "captured", "government"),
        ev(3, "2020-01-05", "captured", "government"),  # a re-report
        ev(4, "2020-01-10", "recaptured", "opposition"),
    ])
    ch = CH.changes_of_hands(events).changes
    assert list(ch["to_side"]) == ["government", "opposition"]
    assert ch.loc[0, "date_start"] == pd.Timestamp("2020-01-01")  # the entry widens the interval
    assert ch.loc[0, "claim_ids"] == "x1 x2 x3"


def test_daily_series_spreads_each_change_over_its_interval(result):
    start = pd.Timestamp("2019-12-19")
    s = CH.daily_series(result.changes.query("date_end >= @start"), start, pd.Timestamp("2020-03-12"))
    total = result.changes.query("date_end >= @start")
    assert s["government_captures"].sum() == pytest.approx((total["to_side"] == "government").sum())
    assert s["cumulative_net_government"].iloc[-1] == pytest.approx(s["net_government"].sum())


def test_forecast_is_reproducible_and_ignores_later_claims(dataset):
    cut = pd.Timestamp("2020-02-05")
    later = dataset.control_events["info_date"] > cut
    changed_events = dataset.control_events.copy()
    changed_events.loc[later, "to_side"] = "opposition"
    changed = dataclasses.replace(dataset, control_events=changed_events.drop(index=changed_events[later].index[::2]))

    def csv(ds):
        out = io.StringIO()
        write_quantiles(T.forecast(ds, cut, 14, "phase_glm", n_paths=500).quantile_table(), out, decimals=2)
        return out.getvalue()

    assert csv(dataset) == csv(changed)


def test_forecast_quantiles_are_ordered_and_traced_to_claims(dataset):
    fc = T.forecast(dataset, "2020-01-28", 14, "phase_glm", n_paths=2000)
    view = dataset.as_of("2020-01-28")
    known = set(view.control_events["claim_id"]) | set(view.observations["claim_id"])
    assert fc.claim_ids and set(fc.claim_ids) <= known
    q = fc.quantile_table()
    assert len(q) == 14
    assert (np.diff(q[["q05", "q25", "q50", "q75", "q95"]].to_numpy(), axis=1) >= 0).all()


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [({"as_of": "2019-06-01"}, "as_of"), ({"horizon_days": 0}, "horizon_days"), ({"model": "lstm"}, "model")],
)
def test_bad_parameters_name_the_parameter(dataset, kwargs, parameter):
    args = {"as_of": "2020-01-28", "horizon_days": 7, "model": "phase_glm", **kwargs}
    with pytest.raises(ParameterError) as err:
        T.forecast(dataset, args["as_of"], args["horizon_days"], args["model"], n_paths=100)
    assert err.value.parameter == parameter


def test_completeness_and_coupling_report_their_evidence(dataset):
    comp = T.completeness(dataset)
    assert (comp["claimed"] > 0).all() and comp["claim_id"].str.contains(":").all()
    cp = T.coupling(dataset)
    # Displacement rose while the government advanced: the estimate is positive and its interval excludes 0.
    assert cp["low90"] > 0 and cp["n_intervals"] >= 2
    assert cp["intervals"]["ids"].str.contains("->").all()


def test_completeness_model_reads_the_claims_as_measurements(dataset):
    m = T.completeness_model(dataset)
    assert 0 < m["low90"] < m["share"] < m["high90"] < 1
    assert m["share"] == pytest.approx(m["named"] / m["claimed"], rel=1e-6)  # intercept-only binomial MLE: pooled ratio
    assert m["claims"] == len(m["table"]) and all(i in set(dataset.observations["claim_id"]) for i in m["claim_ids"])
    start = pd.Timestamp(dataset.case.territory_baseline_date)
    latent = T.latent_captures(CH.net_series(dataset, start=start), m)
    last = latent.iloc[-1]
    assert last["low90"] <= last["estimate"] <= last["high90"] and last["estimate"] >= last["named"]


def test_district_series_places_only_what_ocha_codes_place(dataset):
    from analysis.report.figures import maps

    d = CH.district_series(dataset, maps.admin2(dataset.case.map_admin1_pcodes))
    changes = CH.changes_of_hands(dataset.control_events).changes
    assert d["to_government"].sum() + d["to_opposition"].sum() == len(changes)  # every change counted once
    assert d.iloc[-1]["admin2_pcode"] == "unplaced"
    placed = d[d["admin2_pcode"] != "unplaced"]
    assert set(placed["admin2_pcode"]) == set(changes["admin2_pcode"].dropna())
    assert "Al Ma'ra" in set(placed["district"])  # Ma'arrat al-Nu'man's district


def test_road_holders_follow_the_m5_through_saraqib(dataset):
    changes = CH.changes_of_hands(dataset.control_events).changes
    before = CH.road_holders(dataset, changes, "M5", pd.Timestamp("2020-01-08")).set_index("place_id")
    assert (before["side"] == "opposition").all() and (before["claim_ids"] == "").all()  # initial holder, no change known
    held = CH.road_holders(dataset, changes, "M5", pd.Timestamp("2020-02-12")).set_index("place_id")
    assert (held["side"] == "government").all() and "maar-hattat-observation-post" not in held.index
    lost = CH.road_holders(dataset, changes, "M5", pd.Timestamp("2020-02-28")).set_index("place_id")
    assert lost.at["saraqib", "side"] == "opposition" and (lost.drop("saraqib")["side"] == "government").all()
