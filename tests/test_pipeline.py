"""The front door: notebook contracts, parameter validation, the report runner and PDFs."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import nbformat
import papermill as pm
import pytest
from pdf_rows import displayed_row_ids, missing_rows
from pypdf import PdfReader

from analysis.cli import main
from analysis.core import paths
from analysis.core.errors import ParameterError
from analysis.report.params import NOTEBOOK_SPECS, EventDatasetParams
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


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_cell_has_a_unique_id(nb):
    """nbformat 4.5 cells carry ids; a cell added by hand without one warns now and will fail in later nbformat."""
    ids = [c.get("id") for c in _cells(nb)]
    assert all(ids) and len(set(ids)) == len(ids)


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
    ra = run_reports(output=out_a, progress=False, workers=1)  # forked processes, in-process kernels
    rb = run_reports(output=out_b, progress=False, workers=2, isolated=True)  # a new Jupyter kernel for every report
    assert all(r.ok for r in ra + rb), [r.error for r in ra + rb]
    for r in ra:
        text = _pdf_text(r.pdf)
        assert r.pdf.read_bytes() == (out_b / r.pdf.name).read_bytes(), f"{r.pdf.name} differs between in-process and Jupyter kernels"
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
        assert displayed_row_ids(r.executed), f"{r.name} displayed no table"
        assert missing_rows(r.executed, r.pdf) == [], f"{r.name}: table rows missing from the PDF"
        assert "\u200b" not in text, f"{r.name}: invisible characters in the PDF text (ids would not copy)"
    for f in sorted((out_a / "dataset").glob("*")):
        assert f.read_bytes() == (out_b / "dataset" / f.name).read_bytes()


def _run_notebook(tmp_path, name: str, cells: list[str], in_process: bool):
    """Run a throwaway notebook the way the runner runs a report; return its result and executed cells."""
    import multiprocessing
    import os

    from analysis.report.runner import ReportJob, _forkserver, _run_processes

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(f"# {name}")] + [nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / f"{name}.ipynb"
    nbformat.write(nb, path)
    out = tmp_path / ("in-process" if in_process else "kernel")
    ctx = _forkserver() if in_process else multiprocessing.get_context("spawn")
    (result,) = _run_processes(ctx, [ReportJob(name, path)], 1, out, {name: "key"}, in_process)
    executed = result.executed if result.executed else out / f"{name}.ipynb"
    cells = nbformat.read(executed, as_version=4).cells if executed.exists() else []
    assert os.environ.get("MPLBACKEND") != "module://matplotlib_inline.backend_inline"  # this process is untouched
    return result, cells


def _outputs(cells) -> list:
    """Cell outputs, with the kernel process's id (in warning and traceback file names) taken out."""
    import re

    return json.loads(re.sub(r"ipykernel_\d+", "ipykernel_N", json.dumps([(c.get("execution_count"), c.get("outputs")) for c in cells])))


@pytest.mark.slow
def test_the_in_process_kernel_gives_the_outputs_a_jupyter_kernel_gives(tmp_path, monkeypatch):
    monkeypatch.setenv("IDLIB_TEST_MARK", "set after the forkserver started")
    _forkserver()  # started before the variable is read: reports get the run's environment, not the server's
    cells = [
        "import os, sys, warnings\nprint('mark:', os.environ.get('IDLIB_TEST_MARK'))\nwarnings.warn('careful')\nprint('err', file=sys.stderr)",
        "import pandas as pd\npd.DataFrame({'a': [1, 2], 'b': ['x', 'y']})",
        "import matplotlib.pyplot as plt\nplt.plot([0, 1]);",
        "from IPython.display import Markdown, display\ndisplay(Markdown('**bold**'))\n1 + 1",
        "try:\n    input()\nexcept Exception as exc:\n    print(type(exc).__name__)",
        "raise ValueError('the report fails here')",
        "print('never run')",
    ]
    ours, ours_cells = _run_notebook(tmp_path, "fidelity", cells, in_process=True)
    ref, ref_cells = _run_notebook(tmp_path, "fidelity", cells, in_process=False)
    assert not ours.ok and not ref.ok  # both fail at the same cell, and keep the failed notebook
    assert ours.executed.name == ref.executed.name == "fidelity.failed.ipynb"
    assert _outputs(ours_cells) == _outputs(ref_cells)
    out = _outputs(ours_cells)
    text = json.dumps(out)
    for expected in ("mark: set after the forkserver started", "UserWarning: careful", "err", "text/html", "image/png", "**bold**",
                     "StdinNotImplementedError", "ValueError"):
        assert expected in text, expected
    assert "never run" not in text


