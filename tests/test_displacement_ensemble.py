"""The displacement ensemble (weights from earlier origins only) and the backtest's fast paths."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from analysis.models import displacement as D
from analysis.models.displacement import calibration as C
from analysis.models.displacement import ensemble as E

T = pd.Timestamp


def _scores(rows):
    return pd.DataFrame(rows, columns=["model", "as_of", "target_id", "crps"])


def test_weights_are_inverse_relative_crps_shrunk_toward_equal():
    # Two earlier cases both members scored; a is twice as good as b on each.
    scores = _scores([
        ("a", T("2020-01-01"), "t1", 10.0), ("b", T("2020-01-01"), "t1", 20.0),
        ("a", T("2020-01-05"), "t2", 100.0), ("b", T("2020-01-05"), "t2", 200.0),
    ])
    info = pd.Series({"t1": T("2020-01-03"), "t2": T("2020-01-08")})
    w = E.weights(scores, info, ("a", "b"), T("2020-01-10"))
    # relative CRPS: a 2/3, b 4/3 on both cases -> inverse weights 2/3, 1/3; n=2 with 2 pseudo-cases: half of it.
    assert w.cases == 2
    assert w.weights["a"] == pytest.approx(0.5 * 2 / 3 + 0.5 * 0.5)
    assert w.weights["b"] == pytest.approx(0.5 * 1 / 3 + 0.5 * 0.5)
    assert "2 earlier backtest cases" in w.note


def test_weights_ignore_later_origins_and_targets_not_yet_public():
    base = [("a", T("2020-01-01"), "t1", 10.0), ("b", T("2020-01-01"), "t1", 20.0)]
    info = pd.Series({"t1": T("2020-01-03"), "t2": T("2020-01-20"), "t3": T("2020-01-09")})
    cut = T("2020-01-10")
    before = E.weights(_scores(base), info, ("a", "b"), cut)
    later = _scores([
        *base,
        ("a", T("2020-01-12"), "t3", 1e9), ("b", T("2020-01-12"), "t3", 1.0),  # origin after the cut
        ("a", T("2020-01-02"), "t2", 1e9), ("b", T("2020-01-02"), "t2", 1.0),  # target public after the cut
    ])
    after = E.weights(later, info, ("a", "b"), cut)
    pd.testing.assert_series_equal(before.weights, after.weights)
    assert after.cases == 1


def test_no_common_case_gives_equal_weights_and_says_so():
    w = E.weights(_scores([("a", T("2020-01-01"), "t1", 10.0)]), pd.Series({"t1": T("2020-01-02")}), ("a", "b"), T("2020-01-10"))
    assert w.cases == 0 and w.weights.tolist() == [0.5, 0.5]
    assert "equal weights" in w.note


@given(w=hnp.arrays(float, st.integers(1, 6), elements=st.floats(0.0, 1.0)).filter(lambda a: a.sum() > 0), n=st.integers(1, 5000))
def test_allocation_rounds_to_whole_paths_that_sum_to_n(w, n):
    w = w / w.sum()
    counts = E.allocate(w, n)
    assert counts.sum() == n and (counts >= 0).all()
    assert np.all(np.abs(counts - w * n) < 1 + 1e-9)


def test_the_mixture_takes_each_members_first_paths_in_proportion():
    a, b = np.full((10, 2), 1.0), np.full((10, 2), 2.0)
    b[:, 1] = np.arange(10)
    w = E.Weights(pd.Series({"a": 0.7, "b": 0.3}), 5)
    out = E.mix({"a": a, "b": b}, w, 10)
    assert out.shape == (10, 2)
    assert (out[:7, 0] == 1.0).all() and (out[7:, 0] == 2.0).all()
    assert out[7:, 1].tolist() == [0.0, 1.0, 2.0]  # b's first three paths, whole


@settings(max_examples=60, deadline=None)
@given(
    x=hnp.arrays(float, st.integers(1, 400), elements=st.floats(0, 1e7, allow_nan=False)),
    levels=hnp.arrays(float, st.integers(1, 50), elements=st.floats(0.0, 1.0)),
)
def test_sorted_quantile_is_numpys_linear_quantile_bit_for_bit(x, levels):
    assert np.array_equal(C.sorted_quantile(np.sort(x), levels), np.quantile(x, levels))


@pytest.mark.slow
def test_backtest_is_byte_identical_with_one_worker_or_two_and_includes_the_ensemble(dataset):
    models = ("persistence", "drift", "gompertz")
    one = D.backtest(dataset, models, n_paths=300, workers=1)
    two = D.backtest(dataset, models, n_paths=300, workers=2)
    pd.testing.assert_frame_equal(one.scores, two.scores, check_exact=True)
    pd.testing.assert_frame_equal(one.skipped, two.skipped, check_exact=True)
    s = one.scores
    assert set(s["model"]) == {*models, *(m + "_calibrated" for m in models), E.NAME}
    # The ensemble scores every case where some member answered, and never more.
    members = s[s["model"].isin(models)].drop_duplicates(["as_of", "target_id"])
    assert len(s[s["model"] == E.NAME]) == len(members)


def test_the_ensemble_forecast_names_its_weights(dataset):
    fc, w = E.ensemble_forecast(dataset, T("2020-02-05"), 7, n_paths=300)
    assert fc.model == "ensemble" and fc.samples.shape == (300, 7)
    assert w.weights.sum() == pytest.approx(1.0) and set(w.weights.index) <= set(D.MODELS)
    assert w.cases > 0 and "earlier backtest cases" in w.note
    assert np.array_equal(D.forecast(dataset, "2020-02-05", 7, "ensemble", n_paths=300).samples, fc.samples)
