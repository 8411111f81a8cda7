"""The CLI's error path and option checks: one clear line and a non-zero exit, never a traceback.

A traceback is printed only with ``--debug``. Option checks run in argparse (``type=``), so a
bad ``--paths`` or ``--gamma`` is refused before any work starts, naming the option.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import signal
import sys
import traceback
import warnings
from collections.abc import Callable, Iterator

from .core.errors import InputError

EXIT_INPUT = 2  # bad input: a file, row, field or parameter named
EXIT_FAILED = 1  # the run failed for another reason (disk, a bug): said in one line
EXIT_INTERRUPTED = 130  # SIGINT, by shell convention
EXIT_TERMINATED = 143  # SIGTERM, by shell convention

MAX_HORIZON_DAYS = 3650  # ten years: longer is a typo, and would run for minutes before failing
MAX_PATHS = 1_000_000


def int_in(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number in ``low..high``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < low or (high is not None and value > high):
            bound = f"from {low} to {high:,}" if high is not None else f"at least {low}"
            raise argparse.ArgumentTypeError(f"must be {bound}, got {value}")
        return value

    parse.__name__ = "integer"
    return parse


def positive_float(text: str) -> float:
    """An argparse type: a finite number above zero."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be above 0, got {text}")
    return value


def describe(exc: BaseException) -> str:
    """One line saying what went wrong and where, for an exception the CLI did not expect."""
    if isinstance(exc, InputError):
        return str(exc)
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        if exc.errno == errno.ENOSPC:
            return f"{where}no space left on the device; earlier outputs were left in place"
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return f"{where}cannot write here ({exc.strerror}); earlier outputs were left in place"
        return f"{where}{exc.strerror or exc}"
    if isinstance(exc, UnicodeDecodeError):
        return f"a file is not UTF-8 text (byte {exc.start}: {exc.reason})"
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[-1] if text else ''} (run with --debug for the traceback)"


@contextlib.contextmanager
def stated_warnings() -> Iterator[None]:
    """Warnings from the library (a hand-edited dataset, ...) print as one ``warning: ...`` line on stderr."""

    def show(message, category, filename, lineno, file=None, line=None):  # noqa: ARG001 - warnings' signature
        print(f"warning: {message}", file=sys.stderr)

    with warnings.catch_warnings():
        warnings.simplefilter("default")
        warnings.showwarning = show
        yield


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread so that cleanup runs as for Ctrl-C (``finally``, staging removal)."""


def _terminate(signum, frame):  # noqa: ARG001 - a signal handler's signature
    raise Terminated()


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """While the block runs, SIGTERM raises :class:`Terminated` (by default it kills at once, cleaning nothing)."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run(func: Callable[[argparse.Namespace], int], args: argparse.Namespace, debug: bool = False) -> int:
    """Run a command; any failure becomes ``error: ...`` on stderr and a non-zero exit code.

    SIGINT and SIGTERM stop the command with its cleanup (report processes stopped, staging removed).
    """
    try:
        with terminate_as_interrupt():
            return func(args)
    except Terminated:
        print("terminated; partial outputs were removed, earlier outputs left in place", file=sys.stderr)
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        print("interrupted; partial outputs were removed, earlier outputs left in place", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # stdout closed early (e.g. piped into head): not an error worth a line
        return EXIT_FAILED
    except Exception as exc:  # noqa: BLE001 - the CLI's last line of defence
        if debug:
            traceback.print_exc()
        print(f"error: {describe(exc)}", file=sys.stderr)
        return EXIT_INPUT if isinstance(exc, InputError) else EXIT_FAILED
