"""Every ``idlib`` example in the README runs as written (from a folder laid out like the repository)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

from analysis import cli
from analysis.core import paths

README = paths.REPO / "README.md"
# Examples whose run is too slow for the suite or needs what a test cannot have; their argument lists are
# still checked by the parser, and the commands themselves are run by tests/test_pipeline.py.
PARSE_ONLY = {
    "reports": "executes every notebook (tests/test_pipeline.py runs the reports)",
    "backtest": "scores every model at every origin (about a minute each)",
    "dataset": "rebuilds the published tables (tests/test_pipeline.py)",
    "render": "needs an executed notebook (tests/test_bad_input.py renders one)",
}
PLACEHOLDER = "tcp://HOST"  # a Dask scheduler address the reader supplies


def examples() -> list[str]:
    """The ``idlib ...`` lines of the README's sh blocks, comments dropped."""
    text = README.read_text(encoding="utf-8")
    out = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if line.startswith(".venv/bin/idlib "):
                out.append(line.removeprefix(".venv/bin/idlib "))
    return out


def test_the_readme_has_examples_of_every_command():
    commands = {shlex.split(e)[0] for e in examples()}
    assert {"forecast", "backtest", "scenario", "score", "reports"} <= commands


@pytest.mark.parametrize("example", examples())
def test_readme_example_runs(example, published_dataset, tmp_path, monkeypatch, capsys):
    argv = shlex.split(example)
    parser = cli.build_parser()
    args = parser.parse_args(argv)  # every example parses
    if argv[0] in PARSE_ONLY or PLACEHOLDER in example:
        return
    # The reader's working folder: the repository's seeds, a built dataset, their own files.
    (tmp_path / "seeds").symlink_to(paths.seeds_dir())
    out = tmp_path / "reports"
    out.mkdir()
    (out / "dataset").symlink_to(published_dataset)
    (tmp_path / "my-phrases.yaml").write_text(yaml.safe_dump({"phrases": {"will": {"low": 60, "high": 70, "why": "a reader's map"}}}))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("IDLIB_OUTPUT", str(out))
    assert args.func(args) == 0, example
    printed = capsys.readouterr().out
    assert printed.strip(), example
    if "--quantiles" in argv:
        assert Path(argv[argv.index("--quantiles") + 1]).stat().st_size > 0
