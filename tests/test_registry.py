"""The model registry: every entry is a model object of its family; a new model is one module and one line."""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import pytest

from analysis import cli
from analysis.core import paths
from analysis.core.errors import ParameterError
from analysis.models import registry
from analysis.models.spec import ForecastSpec

TOY = registry.Entry("toy_flat", registry.DISPLACEMENT, "toy_model:TOY_FLAT")  # tests/toy_model.py
TOY_TERRITORY = registry.Entry("toy_recent", registry.TERRITORY, "toy_model:TOY_RECENT")


@pytest.mark.parametrize("entry", registry.ENTRIES, ids=lambda e: f"{e.family}:{e.name}")
def test_every_entry_is_a_model_object_of_its_family(entry):
    model = registry.get(entry.name, family=entry.family)
    assert isinstance(model, registry.Model)
    assert (model.name, model.family) == (entry.name, entry.family)
    assert isinstance(model.needs, int) and model.needs >= 0


def test_names_follow_the_registry_and_calibrated_forms_follow_the_models():
    d = registry.names(registry.DISPLACEMENT)
    assert d[:3] == ("logistic", "gompertz", "richards") and len(set(d)) == len(d)
    assert registry.forecast_names(registry.DISPLACEMENT) == (*d, *(m + "_calibrated" for m in d), "ensemble")
    assert registry.forecast_names(registry.TERRITORY) == registry.names(registry.TERRITORY)
    assert registry.calibrated_base("drift_calibrated", registry.DISPLACEMENT) == "drift"
    assert registry.calibrated_base("drift", registry.DISPLACEMENT) is None
    assert registry.calibrated_base("phase_glm_calibrated", registry.TERRITORY) is None  # territory has no calibrated forms


def test_an_unknown_model_or_family_names_the_choices():
    with pytest.raises(ParameterError, match="unknown model 'holt'; choose one of phase_glm, phase_glm_momentum, persistence, mean_rate"):
        registry.get("holt", family=registry.TERRITORY)
    with pytest.raises(ParameterError, match="parameter 'family': unknown model family 'weather'"):
        registry.names("weather")


def test_a_wrong_entry_is_refused(monkeypatch):
    wrong = registry.Entry("toy_other", registry.DISPLACEMENT, "toy_model:TOY_FLAT")  # the object is named toy_flat
    monkeypatch.setattr(registry, "ENTRIES", (*registry.ENTRIES, wrong))
    with pytest.raises(TypeError, match="toy_flat"):
        registry.get("toy_other", family=registry.DISPLACEMENT)


def test_the_forecast_spec_is_frozen_and_checked():
    spec = ForecastSpec(registry.DISPLACEMENT, "2020-01-08", "drift", horizon_days=7, options={"k": 1})
    assert spec.as_of == pd.Timestamp("2020-01-08")
    with pytest.raises(AttributeError):
        spec.model = "gompertz"
    with pytest.raises(TypeError):
        spec.options["k"] = 2
    assert spec.replace(horizon_days=14).option("k", 0) == 1
    for changes, parameter in (({"horizon_days": 0}, "horizon_days"), ({"model": "holt"}, "model"), ({"as_of": "8 Jan"}, "as_of"),
                               ({"n_paths": 0}, "n_paths"), ({"seed": -1}, "seed")):
        with pytest.raises(ParameterError, match=f"parameter '{parameter}'"):
            spec.replace(**changes)


def _forecast_csv(argv, capsys) -> pd.DataFrame:
    assert cli.main(argv) == 0
    return pd.read_csv(io.StringIO(capsys.readouterr().out))