def _forkserver():
    from analysis.report.runner import _forkserver as start

    return start()


@pytest.mark.slow
def test_a_report_whose_process_dies_is_reported(tmp_path):
    result, _ = _run_notebook(tmp_path, "dies", ["import os\nos._exit(3)"], in_process=True)
    assert not result.ok
    assert "exit code 3" in result.error


def test_a_run_that_fails_early_kills_its_forkserver(tmp_path, monkeypatch):
    from multiprocessing import forkserver

    import analysis.report.runner as runner

    stops = []
    real_stop = runner._stop_forkserver
    monkeypatch.setattr(runner, "_stop_forkserver", lambda now=False: (stops.append(now), real_stop(now))[1])
    with pytest.raises(ParameterError, match="as_off"):  # --force starts the server before the parameters are checked
        run_reports(force=True, overrides={"as_off": "2020-01-08"}, output=tmp_path, progress=False)
    assert stops == [True]  # killed, not waited for while it imports
    assert forkserver._forkserver._forkserver_pid is None  # and nothing is left behind


def test_the_engine_refuses_a_matplotlib_set_up_without_the_inline_backend(monkeypatch):
    import matplotlib as mpl

    from analysis.report.inprocess import _check_backend

    monkeypatch.setitem(mpl.rcParams, "backend", "agg")
    with pytest.raises(RuntimeError, match="figures will be missing"):
        _check_backend()


@pytest.mark.slow
def test_non_default_parameters_change_the_report(tmp_path):
    res = run_reports(["01_event_dataset"], overrides={"as_of": "2020-01-08"}, output=tmp_path, progress=False)
    assert res[0].ok, res[0].error
    assert res[0].pdf.name == "01_event_dataset__as_of-2020-01-08.pdf"  # the default report is not overwritten
    assert not (tmp_path / "01_event_dataset.pdf").exists()
    assert "Information cut-off: 2020-01-08" in _pdf_text(res[0].pdf)


@pytest.mark.slow
def test_failing_notebook_keeps_previous_pdf_and_exits_non_zero(tmp_path):
    assert main(["reports", "01_event_dataset", "--out", str(tmp_path)]) == 0
    pdf = tmp_path / "01_event_dataset.pdf"
    before = pdf.read_bytes()
    # A date outside the data's coverage passes the spec's format check but fails in the notebook.
    assert main(["reports", "01_event_dataset", "-p", "as_of", "2017-01-01", "--out", str(tmp_path)]) == 1
    assert pdf.read_bytes() == before
    failed = tmp_path / "01_event_dataset__as_of-2017-01-01.failed.ipynb"  # named from its parameters
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
    text = {r.name.split("__")[0]: _pdf_text(r.pdf) for r in res}  # parameterised runs carry their parameters in the name
    assert "As of 16 February 2020" in text["02_displacement"]
    assert "As of 2020-02-16" in text["03_territory"]


@pytest.mark.slow
def test_scenario_and_outcome_reports_run_with_non_default_parameters(tmp_path):
    overrides = {"scenarios": ["no_turkish_intervention"], "overrides": ["n_paths=500", "ceasefire.date=2020-02-20"],
                 "wep_scale": "kent", "resolution_rules": ["displaced_500k", "captures_100"]}
    res = run_reports(["04_scenarios", "05_forecast_vs_outcome_assynt"], overrides=overrides, output=tmp_path, progress=False)
    assert all(r.ok for r in res), [r.error for r in res]
    text = {r.name.split("__")[0]: _pdf_text(r.pdf) for r in res}  # parameterised runs carry their parameters in the name
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
