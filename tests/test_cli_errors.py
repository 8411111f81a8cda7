"""Bad input on the command line: one clear line naming the option or file, non-zero exit, no traceback."""

from __future__ import annotations

import errno

import pytest

from analysis.cli import main
from analysis.cli_guard import describe, run


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["forecast", "displacement", "--as-of", "2020-01-08", "--horizon-days", "100000"], "--horizon-days"),
        (["forecast", "displacement", "--as-of", "2020-01-08", "--horizon-days", "7", "--paths", "0"], "--paths"),
        (["forecast", "displacement", "--as-of", "2020-01-08", "--horizon-days", "7", "--seed", "-1"], "--seed"),
        (["score", "--gamma", "-1"], "--gamma"),
        (["score", "--gamma", "nan"], "--gamma"),
        (["reports", "--workers", "0"], "--workers"),
    ],
)
def test_out_of_range_options_are_refused_before_any_work(argv, needle, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err


def test_an_unexpected_failure_is_one_line_and_a_traceback_only_with_debug(capsys):
    def boom(_args):
        raise KeyError("mİllion")

    assert run(boom, None) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: KeyError") and "--debug" in err and "Traceback" not in err
    assert run(boom, None, debug=True) == 1
    assert "Traceback" in capsys.readouterr().err


def test_disk_errors_name_the_file_and_say_outputs_were_kept():
    full = OSError(errno.ENOSPC, "No space left on device", "reports/01.pdf")
    assert describe(full) == "reports/01.pdf: no space left on the device; earlier outputs were left in place"
    ro = OSError(errno.EROFS, "Read-only file system", "reports")
    assert describe(ro).startswith("reports: cannot write here")
