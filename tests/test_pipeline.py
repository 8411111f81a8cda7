"""The front door: notebook contracts, parameter validation, the report runner and PDFs."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import nbformat
import papermill as pm
import pytest
from pypdf import PdfReader

from analysis import paths
from analysis.cli import main
from analysis.errors import ParameterError
from analysis.params import NOTEBOOK_SPECS, EventDatasetParams
from analysis.report.runner import load_jobs, plan, run_reports

NOTEBOOKS = sorted(paths.notebooks_dir().glob("*.ipynb"))


def _cells(nb: Path) -> list[dict]:
    return json.loads(nb.read_text(encoding="utf-8"))["cells"]


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_parameters_cell_matches_its_spec(nb):
    tagged = [c for c in _cells(nb) if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, "exactly one parameters cell"
    declared = pm.inspect_notebook(str(nb))
    spec = NOTEBOOK_SPECS[nb.stem]
    defaults = spec.defaults()
    assert set(declared) == set(defaults)
    hints = {name: t.__name__ if isinstance(t, type) else str(t) for name, t in spec.__annotations__.items() if name in defaults}
    for name, info in declared.items():
        assert ast.literal_eval(info["default"]) == defaults[name], name
        assert info["inferred_type_name"] == hints[name], name
        assert info["help"].strip(), f"{name} needs a comment"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_thin_and_has_no_outputs(nb):
    for c in _cells(nb):
        if c["cell_type"] != "code":
            continue
        assert not c.get("outputs") and c.get("execution_count") is None
        tree = ast.parse("".join(c["source"]))
        assert not any(isinstance(n, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef | ast.Lambda) for n in ast.walk(tree))


def test_every_report_has_a_spec():
    for job in load_jobs():
        assert job.notebook.stem in NOTEBOOK_SPECS


@pytest.mark.parametrize(
    ("values", "match"),
    [
        ({"as_off": "2020-01-01"}, r"'as_off'.*did you mean 'as_of'"),
        ({"horizon": 3}, r"'horizon'.*unknown parameter"),
        ({"as_of": 20200101}, r"'as_of'.*expected str"),
        ({"as_of": "8 January"}, r"'as_of'.*ISO date"),
    ],
)
def test_bad_parameters_name_the_parameter(values, match):
    with pytest.raises(ParameterError, match=match):
        EventDatasetParams.from_mapping(values)


def test_namespace_ignores_modules_and_functions_but_not_typos():
    import math

    ns = {"math": math, "sqrt": math.sqrt, "EventDatasetParams": EventDatasetParams, "as_of": "2020-02-01", "_x": 1, "In": []}
    assert EventDatasetParams.from_namespace(ns).as_of == "2020-02-01"
    with pytest.raises(ParameterError, match="'asof'"):
        EventDatasetParams.from_namespace({**ns, "asof": "2020-02-01"})


def test_plan_rejects_an_override_no_notebook_takes():
    with pytest.raises(ParameterError, match="'horizon_dayz'"):
        plan(load_jobs(), {"horizon_dayz": "3"})
    jobs = plan(load_jobs(), {"as_of": "2020-02-01"})
    assert all(j.parameters.get("as_of") == "2020-02-01" for j in jobs if "as_of" in NOTEBOOK_SPECS[j.notebook.stem].defaults())


def _pdf_text(pdf: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(pdf).pages)


@pytest.mark.slow
def test_reports_render_with_headings_and_are_byte_identical(tmp_path):
    out_a, out_b = tmp_path / "a", tmp_path / "b"
    ra = run_reports(output=out_a, progress=False, workers=1)  # every report in one warm kernel, reset between reports
    rb = run_reports(output=out_b, progress=False, workers=2, isolated=True)  # a new kernel for every report
    assert all(r.ok for r in ra + rb), [r.error for r in ra + rb]
    for r in ra:
        text = _pdf_text(r.pdf)
        assert r.pdf.read_bytes() == (out_b / r.pdf.name).read_bytes(), f"{r.pdf.name} differs between warm and fresh kernels"
        headings = {
            "01_event_dataset": ("The sourced event dataset", "Rows per document", "Displacement claims by source", "Control events per day", "Sources"),
            "02_displacement": ("The answer in one paragraph", "Forecast fan", "What was known against what happened", "Backtest"),
            "03_territory": ("Changes of hands", "By district", "Maps by phase", "Forecast fan", "Backtest", "Displacement and the advance"),
            "04_scenarios": ("The scenarios", "Threshold probabilities", "Where the numbers come from", "Appendix: the specs"),
            "05_forecast_vs_outcome_assynt": ("The verdict in plain words", "Claim by claim", "Evidence", "What happened after the forecast", "Scores and calibration"),
            "05_forecast_vs_outcome_haaretz": ("The verdict in plain words", "Claim by claim", "Evidence", "What happened after the forecast"),
        }[r.name]
        for heading in headings:
            assert heading in text, f"{heading!r} missing from {r.name}"
    for f in sorted((out_a / "dataset").glob("*")):
        assert f.read_bytes() == (out_b / "dataset" / f.name).read_bytes()


@pytest.mark.slow
def test_a_warm_kernel_keeps_nothing_from_the_last_report(tmp_path):
    from analysis.report.kernel import WarmKernel

    # A library module's warning: its "already warned" registry lives in that module, which stays imported.
    (tmp_path / "warner.py").write_text("import warnings\n\ndef warn():\n    warnings.warn('shown in every report', stacklevel=1)\n")
    warn = f"import sys\nsys.path.insert(0, {str(tmp_path)!r})\nimport warner\nwarner.warn()"
    first = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import matplotlib as mpl, matplotlib.pyplot as plt\nleak = 1\nmpl.rcParams['lines.linewidth'] = 7\nplt.figure()\n" + warn)])
    second = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import matplotlib as mpl, matplotlib.pyplot as plt\n"
                                  "assert 'leak' not in globals()\nassert mpl.rcParams['lines.linewidth'] != 7\n"
                                  "assert not plt.get_fignums()\nplt.plot([0, 1]);"),
        nbformat.v4.new_code_cell(warn),
    ])
    for nb in (first, second):
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    kernel = WarmKernel(paths.REPO)
    try:
        for name, nb in (("first", first), ("second", second)):
            nbformat.write(nb, tmp_path / f"{name}.ipynb")
            pm.execute_notebook(str(tmp_path / f"{name}.ipynb"), str(tmp_path / f"{name}.out.ipynb"),
                                kernel_name="python3", progress_bar=False, km=kernel.ready())
    finally:
        kernel.shutdown()
    cells = nbformat.read(tmp_path / "second.out.ipynb", as_version=4).cells
    assert [c.execution_count for c in cells] == [1, 2]  # the counter restarts as in a new kernel
    assert any("image/png" in o.get("data", {}) for o in cells[0].outputs)  # the inline backend still draws
    assert any("shown in every report" in o.get("text", "") for o in cells[1].outputs)  # warnings are not swallowed


@pytest.mark.slow
def test_non_default_parameters_change_the_report(tmp_path):
    res = run_reports(["01_event_dataset"], overrides={"as_of": "2020-01-08"}, output=tmp_path, progress=False)
    assert res[0].ok, res[0].error
    assert "Information cut-off: 2020-01-08" in _pdf_text(res[0].pdf)


@pytest.mark.slow
def test_failing_notebook_keeps_previous_pdf_and_exits_non_zero(tmp_path):
    assert main(["reports", "01_event_dataset", "--out", str(tmp_path)]) == 0
    pdf = tmp_path / "01_event_dataset.pdf"
    before = pdf.read_bytes()
    # A date outside the data's coverage passes the spec's format check but fails in the notebook.
    assert main(["reports", "01_event_dataset", "-p", "as_of", "2017-01-01", "--out", str(tmp_path)]) == 1
    assert pdf.read_bytes() == before
    failed = tmp_path / "01_event_dataset.failed.ipynb"
    assert failed.is_file()
    assert "outside the data's coverage" in failed.read_text(encoding="utf-8")


@pytest.mark.slow
def test_misspelt_parameter_under_plain_papermill_stops_the_notebook(tmp_path):
    with pytest.raises(pm.PapermillExecutionError, match="as_off"):
        pm.execute_notebook(
            str(paths.notebooks_dir() / "01_event_dataset.ipynb"), str(tmp_path / "out.ipynb"),
            parameters={"as_off": "2020-01-08"}, kernel_name="python3", progress_bar=False, cwd=str(paths.REPO),
        )


def test_cli_rejects_unknown_parameter_before_running(tmp_path, capsys):
    assert main(["reports", "-p", "as_off", "2020-01-08", "--out", str(tmp_path)]) == 2
    assert "as_off" in capsys.readouterr().err


@pytest.mark.slow
def test_model_reports_run_with_non_default_parameters(tmp_path):
    overrides = {"as_of": "2020-02-16", "horizon_days": 14, "n_paths": 1000, "target_date": "2020-02-25"}
    res = run_reports(["02_displacement", "03_territory"], overrides=overrides, output=tmp_path, progress=False)
    assert all(r.ok for r in res), [r.error for r in res]
    text = {r.name: _pdf_text(r.pdf) for r in res}
    assert "As of 16 February 2020" in text["02_displacement"]
    assert "As of 2020-02-16" in text["03_territory"]


@pytest.mark.slow
def test_scenario_and_outcome_reports_run_with_non_default_parameters(tmp_path):
    overrides = {"scenarios": ["no_turkish_intervention"], "overrides": ["n_paths=500", "ceasefire.date=2020-02-20"],
                 "wep_scale": "kent", "resolution_rules": ["displaced_500k", "captures_100"]}
    res = run_reports(["04_scenarios", "05_forecast_vs_outcome_assynt"], overrides=overrides, output=tmp_path, progress=False)
    assert all(r.ok for r in res), [r.error for r in res]
    text = {r.name: _pdf_text(r.pdf) for r in res}
    assert "no Turkish intervention" in text["04_scenarios"] and "the Assynt view" not in text["04_scenarios"]
    assert "2020-02-20" in text["04_scenarios"]  # the override reached the spec (and its hash)
    assert "Sherman Kent" in text["05_forecast_vs_outcome_assynt"]
    with pytest.raises(ParameterError, match="wep_scale"):
        run_reports(["05_forecast_vs_outcome_assynt"], overrides={"wep_scale": "nato"}, output=tmp_path, progress=False)


@pytest.mark.slow
def test_unchanged_reports_are_reused_and_changed_ones_rerun(tmp_path):
    first = run_reports(["01_event_dataset"], output=tmp_path, progress=False)
    assert first[0].ok and not first[0].cached
    pdf = first[0].pdf.read_bytes()
    again = run_reports(["01_event_dataset"], output=tmp_path, progress=False)
    assert again[0].cached and again[0].pdf.read_bytes() == pdf
    changed = run_reports(["01_event_dataset"], overrides={"as_of": "2020-02-01"}, output=tmp_path, progress=False)
    assert changed[0].ok and not changed[0].cached
    forced = run_reports(["01_event_dataset"], overrides={"as_of": "2020-02-01"}, output=tmp_path, progress=False, force=True)
    assert forced[0].ok and not forced[0].cached
