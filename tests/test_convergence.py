"""Fits that did not converge, and the GLMs' expected warnings, are recorded and reported, never silenced."""

from __future__ import annotations

import io
import warnings

import pandas as pd
import pytest
from statsmodels.tools.sm_exceptions import SingularMatrixWarning

from analysis import cli
from analysis.models import displacement as D
from analysis.models import territory as T
from analysis.models.base import publish_backtest
from analysis.models.territory import glm

# On the shipped seeds the gompertz fit as of the first displacement report stops on precision loss (BFGS warnflag 2).
UNCONVERGED = ("2019-12-23", "gompertz")


def test_a_curve_fit_that_did_not_converge_says_so_in_the_fit_and_the_forecast(dataset):
    f = D.fit(dataset, *UNCONVERGED)
    assert not f.detail.mle_retvals["converged"]
    assert len(f.notes) == 1 and "did not converge" in f.notes[0] and "precision loss" in f.notes[0]
    assert D.forecast(dataset, UNCONVERGED[0], 3, "gompertz", n_paths=200).notes == f.notes
    converged = D.fit(dataset, "2020-02-11", "gompertz")
    assert converged.detail.mle_retvals["converged"] and converged.notes == ()


def test_the_backtest_records_exactly_the_fits_that_did_not_converge_and_publishes_them(dataset, tmp_path):
    bt = D.backtest(dataset, models=("gompertz",), n_paths=50, calibrated=False)
    origins = sorted(set(bt.scores["as_of"]))
    expected = {o for o in origins if not D.fit(dataset, o, "gompertz").detail.mle_retvals["converged"]}
    assert expected, "the shipped seeds hold at least one fit that stops early"
    assert set(bt.notes["as_of"]) == expected and set(bt.notes["model"]) == {"gompertz"}
    written = pd.read_csv(publish_backtest(bt, tmp_path, "displacement") / "displacement_notes.csv")
    assert list(written.columns) == ["as_of", "model", "note"] and list(written["note"]) == list(bt.notes["note"])


def test_idlib_forecast_prints_the_notes_on_stderr_and_only_the_csv_on_stdout(published_dataset, capsys):
    argv = ["forecast", "displacement", "--as-of", UNCONVERGED[0], "--horizon-days", "2", "--model", "gompertz", "--paths", "100",
            "--dataset", str(published_dataset)]
    assert cli.main(argv) == 0
    out, err = capsys.readouterr()
    assert len(pd.read_csv(io.StringIO(out))) == 2
    assert err.startswith("note: gompertz as of 2019-12-23: the fit did not converge")


def test_a_territory_glm_before_any_change_of_hands_answers_with_the_convention_and_says_so(dataset):
    """All-zero counts cannot start the IRLS (it used to fail with a statsmodels ValueError)."""
    f = T.fit(dataset, "2019-12-20", "phase_glm")
    assert len(f.notes) == 2 and all("no capture known by the cut-off" in n and "(10 of 10 imputations)" in n for n in f.notes)
    gov = f.params["government"]
    assert gov["mean"][0] == pytest.approx(glm.np.log(0.5 / 2))  # half an event over the phase's two days so far


class _Model:
    """A stand-in for a statsmodels GLM whose fit raises one warning."""

    def __init__(self, category):
        self.category = category
        self.family = object()

    def fit(self):
        warnings.warn("the design matrix is rank-deficient", self.category, stacklevel=2)
        return type("Res", (), {"converged": self.category is not UserWarning})()


def test_the_glm_records_its_expected_warnings_and_lets_every_other_warning_through():
    notes: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an expected warning must not escape
        glm._glm_fit(_Model(SingularMatrixWarning), notes)
    assert notes == ["SingularMatrixWarning: the design matrix is rank-deficient"]
    notes.clear()
    with pytest.warns(UserWarning, match="rank-deficient"):
        glm._glm_fit(_Model(UserWarning), notes)
    assert notes == ["the object GLM did not converge (IRLS); its last iterate is used"]
