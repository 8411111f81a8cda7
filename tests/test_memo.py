"""Memoised backtests: reused only while the function, its arguments, the data and the code are unchanged."""

from __future__ import annotations

import dataclasses

from analysis.core import memo

CALLS: list[int] = []


def _count_rows(dataset, scale: int = 1) -> int:
    CALLS.append(scale)
    return len(dataset.observations) * scale


def test_a_result_is_reused_until_the_data_or_arguments_change(tmp_path, dataset):
    CALLS.clear()
    assert memo.cached(_count_rows, dataset, scale=2, cache_dir=tmp_path) == 2 * len(dataset.observations)
    assert memo.cached(_count_rows, dataset, scale=2, cache_dir=tmp_path) == 2 * len(dataset.observations)
    assert CALLS == [2]  # the second call read the stored result
    memo.cached(_count_rows, dataset, scale=3, cache_dir=tmp_path)
    assert CALLS == [2, 3]  # another argument, another key
    obs = dataset.observations
    changed = dataclasses.replace(dataset, observations=obs.assign(value=obs["value"] + 1))
    assert memo.key(_count_rows, changed, scale=2) != memo.key(_count_rows, dataset, scale=2)
    memo.cached(_count_rows, changed, scale=2, cache_dir=tmp_path)
    assert CALLS == [2, 3, 2]  # changed data is recomputed, never served stale


def test_arrays_and_series_are_keyed_by_their_whole_content():
    import numpy as np
    import pandas as pd

    a = np.zeros(5000)
    b = a.copy()
    b[2500] = 1.0  # in the middle, where repr would print "..."
    assert memo.key(len, a) != memo.key(len, b)
    assert memo.key(len, a) == memo.key(len, a.copy())
    assert memo.key(len, a) != memo.key(len, a.astype("float32"))
    s = pd.Series(a)
    assert memo.key(len, s) != memo.key(len, pd.Series(b))
    assert memo.key(len, pd.date_range("2020-01-01", periods=3)) != memo.key(len, pd.date_range("2020-01-02", periods=3))


def test_an_argument_without_a_content_key_is_refused():
    import pytest

    with pytest.raises(TypeError, match="cannot key an argument of type object"):
        memo.key(len, object())
