"""Parameterised runs get their own file names; one run at a time writes into an output folder."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from analysis.core.errors import InputError
from analysis.report.naming import LOCK, report_name, run_lock
from analysis.report.runner import load_jobs, plan


def test_a_parameterised_plan_names_its_reports_from_the_parameters():
    names = {j.name for j in plan(load_jobs(), {"as_of": "2020-01-08"})}
    assert "01_event_dataset__as_of-2020-01-08" in names
    assert "01_event_dataset" not in names
    assert {j.name for j in plan(load_jobs(), {})} == {j.name for j in load_jobs()}
    assert report_name("x", {}, {"cities": ["Saraqib", "Idlib city"]}) == 'x__cities-Saraqib_Idlib_city'


def test_a_second_run_is_refused_naming_the_first_and_a_dead_runs_lock_is_taken_over(tmp_path):
    with run_lock(tmp_path):
        assert (tmp_path / LOCK).read_text().strip() == str(os.getpid())
        holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
        try:
            (tmp_path / LOCK).write_text(f"{holder.pid}\n")  # as if another run held it
            with pytest.raises(InputError, match=f"another `idlib reports` is running, pid {holder.pid}"), run_lock(tmp_path):
                pass
        finally:
            holder.kill()
            holder.wait()
    (tmp_path / LOCK).write_text(f"{holder.pid}\n")  # its process is gone: a stale lock
    with run_lock(tmp_path):
        pass
    assert not (tmp_path / LOCK).exists()
