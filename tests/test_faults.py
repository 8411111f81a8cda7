"""Issue 16, item 5: faults leave nothing behind.

SIGINT and SIGTERM stop a command with its cleanup (report processes and everything they started,
the forkserver, build and staging files); leftovers of a killed or full-disk run (build folders, empty
or cut-short ``*.failed.ipynb``) are removed by the next run.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analysis.cli_guard import EXIT_INTERRUPTED, EXIT_TERMINATED, run
from analysis.core import paths
from analysis.core.io import atomic_dir, pid_alive
from analysis.report import runner


def _write_then_signal(sig: int, target: Path):
    def command(_args):
        with atomic_dir(target) as staging:
            (staging / "part.csv").write_text("half a table")
            os.kill(os.getpid(), sig)
            time.sleep(5)  # the signal arrives here
        return 0

    return command


@pytest.mark.parametrize(("sig", "code", "word"), [(signal.SIGTERM, EXIT_TERMINATED, "terminated"), (signal.SIGINT, EXIT_INTERRUPTED, "interrupted")])
def test_a_signal_stops_the_command_and_removes_its_staging(tmp_path, capsys, sig, code, word):
    target = tmp_path / "dataset"
    target.mkdir()
    (target / "good.csv").write_text("the previous good output")
    assert run(_write_then_signal(sig, target), None) == code
    err = capsys.readouterr().err
    assert err.startswith(word) and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dataset"]  # no .dataset.* staging folder
    assert (target / "good.csv").read_text() == "the previous good output"
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # the handler is restored after the command


def _report_like(ready) -> None:
    """Stands in for a report's process: a group of its own, with a child (as typst or a kernel)."""
    os.setpgid(0, 0)
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    ready.send(child.pid)
    time.sleep(60)


def test_stopping_a_report_stops_what_it_started(tmp_path):
    ctx = multiprocessing.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_report_like, args=(send,))
    proc.start()
    assert recv.poll(30)
    grandchild = recv.recv()
    assert pid_alive(grandchild)
    runner._stop(proc, grace=5)
    assert proc.exitcode is not None
    for _ in range(50):  # the grandchild is reparented and reaped by init: give it a moment
        if not pid_alive(grandchild) or _zombie(grandchild):
            break
        time.sleep(0.1)
    assert not pid_alive(grandchild) or _zombie(grandchild)


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except OSError:
        return True


def test_the_next_run_removes_build_folders_and_broken_failed_notebooks(tmp_path):
    (tmp_path / "_build" / "02_displacement").mkdir(parents=True)
    (tmp_path / "_build" / "02_displacement" / "02_displacement.pdf.tmp").write_bytes(b"%PDF-1.7 cut short")
    (tmp_path / "03_territory.failed.ipynb").write_bytes(b"")  # a full disk
    (tmp_path / "04_scenarios.failed.ipynb").write_text('{"cells": [')  # cut short
    good = tmp_path / "01_event_dataset.failed.ipynb"
    good.write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    removed = runner._remove_leftovers(tmp_path)
    assert sorted(p.name for p in removed) == ["03_territory.failed.ipynb", "04_scenarios.failed.ipynb", "_build"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [good.name]


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = set(), [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.add(c)
            todo.append(c)
    return out


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process tree from /proc")
def test_sigterm_to_idlib_reports_stops_every_process_and_removes_build_files(tmp_path, published_dataset):
    import shutil

    out = tmp_path / "reports"
    out.mkdir()
    shutil.copytree(published_dataset, out / "dataset")
    env = {**os.environ, "PYTHONPATH": str(paths.REPO)}
    cmd = [sys.executable, "-m", "analysis.cli", "reports", "01_event_dataset", "03_territory", "--force", "--workers", "2", "--out", str(out)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 240
    while not any((out / "_build").glob("*")) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.5)
    assert proc.poll() is None, proc.communicate()
    time.sleep(2)
    started = _descendants(proc.pid)
    assert started  # the forkserver and the report processes
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == EXIT_TERMINATED, err
    assert "Traceback" not in err and "terminated" in err
    time.sleep(1)
    assert [p for p in started if pid_alive(p) and not _zombie(p)] == []
    assert not (out / "_build").exists() and not (out / ".idlib-reports.lock").exists()
    assert not list(out.glob("*.failed.ipynb")) and not list(out.glob(".*.tmp"))
