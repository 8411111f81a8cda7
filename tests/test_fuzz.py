"""Issue 16, item 6: fuzzed input to the parsers fails only with the project's own error type.

Properties over the date and number parsers, claim files, scenario files and ``--set`` overrides, and
notebook parameter files and ``-p`` values. Inputs are random text and bytes, the shipped files with
random splices (bytes, lines, YAML fragments), and the shipped structures with one key set to a random
YAML value. Every failure must be :class:`~analysis.core.errors.InputError` (its subclasses
``ParameterError`` and ``ScenarioError`` included); the date parsers' documented error is ValueError.

``make test`` runs each of the 10 properties ``IDLIB_FUZZ_EXAMPLES`` times (default 100);
``python -m benchmarks fuzz`` runs them with 1,000 examples each (10,000 in all) and prints the counts.
"""

from __future__ import annotations

import atexit
import contextlib
import copy
import functools
import os
import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.core import paths
from analysis.core.errors import InputError
from analysis.core.io import load_yaml, parse_yaml_value
from analysis.data import parsing
from analysis.data.case import load_case
from analysis.data.catalog import load_catalog
from analysis.data.claims import parse_claims
from analysis.data.gazetteer import load_gazetteer
from analysis.report import runner
from analysis.scenarios import spec as scenario_spec

EXAMPLES = int(os.environ.get("IDLIB_FUZZ_EXAMPLES", "100"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])

SEEDS = paths.seeds_dir()
CLAIMS = sorted((SEEDS / "claims").glob("*.yaml"))
SCENARIO = SEEDS / "scenarios" / "as_it_happened.yaml"
_TMP = Path(tempfile.mkdtemp(prefix="idlib-fuzz-"))
atexit.register(shutil.rmtree, _TMP, True)


@functools.cache
def _reference():
    case = load_case(SEEDS / "case.yaml")
    catalog = load_catalog(paths.catalog_file(SEEDS), paths.documents_dir(SEEDS))
    gaz = load_gazetteer(paths.gazetteer_file(SEEDS), paths.geo_dir(SEEDS), case.admin1_pcodes)
    return catalog.documents, gaz


@functools.cache
def _jobs():
    return runner.load_jobs()


def _write(name: str, data: bytes) -> Path:
    path = _TMP / name
    path.write_bytes(data)
    return path


# -- strategies ----------------------------------------------------------------------------

scalars = st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.floats() | st.text(max_size=30) | st.sampled_from(
    ["2020-02-30", "2020-13-45", "2020-01-12", "1.5 mİllion", "at least", "early March 2020", "0", "-1", "null", "[", "ſix"])
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=8)
fragments = st.binary(max_size=24) | st.text(max_size=24).map(str.encode) | st.sampled_from(
    [b"\xe9", b"\xff\xfe", b"[a, b]: 1\n", b"? [x]\n: 1\n", b"{", b"]", b"&a [*a]", b"!!python/tuple [1]", b"\t", b"\n- ", b": :",
     b"date: 2020-02-30", b"!!binary zz", b"\x00", "İ".encode(), b"qualifier: [at least]"])


@st.composite
def spliced(draw, original: bytes) -> bytes:
    """``original`` with one to three random splices (a slice replaced by a fragment)."""
    data = original
    for _ in range(draw(st.integers(1, 3))):
        start = draw(st.integers(0, len(data)))
        end = min(len(data), start + draw(st.integers(0, 40)))
        data = data[:start] + draw(fragments) + data[end:]
    return data


