"""Places changing hands in the world, estimated from the named ones: the target column, the lower bound, the thinning inverse."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from analysis.core.errors import ParameterError
from analysis.models import territory as T
from analysis.models.base import write_quantiles
from analysis.models.territory import estimated as E


def test_unnamed_places_are_zero_when_everything_is_named_and_average_n_times_odds_otherwise():
    rng = np.random.default_rng(0)
    named = np.full((20_000, 1), 30.0)
    assert (E.unnamed(named, np.ones(20_000) - 1e-12, rng) == 0).all()
    assert (E.unnamed(np.zeros((5, 3)), np.full(5, 0.25), rng) == 0).all()
    # n (1 - c) / c = 30 * 0.75 / 0.25 = 90 unnamed places.
    assert E.unnamed(named, np.full(20_000, 0.25), rng).mean() == pytest.approx(90, rel=0.02)


def test_share_draws_follow_the_completeness_models_band():
    model = {"share": 0.25, "low90": 0.16, "high90": 0.36}
    c = E.share_draws(model, 40_000, np.random.default_rng(1))
    assert np.median(c) == pytest.approx(0.25, abs=0.005)
    assert np.quantile(c, 0.95) == pytest.approx(0.36, abs=0.01)


def test_the_estimate_never_falls_below_the_named_places_and_each_path_is_non_decreasing(dataset):
    cut = pd.Timestamp("2020-02-13")
    view = dataset.as_of(cut)
    ch = T.glm.baseline_changes(view)
    f = T.glm._fit(view, cut, ch, "phase_glm", 0)
    world, named = E.world_paths(f, E.past_government_named(ch, f.start, cut), T.completeness_model(view), 14, 2000, 0)
    assert (world >= named).all()
    assert (np.diff(world, axis=1) >= 0).all()


def test_forecast_tables_say_which_quantity_they_hold(dataset):
    est = T.forecast(dataset, "2020-02-13", 7, n_paths=2000).quantile_table()
    named = T.forecast(dataset, "2020-02-13", 7, n_paths=2000, quantity="named").quantile_table()
    assert set(est["target"]) == {"places_taken_by_government_estimated"}
    assert set(named["target"]) == {"net_places_gained_by_government_named"}
    out = io.StringIO()
    write_quantiles(est, out)
    assert out.getvalue().splitlines()[0].startswith("target,date,model,as_of,q05")
    # Far more places changed hands than the documents name.
    assert est["q50"].iloc[-1] > 2 * named["q50"].iloc[-1]


def test_an_unknown_quantity_names_the_parameter(dataset):
    with pytest.raises(ParameterError) as err:
        T.forecast(dataset, "2020-02-13", 7, quantity="villages")
    assert err.value.parameter == "quantity"


def test_the_backtest_judges_the_estimate_against_claims_and_the_corrected_series(dataset):
    bt = E.backtest(dataset, models=("phase_glm",), n_paths=300, horizons=(7, 14))
    kinds = set(bt.scores["target_id"].str.split(":").str[0])
    assert kinds == {"claim", "series"}
    assert bt.scores["covered_80"].between(0, 1).all()
    # Early origins, before two aggregate claims were public, are listed with the reason.
    assert len(bt.skipped) and bt.skipped["reason"].str.contains("aggregate claims").all()


def test_world_daily_never_falls_below_an_aggregate_claim_nor_the_named_places_over_the_share(dataset):
    start, end = pd.Timestamp(dataset.case.territory_baseline_date), pd.Timestamp("2020-03-10")
    comp = T.completeness_model(dataset)
    w = T.world_daily(dataset, start, end, comp).set_index("date")
    assert (w["world"] >= w["named"] / comp["share"] - 1e-9).all()
    for r in comp["table"].itertuples():
        span = w.loc[max(r.date_start, start):min(r.date_end, end), "world"]
        assert span.sum() >= r.claimed - 1e-9, r.claim_id
    # A claim on a day the documents name few places raises that day (more than 30 on 16 February, two named).
    day = comp["table"].set_index("claim_id").loc["encyclopedia_offensive_2019-2020:o080", "date_end"]
    assert w.at[day, "world"] >= 30 > w.at[day, "named"] / comp["share"]


def test_the_coupling_per_place_in_the_world_uses_only_what_was_public(dataset):
    c = T.coupling_estimated(dataset)
    assert c["per_place"] > 0 and c["low90"] < c["per_place"] < c["high90"] and c["n_intervals"] >= 5
    used = c["intervals"][c["intervals"]["places"] > 0]
    assert c["per_place"] == pytest.approx(used["displaced"].sum() / used["places"].sum())  # WLS, variance proportional to places
    cut = pd.Timestamp("2020-02-15")
    early = T.coupling_estimated(dataset.as_of(cut))
    public = set(dataset.as_of(cut).observations["claim_id"])
    assert set(early["claim_ids"]) <= public and early["intervals"]["to"].max() <= cut


def test_area_claims_become_area_per_place_paired_with_the_places_they_state_or_the_estimate(dataset):
    a = T.area_per_place(dataset)
    t = a["table"].set_index("claim_id")
    stated = t[t["places_from"] == "stated with the area"]
    assert len(stated) >= 1 and len(t) >= 2  # "22 villages and towns including 110 square kilometres"; "600 square kilometres"
    obs = dataset.observations.set_index("claim_id")
    for cid, r in stated.iterrows():
        assert r["km2"] == obs.at[cid, "value"] and r["km2_per_place"] == pytest.approx(r["km2"] / r["places"])
    assert a["low"] <= a["km2"] <= a["high"]
    assert a["km2"] == pytest.approx(t["km2"].sum() / t["places"].sum())


def test_the_share_of_the_governorate_is_forecast_from_the_share_claim_public_then(dataset):
    anchor = T.share_anchor(dataset)
    with pytest.raises(ParameterError, match="share"):
        T.share_forecast(dataset, anchor["date_end"] - pd.Timedelta(days=1), 14)  # no share claim public yet
    fc = T.share_forecast(dataset, "2020-02-13", 14, n_paths=2000)
    q = fc.quantile_table()
    assert (q["target"] == T.SHARE_TARGET).all() and "upper" in T.SHARE_TARGET
    assert (fc.samples >= anchor["value"] - 1e-9).all() and (fc.samples <= 100).all()
    assert (np.diff(fc.samples, axis=1) >= -1e-9).all()  # places taken only add area
    assert anchor["claim_id"] in fc.claim_ids
    # No hindsight: claims published after the cut-off cannot move it.
    import dataclasses

    obs = dataset.observations
    later = obs["info_date"] > pd.Timestamp("2020-02-13")
    changed = dataclasses.replace(dataset, observations=obs.assign(value=np.where(later, obs["value"] * 3, obs["value"])))
    np.testing.assert_array_equal(T.share_forecast(changed, "2020-02-13", 14, n_paths=2000).samples, fc.samples)


def test_a_road_length_claimed_for_each_side_sits_beside_the_named_road_places_held(dataset):
    r = T.road_length_check(dataset, "M5")
    assert len(r) >= 1
    row = r.iloc[0]
    assert row["length_share"] == pytest.approx(row["government_km"] / (row["government_km"] + row["opposition_km"]))
    assert 0 <= row["named_places_share"] <= 1 and row["named_places"] > 0
