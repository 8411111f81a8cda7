"""The front-line displacement model: the coupling by hand on a tiny front line, first-report answers, the floor."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from analysis.models import displacement as D
from analysis.models.displacement import front as FA
from analysis.models.displacement import frontline as F

ORIGIN = pd.Timestamp("2019-11-30")  # grid day 0


def _day(n: int) -> pd.Timestamp:
    return ORIGIN + pd.Timedelta(days=n)


def test_the_coupling_is_a_geometric_lag_of_exposure_plus_background():
    # r = tau / (1 + tau) = 0.5: S = 0, 500, 250, 125; D = 10 + 0.5 S.
    d = FA.coupled_flow(np.array([0.0, 1000.0, 0.0, 0.0]), 0.5, 10.0, 1.0)
    np.testing.assert_allclose(d, [[10.0, 260.0, 135.0, 72.5]])
    # A background halving every day (T = 1 / ln 2): 10, 5, 2.5, 1.25.
    d = FA.coupled_flow(np.array([0.0, 1000.0, 0.0, 0.0]), 0.5, 10.0, 1.0, decay=1 / np.log(2))
    np.testing.assert_allclose(d, [[10.0, 255.0, 127.5, 63.75]])


def _tiny_front(dataset):
    """A town of 10,000 (a sub-district seat) attacked on day 2 and taken on day 3; a village taken over days 4-5;
    an aggregate claim of 6 places taken over days 4-5."""
    places = pd.DataFrame({"place_id": ["town", "village"], "feature": ["settlement", "settlement"],
                           "subdistrict_population": pd.array([10_000, None], dtype="Int64")})
    ev = pd.DataFrame({
        "event_id": ["e1", "e2", "e3"], "claim_id": ["c1", "c2", "c3"], "doc_id": "doc", "place_id": ["town", "town", "village"],
        "place_name": ["Town", "Town", "Village"], "event_type": ["attacked", "captured", "captured"],
        "to_side": ["opposition", "government", "government"], "claimed_by": None,
        "date_start": [_day(2), _day(3), _day(4)], "date_end": [_day(2), _day(3), _day(5)], "info_date": _day(6),
        "admin2_pcode": None, "latitude": np.nan, "longitude": np.nan,
    })
    obs = dataset.observations.head(0).copy()
    claim = {c: None for c in obs.columns} | {"claim_id": "agg", "variable": "places_captured", "side": "government", "kind": "flow",
                                               "value": 6.0, "date_start": _day(4), "date_end": _day(5), "baseline_date": pd.NaT, "info_date": _day(6)}
    obs = pd.DataFrame([claim])
    return dataclasses.replace(dataset, places=places, control_events=ev, observations=obs)


def test_front_activity_weighs_places_by_exposed_people_by_hand(dataset):
    front = FA.front_activity(_tiny_front(dataset), ORIGIN, 7, share=0.5)
    # Named government captures: the town (day 3), the village spread over days 4-5.
    np.testing.assert_allclose(front["named"], [0, 0, 0, 1, 0.5, 0.5, 0])
    # World: named / 0.5, then the claim lifts days 4-5 from 2 to 6 places.
    np.testing.assert_allclose(front["world"], [0, 0, 0, 2, 3, 3, 0])
    # The town's 10,000 people: 1/3 on the attack (weight 0.5 of 1.5), 2/3 on the capture; the village's prior 3,000
    # over its two days; every unnamed place (world - named) the prior 3,000.
    e0 = F.EXPOSED_PRIOR
    expect = [0, 0, 10_000 / 3, 20_000 / 3 + e0 * 1, e0 / 2 + e0 * 2.5, e0 / 2 + e0 * 2.5, 0]
    np.testing.assert_allclose(front["activity"], expect)
    # Coupled (beta 0.5, no background, mean lag 1 day): the cumulative figure by hand.
    p = np.array([[np.log(0.5), -np.inf, 0.0, 0.0, 0.0, 0.0]])
    c = F.cumulative_paths(front["activity"], p)[0]
    s = [0.0]
    for a in expect[1:]:
        s.append(0.5 * s[-1] + 0.5 * a)
    np.testing.assert_allclose(c, np.cumsum([0.0, *(0.5 * x for x in s[1:])]))
    assert c[5] == pytest.approx(0.5 * (1666.6667 + 5666.6667 + 7333.3333 + 8166.6667), rel=1e-6)


def test_uninhabited_places_expose_nobody():
    places = pd.DataFrame({"place_id": ["base", "seat", "village"], "feature": ["military_base", "settlement", "settlement"],
                           "subdistrict_population": pd.array([None, 5, None], dtype="Int64")})
    np.testing.assert_allclose(FA.exposure(places, pd.Series(["base", "seat", "village", "unknown"])), [0, 5, F.EXPOSED_PRIOR, F.EXPOSED_PRIOR])


@pytest.mark.parametrize("model", ["frontline", "frontline_calibrated"])
def test_frontline_answers_from_the_first_regional_report(dataset, model):
    first, _ = D.observation_dates(dataset)
    fc = D.forecast(dataset, first, 14, model, n_paths=500)
    q = fc.quantile_table()
    assert len(q) == 14 and np.isfinite(q[["q05", "q50", "q95"]].to_numpy()).all()
    assert (q["q95"] > q["q05"]).all()  # the priors carry it, and the interval says how little is known


def test_the_nowcast_moves_with_the_front_line(dataset):
    """As of 4 February (no regional figure since 1 January), the captures of 24-31 January raise the nowcast."""
    f = D.fit(dataset, "2020-02-04", "frontline")
    a = f.detail.front["activity"]
    m = f.measurements
    late_jan = a[m.day("2020-01-24"):m.day("2020-01-31") + 1].sum()
    mid_jan = a[m.day("2020-01-16"):m.day("2020-01-23") + 1].sum()
    assert late_jan > 3 * mid_jan
    days = np.array([m.day("2020-01-11"), m.day("2020-01-23"), m.day("2020-02-04")])
    c = f.detail.res.model.cumulative(f.detail.res.params, days)[0]
    assert c[2] - c[1] > c[1] - c[0]  # the 12 days from the renewed offensive displaced more than the 12 before


def test_the_forecast_rests_on_the_front_line_claims_it_used(dataset):
    """Provenance: the control events and aggregate claims behind the activity are among the forecast's claims, all public by the cut-off."""
    fc = D.forecast(dataset, "2020-01-08", 14, "frontline", n_paths=200)
    used = set(fc.claim_ids)
    assert "encyclopedia_offensive_2019-2020:o012" in used  # "over 15" places taken on 21-22 December
    ce = dataset.control_events
    assert set(ce.loc[ce["info_date"] <= "2020-01-08", "claim_id"]) & used
    info = pd.concat([dataset.observations[["claim_id", "info_date"]], ce[["claim_id", "info_date"]]]).drop_duplicates("claim_id").set_index("claim_id")["info_date"]
    when = info.reindex(sorted(used))
    assert when.notna().all() and (when <= pd.Timestamp("2020-01-08")).all()


def test_between_reports_the_nowcast_rises_with_the_renewed_offensive(dataset):
    """As of 4 February the last regional figure is 1 January's (300,000, a lower bound); the front line since then
    moves the frontline nowcast for 5 February well above it, where persistence stays."""
    front = D.forecast(dataset, "2020-02-04", 1, "frontline", n_paths=2000).at(pd.Timestamp("2020-02-05"))
    flat = D.forecast(dataset, "2020-02-04", 1, "persistence", n_paths=2000).at(pd.Timestamp("2020-02-05"))
    assert np.median(front) > 1.3 * np.median(flat)


def test_a_case_without_a_recorded_front_line_still_answers(dataset):
    """No control events and no aggregate claims: the activity is zero and the background alone carries the forecast."""
    obs = dataset.observations
    bare = dataclasses.replace(dataset, control_events=dataset.control_events.head(0), observations=obs[obs["variable"] != "places_captured"])
    f = D.fit(bare, "2020-01-08", "frontline")
    assert not f.detail.front["activity"].any()
    q = D.forecast(bare, "2020-01-08", 14, "frontline", n_paths=500).quantile_table()
    assert np.isfinite(q[["q10", "q50", "q90"]].to_numpy()).all() and (q["q90"] > q["q10"]).all()
