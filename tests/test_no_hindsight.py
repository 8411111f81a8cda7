"""No hindsight: an as-of view depends only on claims public on or before the cut-off."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.data.dataset import summary

TABLES = ("observations", "control_events", "milestones")


def _perturb_later(df: pd.DataFrame, cut: pd.Timestamp, seed: int) -> pd.DataFrame:
    """Change, delete and add rows whose info_date is after ``cut``."""
    later = df["info_date"] > cut
    out = df.copy()
    rng = seed % 3
    if "value" in out:
        out.loc[later, "value"] = out.loc[later, "value"] * (2 + rng)
    out.loc[later, "quote"] = "changed after the cut-off"
    drop = out[later].iloc[:: 2 + rng].index
    out = out.drop(index=drop)
    added = df[later].head(3).copy()
    key = df.columns[0]
    added[key] = added[key] + "-added"
    return pd.concat([out, added], ignore_index=True)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(day=st.integers(min_value=0, max_value=220), seed=st.integers(min_value=0, max_value=1000))
def test_changing_later_claims_leaves_the_as_of_view_unchanged(dataset, day, seed):
    cut = pd.Timestamp("2019-11-20") + pd.Timedelta(days=day)
    changed = dataclasses.replace(dataset, **{t: _perturb_later(getattr(dataset, t), cut, seed) for t in TABLES})
    a, b = dataset.as_of(cut), changed.as_of(cut)
    for t in TABLES:
        pd.testing.assert_frame_equal(getattr(a, t), getattr(b, t))
    for name, table in summary(a).items():
        pd.testing.assert_frame_equal(table, summary(b)[name])


def _every_displacement_model():
    from analysis.models import displacement

    return (*displacement.MODELS, *displacement.CALIBRATED, *displacement.ENSEMBLE)


@pytest.mark.parametrize("model", _every_displacement_model())
@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(day=st.integers(min_value=0, max_value=78), seed=st.integers(min_value=0, max_value=1000))
def test_later_observations_cannot_change_an_as_of_displacement_forecast(dataset, day, seed, model):
    """Changing, adding or deleting observations published after D leaves the as-of-D forecast byte-identical."""
    import io

    from analysis.models import displacement
    from analysis.models.base import write_quantiles

    cut = pd.Timestamp("2019-12-23") + pd.Timedelta(days=day)
    changed = dataclasses.replace(dataset, **{t: _perturb_later(getattr(dataset, t), cut, seed) for t in TABLES})

    def csv(ds) -> str:
        try:
            fc = displacement.forecast(ds, cut, 30, model, n_paths=300)
        except displacement.NotEnoughData as exc:
            return f"not enough data: {exc}"
        out = io.StringIO()
        write_quantiles(fc.quantile_table(), out, decimals=3)
        return out.getvalue()

    assert csv(dataset) == csv(changed)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    day=st.integers(min_value=20, max_value=70),
    seed=st.integers(min_value=0, max_value=1000),
    model=st.sampled_from(["phase_glm", "phase_glm_momentum", "mean_rate", "persistence"]),
    quantity=st.sampled_from(["estimated", "named"]),
)
def test_later_claims_cannot_change_an_as_of_territory_forecast(dataset, day, seed, model, quantity):
    """Changing, adding or deleting control events and aggregate claims published after D leaves both territory quantities byte-identical."""
    import io

    from analysis.core.errors import ParameterError
    from analysis.models import territory
    from analysis.models.base import write_quantiles

    cut = pd.Timestamp("2019-12-19") + pd.Timedelta(days=day)
    changed = dataclasses.replace(dataset, **{t: _perturb_later(getattr(dataset, t), cut, seed) for t in TABLES})

    def csv(ds) -> str:
        try:
            fc = territory.forecast(ds, cut, 14, model, n_paths=300, quantity=quantity)
        except ParameterError as exc:
            return f"not identified: {exc}"
        out = io.StringIO()
        write_quantiles(fc.quantile_table(), out, decimals=3)
        return out.getvalue()

    assert csv(dataset) == csv(changed)