def _paths_into(data, prefix=()):
    """Every key path into nested YAML data (dict keys, list indexes)."""
    if isinstance(data, dict):
        for k, v in data.items():
            yield (*prefix, k)
            yield from _paths_into(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield (*prefix, i)
            yield from _paths_into(v, (*prefix, i))


def _set_path(data, path, value):
    node = data
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value


@st.composite
def mutated(draw, data):
    """``data`` with one key (at any depth) set to a random value, or a random key added."""
    data = copy.deepcopy(data)
    keys = list(_paths_into(data))
    if keys and draw(st.booleans()):
        _set_path(data, draw(st.sampled_from(keys)), draw(values))
    else:
        dicts = [p for p in keys if isinstance(_get(data, p), dict)]
        where = draw(st.sampled_from(dicts)) if dicts and draw(st.booleans()) else ()
        _get(data, where)[draw(st.text(max_size=10))] = draw(values)
    return data


def _get(data, path):
    for k in path:
        data = data[k]
    return data


def _dump(data) -> bytes:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode()


# -- the small parsers -----------------------------------------------------------------------


@FUZZ
@given(st.text(max_size=60) | st.from_regex(r"\A(?:(early|mid|late|end of) )?[A-Za-zİſ]{3,9} \d{4}\Z") | st.from_regex(r"\A\d{4}-\d{2}-\d{2}(/\d{4}-\d{2}-\d{2})?\Z"))
def test_dates_parse_or_raise_value_error(text):
    for parse in (parsing.parse_date, parsing.parse_interval):
        with contextlib.suppress(ValueError):
            parse(text)


@FUZZ
@given(st.text(max_size=200) | st.lists(st.sampled_from(["1.5", " ", "mİllion", "ſix", "thousand", "half a", "142,000", "İ", "\u0307", "K"]), max_size=12).map("".join))
def test_numbers_quotes_and_names_never_fail(text):
    assert all(isinstance(v, float) for v in parsing.numbers_in(text))
    assert len(parsing.fold(text)) == len(text)
    for start, end in parsing.find_spans(text + " tail", text[:5]):
        assert 0 <= start <= end
    parsing.normalise_name(text)


@FUZZ
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_yaml_text_and_values_fail_only_as_input_errors(data):
    with contextlib.suppress(InputError):
        load_yaml(data.decode("utf-8", errors="surrogateescape"), file="fuzz.yaml")
    with contextlib.suppress(InputError):
        parse_yaml_value(data.decode("utf-8", errors="replace"), "as_of")


# -- claim files -----------------------------------------------------------------------------


def _parse_claims_bytes(data: bytes) -> None:
    docs, gaz = _reference()
    with contextlib.suppress(InputError):
        parse_claims(_write("claims.yaml", data), docs, gaz)


@FUZZ
@given(st.sampled_from([p.read_bytes() for p in CLAIMS]).flatmap(spliced))
def test_spliced_claim_files_fail_only_as_input_errors(data):
    _parse_claims_bytes(data)


def _one_claim_files() -> list[dict]:
    """Every shipped claim as a file of its own (doc_id and that claim): small, so each example is quick."""
    out = []
    for p in CLAIMS:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
        for key, entries in data.items():
            if isinstance(entries, list):
                out.extend({"doc_id": data["doc_id"], key: [entry]} for entry in entries)
    return out


@FUZZ
@given(st.sampled_from(_one_claim_files()).flatmap(mutated))
def test_claim_files_with_a_random_value_fail_only_as_input_errors(data):
    _parse_claims_bytes(_dump(data))


# -- scenario files and overrides -------------------------------------------------------------


def _load_spec(path: Path, overrides=()) -> None:
    with contextlib.suppress(InputError):
        scenario_spec.load_spec(path, overrides)


@FUZZ
@given(spliced(SCENARIO.read_bytes()))
def test_spliced_scenario_files_fail_only_as_input_errors(data):
    _load_spec(_write("scenario.yaml", data))


@FUZZ
@given(mutated(yaml.safe_load(SCENARIO.read_text(encoding="utf-8"))))
def test_scenario_files_with_a_random_value_fail_only_as_input_errors(data):
    _load_spec(_write("scenario.yaml", _dump(data)))


_DOTTED = sorted(".".join(map(str, p)) for p in _paths_into(yaml.safe_load(SCENARIO.read_text(encoding="utf-8"))))


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(_DOTTED) | st.text(max_size=12), st.text(max_size=20)), min_size=1, max_size=3))
def test_overrides_fail_only_as_input_errors(pairs):
    overrides = []
    for key, value in pairs:
        try:
            overrides.append(scenario_spec.parse_override(f"{key}={value}"))
        except InputError:
            return
    _load_spec(SCENARIO, overrides)


# -- notebook parameters ---------------------------------------------------------------------


_PARAMETERS = sorted({name for job in runner.load_jobs() for name in runner.spec_for(job.notebook).defaults()})


def _plan(overrides=None, params_file=None) -> None:
    with contextlib.suppress(InputError):
        runner.plan(_jobs(), overrides or {}, params_file)


@FUZZ
@given(st.dictionaries(st.sampled_from(_PARAMETERS) | st.text(max_size=8), values, max_size=3).map(_dump) | spliced(b"as_of: 2020-01-08\nn_paths: 1000\n"))
def test_parameter_files_fail_only_as_input_errors(data):
    _plan(params_file=_write("params.yaml", data))


@FUZZ
@given(st.dictionaries(st.sampled_from(_PARAMETERS), st.text(max_size=24) | scalars.map(str), min_size=1, max_size=2))
def test_command_line_parameters_fail_only_as_input_errors(overrides):
    _plan(overrides)