def test_a_toy_model_is_one_module_and_one_registry_line(dataset, published_dataset, tmp_path, monkeypatch, capsys):
    """tests/toy_model.py plus one Entry: idlib forecast (in-process), its calibrated form and the backtest all run it."""
    from analysis.models import displacement as D

    # The one line. (The other displacement entries are left out only to keep the backtest short.)
    kept = tuple(e for e in registry.ENTRIES if e.family != registry.DISPLACEMENT or e.name == "persistence")
    monkeypatch.setattr(registry, "ENTRIES", (*kept, TOY))

    cut = pd.Timestamp("2020-02-11")
    args = ["forecast", "displacement", "--as-of", str(cut.date()), "--horizon-days", "5", "--paths", "400", "--dataset", str(published_dataset)]
    table = _forecast_csv([*args, "--model", "toy_flat"], capsys)
    assert list(table["model"].unique()) == ["toy_flat"] and len(table) == 5
    last = D.measurements(dataset.as_of(cut)).stock_series["value"].iloc[-1]
    # Flat paths around the last regional report (floored at the reports already known).
    assert np.allclose(table["q50"], last, rtol=0.02)
    assert (table["q95"] / table["q50"]).round(2).nunique() == 1  # the spread does not grow with the lead time
    calibrated = _forecast_csv([*args, "--model", "toy_flat_calibrated"], capsys)
    assert list(calibrated["model"].unique()) == ["toy_flat_calibrated"]

    out = tmp_path / "backtest"
    assert cli.main(["backtest", "displacement", "--paths", "200", "--dataset", str(published_dataset), "--out", str(out)]) == 0
    summary = pd.read_csv(out / "displacement_summary.csv")
    assert set(summary["model"]) == {"persistence", "persistence_calibrated", "toy_flat", "toy_flat_calibrated", "ensemble"}
    assert (summary.loc[summary["model"] == "toy_flat", "cases"] > 0).all()

    # The notebooks' parameter check reads the registry too.
    from analysis.report.params import DisplacementParams

    assert DisplacementParams.from_mapping({"model": "toy_flat"}).model == "toy_flat"


def test_a_toy_territory_model_is_one_module_and_one_registry_line(dataset, published_dataset, tmp_path, monkeypatch, capsys):
    from analysis.models import territory as T

    kept = tuple(e for e in registry.ENTRIES if e.family != registry.TERRITORY or e.name == "persistence")
    monkeypatch.setattr(registry, "ENTRIES", (*kept, TOY_TERRITORY))
    cut = pd.Timestamp("2020-01-28")
    args = ["forecast", "territory", "--as-of", str(cut.date()), "--horizon-days", "10", "--paths", "4000", "--model", "toy_recent",
            "--dataset", str(published_dataset)]
    named = _forecast_csv([*args, "--quantity", "named"], capsys)
    estimated = _forecast_csv(args, capsys)
    assert set(named["model"]) == set(estimated["model"]) == {"toy_recent"}
    assert (estimated["q50"] >= named["q50"]).all()  # places taken in the world are at least the named net gains
    # The toy's rates are the last three days' imputed captures; the median path grows at their net rate.
    f = T.fit(dataset, cut, "toy_recent")
    assert f.params["government"] > 0
    rate = f.params["government"] - f.params["opposition"]
    assert (named["q50"].iloc[-1] - named["q50"].iloc[0]) / 9 == pytest.approx(rate, rel=0.25)

    bt = T.backtest(dataset, n_paths=200)
    assert set(bt.scores["model"]) == {"persistence", "toy_recent"}
    out = tmp_path / "backtest"
    assert cli.main(["backtest", "territory", "--quantity", "named", "--paths", "100", "--dataset", str(published_dataset), "--out", str(out)]) == 0
    assert set(pd.read_csv(out / "territory_named_summary.csv")["model"]) == {"persistence", "toy_recent"}


def _listed(section: str) -> tuple[list[str], str]:
    """The model names and the default the README gives after 'The registry ... lists them' in ``section``."""
    text = paths.REPO.joinpath("README.md").read_text(encoding="utf-8")
    body = text.split(f"## {section}", 1)[1].split("\n## ", 1)[0]
    found = re.search(r"The registry \(`analysis/models/registry.py`\) lists them\s+in this order: ([^;]*);\s+default `([a-z_]+)`\.", body)
    assert found, f"README section {section!r} lists no models"
    return re.findall(r"`([a-z_]+)`", found.group(1)), found.group(2)


@pytest.mark.parametrize(("section", "family"), [("Forecasting displacement", "displacement"), ("Forecasting territorial change", "territory")])
def test_the_readme_lists_the_registered_models_and_the_default(section, family):
    assert _listed(section) == (list(registry.names(family)), registry.default_model(family))
