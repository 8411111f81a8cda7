"""Report file names from parameters, and the run lock on an output folder.

A run with parameters other than the report's own (``-p``, ``-f``) writes its files under a
name that carries them, e.g. ``01_event_dataset__as_of-2020-01-08.pdf``, so it never
overwrites the default report. One ``idlib reports`` at a time may write into a folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..core.errors import InputError
from ..core.io import pid_alive

LOCK = ".idlib-reports.lock"


def _slug(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return re.sub(r"[^A-Za-z0-9.+-]+", "_", text).strip("_") or "_"


def report_name(name: str, defaults: dict[str, Any], params: dict[str, Any]) -> str:
    """``name`` plus ``__key-value`` for every parameter that differs from the report's own.

    >>> report_name("01_event_dataset", {}, {"as_of": "2020-01-08"})
    '01_event_dataset__as_of-2020-01-08'
    >>> report_name("02_displacement", {"n_paths": 1000}, {"n_paths": 1000})
    '02_displacement'
    """
    changed = sorted(k for k in params if k not in defaults or defaults[k] != params[k])
    return name + "".join(f"__{k}-{_slug(params[k])}" for k in changed)



@contextlib.contextmanager
def run_lock(out_dir: Path) -> Iterator[Path]:
    """Hold ``out_dir``'s run lock for the block; a lock left by a dead process is taken over.

    Raises InputError naming the pid of the run that holds it.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    lock = out_dir / LOCK
    for _attempt in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                pid = int(lock.read_text().strip() or 0)
            except (OSError, ValueError):
                pid = 0
            if pid and pid_alive(pid) and pid != os.getpid():
                raise InputError(f"another `idlib reports` is running, pid {pid}; wait for it or stop it", file=out_dir) from None
            with contextlib.suppress(FileNotFoundError):
                lock.unlink()  # stale: its run was killed
            continue
        with os.fdopen(fd, "w") as f:
            f.write(f"{os.getpid()}\n")
        break
    else:
        raise InputError("could not take the run lock", file=lock)
    try:
        yield lock
    finally:
        with contextlib.suppress(FileNotFoundError):
            lock.unlink()
