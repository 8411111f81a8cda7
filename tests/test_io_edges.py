"""Published files: readable by others (umask respected), no staging left behind by a killed run."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

from analysis.core.io import atomic_dir, remove_stale_staging, write_text


def _mode(p) -> int:
    return stat.S_IMODE(os.stat(p).st_mode)


def test_published_files_and_folders_respect_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        write_text(tmp_path / "a.csv", "x\n")
        with atomic_dir(tmp_path / "pub") as staging:
            (staging / "b.csv").write_text("y\n")
        assert _mode(tmp_path / "a.csv") == 0o644
        assert _mode(tmp_path / "pub") == 0o755
        os.umask(0o077)
        write_text(tmp_path / "c.csv", "z\n")
        assert _mode(tmp_path / "c.csv") == 0o600
    finally:
        os.umask(old)


def test_staging_of_a_killed_run_is_removed_by_the_next(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    pid = int(dead.stdout)
    stale_dir = tmp_path / f".dataset.{pid}.abc"
    stale_dir.mkdir()
    stale_file = tmp_path / f".x.csv.{pid}.def.tmp"
    stale_file.write_text("partial")
    live = tmp_path / f".dataset.{os.getppid()}.ghi"  # a live process's staging stays
    live.mkdir()
    with atomic_dir(tmp_path / "dataset") as staging:
        (staging / "a").write_text("1")
    write_text(tmp_path / "x.csv", "ok\n")
    assert not stale_dir.exists() and not stale_file.exists() and live.exists()
    assert remove_stale_staging(tmp_path / "dataset") == []
