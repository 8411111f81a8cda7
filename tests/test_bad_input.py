"""Issue 16, item 4: every bad input is named (file, line, row, field or parameter), exits non-zero, and
prints no traceback; the cases that used to pass silently are errors or stated warnings.

Each case builds its bad input from a copy of the shipped seeds or of a published dataset, runs the
``idlib`` command in-process, and checks the exit code and the words the one-line error must carry.
The option cases (``--paths 0``, ``--seed -1``, ``--horizon-days 100000``, ``--gamma -1``) are in
``test_cli_errors.py``.
"""

from __future__ import annotations

import errno
import hashlib
import json
import re
import shutil
import warnings
from pathlib import Path

import pytest

from analysis.cli import main
from analysis.core import paths
from analysis.core.errors import InputError
from analysis.data.dataset import DatasetChangedWarning, changed_files, load, publish
from analysis.data.parsing import numbers_in, parse_date
from analysis.report import runner

ASSYNT = "assynt_2020-01-08"


def _error(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


def _reseal(seeds: Path, doc_file: str) -> None:
    """Give the catalog the edited document's new checksum (so the build reaches the document's text)."""
    digest = hashlib.sha256((seeds / "documents" / doc_file).read_bytes()).hexdigest()
    catalog = seeds / "catalog.yaml"
    text = catalog.read_text(encoding="utf-8")
    entry = text.index(f"file_name: {doc_file}")
    start = text.index("sha256:", entry)
    end = text.index("\n", start)
    catalog.write_text(text[:start] + f"sha256: {digest}" + text[end:], encoding="utf-8")


def _edit_csv(folder: Path, table: str, column: str, value: str, row: int = 2) -> int:
    """Set one cell of a published CSV; returns the file line it is on."""
    import csv

    path = folder / f"{table}.csv"
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    rows[row][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return row + 1


# -- the seeds: documents and claims -----------------------------------------------------------


def test_a_document_that_is_not_utf8_is_named_with_its_line(seeds_copy, tmp_path, capsys):
    doc = seeds_copy / "documents" / f"{ASSYNT}.txt"
    lines = doc.read_bytes().count(b"\n")
    doc.write_bytes(doc.read_bytes() + b"\ncaf\xe9\n")
    _reseal(seeds_copy, doc.name)
    assert main(["dataset", "--seeds", str(seeds_copy), "--out", str(tmp_path / "out")]) == 2
    err = _error(capsys)
    assert f"{doc.name}, line {lines + 2}: not UTF-8 text: byte 0xe9 at column 4" in err


def test_a_claims_file_that_is_not_utf8_is_named_with_its_line(seeds_copy, tmp_path, capsys):
    claims = seeds_copy / "claims" / f"{ASSYNT}.yaml"
    claims.write_bytes(b"# caf\xe9\n" + claims.read_bytes())
    assert main(["dataset", "--seeds", str(seeds_copy), "--out", str(tmp_path / "out")]) == 2
    assert f"{claims.name}, line 1: not UTF-8 text" in _error(capsys)


def test_a_qualifier_given_as_a_list_names_the_field(seeds_copy, tmp_path, capsys):
    claims = seeds_copy / "claims" / f"{ASSYNT}.yaml"
    text = claims.read_text(encoding="utf-8")
    claims.write_text(text.replace("qualifier: at least", "qualifier: [at least]", 1), encoding="utf-8")
    assert main(["dataset", "--seeds", str(seeds_copy), "--out", str(tmp_path / "out")]) == 2
    err = _error(capsys)
    assert re.search(rf"{claims.name}, line \d+, field qualifier: {ASSYNT}:o001: unknown qualifier \['at least'\]", err)


def test_a_claims_file_with_only_its_doc_id_is_refused(seeds_copy, tmp_path, capsys):
    claims = seeds_copy / "claims" / f"{ASSYNT}.yaml"
    claims.write_text(f"doc_id: {ASSYNT}\n", encoding="utf-8")
    assert main(["dataset", "--seeds", str(seeds_copy), "--out", str(tmp_path / "out")]) == 2
    err = _error(capsys)
    assert f"{claims.name}, field doc_id: no claim lists" in err


def test_a_claims_file_may_say_a_document_has_no_claims_of_a_kind(seeds_copy, tmp_path):
    claims = seeds_copy / "claims" / f"{ASSYNT}.yaml"
    claims.write_text(f"doc_id: {ASSYNT}\nmilestones: []\n", encoding="utf-8")
    assert main(["dataset", "--seeds", str(seeds_copy), "--out", str(tmp_path / "out")]) == 0


def test_a_turkish_dotted_capital_i_in_a_quote_is_read_not_a_crash():
    assert numbers_in("1.5 mİllion") == {1.5, 1.5e6}
    assert numbers_in("ſix thouſand and FİVE") == {6.0, 6000.0, 5.0}


# -- parameters and scenario files --------------------------------------------------------------


def test_an_unclosed_list_in_a_parameter_names_the_parameter(tmp_path, capsys):
    assert main(["reports", "01_event_dataset", "-p", "as_of", "[unclosed", "--out", str(tmp_path)]) == 2
    err = _error(capsys)
    assert "parameter 'as_of': value '[unclosed' is not valid YAML" in err and "quote it" in err
    assert not (tmp_path / "dataset").exists()  # refused before any work


def test_a_parameter_file_with_a_list_as_a_key_names_the_file_and_line(tmp_path, capsys):
    f = tmp_path / "params.yaml"
    f.write_text("as_of: 2020-01-08\n[a, b]: 1\n", encoding="utf-8")
    assert main(["reports", "01_event_dataset", "-f", str(f), "--out", str(tmp_path / "out")]) == 2
    assert f"{f}, line 2: a key must be a name, not a list" in _error(capsys)


def test_a_sweep_grid_typo_names_the_sweep_file_and_grid_key(tmp_path, published_dataset, capsys):
    src = paths.seeds_dir() / "scenarios"
    shutil.copy(src / "as_it_happened.yaml", tmp_path / "as_it_happened.yaml")
    (tmp_path / "sweeps").mkdir()
    sweep = tmp_path / "sweeps" / "typo.yaml"
    text = (src / "sweeps" / "ceasefire_intensity.yaml").read_text(encoding="utf-8")
    sweep.write_text(text.replace("ceasefire.date:", "ceasefire.daet:"), encoding="utf-8")
    assert main(["scenario", "sweep", str(sweep), "--dataset", str(published_dataset)]) == 2
    err = _error(capsys)
    assert f"{sweep}, field grid.ceasefire.daet: unknown key 'daet' (in the base scenario as_it_happened.yaml)" in err


def test_an_impossible_date_in_an_override_names_the_key_and_the_override(published_dataset, capsys):
    argv = ["scenario", "run", "january_ceasefire_holds", "--set", "ceasefire.date=2020-02-30", "--dataset", str(published_dataset)]
    assert main(argv) == 2
    err = _error(capsys)
    assert "field ceasefire.date: '2020-02-30' is not a calendar date (day is out of range for month)" in err
    assert "set by the override ceasefire.date=2020-02-30" in err


def test_an_impossible_unquoted_date_in_a_scenario_file_names_the_key(tmp_path, published_dataset, capsys):
    src = paths.seeds_dir() / "scenarios" / "january_ceasefire_holds.yaml"
    for f in src.parent.glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    bad = tmp_path / src.name
    text = bad.read_text(encoding="utf-8")
    assert '  date: "2020-01-12"' in text
    bad.write_text(text.replace('  date: "2020-01-12"', "  date: 2020-02-30"), encoding="utf-8")
    assert main(["scenario", "run", str(bad), "--dataset", str(published_dataset)]) == 2
    assert f"{bad}, field ceasefire.date: '2020-02-30' is not a calendar date" in _error(capsys)


def test_an_impossible_date_is_said_to_be_one():
    with pytest.raises(ValueError, match="not a calendar date"):
        parse_date("2020-02-30")
    with pytest.raises(ValueError, match="not an ISO date"):
        parse_date("30 February")


# -- a hand-edited published dataset ------------------------------------------------------------


@pytest.fixture()
def dataset_copy(published_dataset, tmp_path) -> Path:
    out = tmp_path / "dataset"
    shutil.copytree(published_dataset, out)
    return out


@pytest.mark.parametrize(
    ("column", "value", "says"),
    [("value", "lots", "'lots' is not a number"), ("date_start", "2020-13-45", "'2020-13-45' is not an ISO date YYYY-MM-DD")],
)
def test_a_bad_value_in_a_dataset_csv_names_file_line_row_and_field(dataset_copy, capsys, column, value, says):
    line = _edit_csv(dataset_copy, "observations", column, value)
    argv = ["forecast", "displacement", "--as-of", "2020-01-08", "--horizon-days", "7", "--dataset", str(dataset_copy)]
    assert main(argv) == 2
    err = _error(capsys)
    assert re.search(rf"observations\.csv, line {line}, row [^,]+:o\d+, field {column}: {re.escape(says)}", err)


def test_published_resources_carry_their_sha256(published_dataset):
    package = json.loads((published_dataset / "datapackage.json").read_text(encoding="utf-8"))
    for resource in package["resources"]:
        digest = hashlib.sha256((published_dataset / resource["path"]).read_bytes()).hexdigest()
        assert resource["hash"] == f"sha256:{digest}"


def test_a_hand_edited_dataset_is_reported_as_changed(dataset_copy, capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load(dataset_copy)  # as published: no warning
    obs = dataset_copy / "observations.csv"
    lines = obs.read_text(encoding="utf-8").splitlines(keepends=True)
    obs.write_text("".join(lines[:3] + lines[4:]), encoding="utf-8")  # a row deleted by hand
    assert changed_files(dataset_copy) == ["observations.csv"]
    with pytest.warns(DatasetChangedWarning, match="observations.csv changed since the dataset was published"):
        load(dataset_copy)
    argv = ["forecast", "displacement", "--as-of", "2020-01-08", "--horizon-days", "2", "--paths", "200", "--dataset", str(dataset_copy)]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert err.startswith("warning: ") and "observations.csv changed" in err and len(err.splitlines()) == 1


# -- reports: which notebook, and an output folder that cannot be written ------------------------


def test_a_notebook_given_as_a_path_is_the_one_run(tmp_path):
    jobs = {j.name: j for j in runner.load_jobs()}
    other = tmp_path / "other" / "02_displacement.ipynb"
    other.parent.mkdir()
    shutil.copy(jobs["02_displacement"].notebook, other)
    job = runner._select(str(other), jobs)
    assert job.notebook == other.resolve() and job.name == "02_displacement__notebook-other"  # never the shipped PDF's name
    assert runner._select(str(jobs["02_displacement"].notebook), jobs) is jobs["02_displacement"]
    assert runner._select("02_displacement", jobs) is jobs["02_displacement"]
    with pytest.raises(InputError, match="no such notebook file"):
        runner._select(str(tmp_path / "missing" / "02_displacement.ipynb"), jobs)


@pytest.mark.parametrize(
    ("code", "says"),
    [(errno.EROFS, "cannot write here (Read-only file system)"), (errno.ENOSPC, "no space left on the device")],
)
def test_an_output_folder_that_cannot_be_written_gives_a_line_per_report(tmp_path, monkeypatch, capsys, code, says):
    def refuse(out_dir):
        raise OSError(code, "Read-only file system" if code == errno.EROFS else "No space left on device", str(out_dir))

    monkeypatch.setattr(runner, "run_lock", refuse)
    assert main(["reports", "01_event_dataset", "03_territory", "--out", str(tmp_path / "ro")]) == 1
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    lines = out.splitlines()
    assert [ln.split()[:2] for ln in lines] == [["FAILED", "01_event_dataset:"], ["FAILED", "03_territory:"]]
    assert all(f"not run: {tmp_path / 'ro'}: {says}" in ln and "earlier outputs were left in place" in ln for ln in lines)


@pytest.mark.parametrize(("code", "says"), [(errno.EROFS, "cannot write here"), (errno.ENOSPC, "no space left on the device")])
def test_a_failed_dataset_publish_leaves_the_previous_one_and_no_staging(dataset, published_dataset, tmp_path, monkeypatch, capsys, code, says):
    from analysis.data import schema

    out = tmp_path / "reports" / "dataset"
    shutil.copytree(published_dataset, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def full(self, df, path, float_format="%.10g"):
        raise OSError(code, "disk", str(path))

    monkeypatch.setattr(schema.Table, "write_csv", full)
    assert main(["dataset", "--out", str(out), "--force"]) == 1
    err = _error(capsys)
    assert err.startswith("error: ") and says in err and len(err.splitlines()) == 1
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in out.parent.iterdir()] == ["dataset"]
    with pytest.raises(OSError):
        publish(dataset, out)


def test_render_turns_an_executed_notebook_into_a_pdf_and_names_a_bad_one(tmp_path, capsys):
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A papermill output\n\nSome text.")])
    path = tmp_path / "out.ipynb"
    nbformat.write(nb, path)
    assert main(["render", str(path), "--pdf", str(tmp_path / "a.pdf")]) == 0
    assert main(["render", str(path), "--pdf", str(tmp_path / "b.pdf")]) == 0
    first = (tmp_path / "a.pdf").read_bytes()
    assert first.startswith(b"%PDF") and first == (tmp_path / "b.pdf").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pdf", "b.pdf", "out.ipynb"]  # no build files left
    bad = tmp_path / "bad.ipynb"
    bad.write_text("garbage")
    assert main(["render", str(bad)]) == 2
    assert f"{bad}: not a notebook (JSON)" in _error(capsys)
